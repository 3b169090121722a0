import type { FieldSyncDb } from "../db/field-sync-db";
import { UPLOAD_STATES } from "../db/types";
import type { MediaQueue } from "./media-queue";

/**
 * Removes a photo the server does not have yet: its running upload is cancelled first (the
 * partial upload on the server is deleted, best effort), then the row and its resume state go
 * together. An uploaded photo is a server record and is not removed here: returns false.
 */
export async function removeMedia(db: FieldSyncDb, offlineId: string, queue?: Pick<MediaQueue, "cancel">): Promise<boolean> {
  const row = await db.media.get(offlineId);
  if (!row || row.uploadState === UPLOAD_STATES.UPLOADED) return false;
  await queue?.cancel(offlineId);
  return db.transaction("rw", [db.media, db.uploadState], async () => {
    const current = await db.media.get(offlineId);
    if (!current || current.uploadState === UPLOAD_STATES.UPLOADED) return false;
    await db.media.delete(offlineId);
    await db.uploadState.delete(offlineId);
    return true;
  });
}
