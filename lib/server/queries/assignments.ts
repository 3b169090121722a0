import "server-only";
import type { Tx } from "@/lib/server/db/client";
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
