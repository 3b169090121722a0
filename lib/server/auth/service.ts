import "server-only";
import type { Role } from "@/lib/protocol";
import { getDb } from "@/lib/server/db/client";
import { dbSql } from "@/lib/server/db/sql";
import { getEnv } from "@/lib/server/env";
import { AppError, SERVER_ERROR_CODES as ERROR_CODES, errors } from "@/lib/server/errors";
import { clearLoginFailures, getRecentLoginFailures, recordLoginFailure } from "@/lib/server/queries/login-failures";
import { deleteSessionByTokenHash, getUserBySessionTokenHash, insertSession } from "@/lib/server/queries/sessions";
import { getUserByEmail, type PublicUser } from "@/lib/server/queries/users";
import { dummyHash, verifyPassword } from "./password";
import { hashToken, newSessionToken, SESSION_COOKIE } from "./tokens";

export interface AuthContext {
  user: PublicUser;
  /** How the request proved who it is; cookie-authenticated writes need an Origin check. */
  via: "cookie" | "bearer";
  token: string;
}

/**
 * Login with a rate limit held in the database (so it holds across app servers): more than
 * LOGIN_MAX_FAILURES failures for one email or one address inside the window → RATE_LIMITED.
 */
export async function login(params: {
  email: string;
  password: string;
  ip: string | null;
}): Promise<{ user: PublicUser; token: string; expiresAt: Date }> {
  const env = getEnv();
  const db = await getDb();
  const now = new Date();
  const windowMs = env.LOGIN_WINDOW_MINUTES * 60_000;
  const failures = await getRecentLoginFailures(db, { email: params.email, ip: params.ip, since: new Date(now.getTime() - windowMs) });
  const limited = [failures.byEmail, failures.byIp].filter((list) => list.length >= env.LOGIN_MAX_FAILURES);
  if (limited.length > 0) {
    // The window frees a slot when the oldest counted failure ages out.
    const frees = Math.max(...limited.map((list) => list[list.length - env.LOGIN_MAX_FAILURES].getTime() + windowMs));
    const retryAfterSeconds = Math.max(1, Math.ceil((frees - now.getTime()) / 1000));
    throw new AppError(ERROR_CODES.RATE_LIMITED, "Too many failed sign-in attempts; try again later", { retryAfterSeconds });
  }
  const found = await getUserByEmail(db, params.email);
  const ok = await verifyPassword(params.password, found?.passwordHash ?? (await dummyHash()));
  if (!found || !ok || !found.active) {
    await recordLoginFailure(db, { email: params.email, ip: params.ip ?? "untrusted" });
    throw new AppError(ERROR_CODES.INVALID_CREDENTIALS, "Email or password is incorrect");
  }
  await clearLoginFailures(db, params.email);
  const token = newSessionToken();
  const expiresAt = new Date(now.getTime() + env.SESSION_TTL_HOURS * 3_600_000);
  await insertSession(db, { tokenHash: hashToken(token), userId: found.id, expiresAt });
  const user: PublicUser = { id: found.id, email: found.email, name: found.name, role: found.role as Role };
  return { user, token, expiresAt };
}

export async function logout(token: string): Promise<void> {
  await deleteSessionByTokenHash(await getDb(), hashToken(token));
}

function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return undefined;
}

/** Bearer first (devices, scripts), then the session cookie (the browser app). */
export async function authenticate(req: Request): Promise<AuthContext> {
  const header = req.headers.get("authorization");
  const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const cookie = bearer ? undefined : readCookie(req.headers.get("cookie"), SESSION_COOKIE);
  const token = bearer ?? cookie;
  if (!token) throw errors.unauthenticated();
  const user = await getUserBySessionTokenHash(dbSql(await getDb()), hashToken(token), new Date());
  if (!user) throw errors.unauthenticated("Your session has expired; sign in again");
  return { user, via: bearer ? "bearer" : "cookie", token };
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF defence for cookie-authenticated writes: the Origin must be the request's own origin or
 * APP_ORIGIN. Bearer requests carry no ambient credentials and need no check.
 */
export function assertSameOrigin(req: Request, auth: Pick<AuthContext, "via">): void {
  if (auth.via !== "cookie" || SAFE_METHODS.has(req.method)) return;
  if (!isOwnOrigin(req, req.headers.get("origin"))) throw errors.forbidden("Cross-origin request refused");
}

/**
 * Login CSRF defence: a browser always sends Origin on a cross-site POST, so a login whose Origin
 * is present and foreign is refused (devices and scripts send none and are unaffected).
 */
export function assertLoginOrigin(req: Request): void {
  const origin = req.headers.get("origin");
  if (origin !== null && !isOwnOrigin(req, origin)) throw errors.forbidden("Cross-origin sign-in refused");
}

/**
 * The request's own origin is its Host (and scheme); the X-Forwarded-* headers count only behind a
 * reverse proxy that sets them (TRUST_PROXY=1) — a client talking to the app directly could
 * otherwise name any origin as its own. APP_ORIGIN, when set, is always accepted.
 */
function isOwnOrigin(req: Request, origin: string | null): boolean {
  if (origin === null) return false;
  const env = getEnv();
  const url = new URL(req.url);
  const behindProxy = env.TRUST_PROXY === "1";
  const host = (behindProxy ? req.headers.get("x-forwarded-host") : null) ?? req.headers.get("host") ?? url.host;
  const proto = (behindProxy ? req.headers.get("x-forwarded-proto") : null) ?? url.protocol.replace(":", "");
  const allowed = new Set<string>([`${proto}://${host}`]);
  if (env.APP_ORIGIN) allowed.add(new URL(env.APP_ORIGIN).origin);
  return allowed.has(origin);
}

export function assertRole(user: PublicUser, roles: readonly Role[]): void {
  if (!roles.includes(user.role)) throw errors.forbidden(`This needs the role ${roles.join(" or ")}`);
}

export { SESSION_COOKIE };
