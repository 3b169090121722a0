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

export function countMediaWithStorageKey(tx: Tx, storageKey: string): Promise<number> {
  return tx.media.count({ where: { storageKey } });
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
