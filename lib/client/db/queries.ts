import Dexie from "dexie";
import type { FieldSyncDb } from "./field-sync-db";
import {
  type AnyLocalRow,
  type LocalAssessment,
  type LocalConflict,
  type LocalEntity,
  type LocalMedia,
  type LocalResponse,
  type ParkedEntry,
  PENDING_CONFLICT,
  type RecordType,
} from "./types";

/** Reads for the UI (wrapped by lib/client/hooks). Locally deleted rows are hidden. */

const visible = (row: { localDeleted?: boolean }) => !row.localDeleted;

export function listEntities(db: FieldSyncDb): Promise<LocalEntity[]> {
  return db.entities.filter(visible).sortBy("name");
}

/** Newest first. */
export function listAssessments(db: FieldSyncDb, entityId: string): Promise<LocalAssessment[]> {
  return db.assessments
    .where("[entityId+updatedAt]")
    .between([entityId, Dexie.minKey], [entityId, Dexie.maxKey])
    .reverse()
    .filter(visible)
    .toArray();
}

/** Newest first. */
export function listResponses(db: FieldSyncDb, entityId: string): Promise<LocalResponse[]> {
  return db.responses
    .where("[entityId+updatedAt]")
    .between([entityId, Dexie.minKey], [entityId, Dexie.maxKey])
    .reverse()
    .filter(visible)
    .toArray();
}

export async function getRecord(db: FieldSyncDb, type: RecordType, offlineId: string): Promise<AnyLocalRow | undefined> {
  const row = await db.recordTable(type).get(offlineId);
  return row && visible(row) ? row : undefined;
}

export function listMedia(db: FieldSyncDb, parentOfflineId: string): Promise<LocalMedia[]> {
  return db.media.where("parentOfflineId").equals(parentOfflineId).toArray();
}

/** Mutations waiting to be sent or answered. */
export function countPending(db: FieldSyncDb): Promise<number> {
  return db.outbox.count();
}

export function listParked(db: FieldSyncDb): Promise<ParkedEntry[]> {
  return db.parked.orderBy("seq").toArray();
}

export function listPendingConflicts(db: FieldSyncDb): Promise<LocalConflict[]> {
  return db.conflicts.where("status").equals(PENDING_CONFLICT).toArray();
}
