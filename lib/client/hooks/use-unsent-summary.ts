import { useLiveQuery } from "dexie-react-hooks";
import type { FieldSyncDb } from "../db/field-sync-db";
import { PENDING_CONFLICT, UPLOAD_STATES } from "../db/types";

export interface UnsentSummary {
  /** Mutations waiting to be sent or answered. */
  queued: number;
  /** Mutations the server refused, waiting for the user. */
  parked: number;
  /** Edits awaiting a coordinator's decision. */
  conflicts: number;
  /** Photos whose bytes are only on this device. */
  unsentPhotos: number;
  /** clientTime of the oldest queued or parked mutation (ISO), null when none. */
  oldestAt: string | null;
}

/**
 * Read live from Dexie, not from the sync store: the numbers on screen are what the device holds,
 * whoever changed it last (a form, the sync client, the service worker in the background).
 */
export async function readUnsentSummary(db: FieldSyncDb): Promise<UnsentSummary> {
  return db.transaction("r", [db.outbox, db.parked, db.conflicts, db.media], async () => {
    const [queued, parked, conflicts, unsentPhotos, firstQueued, firstParked] = await Promise.all([
      db.outbox.count(),
      db.parked.count(),
      db.conflicts.where("status").equals(PENDING_CONFLICT).count(),
      db.media.filter((m) => m.uploadState !== UPLOAD_STATES.UPLOADED).count(),
      db.outbox.orderBy("seq").first(),
      db.parked.orderBy("seq").first(),
    ]);
    const times = [firstQueued?.clientTime, firstParked?.clientTime].filter((t): t is string => typeof t === "string").sort();
    return { queued, parked, conflicts, unsentPhotos, oldestAt: times[0] ?? null };
  });
}

export function useUnsentSummary(db: FieldSyncDb | undefined): UnsentSummary | undefined {
  return useLiveQuery(() => (db ? readUnsentSummary(db) : undefined), [db]);
}
