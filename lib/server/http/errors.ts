import "server-only";
import type { Logger } from "pino";
import type { ErrorBody, Issue } from "@/lib/protocol";
import { isTransientDbError } from "@/lib/server/db/errors";
import { ERROR_STATUS, isAppError } from "@/lib/server/errors";

/**
 * The one mapper from anything thrown to an HTTP response. AppErrors answer with their code's
 * status; a transient database failure is a 503 with Retry-After; anything else is logged with
 * its stack and answered with a generic 500.
 */
export function toErrorResponse(error: unknown, log: Logger, headers: Record<string, string> = {}): Response {
  if (isAppError(error)) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (error.details?.issues !== undefined) body.error.issues = error.details.issues as Issue[];
    const extra: Record<string, string> = { ...headers };
    if (error.details?.retryAfterSeconds !== undefined) extra["retry-after"] = String(error.details.retryAfterSeconds);
    if (error.details?.allow !== undefined) extra.allow = error.details.allow;
    return Response.json(body, { status: ERROR_STATUS[error.code] ?? 500, headers: extra });
  }
  if (isTransientDbError(error)) {
    // Busy or briefly unreachable database: a retry cures it, and the client is told so.
    log.warn({ err: error }, "transient database failure");
    return Response.json({ error: { code: "SERVICE_UNAVAILABLE", message: "The server is busy; try again shortly" } } satisfies ErrorBody, {
      status: 503,
      headers: { "retry-after": "2", ...headers },
    });
  }
  log.error({ err: error }, "unhandled error");
  return Response.json({ error: { code: "INTERNAL", message: "Something went wrong on the server" } } satisfies ErrorBody, {
    status: 500,
    headers,
  });
}
