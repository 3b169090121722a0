import type { PullResponse, PushRequest, PushResponse } from "@/lib/protocol";
import type { Failure } from "./retry-policy";

/**
 * What the client needs of `fetch`. Injectable so tests can answer in-process (a scripted fake,
 * Next route handlers) or point at a started server.
 */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface TransportOptions {
  /** Origin (and base path) of the server, e.g. "https://fieldsync.example.org" or "" for same-origin. */
  baseUrl: string;
  fetch?: FetchLike;
  /** Bearer token, if the app authenticates by token; otherwise the session cookie is used. */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  credentials?: RequestCredentials;
  /** Push bodies larger than this many bytes are gzip-compressed when CompressionStream exists. */
  compressAboveBytes?: number;
}

export type TransportResult<T> = { ok: true; body: T; status: number } | { ok: false; failure: Failure; message: string };

export const DEFAULT_COMPRESS_ABOVE_BYTES = 1024;

export async function gzip(text: string): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

function isPushResponse(body: unknown): body is PushResponse {
  return isObject(body) && Array.isArray(body.results);
}

function isPullResponse(body: unknown): body is PullResponse {
  return isObject(body) && Array.isArray(body.changes) && typeof body.cursor === "string" && typeof body.hasMore === "boolean";
}

/** HTTP for the two sync endpoints. Never throws for network or HTTP failures: it reports them. */
export class SyncTransport {
  private readonly fetchFn: FetchLike;
  private readonly compressAbove: number;

  constructor(private readonly options: TransportOptions) {
    const globalFetch: FetchLike | undefined =
      typeof globalThis.fetch === "function" ? (url, init) => globalThis.fetch(url, init) : undefined;
    const fetchFn = options.fetch ?? globalFetch;
    if (!fetchFn) throw new Error("SyncTransport needs a fetch implementation");
    this.fetchFn = fetchFn;
    this.compressAbove = options.compressAboveBytes ?? DEFAULT_COMPRESS_ABOVE_BYTES;
  }

  private async headers(extra: Record<string, string>): Promise<Headers> {
    const headers = new Headers({ accept: "application/json", ...extra });
    const token = await this.options.getToken?.();
    if (token) headers.set("authorization", `Bearer ${token}`);
    return headers;
  }

  private url(path: string): string {
    return `${this.options.baseUrl.replace(/\/+$/, "")}${path}`;
  }

  async push(request: PushRequest): Promise<TransportResult<PushResponse>> {
    const json = JSON.stringify(request);
    const extra: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
    let body: string | Uint8Array<ArrayBuffer> = json;
    if (typeof CompressionStream === "function" && new TextEncoder().encode(json).byteLength > this.compressAbove) {
      body = await gzip(json);
      extra["content-encoding"] = "gzip";
    }
    return this.send("/api/sync/push", { method: "POST", headers: await this.headers(extra), body }, isPushResponse);
  }

  async pull(params: { cursor?: string | null; limit: number; deviceId: string }): Promise<TransportResult<PullResponse>> {
    const query = new URLSearchParams({ limit: String(params.limit), deviceId: params.deviceId });
    if (params.cursor) query.set("cursor", params.cursor);
    return this.send(`/api/sync/pull?${query}`, { method: "GET", headers: await this.headers({}) }, isPullResponse);
  }

  private async send<T>(path: string, init: RequestInit, isExpected: (body: unknown) => body is T): Promise<TransportResult<T>> {
    let response: Response;
    try {
      response = await this.fetchFn(this.url(path), { ...init, credentials: this.options.credentials ?? "include" });
    } catch (error) {
      return { ok: false, failure: { kind: "network" }, message: error instanceof Error ? error.message : String(error) };
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    if (response.ok) {
      if (isExpected(body)) return { ok: true, body, status: response.status };
      return {
        ok: false,
        failure: { kind: "bad-response", status: response.status },
        message: `unexpected response body from ${path}`,
      };
    }
    const error = isObject(body) && isObject(body.error) ? body.error : undefined;
    const issueFields = Array.isArray(error?.issues)
      ? error.issues.flatMap((issue) => (isObject(issue) && Array.isArray(issue.path) ? [String(issue.path[0])] : []))
      : [];
    return {
      ok: false,
      failure: {
        kind: "http",
        status: response.status,
        code: typeof error?.code === "string" ? error.code : undefined,
        retryAfter: response.headers.get("retry-after"),
        ...(issueFields.length > 0 ? { issueFields } : {}),
      },
      message: typeof error?.message === "string" ? error.message : `HTTP ${response.status}`,
    };
  }
}
