import type { FieldSyncDb } from "../db/field-sync-db";
import { UPLOAD_STATES } from "../db/types";
import { rebuildRecord } from "./rebuild-record";

export const DISCARD_OUTCOMES = {
  DISCARDED: "discarded",
  /** Sent at least once: the server may already have applied it, so it must be answered first. */
  ALREADY_SENT: "already-sent",
  /** A response on this device names this unsent assessment; discard that first. */
  HAS_DEPENDENTS: "has-dependents",
  NOT_FOUND: "not-found",
} as const;
export type DiscardOutcome = (typeof DISCARD_OUTCOMES)[keyof typeof DISCARD_OUTCOMES];

/**
 * Drops a queued change the user no longer wants, before it was ever sent. Only a change that has
 * never left the device may go (a sent one may be applied already; its answer decides). Dropping
 * the create of a record the server never had drops the whole record: its other unsent changes,
 * its refused ones and its photos (none can have reached the server without it).
 */
export function discardQueued(db: FieldSyncDb, seq: number): Promise<DiscardOutcome> {
  return db.transaction("rw", [...db.recordWriteTables, db.media, db.uploadState], async () => {
    const entry = await db.outbox.get(seq);
    if (!entry) return DISCARD_OUTCOMES.NOT_FOUND;
    if (entry.attempts > 0 || entry.state !== "queued") return DISCARD_OUTCOMES.ALREADY_SENT;
    const { type, offlineId } = entry;
    const row = await db.recordTable(type).get(offlineId);
    const wholeRecord = entry.action === "create" && row?.serverRecord === undefined;
    if (!wholeRecord) {
      await db.outbox.delete(seq);
      await rebuildRecord(db, type, offlineId);
      return DISCARD_OUTCOMES.DISCARDED;
    }
    const ofRecord = db.outbox
      .where("offlineId")
      .equals(offlineId)
      .filter((e) => e.type === type);
    if (
      (await ofRecord
        .clone()
        .filter((e) => e.attempts > 0)
        .count()) > 0
    )
      return DISCARD_OUTCOMES.ALREADY_SENT;
    if (
      type === "assessment" &&
      (await db.responses
        .where("assessmentOfflineId")
        .equals(offlineId)
        .filter((r) => !r.localDeleted)
        .count()) > 0
    ) {
      return DISCARD_OUTCOMES.HAS_DEPENDENTS;
    }
    await ofRecord.delete();
    await db.parked
      .where("offlineId")
      .equals(offlineId)
      .filter((e) => e.type === type)
      .delete();
    const photos = await db.media
      .where("parentOfflineId")
      .equals(offlineId)
      .filter((m) => m.uploadState !== UPLOAD_STATES.UPLOADED)
      .primaryKeys();
    await db.media.bulkDelete(photos);
    await db.uploadState.bulkDelete(photos);
    await rebuildRecord(db, type, offlineId);
    return DISCARD_OUTCOMES.DISCARDED;
  });
}
