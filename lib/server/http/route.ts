import "server-only";
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Role } from "@/lib/protocol";
import { type AuthContext, assertRole, assertSameOrigin, authenticate } from "@/lib/server/auth/service";
import { getLogger } from "@/lib/server/logger";
import { toErrorResponse } from "./errors";

export interface RouteContext<P> {
  req: Request;
  params: P;
  requestId: string;
  log: Logger;
}

export interface AuthedRouteContext<P> extends RouteContext<P> {
  auth: AuthContext;
}

type NextParams<P> = { params: Promise<P> };

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

function begin(req: Request) {
  const incoming = req.headers.get("x-request-id");
  const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  const url = new URL(req.url);
  return { requestId, log: getLogger().child({ requestId, method: req.method, path: url.pathname }), started: performance.now() };
}

async function finish(run: () => Promise<Response>, ctx: { requestId: string; log: Logger; started: number }): Promise<Response> {
  let response: Response;
  try {
    response = await run();
  } catch (error) {
    response = toErrorResponse(error, ctx.log);
  }
  response.headers.set("x-request-id", ctx.requestId);
  response.headers.set("cache-control", response.headers.get("cache-control") ?? "no-store");
  ctx.log.info({ status: response.status, ms: Math.round(performance.now() - ctx.started) }, "request");
  return response;
}

/** A public route: request id, structured log line, one error mapper. */
export function publicRoute<P = Record<string, never>>(handler: (ctx: RouteContext<P>) => Promise<Response>) {
  return async (req: Request, next?: NextParams<P>): Promise<Response> => {
    const ctx = begin(req);
    return finish(async () => handler({ req, params: ((await next?.params) ?? {}) as P, ...ctx }), ctx);
  };
}

/**
 * An authenticated route: cookie or bearer, the Origin check on cookie-authenticated writes, and
 * an optional role list. Handlers stay thin: parse → one domain call → respond.
 */
export function authedRoute<P = Record<string, never>>(
  options: { roles?: readonly Role[] },
  handler: (ctx: AuthedRouteContext<P>) => Promise<Response>,
) {
  return async (req: Request, next?: NextParams<P>): Promise<Response> => {
    const ctx = begin(req);
    return finish(async () => {
      const auth = await authenticate(req);
      assertSameOrigin(req, auth);
      if (options.roles) assertRole(auth.user, options.roles);
      return handler({ req, params: ((await next?.params) ?? {}) as P, auth, ...ctx, log: ctx.log.child({ userId: auth.user.id }) });
    }, ctx);
  };
}

export function json(data: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return Response.json(data, { status: init.status ?? 200, headers: init.headers });
}
