import { describe, expect, it } from "vitest";
import { errors } from "@/lib/server/errors";
import { json, publicRoute } from "@/lib/server/http/route";

describe("publicRoute", () => {
  it("answers with the handler's response, a request id and no-store", async () => {
    const handler = publicRoute(async () => json({ ok: true }));
    const res = await handler(new Request("http://localhost/api/x"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("keeps a well-formed incoming X-Request-Id and replaces a malformed one", async () => {
    const handler = publicRoute(async () => json({}));
    const kept = await handler(new Request("http://localhost/", { headers: { "x-request-id": "req-1234abcd" } }));
    expect(kept.headers.get("x-request-id")).toBe("req-1234abcd");
    const replaced = await handler(new Request("http://localhost/", { headers: { "x-request-id": "bad id\u0007<script>" } }));
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("keeps a cache-control the handler chose", async () => {
    const handler = publicRoute(async () => json({}, { headers: { "cache-control": "private, max-age=60" } }));
    expect((await handler(new Request("http://localhost/"))).headers.get("cache-control")).toBe("private, max-age=60");
  });

  it("maps an AppError to its status and body", async () => {
    const handler = publicRoute(async () => {
      throw errors.notFound("Widget");
    });
    const res = await handler(new Request("http://localhost/"));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: "NOT_FOUND", message: "Widget not found" } });
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  it("maps an unknown error to a generic 500", async () => {
    const handler = publicRoute(async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'passwordHash')");
    });
    const res = await handler(new Request("http://localhost/"));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text).error.code).toBe("INTERNAL");
    expect(text).not.toContain("passwordHash");
  });

  it("passes route params through", async () => {
    const handler = publicRoute<{ id: string }>(async ({ params }) => json({ id: params.id }));
    const res = await handler(new Request("http://localhost/"), { params: Promise.resolve({ id: "abc" }) });
    expect(await res.json()).toEqual({ id: "abc" });
  });
});
