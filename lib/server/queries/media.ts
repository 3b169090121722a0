import "server-only";
import type { Media, Prisma } from "@/lib/generated/prisma/client";
import type { Tx } from "@/lib/server/db/client";

/**
 * Every Prisma call of the media module, each taking the transaction first (STYLE principle 2).
 * Belongs in lib/server/queries/media.ts; kept here while the media module is owned separately.
 */

/** Serialises the creation of one media record (by offlineId) across connections and servers. */
export async function lockMediaKey(tx: Tx, offlineId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`media:${offlineId}`}, 0))`;
}

/** Serialises recording a stored object with deleting it as unreferenced (content-addressed keys are shared). */
export async function lockObjectKey(tx: Tx, storageKey: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`object:${storageKey}`}, 0))`;
}

/**
 * Media records that still hold a stored object: live ones, and deleted ones whose record (or
 * entity) a PENDING conflict may still restore (README "Media of deleted records").
 */
export async function countMediaHoldingStorageKey(tx: Tx, storageKey: string): Promise<number> {
  const rows = await tx.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM "Media" m
    WHERE m."storageKey" = ${storageKey}
      AND (m."deletedAt" IS NULL
        OR EXISTS (SELECT 1 FROM "Conflict" c WHERE c."status" = 'PENDING' AND c."recordId" IN (m."parentId", m."entityId")))`;
  return rows[0]?.n ?? 0;
}

/**
 * Hides the live media of a deleted record: an assessment's or response's own (`parentId`), or
 * every photo of an entity's records (`entityId`). Returns the rows hidden, for stamping.
 */
export async function hideMediaOfRecord(tx: Tx, recordId: string, by: "parentId" | "entityId"): Promise<{ id: string }[]> {
  return tx.media.updateManyAndReturn({
    where: { [by]: recordId, deletedAt: null },
    data: { deletedAt: new Date() },
    select: { id: true },
  });
}

/**
 * Deleted media of this record (as parent or as entity) whose parent record and entity are both
 * live again: the candidates of a restore. Media are only ever deleted with their record or
 * entity, so these are exactly the ones that were hidden by it.
 */
export function listRestorableMedia(tx: Tx, recordId: string): Promise<{ id: string; storageKey: string }[]> {
  return tx.$queryRaw<{ id: string; storageKey: string }[]>`
    SELECT m."id"::text AS id, m."storageKey" AS "storageKey" FROM "Media" m
    JOIN "Entity" e ON e."id" = m."entityId" AND e."deletedAt" IS NULL
    LEFT JOIN "Assessment" a ON m."parentType" = 'assessment' AND a."id" = m."parentId"
    LEFT JOIN "Response" r ON m."parentType" = 'response' AND r."id" = m."parentId"
    WHERE m."deletedAt" IS NOT NULL AND (m."parentId" = ${recordId}::uuid OR m."entityId" = ${recordId}::uuid)
      AND COALESCE(a."id", r."id") IS NOT NULL AND COALESCE(a."deletedAt", r."deletedAt") IS NULL
    ORDER BY m."storageKey", m."id"`;
}

export async function unhideMedia(tx: Tx, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await tx.media.updateMany({ where: { id: { in: [...ids] } }, data: { deletedAt: null } });
}

/** Storage keys of deleted media of these records (as parent or entity); null = of every record. */
export async function deletedMediaStorageKeys(tx: Tx, recordIds: readonly string[] | null): Promise<string[]> {
  const rows = recordIds
    ? await tx.media.findMany({
        where: { deletedAt: { not: null }, OR: [{ parentId: { in: [...recordIds] } }, { entityId: { in: [...recordIds] } }] },
        select: { storageKey: true },
        distinct: ["storageKey"],
      })
    : await tx.media.findMany({ where: { deletedAt: { not: null } }, select: { storageKey: true }, distinct: ["storageKey"] });
  return rows.map((r) => r.storageKey);
}

/** Whether the record (by id) or its entity is deleted — what makes its media answer 404. */
export async function isMediaParentGone(tx: Tx, media: Pick<Media, "parentType" | "parentId" | "entityId">): Promise<boolean> {
  const [parent, entity] = await Promise.all([
    media.parentType === "assessment"
      ? tx.assessment.findUnique({ where: { id: media.parentId }, select: { deletedAt: true } })
      : tx.response.findUnique({ where: { id: media.parentId }, select: { deletedAt: true } }),
    tx.entity.findUnique({ where: { id: media.entityId }, select: { deletedAt: true } }),
  ]);
  return !parent || parent.deletedAt !== null || !entity || entity.deletedAt !== null;
}

export function findMediaByOfflineId(tx: Tx, offlineId: string): Promise<Media | null> {
  return tx.media.findUnique({ where: { offlineId } });
}

export function findMediaById(tx: Tx, id: string): Promise<Media | null> {
  return tx.media.findUnique({ where: { id } });
}

export function insertMedia(tx: Tx, data: Prisma.MediaUncheckedCreateInput): Promise<Media> {
  return tx.media.create({ data });
}

/** The live media of these parent records, oldest first. */
export function listMediaOfParents(tx: Tx, parentIds: readonly string[]): Promise<Media[]> {
  if (parentIds.length === 0) return Promise.resolve([]);
  return tx.media.findMany({
    where: { parentId: { in: [...parentIds] }, deletedAt: null },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
}
