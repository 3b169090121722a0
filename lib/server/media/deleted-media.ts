import "server-only";
import type { RecordType } from "@/lib/protocol";
import { getDb, type Tx } from "@/lib/server/db/client";
import { getLogger } from "@/lib/server/logger";
import { deletedMediaStorageKeys, hideMediaOfRecord, listRestorableMedia, lockObjectKey, unhideMedia } from "@/lib/server/queries/media";
import { discardUnreferencedObject } from "./record-media";

/**
 * What a deleted record leaves behind (README "Media of deleted records"). The invariant:
 *
 *   a media record is live  ⇔  its parent record and that record's entity are live (and its bytes exist).
 *
 * - Deleting an assessment or response hides its media; deleting an entity hides the media of
 *   every record of it — in the deleting transaction, stamped with change numbers, so pull sends
 *   `media` `delete` changes and `GET /api/media/:id` answers 404 from the commit on.
 * - The bytes are removed after the commit (`releaseMediaBytes`) unless another record holds the
 *   same object (content-addressed file store) or a PENDING conflict may still restore the record
 *   (a deletion conflict's `client`/`custom`, or any conflict of a record deleted since). Resolving
 *   that conflict without restoring releases them. A crash in between leaves bytes for the sweep.
 * - Restoring a record (or entity) brings back the media whose bytes still exist, re-stamped so
 *   devices pull them; the others stay deleted and the resolution names them as gone.
 *
 * Media are only ever deleted with their record or entity, which is what lets a restore tell
 * which of a record's deleted media to bring back (listRestorableMedia).
 */

export interface MediaStamp {
  table: "Media";
  id: string;
}

/** Hides the media of a record deleted in this transaction; stamp the returned rows with it. */
export async function hideMediaOfDeleted(tx: Tx, type: RecordType, recordId: string): Promise<MediaStamp[]> {
  const hidden = await hideMediaOfRecord(tx, recordId, type === "entity" ? "entityId" : "parentId");
  return hidden.map((m) => ({ table: "Media", id: m.id }));
}

export interface RestoredMedia {
  stamps: MediaStamp[];
  /** Media brought back with their record. */
  restored: string[];
  /** Media whose bytes were removed while the record was deleted: they stay deleted. */
  gone: string[];
}

/**
 * Brings back the media of a record (or entity) restored in this transaction: each whose bytes
 * still exist, checked under the object's lock (a concurrent release then sees it live and keeps it).
 */
export async function restoreMediaOf(tx: Tx, recordId: string): Promise<RestoredMedia> {
  const candidates = await listRestorableMedia(tx, recordId);
  const out: RestoredMedia = { stamps: [], restored: [], gone: [] };
  if (candidates.length === 0) return out;
  const { getMediaStorage } = await import("./tus-uploads");
  const storage = await getMediaStorage();
  const present = new Map<string, boolean>();
  for (const m of candidates) {
    if (!present.has(m.storageKey)) {
      await lockObjectKey(tx, m.storageKey); // candidates are ordered by key: one global lock order
      present.set(m.storageKey, await storage.hasObject(m.storageKey));
    }
    (present.get(m.storageKey) ? out.restored : out.gone).push(m.id);
  }
  await unhideMedia(tx, out.restored);
  out.stamps = out.restored.map((id) => ({ table: "Media", id }));
  return out;
}

/**
 * After the commit of deletions or resolutions: removes the stored objects of these records'
 * deleted media that nothing holds any more (`null` = every deleted media: the sweep). Never
 * throws — the change it follows is committed; what is left behind is found by the next sweep.
 * Returns how many objects were removed.
 */
export async function releaseMediaBytes(recordIds: readonly string[] | null): Promise<number> {
  if (recordIds !== null && recordIds.length === 0) return 0;
  try {
    const db = await getDb();
    const keys = await deletedMediaStorageKeys(db, recordIds);
    if (keys.length === 0) return 0;
    const { getMediaStorage } = await import("./tus-uploads");
    const storage = await getMediaStorage();
    let removed = 0;
    for (const key of keys) {
      if (!(await storage.hasObject(key))) continue; // removed before (or never promoted)
      if (await discardUnreferencedObject(key, (k) => storage.deleteObject(k))) removed++;
    }
    return removed;
  } catch (error) {
    getLogger().warn({ err: error }, "removing the bytes of deleted media failed; the next sweep retries");
    return 0;
  }
}
