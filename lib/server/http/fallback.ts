import "server-only";
import { AppError, SERVER_ERROR_CODES } from "@/lib/server/errors";
import { publicRoute } from "./route";

/**
 * Answers for requests no handler takes, in the API's error shape rather than Next's empty 405 or
 * HTML 404: every /api answer a client can get is `{error:{code,message}}`.
 */

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof METHODS)[number];
type Handler = ReturnType<typeof publicRoute>;

/** Handlers for an unknown /api path (app/api/[[...path]]/route.ts). */
export function unknownApiPath(): Record<Method, Handler> {
  const handler = publicRoute(async ({ req }) => {
    throw new AppError(SERVER_ERROR_CODES.NOT_FOUND, `There is no API endpoint ${new URL(req.url).pathname}`);
  });
  return Object.fromEntries(METHODS.map((m) => [m, handler])) as Record<Method, Handler>;
}

/**
 * 405 handlers for the methods a route does not implement, with `Allow`:
 * `export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST");`
 * (HEAD comes with GET, and OPTIONS with every route; name them for routes that implement them
 * without GET, like the tus endpoint.)
 */
export function otherMethods(...allowed: (Method | "HEAD" | "OPTIONS")[]): Record<Method, Handler> {
  const allow = [...new Set([...allowed, ...(allowed.includes("GET") ? ["HEAD"] : []), "OPTIONS"])].join(", ");
  const handler = publicRoute(async ({ req }) => {
    throw new AppError(SERVER_ERROR_CODES.METHOD_NOT_ALLOWED, `${req.method} is not allowed here; use ${allowed.join(" or ")}`, {
      allow,
    });
  });
  const served = new Set<string>(allowed);
  return Object.fromEntries(METHODS.filter((m) => !served.has(m)).map((m) => [m, handler])) as Record<Method, Handler>;
}
