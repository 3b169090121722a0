import { CONFLICT_STATUSES, type ConflictStatus, type PullResponse } from "@/lib/protocol";
import type { FieldSyncDb } from "../db/field-sync-db";
import {
  type AnyLocalRow,
  type JsonObject,
  type LocalMedia,
  META_KEYS,
  PENDING_CONFLICT,
  type RecordType,
  SYNC_STATES,
  UPLOAD_STATES,
} from "../db/types";
import { rebuildRecord } from "../outbox/rebuild-record";

/** The fields of a pull change this module reads, whatever its type. */
interface ChangeView {
  type: string;
  op: string;
  id: string;
  offlineId?: string;
  version?: number;
  record?: JsonObject;
}

export interface PullApplySummary {
  upserted: number;
  deleted: number;
  conflictsUpdated: number;
  /** Records dropped because their entity left the scope. */
  evicted: number;
  /** Changes older than what this device already holds (e.g. from its own push answer). */
  skipped: number;
}

const RECORD_TYPES: ReadonlySet<string> = new Set<RecordType>(["entity", "assessment", "response"]);

/** The offlineId a change names, when it names one (on the change or in its record). */
function offlineIdOf(change: ChangeView): string | undefined {
  return change.offlineId ?? (typeof change.record?.offlineId === "string" ? change.record.offlineId : undefined);
}

/**
 * Notes `type:offlineId` → version of every assessment and response in a page, deletes included
 * (what a pull from the start showed: see outbox/resend-lost.ts).
 */
export function notePulledRecords(seen: Map<string, number>, page: PullResponse): void {
  for (const change of page.changes as readonly ChangeView[]) {
    if (change.type !== "assessment" && change.type !== "response") continue;
    const offlineId = offlineIdOf(change);
    if (!offlineId) continue;
    const version = change.version ?? (typeof change.record?.version === "number" ? change.record.version : 0);
    const key = `${change.type}:${offlineId}`;
    seen.set(key, Math.max(seen.get(key) ?? 0, version));
  }
}

async function resolveOfflineId(db: FieldSyncDb, type: RecordType, change: ChangeView): Promise<string> {
  const known = offlineIdOf(change);
  if (known) return known;
  const byId = await db.recordTable(type).where("id").equals(change.id).first();
  return byId?.offlineId ?? change.id;
}

/**
 * Applies one pull page in one transaction, cursor included: either the whole page and its
 * cursor are stored, or nothing is (a crash mid-page re-pulls the same page; applying is idempotent).
 *
 * Invariants:
 * - a record with unacknowledged local changes is never overwritten: the server record becomes
 *   its new base (`serverRecord`, `serverVersion`) and the local changes are re-applied on top;
 * - a change older than the version held locally is ignored (a push answer may be newer);
 * - a decided conflict stops overlaying its edit; the record shows the server's version (plus any
 *   other unsent changes);
 * - records outside `scope.entityIds` are dropped unless they carry local changes.
 */
