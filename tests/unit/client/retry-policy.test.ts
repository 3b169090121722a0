import { describe, expect, it } from "vitest";
import {
  BACKOFF_CAP_MS,
  backoffDelay,
  classifyFailure,
  type Decision,
  type Failure,
  parseRetryAfter,
} from "@/lib/client/sync/retry-policy";

const NOW = Date.parse("2026-03-01T12:00:00.000Z");

describe("classifyFailure", () => {
  const table: [string, Failure, Decision][] = [
    ["network error", { kind: "network" }, { action: "retry", reason: "network", code: "NETWORK_ERROR" }],
    ["unparseable 200", { kind: "bad-response", status: 200 }, { action: "retry", reason: "bad-response", code: "BAD_RESPONSE" }],
    ["500", { kind: "http", status: 500, code: "INTERNAL" }, { action: "retry", reason: "server", code: "INTERNAL" }],
    ["502 without body", { kind: "http", status: 502 }, { action: "retry", reason: "server", code: "HTTP_502" }],
    [
      "503 + Retry-After",
      { kind: "http", status: 503, code: "SERVICE_UNAVAILABLE", retryAfter: "30" },
      { action: "retry", reason: "server", code: "SERVICE_UNAVAILABLE", retryAfterMs: 30_000 },
    ],
    [
      "429 + Retry-After",
      { kind: "http", status: 429, code: "RATE_LIMITED", retryAfter: "120" },
      { action: "retry", reason: "rate-limited", code: "RATE_LIMITED", retryAfterMs: 120_000 },
    ],
    [
      "429 without Retry-After",
      { kind: "http", status: 429, code: "RATE_LIMITED" },
      { action: "retry", reason: "rate-limited", code: "RATE_LIMITED" },
    ],
    ["408", { kind: "http", status: 408 }, { action: "retry", reason: "timeout", code: "HTTP_408" }],
    ["401", { kind: "http", status: 401, code: "UNAUTHENTICATED" }, { action: "sign-in", code: "UNAUTHENTICATED" }],
    ["413", { kind: "http", status: 413, code: "PAYLOAD_TOO_LARGE" }, { action: "split", code: "PAYLOAD_TOO_LARGE" }],
    ["400", { kind: "http", status: 400, code: "VALIDATION_FAILED" }, { action: "park", code: "VALIDATION_FAILED", status: 400 }],
    ["403", { kind: "http", status: 403, code: "FORBIDDEN" }, { action: "park", code: "FORBIDDEN", status: 403 }],
    ["404", { kind: "http", status: 404 }, { action: "park", code: "HTTP_404", status: 404 }],
    ["409", { kind: "http", status: 409, code: "ALREADY_EXISTS" }, { action: "park", code: "ALREADY_EXISTS", status: 409 }],
    ["422", { kind: "http", status: 422 }, { action: "park", code: "HTTP_422", status: 422 }],
    ["302 (captive portal)", { kind: "http", status: 302 }, { action: "retry", reason: "bad-response", code: "HTTP_302" }],
  ];
  it.each(table)("%s", (_name, failure, expected) => {
    expect(classifyFailure(failure, NOW)).toEqual(expected);
  });

  it("decides by status, never by message text or code spelling", () => {
    // A 503 whose body claims an auth problem is still a retry; a 401 with any code is sign-in.
    expect(classifyFailure({ kind: "http", status: 503, code: "UNAUTHENTICATED" }, NOW).action).toBe("retry");
    expect(classifyFailure({ kind: "http", status: 401, code: "SOMETHING_ELSE" }, NOW).action).toBe("sign-in");
  });
});

describe("parseRetryAfter", () => {
  it.each([
    ["seconds", "30", 30_000],
    ["zero seconds", "0", 0],
    ["padded seconds", " 5 ", 5_000],
    ["HTTP date in the future", new Date(NOW + 90_000).toUTCString(), 90_000],
    ["HTTP date in the past", new Date(NOW - 90_000).toUTCString(), 0],
    ["garbage", "soon", undefined],
    ["negative seconds", "-5", undefined],
    ["empty", "", undefined],
    ["null", null, undefined],
    ["undefined", undefined, undefined],
  ] as const)("%s", (_name, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});

describe("backoffDelay", () => {
  const almostOne = 0.999999;

  it("is exponential with full jitter: uniform in [0, base·2^attempt)", () => {
    for (const attempt of [0, 1, 2, 5, 8]) {
      const ceiling = 1000 * 2 ** attempt;
      expect(backoffDelay(attempt, { random: () => 0 })).toBe(0);
      expect(backoffDelay(attempt, { random: () => 0.5 })).toBe(ceiling / 2);
      const top = backoffDelay(attempt, { random: () => almostOne });
      expect(top).toBeLessThan(ceiling);
      expect(top).toBeGreaterThanOrEqual(ceiling - 1);
    }
  });

  it("caps at 10 minutes, however many attempts (never exhausted)", () => {
    expect(BACKOFF_CAP_MS).toBe(600_000);
    for (const attempt of [10, 20, 100, 10_000]) {
      const delay = backoffDelay(attempt, { random: () => almostOne });
      expect(delay).toBeLessThanOrEqual(BACKOFF_CAP_MS);
      expect(delay).toBeGreaterThan(BACKOFF_CAP_MS - 2);
      expect(Number.isFinite(delay)).toBe(true);
    }
  });

  it("waits at least Retry-After, still within the cap", () => {
    expect(backoffDelay(0, { random: () => 0.5, retryAfterMs: 30_000 })).toBe(30_000);
    expect(backoffDelay(6, { random: () => 0.9, retryAfterMs: 1_000 })).toBe(Math.floor(0.9 * 64_000));
    expect(backoffDelay(0, { random: () => 0, retryAfterMs: 3_600_000 })).toBe(BACKOFF_CAP_MS);
  });

  it("stays within bounds for random draws", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 500; i++) {
      const attempt = i % 15;
      const delay = backoffDelay(attempt, { random });
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(Math.min(BACKOFF_CAP_MS, 1000 * 2 ** attempt));
    }
  });
});
