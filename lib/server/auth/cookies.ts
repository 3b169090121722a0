import "server-only";
import { getEnv } from "@/lib/server/env";
import { SESSION_COOKIE } from "./tokens";

/** httpOnly, SameSite=Lax; Secure whenever the app is served over https. */
export function sessionCookie(req: Request, token: string, expiresAt: Date): string {
  const secure = new URL(req.url).protocol === "https:" || req.headers.get("x-forwarded-proto") === "https";
  return [
    `${SESSION_COOKIE}=${encodeURIComponent(token)}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Expires=${expiresAt.toUTCString()}`,
    secure ? "Secure" : "",
  ]
    .filter(Boolean)
    .join("; ");
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;
}

/**
 * The caller's address for the per-address login limit: the last X-Forwarded-For entry.
 * - Served by `next start` directly, that is the socket's address, which the Next server writes
 *   when a request has no X-Forwarded-For. A client that sends its own header can name any address
 *   and so escape the per-address limit (never the per-email one).
 * - Behind one reverse proxy (TRUST_PROXY=1), the last entry is the one the proxy appended or
 *   wrote: the real peer, whatever the client claimed before it.
 */
export function clientIp(req: Request): string | null {
  const forwarded = req.headers.get("x-forwarded-for");
  const last = forwarded?.split(",").at(-1)?.trim();
  if (last) return last;
  return getEnv().TRUST_PROXY === "1" ? req.headers.get("x-real-ip") || null : null;
}
