import "server-only";
import type { Tx } from "@/lib/server/db/client";
import type { Sql } from "@/lib/server/db/sql";
import { uuidv7 } from "@/lib/server/ids";

/** Creates the assignment, or reactivates an inactive one (one row per user × entity). */
export function upsertAssignment(tx: Tx, params: { userId: string; entityId: string }) {
  return tx.assignment.upsert({
    where: { userId_entityId: params },
    create: { id: uuidv7(), ...params, active: true },
    update: { active: true },
  });
}

export function deactivateAssignment(tx: Tx, params: { userId: string; entityId: string }) {
  return tx.assignment.updateMany({ where: { ...params, active: true }, data: { active: false } });
}

export async function getActiveEntityIds(tx: Tx, userId: string): Promise<string[]> {
  const rows = await tx.assignment.findMany({
    where: { userId, active: true, entity: { deletedAt: null } },
    select: { entityId: true },
    orderBy: { entityId: "asc" },
  });
  return rows.map((r) => r.entityId);
}

/**
 * The entities a user ($1) is assigned to now, as SQL: active assignments of entities not deleted —
 * what getActiveEntityIds reads through Prisma. One text for the push's scope and the pull's head.
 */
export const ASSIGNED_LIVE_ENTITIES_SQL = `SELECT a."entityId" AS id FROM "Assignment" a JOIN "Entity" e ON e."id" = a."entityId"
  WHERE a."userId" = $1::uuid AND a."active" AND e."deletedAt" IS NULL`;

/** getActiveEntityIds as one plain statement (the push reads its scope through the pg pool). */
export async function findActiveEntityIds(sql: Sql, userId: string): Promise<string[]> {
  const rows = await sql.query<{ id: string }>(`SELECT id::text AS id FROM (${ASSIGNED_LIVE_ENTITIES_SQL}) s ORDER BY id`, [userId]);
  return rows.map((r) => r.id);
}

export async function isAssigned(tx: Tx, userId: string, entityId: string): Promise<boolean> {
  const row = await tx.assignment.findFirst({ where: { userId, entityId, active: true }, select: { id: true } });
  return row !== null;
}

/** The highest change number of the user's active assignments (0 if none). */
export async function maxAssignmentSeq(tx: Tx, userId: string): Promise<bigint> {
  const row = await tx.assignment.aggregate({ where: { userId, active: true }, _max: { changeSeq: true } });
  return BigInt(row._max.changeSeq ?? 0);
}

/** Entities whose active assignment was (re)activated with a change number in (after, upTo]. */
export async function entitiesAssignedBetween(tx: Tx, userId: string, after: bigint, upTo: bigint): Promise<string[]> {
  const rows = await tx.assignment.findMany({
    where: { userId, active: true, changeSeq: { gt: after, lte: upTo }, entity: { deletedAt: null } },
    select: { entityId: true },
    orderBy: { entityId: "asc" },
  });
  return rows.map((r) => r.entityId);
}
