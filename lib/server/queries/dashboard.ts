import "server-only";
import type { Assessment, Prisma } from "@/lib/generated/prisma/client";
import type { Tx } from "@/lib/server/db/client";
import type { ResponseWithAssessment } from "./records";

/** Records awaiting a coordinator's decision. */
const PENDING = { verificationStatus: "PENDING", deletedAt: null } as const;

export function countPendingVerifications(tx: Tx): Promise<[number, number]> {
  return Promise.all([tx.assessment.count({ where: PENDING }), tx.response.count({ where: PENDING })]);
}

export interface Keyset {
  updatedAt: Date;
  id: string;
}

function after(k: Keyset | undefined) {
  return k ? { OR: [{ updatedAt: { gt: k.updatedAt } }, { updatedAt: k.updatedAt, id: { gt: k.id } }] } : {};
}

/** PENDING assessments, oldest change first, keyset-paged on (updatedAt, id). */
export function listPendingAssessments(tx: Tx, p: { entityId?: string; after?: Keyset; limit: number }): Promise<Assessment[]> {
  const where: Prisma.AssessmentWhereInput = { ...PENDING, ...(p.entityId ? { entityId: p.entityId } : {}), ...after(p.after) };
  return tx.assessment.findMany({ where, orderBy: [{ updatedAt: "asc" }, { id: "asc" }], take: p.limit });
}

export function listPendingResponses(tx: Tx, p: { entityId?: string; after?: Keyset; limit: number }): Promise<ResponseWithAssessment[]> {
  const where: Prisma.ResponseWhereInput = { ...PENDING, ...(p.entityId ? { entityId: p.entityId } : {}), ...after(p.after) };
  return tx.response.findMany({
    where,
    orderBy: [{ updatedAt: "asc" }, { id: "asc" }],
    take: p.limit,
    include: { assessment: { select: { offlineId: true } } },
  });
}

/** PENDING records per entity, both types together. */
export async function countPendingByEntity(tx: Tx): Promise<Map<string, number>> {
  const [a, r] = await Promise.all([
    tx.assessment.groupBy({ by: ["entityId"], where: PENDING, _count: { _all: true } }),
    tx.response.groupBy({ by: ["entityId"], where: PENDING, _count: { _all: true } }),
  ]);
  const out = new Map<string, number>();
  for (const row of [...a, ...r]) out.set(row.entityId, (out.get(row.entityId) ?? 0) + row._count._all);
  return out;
}

/** The latest version of each record whose snapshot says REJECTED (the last rejection). */
export async function findLastRejections(tx: Tx, recordIds: readonly string[]) {
  if (recordIds.length === 0) return new Map<string, { version: number; snapshot: unknown; changedById: string | null; createdAt: Date }>();
  const rows = await tx.recordVersion.findMany({
    where: { recordId: { in: [...recordIds] }, snapshot: { path: ["verificationStatus"], equals: "REJECTED" } },
    orderBy: { version: "desc" },
    select: { recordId: true, version: true, snapshot: true, changedById: true, createdAt: true },
  });
  const out = new Map<string, { version: number; snapshot: unknown; changedById: string | null; createdAt: Date }>();
  for (const row of rows) if (!out.has(row.recordId)) out.set(row.recordId, row);
  return out;
}

export function userRefs(tx: Tx, ids: readonly string[]) {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return Promise.resolve([]);
  return tx.user.findMany({ where: { id: { in: unique } }, select: { id: true, name: true } });
}

/** The rejected-mutations log, newest first, paged by id. */
export function listRejections(tx: Tx, p: { deviceId?: string; userId?: string; before?: number; limit: number }) {
  return tx.rejectedMutation.findMany({
    where: {
      ...(p.deviceId ? { deviceId: p.deviceId } : {}),
      ...(p.userId ? { userId: p.userId } : {}),
      ...(p.before ? { id: { lt: BigInt(p.before) } } : {}),
    },
    orderBy: { id: "desc" },
    take: p.limit,
  });
}

export async function countRejectionsByDevice(tx: Tx): Promise<Map<string, number>> {
  const rows = await tx.rejectedMutation.groupBy({ by: ["deviceId"], _count: { _all: true } });
  return new Map(rows.filter((r) => r.deviceId).map((r) => [r.deviceId as string, r._count._all]));
}

/**
 * Per UTC day since `since`: versions that first made a record SUBMITTED/DELIVERED (its previous
 * version was not), and conflicts that went to a human.
 */
export async function activityPerDay(tx: Tx, since: Date): Promise<{ submissions: Map<string, number>; conflicts: Map<string, number> }> {
  const submitted = await tx.$queryRaw<{ day: string; n: number }[]>`
    SELECT to_char(v."createdAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS n
    FROM "RecordVersion" v
    LEFT JOIN "RecordVersion" p ON p."recordType" = v."recordType" AND p."recordId" = v."recordId" AND p.version = v.version - 1
    WHERE v."createdAt" >= ${since} AND v."recordType" <> 'entity'
      AND v.snapshot->>'status' IN ('SUBMITTED', 'DELIVERED')
      AND (p.id IS NULL OR p.snapshot->>'status' NOT IN ('SUBMITTED', 'DELIVERED'))
    GROUP BY 1`;
  const conflicts = await tx.$queryRaw<{ day: string; n: number }[]>`
    SELECT to_char("detectedAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*)::int AS n
    FROM "Conflict" WHERE "detectedAt" >= ${since} AND status <> 'AUTO_RESOLVED'
    GROUP BY 1`;
  const toMap = (rows: { day: string; n: number }[]) => new Map(rows.map((r) => [r.day, Number(r.n)]));
  return { submissions: toMap(submitted), conflicts: toMap(conflicts) };
}

// ---- admin ------------------------------------------------------------------------------------

const adminUserSelect = { id: true, email: true, name: true, role: true, active: true } as const;

export function listAdminUsers(tx: Tx) {
  return tx.user.findMany({ select: adminUserSelect, orderBy: [{ name: "asc" }, { email: "asc" }] });
}

export function updateUserRow(tx: Tx, id: string, data: Prisma.UserUpdateInput) {
  return tx.user.update({ where: { id }, data, select: adminUserSelect });
}

export function deleteUserSessions(tx: Tx, userId: string) {
  return tx.session.deleteMany({ where: { userId } });
}

export function listActiveAssignments(tx: Tx, p: { userId?: string; entityId?: string }) {
  return tx.assignment.findMany({
    where: { active: true, ...(p.userId ? { userId: p.userId } : {}), ...(p.entityId ? { entityId: p.entityId } : {}) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}
