import type { FieldSyncDb } from "../db/field-sync-db";
import {
  type AnyLocalRow,
  type LocalConflict,
  type OutboxEntry,
  type ParkedEntry,
  PENDING_CONFLICT,
  type RecordType,
  UPLOAD_STATES,
} from "../db/types";
import type { MediaRow } from "../media/media-row";

/** Everything the device still owes the server about one record, for the outbox screen. */
export interface OutboxRecord {
  type: RecordType;
  offlineId: string;
  /** The record as the device shows it now (undefined if it no longer exists locally). */
  row?: AnyLocalRow;
  /** Name of the record's entity, when known. */
  entityName?: string;
  queued: OutboxEntry[];
  parked: ParkedEntry[];
  conflicts: LocalConflict[];
  /** Photos of this record whose bytes are only on this device. */
  photos: MediaRow[];
  /** The oldest change's device time (ISO). */
  since: string;
}

const key = (type: string, offlineId: string) => `${type}:${offlineId}`;

/**
 * One consistent read of the outbox, the parked changes, the edits awaiting review and the
 * unsent photos, grouped by record; records with refused changes first, then oldest first.
 */
export async function readOutbox(db: FieldSyncDb): Promise<OutboxRecord[]> {
  return db.transaction("r", [db.outbox, db.parked, db.conflicts, db.media, db.entities, db.assessments, db.responses], async () => {
    const [queued, parked, conflicts, media] = await Promise.all([
      db.outbox.orderBy("seq").toArray(),
      db.parked.orderBy("seq").toArray(),
      db.conflicts.where("status").equals(PENDING_CONFLICT).toArray(),
      db.media.filter((m) => m.uploadState !== UPLOAD_STATES.UPLOADED).toArray() as Promise<MediaRow[]>,
    ]);
    const groups = new Map<string, OutboxRecord>();
    const group = (type: RecordType, offlineId: string, at: string) => {
      const k = key(type, offlineId);
      let g = groups.get(k);
      if (!g) {
        g = { type, offlineId, queued: [], parked: [], conflicts: [], photos: [], since: at };
        groups.set(k, g);
      }
      if (at && at < g.since) g.since = at;
      return g;
    };
    for (const e of queued) group(e.type, e.offlineId, e.clientTime).queued.push(e);
    for (const e of parked) group(e.type, e.offlineId, e.clientTime).parked.push(e);
    for (const c of conflicts) if (c.type && c.offlineId) group(c.type, c.offlineId, c.detectedAt).conflicts.push(c);
    for (const m of media) {
      const type: RecordType = m.parentType === "response" ? "response" : "assessment";
      group(type, m.parentOfflineId, m.capturedAt ?? "").photos.push(m);
    }
    const entityNames = new Map<string, string>();
    for (const e of await db.entities.toArray()) if (e.id && e.name) entityNames.set(e.id, e.name);
    const result = [...groups.values()];
    for (const g of result) {
      g.row = await db.recordTable(g.type).get(g.offlineId);
      const entityId = g.type === "entity" ? g.row?.id : g.row?.entityId;
      if (typeof entityId === "string") g.entityName = entityNames.get(entityId);
      if (g.type === "entity" && typeof g.row?.name === "string") g.entityName = g.row.name;
    }
    return result.sort((a, b) => {
      const attention = Number(b.parked.length > 0) - Number(a.parked.length > 0);
      return attention || a.since.localeCompare(b.since);
    });
  });
}