export function applyPullPage(db: FieldSyncDb, page: PullResponse): Promise<PullApplySummary> {
  const summary: PullApplySummary = { upserted: 0, deleted: 0, conflictsUpdated: 0, evicted: 0, skipped: 0 };
  const changes = page.changes as readonly ChangeView[];

  return db.transaction("rw", [...db.recordWriteTables, db.media, db.meta], async () => {
    const withLocal = await recordsWithLocalChanges(db);
    const prefetched = await prefetchRows(db, changes);
    for (const change of changes) {
      if (RECORD_TYPES.has(change.type)) {
        const type = change.type as RecordType;
        const offlineId = await resolveOfflineId(db, type, change);
        const key = `${type}:${offlineId}`;
        // Rows written earlier in this page are re-read (a page may carry a record twice).
        const row = prefetched.has(key) ? prefetched.get(key) : await db.recordTable(type).get(offlineId);
        prefetched.delete(key);
        const known = { existing: row, noLocalChanges: !withLocal.has(offlineId) };
        const version = change.version ?? (typeof change.record?.version === "number" ? change.record.version : undefined);
        if (row && version !== undefined && version < row.serverVersion) {
          summary.skipped++;
          continue;
        }
        const isDelete = change.op === "delete" || (change.record?.deletedAt ?? null) !== null;
        if (isDelete) {
          await rebuildRecord(db, type, offlineId, { deleted: true, version }, known);
          summary.deleted++;
        } else if (change.record) {
          await rebuildRecord(db, type, offlineId, { record: change.record, id: change.id, version }, known);
          summary.upserted++;
        }
      } else if (change.type === "media") {
        await applyMediaChange(db, change);
        if (change.op === "delete") summary.deleted++;
        else summary.upserted++;
      } else if (change.type === "conflict") {
        const touched = await applyConflictChange(db, change);
        summary.conflictsUpdated++;
        // A local conflict copy now exists for the record, and its row may have been rewritten.
        if (touched) {
          withLocal.add(touched.offlineId);
          prefetched.delete(`${touched.type}:${touched.offlineId}`);
        }
      }
    }

    if (page.scope?.entityIds) summary.evicted = await evictOutOfScope(db, page.scope.entityIds);
    await db.meta.put({ key: META_KEYS.CURSOR, value: page.cursor });
    return summary;
  });
}

/**
 * offlineIds with any outbox, parked or conflict entry. These tables hold what is unsent or
 * undecided — small next to the record tables — so reading their keys once per page is cheap.
 * Only a conflict change in the page can add to them; the caller adds what it touched.
 */
async function recordsWithLocalChanges(db: FieldSyncDb): Promise<Set<string>> {
  const [outbox, parked, conflicts] = await Promise.all([
    db.outbox.orderBy("offlineId").uniqueKeys(),
    db.parked.orderBy("offlineId").uniqueKeys(),
    db.conflicts.orderBy("offlineId").uniqueKeys(),
  ]);
  return new Set([...outbox, ...parked, ...conflicts].map(String));
}

/** The current rows of a page's records, read with one bulkGet per type. */
async function prefetchRows(db: FieldSyncDb, changes: readonly ChangeView[]): Promise<Map<string, AnyLocalRow | undefined>> {
  const out = new Map<string, AnyLocalRow | undefined>();
  for (const type of RECORD_TYPES as ReadonlySet<RecordType>) {
    const ids = [
      ...new Set(
        changes
          .filter((c) => c.type === type)
          .map(offlineIdOf)
          .filter((id): id is string => id !== undefined),
      ),
    ];
    if (ids.length === 0) continue;
    const rows = await db.recordTable(type).bulkGet(ids);
    for (const [i, id] of ids.entries()) out.set(`${type}:${id}`, rows[i]);
  }
  return out;
}

async function applyMediaChange(db: FieldSyncDb, change: ChangeView): Promise<void> {
  const offlineId = change.offlineId ?? (typeof change.record?.offlineId === "string" ? change.record.offlineId : change.id);
  const existing = await db.media.get(offlineId);
  if (change.op === "delete") {
    // Bytes captured here and not yet uploaded are the only copy: keep them.
    if (!existing || existing.uploadState === UPLOAD_STATES.UPLOADED) await db.media.delete(offlineId);
    return;
  }
  const record = change.record ?? {};
  const parentOfflineId = typeof record.parentOfflineId === "string" ? record.parentOfflineId : (existing?.parentOfflineId ?? "");
  const row: LocalMedia = {
    ...existing,
    ...(record as Partial<LocalMedia>),
    id: change.id,
    offlineId,
    parentOfflineId,
    uploadState: UPLOAD_STATES.UPLOADED,
  };
  if (existing?.blob) row.blob = existing.blob;
  await db.media.put(row);
}

