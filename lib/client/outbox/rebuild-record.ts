import { applyPaths, patchToPaths } from "@/lib/domain/merge";
import type { FieldSyncDb } from "../db/field-sync-db";
import {
  type AnyLocalRow,
  type JsonObject,
  type LocalConflict,
  type OutboxEntry,
  type ParkedEntry,
  PENDING_CONFLICT,
  type RecordType,
  SYNC_STATES,
  type SyncMeta,
  type SyncState,
} from "../db/types";

/** Keys of a row that are bookkeeping, not record fields. */
const META_FIELDS = [
  "serverVersion",
  "serverRecord",
  "serverDeleted",
  "pendingPaths",
  "syncState",
  "conflictId",
  "localDeleted",
] as const satisfies readonly (keyof SyncMeta)[];

/** What the server told us about a record, to become the new base. */
export interface ServerState {
  record?: JsonObject;
  id?: string;
  version?: number;
  deleted?: boolean;
}

/** One unacknowledged local change of a record, from whichever table holds it. */
interface LocalChange {
  seq: number;
  action: "create" | "update" | "delete";
  data?: JsonObject;
  clientTime?: string;
}

/** The row's record fields without bookkeeping. */
export function recordFields(row: JsonObject): JsonObject {
  const out: JsonObject = { ...row };
  for (const key of META_FIELDS) delete out[key];
  return out;
}

/** The local changes of a record not yet acknowledged by the server, oldest first. */
export async function localChanges(
  db: FieldSyncDb,
  type: RecordType,
  offlineId: string,
): Promise<{ outbox: OutboxEntry[]; parked: ParkedEntry[]; conflicts: LocalConflict[] }> {
  const [outbox, parked, conflicts] = await Promise.all([
    db.outbox
      .where("offlineId")
      .equals(offlineId)
      .filter((e) => e.type === type)
      .sortBy("seq"),
    db.parked
      .where("offlineId")
      .equals(offlineId)
      .filter((e) => e.type === type)
      .sortBy("seq"),
    db.conflicts
      .where("offlineId")
      .equals(offlineId)
      .filter((c) => c.status === PENDING_CONFLICT && (c.type === undefined || c.type === type))
      .toArray(),
  ]);
  return { outbox, parked, conflicts };
}

/**
 * What a caller applying many records in one transaction already read (pull-apply reads a page's
 * rows and the ids with local changes once per page): saves two queries per record.
 */
export interface KnownLocalState {
  /** The current row, as read inside the same transaction (undefined: none). */
  existing: AnyLocalRow | undefined;
  /** True only when the record has no outbox, parked or conflict entry (checked in the same transaction). */
  noLocalChanges: boolean;
}

/**
 * Rewrites the local row of one record from its server base and its unacknowledged local changes.
 * The only writer of record rows besides pull eviction, so the SyncMeta invariant holds everywhere.
 *
 * Must run inside a rw transaction spanning `db.recordWriteTables`.
 * Returns the row written, or undefined when the record no longer exists locally (never on the
 * server and no local change left, or deleted on the server with nothing unsent).
 */
export async function rebuildRecord(
  db: FieldSyncDb,
  type: RecordType,
  offlineId: string,
  server?: ServerState,
  known?: KnownLocalState,
): Promise<AnyLocalRow | undefined> {
  const table = db.recordTable(type);
  const existing = known ? known.existing : await table.get(offlineId);

  let base = existing?.serverRecord;
  let serverVersion = existing?.serverVersion ?? 0;
  let serverDeleted = existing?.serverDeleted ?? false;
  if (server) {
    if (server.deleted) {
      serverDeleted = true;
    } else if (server.record) {
      base = { ...server.record };
      serverDeleted = false;
    }
    if (server.version !== undefined) serverVersion = server.version;
    if (server.id !== undefined && base && base.id === undefined) base = { ...base, id: server.id };
  }

  const { outbox, parked, conflicts } = known?.noLocalChanges
    ? { outbox: [], parked: [], conflicts: [] }
    : await localChanges(db, type, offlineId);
  const changes: LocalChange[] = [
    ...outbox,
    ...parked,
    ...conflicts
      .filter((c) => c.data !== undefined || c.action === "delete")
      .map((c) => ({ seq: c.seq ?? 0, action: c.action ?? "update", data: c.data, clientTime: c.detectedAt })),
  ].sort((a, b) => a.seq - b.seq);

  const hasLocal = changes.length > 0 || conflicts.length > 0;
  if (!hasLocal && (!base || serverDeleted)) {
    if (existing) await table.delete(offlineId);
    return undefined;
  }

  let content: JsonObject = base ? { ...base } : {};
  let pendingPaths: JsonObject = {};
  let localDeleted = false;
  let lastLocalTime: string | undefined;
  for (const change of changes) {
    if (change.action === "delete") {
      localDeleted = true;
    } else if (change.data) {
      const paths = patchToPaths(change.data);
      content = applyPaths(content, paths);
      pendingPaths = { ...pendingPaths, ...paths };
    }
    if (change.clientTime && (!lastLocalTime || change.clientTime > lastLocalTime)) lastLocalTime = change.clientTime;
  }

  content.offlineId = offlineId;
  const serverId = base?.id ?? server?.id ?? existing?.id;
  if (serverId !== undefined) content.id = serverId;
  if (lastLocalTime) {
    const serverUpdated = typeof base?.updatedAt === "string" ? base.updatedAt : undefined;
    if (!serverUpdated || lastLocalTime > serverUpdated) content.updatedAt = lastLocalTime;
    if (content.createdAt === undefined) content.createdAt = changes[0]?.clientTime ?? lastLocalTime;
  }

  const newestConflict = conflicts.reduce<LocalConflict | undefined>(
    (acc, c) => (!acc || c.detectedAt >= acc.detectedAt ? c : acc),
    undefined,
  );
  const syncState: SyncState = newestConflict
    ? SYNC_STATES.CONFLICT
    : parked.length > 0
      ? SYNC_STATES.PARKED
      : outbox.length > 0
        ? SYNC_STATES.PENDING
        : SYNC_STATES.SYNCED;

  const row: AnyLocalRow = {
    ...content,
    offlineId,
    serverVersion,
    pendingPaths,
    syncState,
  };
  if (base) row.serverRecord = base;
  if (serverDeleted) row.serverDeleted = true;
  if (newestConflict) row.conflictId = newestConflict.conflictId;
  if (localDeleted) row.localDeleted = true;

  await table.put(row);
  return row;
}
