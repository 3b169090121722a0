import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { call } from "../../fixtures/api";
import { useTestDb } from "../../fixtures/test-db";

/**
 * Every route module under app/api answers every method: the ones it implements with their own
 * handler, the rest with a JSON 405 whose `Allow` names exactly the implemented ones.
 * (tests/e2e/api-errors.spec.ts covers the catch-all 404 through the real Next router.)
 */

useTestDb();

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const apiDir = path.resolve(__dirname, "../../../app/api");

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? routeFiles(path.join(dir, d.name)) : d.name === "route.ts" ? [path.join(dir, d.name)] : [],
  );
}

const routes = routeFiles(apiDir)
  .map((file) => path.relative(apiDir, path.dirname(file)))
  .filter((route) => !route.startsWith("media/uploads") && route !== "[[...path]]");

describe("methods a route does not implement", () => {
  it("finds the routes", () => {
    expect(routes).toContain("sync/push");
    expect(routes.length).toBeGreaterThanOrEqual(17);
  });

  it.each(routes)("/api/%s: a JSON 405 with Allow for exactly the missing methods", async (route) => {
    const mod = (await import(path.join(apiDir, route, "route.ts"))) as Record<string, unknown>;
    const urlPath = `/api/${route.replaceAll("[id]", "00000000-0000-4000-8000-000000000000")}`;
    const answers = new Map<string, Awaited<ReturnType<typeof call>>>();
    for (const method of METHODS) {
      const handler = mod[method];
      expect(typeof handler, `${route} ${method}`).toBe("function");
      answers.set(method, await call(handler as never, { method, path: urlPath, params: { id: "00000000-0000-4000-8000-000000000000" } }));
    }
    const refused = METHODS.filter((m) => answers.get(m)?.status === 405);
    const served = METHODS.filter((m) => !refused.includes(m));
    expect(served.length, route).toBeGreaterThan(0);
    expect(refused.length, route).toBeGreaterThan(0);
    for (const method of refused) {
      const res = answers.get(method);
      expect(res?.body.error?.code).toBe("METHOD_NOT_ALLOWED");
      expect(res?.headers.get("allow")).toBe([...served, ...(served.includes("GET") ? ["HEAD"] : []), "OPTIONS"].join(", "));
    }
  });
});

describe("the tus endpoint", () => {
  it("answers the methods tus does not use with a JSON 405 naming the tus ones", async () => {
    const mod = (await import("@/app/api/media/uploads/[[...path]]/route")) as unknown as Record<string, unknown>;
    for (const method of ["GET", "PUT"]) {
      const res = await call(mod[method] as never, { method, path: "/api/media/uploads/abc" });
      expect(res.status).toBe(405);
      expect(res.body.error?.code).toBe("METHOD_NOT_ALLOWED");
      expect(res.headers.get("allow")).toBe("POST, HEAD, PATCH, DELETE, OPTIONS");
    }
  });
});

describe("the catch-all", () => {
  it("answers every method with a JSON 404 naming the path", async () => {
    const mod = (await import("@/app/api/[[...path]]/route")) as unknown as Record<string, unknown>;
    for (const method of METHODS) {
      const res = await call(mod[method] as never, { method, path: "/api/nope" });
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({ code: "NOT_FOUND", message: "There is no API endpoint /api/nope" });
    }
  });
});
