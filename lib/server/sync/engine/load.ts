import "server-only";
import type { PathMap } from "@/lib/domain";
import { applyPaths } from "@/lib/domain";
import type { Mutation, PushResult, RecordType, SyncRecord } from "@/lib/protocol";
import type { Sql } from "@/lib/server/db/sql";
import { findLedgerRows, findRecordRows, findVersionSnapshots } from "@/lib/server/queries/push-sql";
import type { RecordRow } from "@/lib/server/queries/records";
import { isInScope, type Scope } from "../access";
import { entityIdOf } from "../records";
import { assessmentRefs } from "./decide";
import { BatchState } from "./state";

const TYPES = ["entity", "assessment", "response"] as const;

/**
 * The loader: everything a batch's decisions will read, in a few statements whatever the batch's
 * size — the ledger rows of every mutationId, the current row of every record named (target or
 * referenced), the entities those live in, and the history snapshots the merges start from.
 *
 * The caller holds the advisory locks of every target record (lockRecordKeys, taken once for the
 * batch in one global order), so no other transaction can change a target, or write the ledger
 * row of one of its mutations, before COMMIT: what is read here stays true, and the only changes
 * the decisions must see are the batch's own (the state's overlay).
 */
export async function loadBatchState(sql: Sql, mutations: readonly Mutation[], scope: Scope): Promise<BatchState> {
  const state = new BatchState();
  if (mutations.length === 0) return state;

  // 1. The ledger.
  const mutationIds = [...new Set(mutations.map((m) => m.mutationId))];
  const ledger = await findLedgerRows(sql, mutationIds);
  for (const id of mutationIds) state.loadedLedger(id, null);
  for (const row of ledger) state.loadedLedger(row.mutationId, row);

  // 2. Records by offlineId (every target; assessments a response names) and by id (assessments).
  const offlineIds: Record<RecordType, Set<string>> = { entity: new Set(), assessment: new Set(), response: new Set() };
  const assessmentIds = new Set<string>();
  const entityIds = new Set<string>();
  for (const m of mutations) {
    offlineIds[m.type].add(m.offlineId);
    if (m.type === "response" && m.action !== "delete") {
      const refs = assessmentRefs(m.data);
      for (const id of refs.ids) assessmentIds.add(id);
      for (const id of refs.offlineIds) offlineIds.assessment.add(id);
    }
    if (m.type === "assessment" && m.action === "create") entityIds.add(m.data.entityId);
  }
  const rows: { type: RecordType; row: RecordRow }[] = [];
  for (const type of TYPES) {
    const ids = [...offlineIds[type]];
    if (ids.length === 0) continue;
    for (const row of await findRecordRows(sql, type, "offlineId", ids)) rows.push({ type, row });
    for (const id of ids) state.loadedRecord(type, id, null);
  }
  const byId = [...assessmentIds].filter((id) => !rows.some((r) => r.type === "assessment" && r.row.id === id));
  if (byId.length > 0) for (const row of await findRecordRows(sql, "assessment", "id", byId)) rows.push({ type: "assessment", row });
  for (const { type, row } of rows) state.putRecord(type, row);
  for (const id of byId) state.loadedById("assessment", id, null);

  // 3. The entities every decision may check (live? autoApprove?), and the history merges start from.
  for (const { type, row } of rows) if (type !== "entity") entityIds.add(entityIdOf(type, row));
  const missing = [...entityIds].filter((id) => !state.hasId("entity", id));
  if (missing.length > 0) for (const row of await findRecordRows(sql, "entity", "id", missing)) state.putRecord("entity", row);
  for (const id of missing) state.loadedById("entity", id, null);

  const wanted = versionsWanted(state, mutations, scope);
  for (const v of await findVersionSnapshots(sql, wanted)) state.loadedVersion(v.recordType, v.recordId, v.version, v.snapshot);
  for (const v of wanted)
    if (!state.hasVersion(v.recordType, v.recordId, v.version)) state.loadedVersion(v.recordType, v.recordId, v.version, null);
  return state;
}

/**
 * The snapshots a batch's merges and replays may read: an edit's base when it is older than the
 * record (or the record is edited more than once in the batch, so an earlier edit moves it on),
 * and the version a replayed mutation produced when its user no longer sees the record.
 */
function versionsWanted(state: BatchState, mutations: readonly Mutation[], scope: Scope) {
  const edits = new Map<string, number>();
  for (const m of mutations) edits.set(`${m.type}:${m.offlineId}`, (edits.get(`${m.type}:${m.offlineId}`) ?? 0) + 1);
  const wanted = new Map<string, { recordType: RecordType; recordId: string; version: number }>();
  const want = (recordType: RecordType, recordId: string, version: number) =>
    wanted.set(`${recordType}:${recordId}:${version}`, { recordType, recordId, version });
  for (const m of mutations) {
    const row = state.record(m.type, m.offlineId);
    if (!row) continue;
    const prior = state.ledgerRow(m.mutationId);
    if (prior) {
      const version = (prior.result as PushResult & { version?: unknown }).version;
      if (typeof version === "number" && !isInScope(scope, entityIdOf(m.type, row))) want(m.type, row.id, version);
      continue;
    }
    if (m.action === "create" || m.baseVersion < 1 || m.baseVersion > row.version) continue;
    if (m.baseVersion < row.version || (edits.get(`${m.type}:${m.offlineId}`) ?? 0) > 1) want(m.type, row.id, m.baseVersion);
  }
  return [...wanted.values()];
}

/**
 * The one-record path (conflict resolution, verification, admin entity edits): what
 * decideRecordChange reads for one record taking a resulting state — its entity, and the
 * assessment a response would be moved to. The caller holds the record's lock.
 */
export async function loadRecordChangeState(
  sql: Sql,
  type: RecordType,
  row: RecordRow,
  server: SyncRecord,
  resultPaths: PathMap,
): Promise<BatchState> {
  const state = new BatchState();
  state.putRecord(type, row);
  if (type === "entity") return state;
  const entityId = entityIdOf(type, row);
  state.loadedById("entity", entityId, (await findRecordRows(sql, "entity", "id", [entityId]))[0] ?? null);
  if (type === "response") {
    const refs = assessmentRefs(applyPaths(server, resultPaths) as Record<string, unknown>);
    for (const id of refs.ids) state.loadedById("assessment", id, (await findRecordRows(sql, "assessment", "id", [id]))[0] ?? null);
    for (const id of refs.offlineIds)
      state.loadedRecord("assessment", id, (await findRecordRows(sql, "assessment", "offlineId", [id]))[0] ?? null);
  }
  return state;
}
