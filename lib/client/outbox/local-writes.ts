import { applyPaths, patchToPaths, pathsToPatch } from "@/lib/domain/merge";
import { type FieldSyncDb, PRIORITY_RANK } from "../db/field-sync-db";
import type { AnyLocalRow, JsonObject, OutboxEntry, ParkedEntry, Priority, RecordType } from "../db/types";
import { defaultPriority, higherPriority } from "./priority";
import { rebuildRecord, recordFields } from "./rebuild-record";

export const LOCAL_WRITE_ERROR_CODES = {
  NOT_FOUND: "NOT_FOUND",
  ALREADY_EXISTS: "ALREADY_EXISTS",
  RECORD_DELETED: "RECORD_DELETED",
} as const;
export type LocalWriteErrorCode = (typeof LOCAL_WRITE_ERROR_CODES)[keyof typeof LOCAL_WRITE_ERROR_CODES];

export class LocalWriteError extends Error {
  override readonly name = "LocalWriteError";
  constructor(
    readonly code: LocalWriteErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface WriteOptions {
  /** Overrides the default priority; a coalesced entry keeps the higher of old and new. */
  priority?: Priority;
  /** Clock for `clientTime` (recorded by the server, never used to order anything). */
  now?: () => Date;
}

export interface CreateOptions extends WriteOptions {
  offlineId?: string;
}

function nowIso(options?: WriteOptions): string {
  return (options?.now?.() ?? new Date()).toISOString();
}

/** An entry that can still absorb later edits: queued and never sent (see OutboxEntry invariant). */
function isCoalescable(entry: OutboxEntry | undefined): entry is OutboxEntry {
  return entry !== undefined && entry.state === "queued" && entry.attempts === 0;
}

async function lastOutboxEntry(db: FieldSyncDb, type: RecordType, offlineId: string): Promise<OutboxEntry | undefined> {
  const entries = await db.outbox
    .where("offlineId")
    .equals(offlineId)
    .filter((e) => e.type === type)
    .sortBy("seq");
  return entries.at(-1);
}

/**
 * The parked create of a record the server never had (no server state, no other local change in
 * the outbox), if any.
 */
async function refusedCreateOf(db: FieldSyncDb, row: AnyLocalRow, type: RecordType, offlineId: string): Promise<ParkedEntry | undefined> {
  if (row.serverRecord !== undefined || row.serverDeleted) return undefined;
  const parked = await db.parked
    .where("offlineId")
    .equals(offlineId)
    .filter((e) => e.type === type)
    .sortBy("seq");
  return parked.length === 1 && parked[0].action === "create" ? parked[0] : undefined;
}

export function newEntry(
  fields: Pick<OutboxEntry, "type" | "action" | "offlineId" | "baseVersion" | "priority" | "data" | "clientTime">,
): Omit<OutboxEntry, "seq"> {
  const entry: Omit<OutboxEntry, "seq"> = {
    ...fields,
    mutationId: crypto.randomUUID(),
    rank: PRIORITY_RANK[fields.priority],
    state: "queued",
    attempts: 0,
  };
  if (entry.data === undefined) delete entry.data;
  return entry;
}

/**
 * Creates a record locally and queues its `create`, in one transaction: the row is visible to
 * live queries at once, and it cannot exist without its outbox entry (or vice versa).
 */
export function createRecord(db: FieldSyncDb, type: RecordType, input: JsonObject, options?: CreateOptions): Promise<AnyLocalRow> {
  return db.transaction("rw", db.recordWriteTables, async () => {
    const offlineId = options?.offlineId ?? (typeof input.offlineId === "string" ? input.offlineId : crypto.randomUUID());
    if (await db.recordTable(type).get(offlineId)) {
      throw new LocalWriteError("ALREADY_EXISTS", `${type} ${offlineId} already exists locally`);
    }
    const data: JsonObject = { ...input };
    delete data.offlineId;
    const priority = options?.priority ?? defaultPriority(type, data, Object.keys(patchToPaths(data)));
    await db.outbox.add(newEntry({ type, action: "create", offlineId, baseVersion: 0, priority, data, clientTime: nowIso(options) }));
    const row = await rebuildRecord(db, type, offlineId);
    if (!row) throw new Error(`invariant: created ${type} ${offlineId} has no row`);
    return row;
  });
}

/**
 * Applies a patch (`{status, data:{latrines}}`; `null` clears a field) locally and queues it.
 *
 * Coalescing: if the record's newest outbox entry was never sent, the edit is folded into it
 * (a create keeps being one create with the final content; an update keeps its original
 * baseVersion and gains the changed paths, later values winning). Otherwise — the newest entry
 * is in flight or was sent before — a new update goes behind it, based on `serverVersion`.
 * A record whose only local change is a parked (refused) create absorbs the edit into that create.
 */
export function updateRecord(
  db: FieldSyncDb,
  type: RecordType,
  offlineId: string,
  patch: JsonObject,
  options?: WriteOptions,
): Promise<AnyLocalRow> {
  return db.transaction("rw", db.recordWriteTables, async () => {
    const row = await db.recordTable(type).get(offlineId);
    if (!row) throw new LocalWriteError("NOT_FOUND", `${type} ${offlineId} does not exist locally`);
    if (row.localDeleted) throw new LocalWriteError("RECORD_DELETED", `${type} ${offlineId} was deleted`);

    const paths = patchToPaths(patch);
    const changed = Object.keys(paths);
    if (changed.length === 0) return row;
    const after = applyPaths(recordFields(row), paths);
    const priority = options?.priority ?? defaultPriority(type, after, changed);
    const clientTime = nowIso(options);

    const last = await lastOutboxEntry(db, type, offlineId);
    const parkedCreate = last === undefined ? await refusedCreateOf(db, row, type, offlineId) : undefined;
    if (parkedCreate) {
      // The record exists only here and its create was refused: an update could only fail
      // (NOT_FOUND). The edit — typically the user's fix — goes into the parked create, so
      // retrying it sends the record as it is now. It stays parked until the user retries.
      const merged = higherPriority(parkedCreate.priority, priority);
      await db.parked.put({
        ...parkedCreate,
        data: applyPaths(parkedCreate.data ?? {}, paths),
        priority: merged,
        rank: PRIORITY_RANK[merged],
        clientTime,
      });
    } else if (isCoalescable(last) && last.action !== "delete") {
      const data =
        last.action === "create" ? applyPaths(last.data ?? {}, paths) : pathsToPatch({ ...patchToPaths(last.data ?? {}), ...paths });
      const merged = higherPriority(last.priority, priority);
      await db.outbox.put({ ...last, data, priority: merged, rank: PRIORITY_RANK[merged], clientTime });
    } else {
      await db.outbox.add(
        newEntry({ type, action: "update", offlineId, baseVersion: row.serverVersion, priority, data: patch, clientTime }),
      );
    }
    const rebuilt = await rebuildRecord(db, type, offlineId);
    if (!rebuilt) throw new Error(`invariant: updated ${type} ${offlineId} has no row`);
    return rebuilt;
  });
}

/**
 * Deletes a record locally. Until acknowledged the row stays with `localDeleted` (hidden from lists).
 * - Never seen by the server and nothing possibly sent: every local trace vanishes, nothing is sent.
 * - Newest entry an unsent update: it becomes the delete (same baseVersion: a concurrent server
 *   change is still detected).
 * - Otherwise a delete goes behind the newest entry.
 * Returns false when there was nothing to delete.
 */
export function deleteRecord(db: FieldSyncDb, type: RecordType, offlineId: string, options?: WriteOptions): Promise<boolean> {
  return db.transaction("rw", db.recordWriteTables, async () => {
    const row = await db.recordTable(type).get(offlineId);
    if (!row || row.localDeleted) return false;

    const entries = await db.outbox
      .where("offlineId")
      .equals(offlineId)
      .filter((e) => e.type === type)
      .sortBy("seq");
    const last = entries.at(-1);
    const clientTime = nowIso(options);
    const priority = options?.priority ?? "NORMAL";

    const serverMayHaveIt = row.serverRecord !== undefined || row.serverDeleted || entries.some((e) => e.attempts > 0);
    if (!serverMayHaveIt) {
      // Only local, never (possibly) applied anywhere: drop it whole, rejected attempts included.
      await db.outbox.bulkDelete(entries.map((e) => e.seq));
      await db.parked
        .where("offlineId")
        .equals(offlineId)
        .filter((e) => e.type === type)
        .delete();
      await db.conflicts.where("offlineId").equals(offlineId).delete();
    } else if (isCoalescable(last) && last.action === "update") {
      const merged = higherPriority(last.priority, priority);
      const { data: _dropped, ...rest } = last;
      await db.outbox.put({ ...rest, action: "delete", priority: merged, rank: PRIORITY_RANK[merged], clientTime });
    } else if (!(isCoalescable(last) && last.action === "delete")) {
      await db.outbox.add(newEntry({ type, action: "delete", offlineId, baseVersion: row.serverVersion, priority, clientTime }));
    }
    await rebuildRecord(db, type, offlineId);
    return true;
  });
}
