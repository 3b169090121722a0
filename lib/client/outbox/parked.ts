import type { FieldSyncDb } from "../db/field-sync-db";
import type { AnyLocalRow, OutboxEntry } from "../db/types";
import { rebuildRecord } from "./rebuild-record";

/**
 * Puts a parked mutation back in the outbox (e.g. after an assignment was restored or the form
 * fixed). It keeps its seq, so it still precedes the record's later entries, and gets a NEW
 * mutationId: the server remembers the old one as processed and would only answer `duplicate`.
 * Returns false when no such parked entry exists.
 */
export function retryParked(db: FieldSyncDb, seq: number): Promise<boolean> {
  return db.transaction("rw", db.recordWriteTables, async () => {
    const parked = await db.parked.get(seq);
    if (!parked) return false;
    const { error: _error, parkedAt: _parkedAt, ...rest } = parked;
    const entry: OutboxEntry = { ...rest, mutationId: crypto.randomUUID(), state: "queued", attempts: 0 };
    await db.parked.delete(seq);
    await db.outbox.add(entry);
    await rebuildRecord(db, parked.type, parked.offlineId);
    return true;
  });
}

/**
 * Drops a parked mutation for good. The record is rebuilt without it: the last server state
 * plus whatever other local changes remain. A parked `create` of a record the server never had
 * takes the record's other local changes with it (they could only fail with NOT_FOUND), so the
 * record vanishes. Returns the record's row afterwards (undefined when it no longer exists).
 */
export function discardParked(db: FieldSyncDb, seq: number): Promise<AnyLocalRow | undefined> {
  return db.transaction("rw", db.recordWriteTables, async () => {
    const parked = await db.parked.get(seq);
    if (!parked) return undefined;
    const { type, offlineId } = parked;
    await db.parked.delete(seq);
    const row = await db.recordTable(type).get(offlineId);
    if (parked.action === "create" && row?.serverRecord === undefined) {
      const sent = await db.outbox
        .where("offlineId")
        .equals(offlineId)
        .filter((e) => e.type === type && e.attempts > 0)
        .count();
      if (sent === 0) {
        await db.outbox
          .where("offlineId")
          .equals(offlineId)
          .filter((e) => e.type === type)
          .delete();
        await db.parked
          .where("offlineId")
          .equals(offlineId)
          .filter((e) => e.type === type)
          .delete();
      }
    }
    return rebuildRecord(db, type, offlineId);
  });
}