/** Stores a pulled conflict; returns the local record it names, when known. */
async function applyConflictChange(db: FieldSyncDb, change: ChangeView): Promise<{ type?: RecordType; offlineId: string } | undefined> {
  const record = change.record ?? {};
  const status: ConflictStatus = CONFLICT_STATUSES.find((s) => s === record.status) ?? PENDING_CONFLICT;
  // A conflict this device reported under a name of its own (no conflictId in the answer) is
  // recognised by the mutation that caused it.
  let local = await db.conflicts.get(change.id);
  if (!local && typeof record.mutationId === "string") {
    const byMutation = await db.conflicts.filter((c) => c.mutationId === record.mutationId).first();
    if (byMutation) {
      await db.conflicts.delete(byMutation.conflictId);
      local = { ...byMutation, conflictId: change.id };
    }
  }
  const recordType = typeof record.type === "string" && RECORD_TYPES.has(record.type) ? (record.type as RecordType) : undefined;
  const conflict = local
    ? { ...local, status, resolution: record.resolution ?? local.resolution }
    : {
        conflictId: change.id,
        status,
        type: recordType,
        offlineId: typeof record.recordOfflineId === "string" ? record.recordOfflineId : undefined,
        recordId: typeof record.recordId === "string" ? record.recordId : undefined,
        mutationId: typeof record.mutationId === "string" ? record.mutationId : undefined,
        conflictingFields: Array.isArray(record.conflictingFields) ? (record.conflictingFields as string[]) : [],
        resolution: record.resolution,
        detectedAt: typeof record.detectedAt === "string" ? record.detectedAt : new Date().toISOString(),
      };
  await db.conflicts.put(conflict);

  // Only a record this device holds changes state; unknown conflicts are kept for the UI.
  let type = conflict.type;
  let offlineId = conflict.offlineId;
  if ((!type || !offlineId) && conflict.recordId) {
    for (const candidate of ["assessment", "response", "entity"] as const) {
      if (type && candidate !== type) continue;
      const row = await db.recordTable(candidate).where("id").equals(conflict.recordId).first();
      if (row) {
        type = candidate;
        offlineId = row.offlineId;
        break;
      }
    }
    if (type && offlineId) await db.conflicts.put({ ...conflict, type, offlineId });
  }
  if (type && offlineId && (await db.recordTable(type).get(offlineId))) {
    await rebuildRecord(db, type, offlineId);
  }
  return offlineId ? { type, offlineId } : undefined;
}

/** Drops synced records and uploaded media whose entity is outside the scope. */
async function evictOutOfScope(db: FieldSyncDb, entityIds: readonly string[]): Promise<number> {
  const inScope = new Set(entityIds);
  const isSynced = (row: { syncState: string }) => row.syncState === SYNC_STATES.SYNCED;
  const evicted: string[] = [];

  const entities = await db.entities.filter((e) => typeof e.id === "string" && !inScope.has(e.id) && isSynced(e)).toArray();
  await db.entities.bulkDelete(entities.map((e) => e.offlineId));

  for (const type of ["assessment", "response"] as const) {
    const table = db.recordTable(type);
    // Runs on every page: read the index's distinct entity ids (one step per entity), then only
    // the rows of entities outside the scope — never a scan of every row (measured: a `noneOf`
    // scan per page made a 10k-record pull quadratic; bench/pull-apply.ts).
    const present = (await table.orderBy("entityId").uniqueKeys()) as string[];
    const outside = present.filter((id) => !inScope.has(id));
    if (outside.length === 0) continue;
    const rows = await table.where("entityId").anyOf(outside).filter(isSynced).toArray();
    await table.bulkDelete(rows.map((r) => r.offlineId));
    evicted.push(...rows.map((r) => r.offlineId));
  }

  // Bytes not uploaded yet are the only copy: only uploaded media are dropped.
  const evictedParents = new Set(evicted);
  const media = await db.media
    .filter(
      (m) =>
        m.uploadState === UPLOAD_STATES.UPLOADED &&
        (evictedParents.has(m.parentOfflineId) || (typeof m.entityId === "string" && !inScope.has(m.entityId))),
    )
    .toArray();
  await db.media.bulkDelete(media.map((m) => m.offlineId));
  return entities.length + evicted.length + media.length;
}
