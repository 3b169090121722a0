import { afterEach, describe, expect, it } from "vitest";
import { clearedSessionCookie, clientIp, sessionCookie } from "@/lib/server/auth/cookies";
import { assertSameOrigin } from "@/lib/server/auth/service";
import { resetEnvForTests } from "@/lib/server/env";
import { isAppError } from "@/lib/server/errors";

function outcome(run: () => void): string {
  try {
    run();
    return "ok";
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
}

describe("assertSameOrigin (CSRF defence for cookie-authenticated writes)", () => {
  afterEach(() => {
    delete process.env.APP_ORIGIN;
    delete process.env.TRUST_PROXY;
    resetEnvForTests();
  });

  const URL = "http://localhost:3000/api/x";
  const cases: {
    name: string;
    via: "cookie" | "bearer";
    method: string;
    headers?: Record<string, string>;
    appOrigin?: string;
    trustProxy?: boolean;
    expect: string;
  }[] = [
    { name: "cookie POST, same origin", via: "cookie", method: "POST", headers: { origin: "http://localhost:3000" }, expect: "ok" },
    { name: "cookie POST, no Origin", via: "cookie", method: "POST", expect: "FORBIDDEN" },
    {
      name: "cookie POST, foreign Origin",
      via: "cookie",
      method: "POST",
      headers: { origin: "https://evil.example" },
      expect: "FORBIDDEN",
    },
    {
      name: "cookie DELETE, foreign Origin",
      via: "cookie",
      method: "DELETE",
      headers: { origin: "https://evil.example" },
      expect: "FORBIDDEN",
    },
    { name: "cookie PUT, null Origin", via: "cookie", method: "PUT", headers: { origin: "null" }, expect: "FORBIDDEN" },
    { name: "cookie PATCH, other port", via: "cookie", method: "PATCH", headers: { origin: "http://localhost:3001" }, expect: "FORBIDDEN" },
    { name: "cookie GET, no Origin", via: "cookie", method: "GET", expect: "ok" },
    { name: "cookie HEAD, foreign Origin", via: "cookie", method: "HEAD", headers: { origin: "https://evil.example" }, expect: "ok" },
    { name: "bearer POST, no Origin", via: "bearer", method: "POST", expect: "ok" },
    { name: "bearer POST, foreign Origin", via: "bearer", method: "POST", headers: { origin: "https://evil.example" }, expect: "ok" },
    {
      name: "cookie POST naming its origin in X-Forwarded-Host/Proto, no trusted proxy",
      via: "cookie",
      method: "POST",
      headers: { origin: "https://fieldsync.example.org", "x-forwarded-host": "fieldsync.example.org", "x-forwarded-proto": "https" },
      expect: "FORBIDDEN",
    },
    {
      name: "cookie POST behind a trusted proxy (X-Forwarded-Host + X-Forwarded-Proto)",
      via: "cookie",
      method: "POST",
      headers: { origin: "https://fieldsync.example.org", "x-forwarded-host": "fieldsync.example.org", "x-forwarded-proto": "https" },
      trustProxy: true,
      expect: "ok",
    },
    {
      name: "cookie POST, Origin matching the Host header",
      via: "cookie",
      method: "POST",
      headers: { origin: "http://app.local:8080", host: "app.local:8080" },
      expect: "ok",
    },
    {
      name: "cookie POST, APP_ORIGIN",
      via: "cookie",
      method: "POST",
      headers: { origin: "https://app.example.org" },
      appOrigin: "https://app.example.org/",
      expect: "ok",
    },
    {
      name: "cookie POST, APP_ORIGIN set but another Origin",
      via: "cookie",
      method: "POST",
      headers: { origin: "https://evil.example" },
      appOrigin: "https://app.example.org",
      expect: "FORBIDDEN",
    },
  ];

  it.each(cases)("$name → $expect", ({ via, method, headers, appOrigin, trustProxy, expect: expected }) => {
    if (appOrigin) process.env.APP_ORIGIN = appOrigin;
    if (trustProxy) process.env.TRUST_PROXY = "1";
    resetEnvForTests();
    const req = new Request(URL, { method, headers });
    expect(outcome(() => assertSameOrigin(req, { via }))).toBe(expected);
  });
});

describe("session cookie", () => {
  const expires = new Date("2030-01-01T00:00:00Z");

  it("is httpOnly, SameSite=Lax, Path=/, with an expiry; not Secure over http", () => {
    const cookie = sessionCookie(new Request("http://localhost:3000/api/auth/login"), "tok en/+", expires);
    expect(cookie).toBe("fs_session=tok%20en%2F%2B; Path=/; HttpOnly; SameSite=Lax; Expires=Tue, 01 Jan 2030 00:00:00 GMT");
  });

  it.each([
    ["an https URL", "https://fieldsync.example.org/api/auth/login", {}],
    ["X-Forwarded-Proto: https", "http://localhost:3000/api/auth/login", { "x-forwarded-proto": "https" }],
  ])("is Secure behind %s", (_, url, headers) => {
    expect(sessionCookie(new Request(url, { headers }), "t", expires)).toMatch(/; Secure$/);
  });

  it("is cleared with Max-Age=0", () => {
    expect(clearedSessionCookie()).toBe("fs_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
  });
});

describe("clientIp: the last X-Forwarded-For entry", () => {
  afterEach(() => {
    delete process.env.TRUST_PROXY;
    resetEnvForTests();
  });
  it.each([
    // What `next start` writes from the socket when the request has none.
    [{ "x-forwarded-for": "127.0.0.1" }, false, "127.0.0.1"],
    // One proxy appended the real peer after what the client claimed.
    [{ "x-forwarded-for": "203.0.113.9, 10.0.0.1" }, true, "10.0.0.1"],
    [{ "x-forwarded-for": " 203.0.113.9 " }, true, "203.0.113.9"],
    [{ "x-real-ip": "198.51.100.4" }, true, "198.51.100.4"],
    [{ "x-real-ip": "198.51.100.4" }, false, null],
    [{}, true, null],
  ])("%o (trusted proxy: %s) → %s", (headers, trustProxy, ip) => {
    if (trustProxy) process.env.TRUST_PROXY = "1";
    resetEnvForTests();
    expect(clientIp(new Request("http://localhost/", { headers }))).toBe(ip);
  });
});
