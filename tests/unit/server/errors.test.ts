import type { Logger } from "pino";
import { describe, expect, it, vi } from "vitest";
import { ERROR_CODES } from "@/lib/protocol";
import { AppError, ERROR_STATUS, errors, isAppError, SERVER_ERROR_CODES } from "@/lib/server/errors";
import { toErrorResponse } from "@/lib/server/http/errors";

const fakeLog = () => ({ error: vi.fn() }) as unknown as Logger & { error: ReturnType<typeof vi.fn> };

describe("ERROR_STATUS", () => {
  // PROTOCOL.md §2–§6: the status each code answers with.
  const expected: Record<string, number> = {
    VALIDATION_FAILED: 400,
    UNAUTHENTICATED: 401,
    INVALID_CREDENTIALS: 401,
    FORBIDDEN: 403,
    NOT_FOUND: 404,
    PAYLOAD_TOO_LARGE: 413,
    RATE_LIMITED: 429,
    ALREADY_EXISTS: 409,
    CONFLICT_ALREADY_RESOLVED: 409,
    STALE_RESOLUTION: 409,
    INTERNAL: 500,
  };
  it.each(Object.entries(expected))("%s → %i", (code, status) => {
    expect(ERROR_STATUS[code as keyof typeof ERROR_STATUS]).toBe(status);
  });

  it("has a status for every protocol and server code", () => {
    for (const code of [...Object.values(ERROR_CODES), ...Object.values(SERVER_ERROR_CODES)]) {
      expect(ERROR_STATUS[code as keyof typeof ERROR_STATUS], code).toBeGreaterThanOrEqual(400);
    }
  });
});

describe("toErrorResponse", () => {
  it("answers an AppError with its code's status and {error:{code,message}}", async () => {
    const res = toErrorResponse(errors.forbidden("Not yours"), fakeLog());
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: { code: "FORBIDDEN", message: "Not yours" } });
  });

  it("carries zod issues when there are some", async () => {
    const issues = [{ path: ["email"], message: "Required" }];
    const res = toErrorResponse(errors.validation("Bad body", issues), fakeLog());
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: "VALIDATION_FAILED", message: "Bad body", issues } });
  });

  it("sets Retry-After for a rate limit", () => {
    const res = toErrorResponse(new AppError("RATE_LIMITED", "Slow down", { retryAfterSeconds: 42 }), fakeLog());
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("42");
  });

  it("answers anything else with a generic 500 that echoes nothing, and logs it", async () => {
    const log = fakeLog();
    const secret = new Error('relation "User" does not exist at /srv/app/lib/server/queries/users.ts:12');
    const res = toErrorResponse(secret, log);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: { code: "INTERNAL", message: expect.any(String) } });
    expect(text).not.toMatch(/relation|users\.ts|at \//);
    expect(log.error).toHaveBeenCalledOnce();
    expect(log.error.mock.calls[0][0]).toEqual({ err: secret });
  });

  it("does not trust an error that merely looks like an AppError by name without a code", async () => {
    const impostor = Object.assign(new Error("x"), { name: "AppError" });
    expect(isAppError(impostor)).toBe(false);
    expect(toErrorResponse(impostor, fakeLog()).status).toBe(500);
  });
});
