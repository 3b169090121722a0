import { afterEach, describe, expect, it } from "vitest";
import { POST as createUserRoute } from "@/app/api/admin/users/route";
import { POST as loginRoute } from "@/app/api/auth/login/route";
import { POST as logoutRoute } from "@/app/api/auth/logout/route";
import { GET as meRoute } from "@/app/api/auth/me/route";
import { GET as health } from "@/app/api/health/route";
import { openAdapter } from "@/lib/server/db/adapter";
import { createPrisma, setDb } from "@/lib/server/db/client";
import { resetEnvForTests } from "@/lib/server/env";
import { call, makeUser, ORIGIN } from "@/tests/fixtures/api";
import { useTestDb } from "@/tests/fixtures/test-db";

// PROTOCOL.md §2 (auth) and §7 (health), exercised through the route handlers with real Requests.
// The login rate limit keys on the email and on the address (x-forwarded-for), so every test that
// is not about the limit uses its own address and its own user.

const db = useTestDb();

type Result = Awaited<ReturnType<typeof call>>;

/** Every JSON error is `{error:{code,message,issues?}}` and nothing else. */
function expectError(res: Result, status: number, code: string, options: { issues?: boolean } = {}) {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(Object.keys(res.body ?? {})).toEqual(["error"]);
  const error = res.body.error as { code: string; message: string; issues?: unknown };
  expect(typeof error.message).toBe("string");
  expect(error.message.length).toBeGreaterThan(0);
  expect(Object.keys(error).sort()).toEqual(options.issues ? ["code", "issues", "message"] : ["code", "message"]);
  if (options.issues) {
    expect(Array.isArray(error.issues)).toBe(true);
    expect((error.issues as unknown[]).length).toBeGreaterThan(0);
  }
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
}

let ipCounter = 0;
/** A fresh client address, so the per-address limit of one test never bleeds into another. */
const freshIp = () => `192.0.2.${++ipCounter}`;

function login(body: unknown, ip = freshIp(), extra: Partial<Parameters<typeof call>[1]> = {}) {
  return call(loginRoute, { method: "POST", path: "/api/auth/login", body, headers: { "x-forwarded-for": ip }, ...extra });
}

function sessionCookieFrom(res: Result): string {
  const header = res.headers.get("set-cookie") ?? "";
  const pair = header.split(";")[0];
  expect(pair).toMatch(/^fs_session=.+/);
  return pair;
}

