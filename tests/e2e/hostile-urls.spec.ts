import { expect, test } from "@playwright/test";

// Through the real Next server (no browser needed): what Next's own router would answer with a
// plain-text 500 — a path whose percent-escapes are not UTF-8, a write to a file of public/ — is
// refused by proxy.ts in the API's error shape; tus's own refusals are JSON too. The in-process
// suite (tests/integration/hostile) cannot see these: it does not run Next's router.

const errorOf = async (res: { json(): Promise<unknown> }) => (await res.json()) as { error: { code: string; message: string } };

test("a path with a percent-escape that is not UTF-8 is a JSON 400, on API routes and pages", async ({ request }) => {
  for (const [method, path] of [
    ["GET", "/api/media/%ED%A0%80"],
    ["POST", "/api/conflicts/%ED%A0%80/resolve"],
    ["GET", "/api/conflicts/%FF"],
    ["PATCH", "/api/media/uploads/%E0%A4%A"],
    ["GET", "/api/no-such-thing/%C0%AF"],
    ["GET", "/entities/%FF"],
  ] as const) {
    const res = await request.fetch(path, { method, data: method === "GET" ? undefined : "{}" });
    expect(res.status(), `${method} ${path}`).toBe(400);
    expect(res.headers()["content-type"]).toContain("application/json");
    expect((await errorOf(res)).error).toEqual({ code: "VALIDATION_FAILED", message: expect.stringMatching(/not valid UTF-8/) });
  }
});

test("a bad escape in the query reaches the route as U+FFFD and is judged there, never a 5xx", async ({ request }) => {
  const res = await request.get("/api/sync/pull?cursor=%ED%A0%80&limit=%FF");
  expect(res.status()).toBe(401); // unauthenticated: the route ran
  expect((await errorOf(res)).error.code).toBe("UNAUTHENTICATED");
});

test("a write to a public file is a JSON 405, reads still work", async ({ request }) => {
  for (const path of ["/sw.js", "/icons/icon-192.png"]) {
    const res = await request.fetch(path, { method: "POST", data: "x" });
    expect(res.status(), path).toBe(405);
    expect(res.headers().allow).toBe("GET, HEAD");
    expect((await errorOf(res)).error.code).toBe("METHOD_NOT_ALLOWED");
    expect((await request.get(path)).status(), path).toBe(200);
  }
});

test("tus's own refusals are JSON with a code", async ({ request }) => {
  const login = await request.post("/api/auth/login", {
    data: { email: "assessor@demo.fieldsync.org", password: process.env.DEMO_PASSWORD ?? "fieldsync-demo" },
  });
  const { token } = (await login.json()) as { token: string };
  const headers = { authorization: `Bearer ${token}` };
  const noVersion = await request.post("/api/media/uploads", { headers: { ...headers, "upload-length": "10" } });
  expect(noVersion.status()).toBe(412);
  expect((await errorOf(noVersion)).error.code).toBe("TUS_VERSION_UNSUPPORTED");
  const concat = await request.post("/api/media/uploads", {
    headers: { ...headers, "tus-resumable": "1.0.0", "upload-length": "10", "upload-concat": "partial" },
  });
  expect(concat.status()).toBe(400); // tus answers 501 for an extension it does not offer
  expect((await errorOf(concat)).error.code).toBe("VALIDATION_FAILED");
  const unknown = await request.fetch("/api/media/uploads/abc_123", {
    method: "DELETE",
    headers: { ...headers, "tus-resumable": "1.0.0" },
  });
  expect(unknown.status()).toBe(404);
  expect((await errorOf(unknown)).error.code).toBe("NOT_FOUND");
});
