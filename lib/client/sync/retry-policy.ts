/**
 * The one place that decides what a failed sync request means. Decisions use the HTTP status
 * (and the error code only to report it) — never the message text, which is for humans and may
 * change or be translated.
 */

/** Codes the client reports for failures that never reached a server answer. */
export const CLIENT_ERROR_CODES = {
  NETWORK_ERROR: "NETWORK_ERROR",
  BAD_RESPONSE: "BAD_RESPONSE",
  /** A failure on the device itself (IndexedDB, a bug), not an answer from the server. */
  LOCAL_ERROR: "LOCAL_ERROR",
} as const;

export type Failure =
  | { kind: "network" }
  /** The server (or a proxy) answered with something that is not the expected JSON. */
  | { kind: "bad-response"; status: number }
  | {
      kind: "http";
      status: number;
      code?: string;
      retryAfter?: string | null;
      /** The first segment of each `issues[].path` in the error body (e.g. "cursor"). */
      issueFields?: string[];
    };

export type RetryReason = "network" | "server" | "rate-limited" | "timeout" | "bad-response";

export type Decision =
  /** Transient: try again later, the queue untouched. Never exhausted. */
  | { action: "retry"; reason: RetryReason; code: string; retryAfterMs?: number }
  /** The session is gone: keep the queue, ask the user to sign in. */
  | { action: "sign-in"; code: string }
  /** The request was too large: send the same mutations in smaller batches. */
  | { action: "split"; code: string }
  /** The server refused the request for good: park what it carried (push) or surface it (pull). */
  | { action: "park"; code: string; status: number };

export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = 10 * 60 * 1_000;

/**
 * Classifies a failure:
 * network error, 5xx, 429, 408 → retry; 401 → sign-in; 413 → split; other 4xx → park.
 * (408 Request Timeout is transient by definition, like a network error.)
 */
export function classifyFailure(failure: Failure, nowMs: number = Date.now()): Decision {
  if (failure.kind === "network") return { action: "retry", reason: "network", code: CLIENT_ERROR_CODES.NETWORK_ERROR };
  if (failure.kind === "bad-response") {
    return { action: "retry", reason: "bad-response", code: CLIENT_ERROR_CODES.BAD_RESPONSE };
  }
  const { status } = failure;
  const code = failure.code ?? `HTTP_${status}`;
  const retryAfterMs = parseRetryAfter(failure.retryAfter, nowMs);
  const withRetryAfter = <T extends object>(d: T): T & { retryAfterMs?: number } =>
    retryAfterMs === undefined ? d : { ...d, retryAfterMs };

  if (status === 429) return withRetryAfter({ action: "retry", reason: "rate-limited", code });
  if (status >= 500 && status <= 599) return withRetryAfter({ action: "retry", reason: "server", code });
  if (status === 408) return withRetryAfter({ action: "retry", reason: "timeout", code });
  if (status === 401) return { action: "sign-in", code };
  if (status === 413) return { action: "split", code };
  if (status >= 400 && status <= 499) return { action: "park", code, status };
  // 1xx/3xx/other 2xx where JSON was expected: a proxy or captive portal in the way; transient.
  return { action: "retry", reason: "bad-response", code };
}

/**
 * `Retry-After` as milliseconds from now: either delay-seconds or an HTTP date. Undefined when
 * absent or unparseable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1_000;
  // An HTTP date names its day or month ("Wed, 21 Oct 2026 07:28:00 GMT"); this also keeps
  // Date.parse from reading "-5" as the year -5.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

export interface BackoffOptions {
  /** Returns a number in [0, 1). Injected so tests can pin the jitter. */
  random?: () => number;
  baseMs?: number;
  capMs?: number;
  /** The server's Retry-After: the delay is never shorter (but still capped). */
  retryAfterMs?: number;
}

/**
 * Delay before retry number `attempt` (0 for the first retry): exponential backoff with full
 * jitter, uniform in [0, min(cap, base·2^attempt)), raised to Retry-After when the server asked
 * for more, never above the cap (10 minutes) — so a device retries at least every 10 minutes
 * for as long as it has something to send.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const { random = Math.random, baseMs = BACKOFF_BASE_MS, capMs = BACKOFF_CAP_MS, retryAfterMs } = options;
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, Math.min(attempt, 52)));
  const jittered = Math.floor(random() * ceiling);
  return Math.min(capMs, Math.max(jittered, retryAfterMs ?? 0));
}