describe("POST /api/auth/login", () => {
  it("signs in: 200 with user and token, and an httpOnly SameSite=Lax session cookie", async () => {
    const { user, email, password } = await makeUser(db.current.prisma, "ASSESSOR", "Lola Login");
    const res = await login({ email, password });
    expect(res.status).toBe(200);
    expect(res.body.user).toEqual({ id: user.id, email, name: "Lola Login", role: "ASSESSOR" });
    expect(typeof res.body.token).toBe("string");
    expect((res.body.token as string).length).toBeGreaterThanOrEqual(32);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^fs_session=[^;]+;/);
    expect(cookie).toMatch(/;\s*HttpOnly(;|$)/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax(;|$)/i);
    expect(cookie).toMatch(/;\s*Path=\/(;|$)/);
    expect(cookie).not.toMatch(/Secure/i); // served over http here
    // The cookie carries the same session as the token.
    expect(decodeURIComponent(sessionCookieFrom(res).slice("fs_session=".length))).toBe(res.body.token);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("marks the cookie Secure behind an https proxy", async () => {
    const { email, password } = await makeUser(db.current.prisma, "ASSESSOR");
    const res = await login({ email, password }, freshIp(), {
      headers: { "x-forwarded-for": freshIp(), "x-forwarded-proto": "https" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toMatch(/;\s*Secure(;|$)/);
  });

  it("treats the email case- and whitespace-insensitively", async () => {
    const { email, password } = await makeUser(db.current.prisma, "RESPONDER");
    const res = await login({ email: `  ${email.toUpperCase()} `, password });
    expect(res.status).toBe(200);
  });

  it("accepts a gzip-compressed body", async () => {
    const { email, password } = await makeUser(db.current.prisma, "RESPONDER");
    const res = await login({ email, password }, freshIp(), { gzip: true });
    expect(res.status).toBe(200);
  });

  const errorCases: {
    name: string;
    send: (known: { email: string; password: string }) => Promise<Result>;
    status: number;
    code: string;
    issues?: boolean;
  }[] = [
    {
      name: "wrong password",
      send: (k) => login({ email: k.email, password: "not the password" }),
      status: 401,
      code: "INVALID_CREDENTIALS",
    },
    {
      name: "unknown email",
      send: (k) => login({ email: `nobody-${k.email}`, password: k.password }),
      status: 401,
      code: "INVALID_CREDENTIALS",
    },
    {
      name: "not an email at all",
      send: (k) => login({ email: "not-an-email", password: k.password }),
      status: 401,
      code: "INVALID_CREDENTIALS",
    },
    {
      name: "malformed JSON",
      send: () =>
        call(loginRoute, {
          method: "POST",
          rawBody: '{"email": "a@b.c", ',
          headers: { "content-type": "application/json", "x-forwarded-for": freshIp() },
        }),
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "empty body",
      send: () =>
        call(loginRoute, { method: "POST", rawBody: "", headers: { "content-type": "application/json", "x-forwarded-for": freshIp() } }),
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "a password holding half a character (a lone surrogate escape)",
      send: (k) =>
        call(loginRoute, {
          method: "POST",
          rawBody: `{"email": ${JSON.stringify(k.email)}, "password": "pw\\ud83d"}`,
          headers: { "content-type": "application/json", "x-forwarded-for": freshIp() },
        }),
      status: 400,
      code: "VALIDATION_FAILED",
      issues: true,
    },
    {
      name: "no body",
      send: () => call(loginRoute, { method: "POST", headers: { "x-forwarded-for": freshIp() } }),
      status: 400,
      code: "VALIDATION_FAILED",
    },
    { name: "wrong shape: password missing", send: (k) => login({ email: k.email }), status: 400, code: "VALIDATION_FAILED", issues: true },
    {
      name: "wrong shape: email a number",
      send: (k) => login({ email: 42, password: k.password }),
      status: 400,
      code: "VALIDATION_FAILED",
      issues: true,
    },
    { name: "wrong shape: an array", send: (k) => login([k.email, k.password]), status: 400, code: "VALIDATION_FAILED", issues: true },
    {
      name: "wrong shape: empty password",
      send: (k) => login({ email: k.email, password: "" }),
      status: 400,
      code: "VALIDATION_FAILED",
      issues: true,
    },
    {
      name: "body not gzip though it says so",
      send: () =>
        call(loginRoute, {
          method: "POST",
          rawBody: "{}",
          headers: { "content-type": "application/json", "content-encoding": "gzip", "x-forwarded-for": freshIp() },
        }),
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "unsupported content-encoding",
      send: () =>
        call(loginRoute, {
          method: "POST",
          rawBody: "{}",
          headers: { "content-type": "application/json", "content-encoding": "br", "x-forwarded-for": freshIp() },
        }),
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "body over the 1 MiB limit",
      send: (k) => login({ email: k.email, password: k.password, padding: "x".repeat(1024 * 1024 + 1) }),
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
    },
  ];

  it.each(errorCases)("$name → $status $code", async ({ send, status, code, issues }) => {
    const known = await makeUser(db.current.prisma, "ASSESSOR");
    const res = await send(known);
    expectError(res, status, code, { issues });
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("names the offending field in the issues of a wrong shape", async () => {
    const res = await login({ email: "someone@example.org" });
    expectError(res, 400, "VALIDATION_FAILED", { issues: true });
    const issues = res.body.error?.issues as { path: (string | number)[] }[];
    expect(issues.map((i) => i.path.join("."))).toContain("password");
  });

  it("refuses a deactivated user with the same 401 as a wrong password, and ends their sessions", async () => {
    const { user, email, password, token } = await makeUser(db.current.prisma, "ASSESSOR");
    await db.current.prisma.user.update({ where: { id: user.id }, data: { active: false } });
    expectError(await login({ email, password }), 401, "INVALID_CREDENTIALS");
    expectError(await call(meRoute, { token }), 401, "UNAUTHENTICATED");
  });
});

describe("login rate limit (10 failures per email or per address in 15 minutes)", () => {
  async function fail(times: number, next: (i: number) => { email: string; ip: string }) {
    for (let i = 0; i < times; i++) {
      const { email, ip } = next(i);
      expectError(await login({ email, password: "wrong password" }, ip), 401, "INVALID_CREDENTIALS");
    }
  }

  function expectRateLimited(res: Result) {
    expectError(res, 429, "RATE_LIMITED");
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
  }

  it("per email: 10 failures from 10 addresses → the 11th attempt is 429 even with the right password", async () => {
    const { email, password } = await makeUser(db.current.prisma, "ASSESSOR");
    await fail(10, () => ({ email, ip: freshIp() }));
    expectRateLimited(await login({ email, password }, freshIp()));
    // No session cookie for a refused attempt; another account is unaffected.
    const other = await makeUser(db.current.prisma, "ASSESSOR");
    expect((await login({ email: other.email, password: other.password })).status).toBe(200);
  });

  it("per address: 10 failures for 10 emails from one address → the 11th attempt from it is 429, for any account", async () => {
    const ip = freshIp();
    const { email, password } = await makeUser(db.current.prisma, "RESPONDER");
    await fail(10, (i) => ({ email: `ghost-${i}-${ip}@test.fieldsync.org`, ip }));
    expectRateLimited(await login({ email, password }, ip));
    // The same account from another address signs in.
    expect((await login({ email, password }, freshIp())).status).toBe(200);
  });

  it("per address counts accounts, not attempts: one user failing 11 times locks their email, not their address", async () => {
    const ip = freshIp();
    const mistyper = await makeUser(db.current.prisma, "ASSESSOR");
    await fail(10, () => ({ email: mistyper.email, ip }));
    expectRateLimited(await login({ email: mistyper.email, password: mistyper.password }, ip));
    // A colleague behind the same address (a field office's shared uplink) still signs in.
    const colleague = await makeUser(db.current.prisma, "ASSESSOR");
    expect((await login({ email: colleague.email, password: colleague.password }, ip)).status).toBe(200);
  });

  it("behind one reverse proxy the address is the last X-Forwarded-For entry (the one the proxy added)", async () => {
    const real = freshIp();
    const { email, password } = await makeUser(db.current.prisma, "RESPONDER");
    // Each attempt claims a different address first; the proxy's entry names the same peer.
    await fail(10, (i) => ({ email: `ghost-proxied-${i}-${real}@test.fieldsync.org`, ip: `${freshIp()}, ${real}` }));
    expectRateLimited(await login({ email, password }, `${freshIp()}, ${real}`));
    expect((await login({ email, password }, `${real}, ${freshIp()}`)).status).toBe(200);
  });

  it("9 failures are still allowed, and a success clears the email's count", async () => {
    const { email, password } = await makeUser(db.current.prisma, "ASSESSOR");
    await fail(9, () => ({ email, ip: freshIp() }));
    expect((await login({ email, password })).status).toBe(200);
    // Without the reset this would be the 10th failure and the next login would be refused.
    await fail(1, () => ({ email, ip: freshIp() }));
    expect((await login({ email, password })).status).toBe(200);
  });

  it("failures older than the window do not count", async () => {
    const { email, password } = await makeUser(db.current.prisma, "ASSESSOR");
    const old = new Date(Date.now() - 16 * 60_000);
    await db.current.prisma.loginFailure.createMany({
      data: Array.from({ length: 12 }, () => ({ email, ip: "198.51.100.1", createdAt: old })),
    });
    expect((await login({ email, password }, "198.51.100.1")).status).toBe(200);
  });

  it("Retry-After counts down to when the oldest counted failure leaves the window", async () => {
    const { email, password } = await makeUser(db.current.prisma, "ASSESSOR");
    // The oldest counted failure is 14 minutes old: a slot frees in about one minute.
    const base = Date.now() - 14 * 60_000;
    await db.current.prisma.loginFailure.createMany({
      data: Array.from({ length: 10 }, (_, i) => ({ email, ip: freshIp(), createdAt: new Date(base + i * 1000) })),
    });
    const res = await login({ email, password });
    expectRateLimited(res);
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(30);
    expect(retryAfter).toBeLessThanOrEqual(61);
  });
});

describe("login CSRF", () => {
  it("refuses a sign-in posted from a foreign origin (403), accepts its own origin and no Origin at all", async () => {
    const { email, password } = await makeUser(db.current.prisma, "ASSESSOR");
    expectError(
      await login({ email, password }, freshIp(), { headers: { origin: "https://evil.example", "x-forwarded-for": freshIp() } }),
      403,
      "FORBIDDEN",
    );
    expect((await login({ email, password }, freshIp(), { headers: { origin: ORIGIN, "x-forwarded-for": freshIp() } })).status).toBe(200);
    expect((await login({ email, password }, freshIp())).status).toBe(200);
  });
});

describe("GET /api/auth/me", () => {
  it("answers with the user for a bearer token", async () => {
    const { user, token } = await makeUser(db.current.prisma, "COORDINATOR", "Cora Bearer");
    const res = await call(meRoute, { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: { id: user.id, email: user.email, name: "Cora Bearer", role: "COORDINATOR" } });
  });

  it("answers with the user for the session cookie", async () => {
    const { user, email, password } = await makeUser(db.current.prisma, "RESPONDER");
    const cookie = sessionCookieFrom(await login({ email, password }));
    const res = await call(meRoute, { cookie: `theme=dark; ${cookie}; other=1` });
    expect(res.status).toBe(200);
    expect((res.body.user as { id: string }).id).toBe(user.id);
  });

  const unauthenticated: { name: string; options: Parameters<typeof call>[1] }[] = [
    { name: "no credentials", options: {} },
    { name: "a bogus bearer token", options: { token: "not-a-real-token" } },
    { name: "a malformed Authorization header", options: { headers: { authorization: "Basic dXNlcjpwYXNz" } } },
    { name: "a bogus session cookie", options: { cookie: "fs_session=not-a-real-token" } },
    { name: "an empty session cookie", options: { cookie: "fs_session=" } },
    { name: "a cookie of another name", options: { cookie: "session=whatever" } },
  ];

  it.each(unauthenticated)("$name → 401 UNAUTHENTICATED", async ({ options }) => {
    expectError(await call(meRoute, options), 401, "UNAUTHENTICATED");
  });

  it("refuses an expired session", async () => {
    const { user, token } = await makeUser(db.current.prisma, "ASSESSOR");
    await db.current.prisma.session.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expectError(await call(meRoute, { token }), 401, "UNAUTHENTICATED");
  });
});

describe("POST /api/auth/logout", () => {
  it("answers 204, clears the cookie, and the token no longer works", async () => {
    const { token } = await makeUser(db.current.prisma, "ASSESSOR");
    expect((await call(meRoute, { token })).status).toBe(200);
    const res = await call(logoutRoute, { method: "POST", token });
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();
    expect(res.headers.get("set-cookie")).toMatch(/^fs_session=;.*Max-Age=0/);
    expectError(await call(meRoute, { token }), 401, "UNAUTHENTICATED");
    expectError(await call(logoutRoute, { method: "POST", token }), 401, "UNAUTHENTICATED");
  });

  it("ends only that session: the user's other sessions keep working", async () => {
    const { email, password, token } = await makeUser(db.current.prisma, "ASSESSOR");
    const second = (await login({ email, password })).body.token as string;
    expect((await call(logoutRoute, { method: "POST", token: second })).status).toBe(204);
    expect((await call(meRoute, { token })).status).toBe(200);
  });
});

describe("Origin check on cookie-authenticated writes", () => {
  afterEach(() => {
    delete process.env.APP_ORIGIN;
    resetEnvForTests();
  });

  async function cookieFor(role: "ADMIN" | "ASSESSOR") {
    const { email, password } = await makeUser(db.current.prisma, role);
    return sessionCookieFrom(await login({ email, password }));
  }

  const cases: { name: string; origin?: string; status: number; code?: string }[] = [
    { name: "no Origin", status: 403, code: "FORBIDDEN" },
    { name: "a foreign Origin", origin: "https://evil.example", status: 403, code: "FORBIDDEN" },
    { name: "the same host on another port", origin: "http://localhost:3001", status: 403, code: "FORBIDDEN" },
    { name: "the same host over another scheme", origin: "https://localhost:3000", status: 403, code: "FORBIDDEN" },
    { name: 'the opaque Origin "null"', origin: "null", status: 403, code: "FORBIDDEN" },
    { name: "the request's own origin", origin: ORIGIN, status: 204 },
  ];

  it.each(cases)("cookie POST /api/auth/logout with $name → $status", async ({ origin, status, code }) => {
    const cookie = await cookieFor("ASSESSOR");
    const res = await call(logoutRoute, { method: "POST", cookie, headers: origin ? { origin } : {} });
    if (code) {
      expectError(res, status, code);
      // Refused before the handler ran: the session still works.
      expect((await call(meRoute, { cookie })).status).toBe(200);
    } else {
      expect(res.status).toBe(status);
      expectError(await call(meRoute, { cookie }), 401, "UNAUTHENTICATED");
    }
  });

  it("applies to admin writes too: cookie POST /api/admin/users without Origin → 403, with it → 201", async () => {
    const cookie = await cookieFor("ADMIN");
    const body = { email: `origin-${Date.now()}@test.fieldsync.org`, name: "Origin Test", role: "ASSESSOR", password: "long enough pw" };
    expectError(await call(createUserRoute, { method: "POST", cookie, body }), 403, "FORBIDDEN");
    expect(await db.current.prisma.user.count({ where: { email: body.email } })).toBe(0);
    expect((await call(createUserRoute, { method: "POST", cookie, body, headers: { origin: ORIGIN } })).status).toBe(201);
  });

  it("X-Forwarded-Host/Proto name the request's origin only behind a trusted proxy (TRUST_PROXY=1)", async () => {
    const forged = { origin: "http://evil.example", "x-forwarded-host": "evil.example", "x-forwarded-proto": "http" };
    const cookie = await cookieFor("ASSESSOR");
    expectError(await call(logoutRoute, { method: "POST", cookie, headers: forged }), 403, "FORBIDDEN");
    expect((await call(meRoute, { cookie })).status).toBe(200);

    process.env.TRUST_PROXY = "1";
    resetEnvForTests();
    try {
      const proxied = {
        origin: "https://fieldsync.example.org",
        "x-forwarded-host": "fieldsync.example.org",
        "x-forwarded-proto": "https",
      };
      expect((await call(logoutRoute, { method: "POST", cookie, headers: proxied })).status).toBe(204);
    } finally {
      delete process.env.TRUST_PROXY;
      resetEnvForTests();
    }
  });

  it("accepts APP_ORIGIN (the public origin behind a proxy)", async () => {
    process.env.APP_ORIGIN = "https://fieldsync.example.org";
    resetEnvForTests();
    const cookie = await cookieFor("ASSESSOR");
    const res = await call(logoutRoute, { method: "POST", cookie, headers: { origin: "https://fieldsync.example.org" } });
    expect(res.status).toBe(204);
  });

  it("needs no Origin for a bearer-authenticated POST", async () => {
    const { token } = await makeUser(db.current.prisma, "ASSESSOR");
    expect((await call(logoutRoute, { method: "POST", token })).status).toBe(204);
  });

  it("needs no Origin for a cookie-authenticated GET", async () => {
    const cookie = await cookieFor("ASSESSOR");
    expect((await call(meRoute, { cookie })).status).toBe(200);
  });
});

describe("GET /api/health", () => {
  it("answers 200 {status:'ok', db:'ok'} without credentials", async () => {
    const res = await call(health, { path: "/api/health" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok", db: "ok" });
  });

  it("answers 503 without leaking the database error when the database is unreachable", async () => {
    // A server that refuses connections (port 1 on loopback): the query fails at once.
    const broken = await openAdapter({ kind: "postgres", url: "postgresql://postgres@127.0.0.1:1/none" });
    setDb(createPrisma(broken), broken);
    try {
      const res = await call(health, { path: "/api/health" });
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ status: "degraded", db: "unreachable" });
    } finally {
      setDb(db.current.prisma, db.current.opened);
      await broken.close();
    }
  });
});
