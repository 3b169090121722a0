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
 * The caller's address for the per-address login limit, or null when it cannot be trusted. The
 * Next server only fills X-Forwarded-For when a request lacks it, so a client talking to it
 * directly can claim any address; only a reverse proxy that overwrites the header (TRUST_PROXY=1)
 * makes it meaningful. Without one, the per-email limit still holds.
 */
export function clientIp(req: Request): string | null {
  if (getEnv().TRUST_PROXY !== "1") return null;
  return req.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || req.headers.get("x-real-ip") || null;
}
