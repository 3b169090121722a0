/**
 * The OpenAPI document against the routes that exist: every method a file under app/api exports
 * is documented and nothing else is; the 405 answers of the undocumented methods name exactly the
 * documented ones in `Allow`; the document holds together structurally (every $ref resolves, every
 * operation answers, every error answer is the Error body with codes at their own status).
 * Real answers are checked against it in tests/integration/contract/openapi.db.test.ts.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CODE_VALUES, type ErrorCode } from "@/lib/protocol";
import { buildOpenApiDocument, HTTP_METHODS, OPERATIONS } from "@/lib/protocol/openapi";
import { ERROR_STATUS } from "@/lib/server/errors";

type Json = Record<string, unknown>;
type Handler = (req: Request, ctx: { params: Promise<Record<string, unknown>> }) => Promise<Response>;

const API_DIR = path.resolve(__dirname, "../../../app/api");
const CATCH_ALL = "[[...path]]/route.ts";
const METHODS = HTTP_METHODS.map((m) => m.toUpperCase());

function routeFiles(dir = API_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === "route.ts" ? [path.relative(API_DIR, full)] : [];
  });
}

/** `admin/users/[id]/route.ts` → a pattern for the OpenAPI paths that file serves. */
function pathPattern(file: string): RegExp {
  const segments = path
    .dirname(file)
    .split(path.sep)
    .filter((s) => s !== ".");
  let pattern = "^/api";
  for (const segment of segments) {
    if (/^\[\[\.\.\.\w+\]\]$/.test(segment)) pattern += "(?:/\\{\\w+\\})*";
    else if (/^\[\.\.\.\w+\]$/.test(segment)) pattern += "(?:/\\{\\w+\\})+";
    else if (/^\[\w+\]$/.test(segment)) pattern += "/\\{\\w+\\}";
    else pattern += `/${segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`;
  }
  return new RegExp(`${pattern}$`);
}

/** Methods a route file hands to the JSON 405 helper: `export const { PUT, PATCH } = otherMethods(…)`. */
function fallbackMethods(source: string): string[] {
  return [...source.matchAll(/export const \{([^}]*)\}\s*=\s*otherMethods\(/g)].flatMap((m) => m[1].split(",").map((s) => s.trim()));
}

interface RouteFile {
  file: string;
  pattern: RegExp;
  module: Record<string, unknown>;
  exported: string[];
  fallbacks: string[];
  /** Exported methods with a real handler: what the document must list for this file. */
  served: string[];
}

async function loadRoutes(): Promise<RouteFile[]> {
  const out: RouteFile[] = [];
  for (const file of routeFiles()) {
    const module = (await import(path.join(API_DIR, file))) as Record<string, unknown>;
    const exported = Object.keys(module).filter((k) => METHODS.includes(k) && typeof module[k] === "function");
    const fallbacks = fallbackMethods(readFileSync(path.join(API_DIR, file), "utf8"));
    out.push({ file, pattern: pathPattern(file), module, exported, fallbacks, served: exported.filter((m) => !fallbacks.includes(m)) });
  }
  return out;
}

const doc = buildOpenApiDocument(ERROR_STATUS) as Json & { paths: Record<string, Record<string, Json>>; components: { schemas: Json } };

function operations(): { method: string; path: string; op: Json }[] {
  return Object.entries(doc.paths).flatMap(([p, item]) =>
    Object.entries(item)
      .filter(([m]) => (HTTP_METHODS as readonly string[]).includes(m))
      .map(([m, op]) => ({ method: m.toUpperCase(), path: p, op })),
  );
}

function resolvePointer(ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (node === null || typeof node !== "object" || !(key in node)) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

function collectRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) collectRefs(item, out);
  else if (node !== null && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else collectRefs(v, out);
    }
  }
  return out;
}

