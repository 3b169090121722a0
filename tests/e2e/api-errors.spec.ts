import { expect, test } from "@playwright/test";

// Through the real Next server (no browser needed): requests no handler takes still get the API's
// error shape, and the catch-all route shadows none of the real ones.

test("an unknown /api path is a JSON 404, for any method, /api itself included", async ({ request }) => {
  for (const [path, method] of [
    ["/api/no-such-thing/here", "GET"],
    ["/api/no-such-thing/here", "POST"],
    ["/api/no-such-thing/here", "DELETE"],
    ["/api", "GET"],
  ] as const) {
    const res = await request.fetch(path, { method });
    expect(res.status(), `${method} ${path}`).toBe(404);
    expect(res.headers()["content-type"]).toContain("application/json");
    expect((await res.json()).error).toMatchObject({ code: "NOT_FOUND" });
  }
});

test("a method a route does not implement is a JSON 405 with Allow", async ({ request }) => {
  const push = await request.fetch("/api/sync/push", { method: "DELETE" });
  expect(push.status()).toBe(405);
  expect(push.headers().allow).toBe("POST, OPTIONS");
  expect((await push.json()).error).toMatchObject({ code: "METHOD_NOT_ALLOWED" });

  const tus = await request.fetch("/api/media/uploads/abc", { method: "GET" });
  expect(tus.status()).toBe(405);
  expect((await tus.json()).error.code).toBe("METHOD_NOT_ALLOWED");

  const health = await request.fetch("/api/health", { method: "PUT" });
  expect(health.status()).toBe(405);
  expect(health.headers().allow).toBe("GET, HEAD, OPTIONS");
});

test("the real routes still answer: health, an unauthenticated pull, a tus OPTIONS", async ({ request }) => {
  const health = await request.get("/api/health");
  expect(health.status()).toBe(200);
  expect(await health.json()).toEqual({ status: "ok", db: "ok" });
  const pull = await request.get("/api/sync/pull");
  expect(pull.status()).toBe(401);
  expect((await pull.json()).error.code).toBe("UNAUTHENTICATED");
  const tus = await request.fetch("/api/media/uploads", { method: "OPTIONS" });
  expect(tus.status()).toBeLessThan(300);
  expect(tus.headers()["tus-version"]).toContain("1.0.0");
});
