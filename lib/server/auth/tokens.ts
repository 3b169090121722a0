import { createHash, randomBytes } from "node:crypto";

export const SESSION_COOKIE = "fs_session";

export function newSessionToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Tokens are stored hashed: a leaked sessions table grants nothing. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
