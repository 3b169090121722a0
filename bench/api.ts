/**
 * The bench's view of a Field Sync server: one `request` function, either over HTTP (fetch to a
 * running `npm start`) or in-process (the same route handlers called with a real Request, no
 * socket) — so every scenario runs unchanged on both and the two can be compared.
 */
import { randomUUID } from "node:crypto";
import * as assignmentsRoute from "@/app/api/admin/assignments/route";
import * as entitiesRoute from "@/app/api/admin/entities/route";
import * as usersRoute from "@/app/api/admin/users/route";
import * as loginRoute from "@/app/api/auth/login/route";
import * as pullRoute from "@/app/api/sync/pull/route";
import * as pushRoute from "@/app/api/sync/push/route";
import { routeTable } from "@/tests/fixtures/http-server";

export interface ApiResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the bench reads a few known fields of JSON answers
  body: any;
}

export interface Api {
  /** "http" (a real server over loopback) or "in-process" (route handlers, no socket). */
  mode: "http" | "in-process";
  request(method: string, path: string, options?: { token?: string; body?: unknown }): Promise<ApiResponse>;
}

const ORIGIN = "http://localhost:3000";

function requestInit(method: string, origin: string, options: { token?: string; body?: unknown }): RequestInit {
  const headers: Record<string, string> = { origin };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  return { method, headers, body };
}

async function toApiResponse(res: Response): Promise<ApiResponse> {
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

export function httpApi(baseUrl: string): Api {
  const origin = new URL(baseUrl).origin;
  return {
    mode: "http",
    request: async (method, path, options = {}) => toApiResponse(await fetch(`${baseUrl}${path}`, requestInit(method, origin, options))),
  };
}

/** The routes the bench calls, dispatched as Next's file router would (the database is the process's `setDb`). */
export function inProcessApi(): Api {
  const handler = routeTable([
    { pattern: /^\/api\/sync\/push$/, module: pushRoute },
    { pattern: /^\/api\/sync\/pull$/, module: pullRoute },
    { pattern: /^\/api\/auth\/login$/, module: loginRoute },
    { pattern: /^\/api\/admin\/users$/, module: usersRoute },
    { pattern: /^\/api\/admin\/entities$/, module: entitiesRoute },
    { pattern: /^\/api\/admin\/assignments$/, module: assignmentsRoute },
  ]);
  return {
    mode: "in-process",
    request: async (method, path, options = {}) =>
      toApiResponse(await handler(new Request(`${ORIGIN}${path}`, requestInit(method, ORIGIN, options)))),
  };
}

export async function expectStatus(res: Promise<ApiResponse> | ApiResponse, status: number, what: string): Promise<ApiResponse> {
  const r = await res;
  if (r.status !== status) throw new Error(`${what}: expected ${status}, got ${r.status} ${JSON.stringify(r.body).slice(0, 400)}`);
  return r;
}

export async function login(api: Api, email: string, password: string): Promise<string> {
  const res = await expectStatus(api.request("POST", "/api/auth/login", { body: { email, password } }), 200, `login ${email}`);
  return res.body.token as string;
}

export interface BenchUser {
  id: string;
  token: string;
}

let users = 0;

/** A new user of `role`, created through the admin API, signed in. */
export async function createUser(api: Api, adminToken: string, role: "ASSESSOR" | "COORDINATOR"): Promise<BenchUser> {
  const email = `bench-${role.toLowerCase()}-${++users}-${randomUUID().slice(0, 8)}@bench.fieldsync.org`;
  const password = "bench-password-1";
  const res = await expectStatus(
    api.request("POST", "/api/admin/users", { token: adminToken, body: { email, name: `Bench ${role} ${users}`, role, password } }),
    201,
    "create user",
  );
  return { id: res.body.user.id as string, token: await login(api, email, password) };
}

/** One entity per workload entity (the workload names 50), created through the admin API. */
export async function createEntities(api: Api, adminToken: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await expectStatus(
      api.request("POST", "/api/admin/entities", {
        token: adminToken,
        body: {
          name: `Bench site ${i + 1}`,
          type: "CAMP",
          lga: "Jere",
          ward: `Ward ${i % 7}`,
          latitude: 11.8,
          longitude: 13.1,
          autoApprove: false,
        },
      }),
      201,
      "create entity",
    );
    ids.push(res.body.entity.id as string);
  }
  return ids;
}

export async function assign(api: Api, adminToken: string, userId: string, entityIds: readonly string[]) {
  for (const entityId of entityIds)
    await expectStatus(api.request("POST", "/api/admin/assignments", { token: adminToken, body: { userId, entityId } }), 201, "assign");
}
