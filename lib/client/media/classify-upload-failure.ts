import { MEDIA_FAILURE_KINDS, type MediaFailureKind } from "./media-row";

/**
 * What a failed upload attempt means, decided by the request method and HTTP status — never by
 * message text (STYLE; retry-policy.ts does the same for sync). tus-js-client has already retried
 * what it deems transient (network, 5xx, 409 offset conflicts, 423) a few times by then.
 *
 * | failure | action |
 * |---|---|
 * | no response (network), 5xx, 429, 408, 409/423 on HEAD/PATCH, a local error | `retry` later with backoff; the resume URL is kept |
 * | 401 | `sign-in`: the queue stops until MediaQueue.signedIn(); the file stays pending |
 * | 460, 422 | `failed` VERIFICATION: the server discarded the bytes; visible and retryable |
 * | 404, 410, 403 on HEAD/PATCH/DELETE | `restart`: the upload resource is gone (expired, cleaned up) or not ours; forget the URL, create a new one |
 * | other 4xx (POST: 400, 403, 404, 409, 413, 415; PATCH 413) | `failed` REFUSED: parked with the code until the user retries |
 */
export type UploadFailureDecision =
  | { action: "retry"; code: string }
  | { action: "sign-in"; code: string }
  | { action: "restart"; code: string }
  | { action: "failed"; kind: MediaFailureKind; code: string; status: number };

export interface UploadFailure {
  /** The method of the request that failed; undefined for a failure before any request. */
  method?: string;
  /** undefined: no HTTP answer (network error, abort, local failure). */
  status?: number;
  /** The `error.code` of a JSON error body, when there was one (reported, not decided on). */
  code?: string;
}

export function classifyUploadFailure(failure: UploadFailure): UploadFailureDecision {
  const { status, method } = failure;
  if (status === undefined) return { action: "retry", code: method ? "NETWORK_ERROR" : "LOCAL_ERROR" };
  const code = failure.code ?? `HTTP_${status}`;
  if (status === 401) return { action: "sign-in", code };
  if (status === 460 || status === 422) return { action: "failed", kind: MEDIA_FAILURE_KINDS.VERIFICATION, code, status };
  if (status >= 500 || status === 429 || status === 408) return { action: "retry", code };
  const onUploadResource = method !== "POST";
  if (onUploadResource && (status === 409 || status === 423)) return { action: "retry", code };
  if (onUploadResource && (status === 404 || status === 410 || status === 403)) return { action: "restart", code };
  if (status >= 400) return { action: "failed", kind: MEDIA_FAILURE_KINDS.REFUSED, code, status };
  return { action: "retry", code }; // a 1xx/2xx/3xx tus-js-client could not use: a proxy in the way
}

/** Whether tus-js-client should retry a request by itself before reporting the failure. */
export function isTransientUploadFailure(failure: UploadFailure): boolean {
  return classifyUploadFailure(failure).action === "retry";
}
