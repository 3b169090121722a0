import type { HttpRequest, HttpResponse, HttpStack } from "tus-js-client";

/**
 * A tus-js-client HTTP stack on `fetch`, for where XMLHttpRequest does not exist: service workers
 * (and Node, in tests). Bodies are Blobs (see blob-file-reader.ts). fetch reports no upload
 * progress, so a request reports its bytes when it completes; the queue uses chunked PATCHes
 * with this stack to keep progress moving.
 */
export class FetchHttpStack implements HttpStack {
  constructor(private readonly init: RequestInit = { credentials: "same-origin" }) {}

  createRequest(method: string, url: string): HttpRequest {
    return new FetchHttpRequest(method, url, this.init);
  }

  getName(): string {
    return "FetchHttpStack";
  }
}

class FetchHttpRequest implements HttpRequest {
  private readonly headers: Record<string, string> = {};
  private readonly controller = new AbortController();
  private onProgress: (bytesSent: number) => void = () => undefined;

  constructor(
    private readonly method: string,
    private readonly url: string,
    private readonly init: RequestInit,
  ) {}

  getMethod(): string {
    return this.method;
  }

  getURL(): string {
    return this.url;
  }

  setHeader(header: string, value: string): void {
    this.headers[header] = value;
  }

  getHeader(header: string): string | undefined {
    return this.headers[header];
  }

  setProgressHandler(handler: (bytesSent: number) => void): void {
    this.onProgress = handler;
  }

  async send(body: unknown = null): Promise<HttpResponse> {
    const blob = body instanceof Blob ? body : null;
    const response = await fetch(this.url, {
      ...this.init,
      method: this.method,
      headers: this.headers,
      body: blob ?? (body as BodyInit | null),
      signal: this.controller.signal,
    });
    const text = await response.text();
    if (blob) this.onProgress(blob.size);
    return new FetchHttpResponse(response, text);
  }

  abort(): Promise<void> {
    this.controller.abort();
    return Promise.resolve();
  }

  getUnderlyingObject(): unknown {
    return this.controller;
  }
}

class FetchHttpResponse implements HttpResponse {
  constructor(
    private readonly response: Response,
    private readonly body: string,
  ) {}

  getStatus(): number {
    return this.response.status;
  }

  getHeader(header: string): string | undefined {
    return this.response.headers.get(header) ?? undefined;
  }

  getBody(): string {
    return this.body;
  }

  getUnderlyingObject(): unknown {
    return this.response;
  }
}
