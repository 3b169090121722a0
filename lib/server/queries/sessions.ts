import "server-only";
import type { Tx } from "@/lib/server/db/client";
import type { Sql } from "@/lib/server/db/sql";
import { uuidv7 } from "@/lib/server/ids";
import type { PublicUser } from "./users";

export function insertSession(tx: Tx, params: { tokenHash: string; userId: string; expiresAt: Date }) {
  return tx.session.create({ data: { id: uuidv7(), ...params } });
}

/**
 * The active user behind a live session, in one statement (every authenticated request runs it):
 * the session unexpired, its user active. Read fresh each time — never cached — so a sign-out, an
 * expiry or a deactivation on any app server takes effect on the next request everywhere.
 * Served by the Session tokenHash unique index and the User primary key.
 */
export async function getUserBySessionTokenHash(sql: Sql, tokenHash: string, now: Date): Promise<PublicUser | null> {
  const [user] = await sql.query<PublicUser>(
    `SELECT u."id"::text AS "id", u."email", u."name", u."role"::text AS "role"
       FROM "Session" s JOIN "User" u ON u."id" = s."userId"
      WHERE s."tokenHash" = $1 AND s."expiresAt" > $2::timestamptz AND u."active"`,
    [tokenHash, now],
  );
  return user ?? null;
}

export function deleteSessionByTokenHash(tx: Tx, tokenHash: string) {
  return tx.session.deleteMany({ where: { tokenHash } });
}

export function deleteExpiredSessions(tx: Tx, now: Date) {
  return tx.session.deleteMany({ where: { expiresAt: { lte: now } } });
}
