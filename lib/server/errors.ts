import { findUnstorableText, ERROR_CODES as PROTOCOL_ERROR_CODES } from "@/lib/protocol";

/** Every code the server answers with: PROTOCOL §3's and our additions (lib/protocol/codes.ts). */
export const SERVER_ERROR_CODES = PROTOCOL_ERROR_CODES;
export type ServerErrorCode = (typeof SERVER_ERROR_CODES)[keyof typeof SERVER_ERROR_CODES];
const ERROR_CODES = SERVER_ERROR_CODES;

/**
 * The one error type of the server. Anything thrown that is not an AppError is an unknown error:
 * logged, and answered with a generic 500 that carries no stack trace or database message.
 */
export class AppError extends Error {
  override readonly name = "AppError";
  constructor(
    readonly code: ServerErrorCode,
    message: string,
    readonly details?: { issues?: unknown; retryAfterSeconds?: number; allow?: string },
  ) {
    super(message);
  }
}

/** The code → HTTP status table (PROTOCOL.md §3). */
export const ERROR_STATUS: Record<ServerErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  ENTITY_MISMATCH: 422,
  VERSION_AHEAD: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  ALREADY_EXISTS: 409,
  CONFLICT_ALREADY_RESOLVED: 409,
  STALE_RESOLUTION: 409,
  CHECKSUM_MISMATCH: 460,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
  UPLOAD_OFFSET_MISMATCH: 409,
  UPLOAD_GONE: 410,
  TUS_VERSION_UNSUPPORTED: 412,
};

export function isAppError(error: unknown): error is AppError {
  return error instanceof Error && (error as { name?: string }).name === "AppError" && "code" in error;
}

export const errors = {
  validation: (message: string, issues?: unknown) => new AppError(ERROR_CODES.VALIDATION_FAILED, message, { issues }),
  unauthenticated: (message = "Sign in to continue") => new AppError(ERROR_CODES.UNAUTHENTICATED, message),
  forbidden: (message = "You may not do that") => new AppError(ERROR_CODES.FORBIDDEN, message),
  notFound: (what: string) => new AppError(ERROR_CODES.NOT_FOUND, `${what} not found`),
};

/** A 400 naming the first string or key in `value` that Postgres cannot store (lib/protocol/text.ts). */
export function assertStorableText(value: unknown, what: string): void {
  const unstorable = findUnstorableText(value);
  if (unstorable)
    throw errors.validation(`${what} has text that cannot be stored`, [
      { code: "invalid_string", path: unstorable.path, message: unstorable.message },
    ]);
}