describe("the OpenAPI document and the routes in app/api", () => {
  it("documents exactly the methods the route files serve — no missing operation, no extra one", async () => {
    const routes = await loadRoutes();
    const documented = operations();
    expect(routes.length).toBeGreaterThan(20);
    expect(documented.length).toBe(OPERATIONS.length);

    const claimed = new Set<string>();
    for (const route of routes.filter((r) => r.file !== CATCH_ALL)) {
      const ops = documented.filter((o) => route.pattern.test(o.path));
      expect({ file: route.file, methods: [...new Set(ops.map((o) => o.method))].sort() }).toEqual({
        file: route.file,
        methods: [...route.served].sort(),
      });
      for (const o of ops) {
        const key = `${o.method} ${o.path}`;
        expect(claimed.has(key), `${key} matches two route files`).toBe(false);
        claimed.add(key);
      }
    }
    // Every documented operation belongs to a route file (none is invented).
    expect([...claimed].sort()).toEqual(documented.map((o) => `${o.method} ${o.path}`).sort());
  });

  it("answers the undocumented methods with a JSON 405 whose Allow lists the documented ones", async () => {
    const routes = (await loadRoutes()).filter((r) => r.file !== CATCH_ALL);
    let checked = 0;
    for (const route of routes) {
      for (const method of route.fallbacks) {
        expect(route.exported, `${route.file} exports ${method}`).toContain(method);
        const concrete = `http://app.test${documentedPathOf(route).replace(/\{\w+\}/g, crypto.randomUUID())}`;
        const res = await (route.module[method] as Handler)(new Request(concrete, { method }), { params: Promise.resolve({}) });
        expect(res.status, `${method} ${route.file}`).toBe(405);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("METHOD_NOT_ALLOWED");
        const allow = new Set((res.headers.get("allow") ?? "").split(",").map((s) => s.trim()));
        const expected = new Set([...route.served, "OPTIONS", ...(route.served.includes("GET") ? ["HEAD"] : [])]);
        expect([...allow].sort(), route.file).toEqual([...expected].sort());
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it("leaves out only the catch-all, which answers every method with a JSON 404", async () => {
    const routes = await loadRoutes();
    const catchAll = routes.find((r) => r.file === CATCH_ALL);
    if (!catchAll) throw new Error(`app/api/${CATCH_ALL} is missing`);
    const others = routes.filter((r) => r.file !== CATCH_ALL);
    expect(others.every((r) => r.served.length > 0)).toBe(true);
    for (const method of catchAll.exported) {
      const res = await (catchAll.module[method] as Handler)(new Request("http://app.test/api/no/such/thing", { method }), {
        params: Promise.resolve({ path: ["no", "such", "thing"] }),
      });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    }
    expect(catchAll.exported.sort()).toEqual(["DELETE", "GET", "PATCH", "POST", "PUT"]);
  });
});

describe("docs/protocol.md, the prose contract", () => {
  const text = readFileSync(path.resolve(__dirname, "../../../docs/protocol.md"), "utf8");

  it("lists every error code once in its table, with the status the server answers", () => {
    const rows = [...text.matchAll(/^\| `([A-Z_]+)`\s*\| (\d{3})\s*\|/gm)].map((m) => [m[1], Number(m[2])]);
    expect(rows.map(([code]) => code).sort()).toEqual([...ERROR_CODE_VALUES].sort());
    for (const [code, status] of rows) expect(status, String(code)).toBe(ERROR_STATUS[code as ErrorCode]);
  });

  it("names every documented endpoint", () => {
    const missing = OPERATIONS.map((op) => op.path.replace("/{uploadId}", "").replace(/\{(\w+)\}/g, ":$1")).filter(
      (p) => !text.includes(p),
    );
    expect(missing).toEqual([]);
  });
});

describe("the generator stays out of the browser's bundles", () => {
  it("is imported only by its route (and tests), and not re-exported by the protocol barrel", () => {
    const root = path.resolve(__dirname, "../../..");
    const sources = (dir: string): string[] =>
      readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === "generated" ? [] : sources(rel);
        return /\.(ts|tsx)$/.test(e.name) ? [rel] : [];
      });
    const importers = ["app", "components", "lib", "stores"]
      .flatMap(sources)
      .filter((file) => /protocol\/openapi["']/.test(readFileSync(path.join(root, file), "utf8")));
    expect(importers).toEqual([path.join("app", "api", "openapi.json", "route.ts")]);
    expect(readFileSync(path.join(root, "lib/protocol/index.ts"), "utf8")).not.toMatch(/["']\.\/openapi["']/);
  });
});

function documentedPathOf(route: RouteFile): string {
  return operations().find((o) => route.pattern.test(o.path))?.path ?? "/api";
}

describe("the OpenAPI document's structure", () => {
  it("is OpenAPI 3.1 with unique operation ids and the protocol version", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect((doc.info as Json).title).toBe("Field Sync API");
    const ids = operations().map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.keys(doc.paths).every((p) => p.startsWith("/api/"))).toBe(true);
  });

  it("resolves every $ref, and every component is used", () => {
    const refs = collectRefs(doc);
    expect(refs.length).toBeGreaterThan(100);
    const unresolved = [...new Set(refs)].filter((ref) => resolvePointer(ref) === undefined);
    expect(unresolved).toEqual([]);
    const used = new Set(collectRefs({ paths: doc.paths, components: doc.components }).map((r) => r.split("/").pop()));
    expect(Object.keys(doc.components.schemas).filter((id) => !used.has(id))).toEqual([]);
  });

  it("declares every path parameter, and only those", () => {
    for (const { path: p, op } of operations()) {
      const inPath = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = ((op.parameters ?? []) as Json[])
        .filter((x) => x.in === "path")
        .map((x) => x.name)
        .sort();
      expect(declared, p).toEqual(inPath);
    }
  });

  it("gives every operation a success answer, and every error answer the Error body with its codes at their own status", () => {
    // Answers in the 4xx/5xx range that are not error bodies, on purpose.
    const notErrorBodies = new Set(["GET /api/health 503", "GET /api/media/{id} 416"]);
    const seen = new Set<ErrorCode>();
    for (const { method, path: p, op } of operations()) {
      const responses = op.responses as Record<string, Json>;
      expect(
        Object.keys(responses).some((s) => Number(s) >= 200 && Number(s) < 300),
        `${method} ${p}`,
      ).toBe(true);
      for (const [status, response] of Object.entries(responses)) {
        expect(typeof response.description).toBe("string");
        if (Number(status) < 400 || notErrorBodies.has(`${method} ${p} ${status}`)) continue;
        const content = response.content as Record<string, { schema: Json }> | undefined;
        if (method === "HEAD") expect(content, `${method} ${p} ${status} has no body`).toBeUndefined();
        else expect(content?.["application/json"].schema, `${method} ${p} ${status}`).toEqual({ $ref: "#/components/schemas/Error" });
        const codes = response["x-error-codes"] as ErrorCode[];
        expect(codes.length).toBeGreaterThan(0);
        for (const code of codes) {
          expect(ERROR_CODE_VALUES).toContain(code);
          expect(ERROR_STATUS[code], `${code} on ${method} ${p}`).toBe(Number(status));
          seen.add(code);
        }
      }
      for (const code of (op["x-rejection-codes"] ?? []) as ErrorCode[]) seen.add(code);
    }
    // Every code is documented somewhere; METHOD_NOT_ALLOWED belongs to no operation (info.description says when).
    expect(ERROR_CODE_VALUES.filter((c) => !seen.has(c))).toEqual(["METHOD_NOT_ALLOWED"]);
    expect(String((doc.info as Json).description)).toContain("405 METHOD_NOT_ALLOWED");
  });

  it("marks public operations as needing no credentials and every other as signed in", () => {
    for (const { method, path: p, op } of operations()) {
      const isPublic = op["x-access"] === "public";
      expect(op.security === undefined ? "inherits bearer/cookie" : op.security, `${method} ${p}`).toEqual(
        isPublic ? [] : "inherits bearer/cookie",
      );
      if (!isPublic) expect(Object.keys(op.responses as Json), `${method} ${p}`).toContain("401");
    }
    expect(
      operations()
        .filter((o) => o.op["x-access"] === "public")
        .map((o) => `${o.method} ${o.path}`)
        .sort(),
    ).toEqual(["GET /api/health", "GET /api/openapi.json", "OPTIONS /api/media/uploads", "POST /api/auth/login"]);
  });
});
