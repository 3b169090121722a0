import "server-only";
import {
  applyPaths,
  changedPaths,
  decidePolicy,
  formForRecord,
  type PathMap,
  patchToPaths,
  recordToPaths,
  validateFormData,
  validateRecordData,
  verificationFor,
} from "@/lib/domain";
import type { Assessment, Entity } from "@/lib/generated/prisma/client";
import {
  type AutoResolutionMethod,
  assessmentPatchSchema,
  entityPatchSchema,
  MUTABLE_FIELDS,
  type Mutation,
  type PushResult,
  type RecordType,
  responsePatchSchema,
  type SyncRecord,
  toIssues,
} from "@/lib/protocol";
import { AppError, errors, SERVER_ERROR_CODES } from "@/lib/server/errors";
import { uuidv7 } from "@/lib/server/ids";
import type { ConflictInsert, LedgerInsert, VersionInsert } from "@/lib/server/queries/push-sql";
import type { RecordRow, ResponseWithAssessment } from "@/lib/server/queries/records";
import type { PublicUser } from "@/lib/server/queries/users";
import { assertCanWrite, assertInScope, isInScope, type Scope } from "../access";
import type { Stamp } from "../change-seq";
import { entityIdOf, STAMP_TABLE, toSyncRecord } from "../records";
import type { BatchState } from "./state";

/**
 * The push engine's decision: one mutation + the batch's state (engine/state.ts) → its answer and
 * the rows to write, or an AppError that rejects it. Pure: it reads only the state and writes
 * nothing; every check that could fail at the database (the record's existence and scope, foreign
 * keys, form rules, shapes) is made here, so the writer's multi-row statements do not fail on one
 * mutation's data. The same code decides a batch as a set (engine/batch.ts, the overlay carrying
 * earlier mutations' writes) and one mutation at a time (the per-mutation path), and a
 * coordinator's resolution, a verification and an admin's entity edit (`decideRecordChange`).
 *
 *   ledger lookup → replay, or authorise → create / update (three-way merge, policy) / delete.
 */

export interface DecideContext {
  user: PublicUser;
  deviceId: string | null;
  /** Entity ids the user may write; null = all. */
  scope: Scope;
}

/** A change number to draw for a row, or the media hidden with a deleted record (stamped where it stands). */
export type Touch = Stamp | { hideMediaOf: { type: RecordType; id: string } };

export interface RecordWrite {
  type: RecordType;
  row: RecordRow;
  /** The record did not exist before this write. */
  created: boolean;
}

export interface Effects {
  result: PushResult;
  records: RecordWrite[];
  versions: VersionInsert[];
  conflicts: ConflictInsert[];
  /** The ledger row (none for a replay: the mutation was processed before). */
  ledger: LedgerInsert | null;
  touched: Touch[];
}

const nothing = (result: PushResult): Effects => ({ result, records: [], versions: [], conflicts: [], ledger: null, touched: [] });

/** Decides one mutation; throws AppError when it must be rejected. */
export function decideMutation(state: BatchState, ctx: DecideContext, m: Mutation, now = new Date()): Effects {
  const prior = state.ledgerRow(m.mutationId);
  if (prior) return nothing(replayProcessed(state, ctx, m, prior));
  assertCanWrite(ctx.user, m.type);
  const effects =
    m.action === "create"
      ? decideCreate(state, ctx, m, now)
      : m.action === "update"
        ? decideUpdate(state, ctx, m, now)
        : decideDelete(state, ctx, m, now);
  effects.ledger = {
    mutationId: m.mutationId,
    userId: ctx.user.id,
    deviceId: ctx.deviceId,
    recordType: m.type,
    offlineId: m.offlineId,
    recordId: (effects.result as { id?: string }).id ?? null,
    status: effects.result.status,
    result: ledgerResult(effects.result),
    clientTime: m.clientTime ? new Date(m.clientTime) : null,
  };
  return effects;
}

/** Makes a decision's writes visible to the batch's later decisions. */
export function overlay(state: BatchState, effects: Effects): void {
  for (const w of effects.records) state.putRecord(w.type, w.row);
  for (const v of effects.versions) state.putVersion(v.recordType, v.recordId, v.version, v.snapshot);
  const l = effects.ledger;
  if (l) state.putLedger(l.mutationId, { userId: l.userId, recordType: l.recordType, offlineId: l.offlineId, result: l.result });
}

/** The ledger keeps the answer without the full record (the record is re-read on replay), as JSON stores it. */
function ledgerResult(result: PushResult): unknown {
  const { record: _record, ...rest } = result as PushResult & { record?: unknown };
  return JSON.parse(JSON.stringify(rest));
}

// ---- replay ---------------------------------------------------------------------------------

/**
 * A mutation seen before: nothing is written. Applied/merged edits answer `duplicate` with the
 * record's current state; an edit that went to a human answers its conflict again, so a device
 * whose first answer was lost still learns the edit awaits review.
 */
function replayProcessed(
  state: BatchState,
  ctx: DecideContext,
  m: Mutation,
  ledger: { userId: string; recordType: string; offlineId: string; result: unknown },
): PushResult {
  // A mutation id is its device's; another user resending it learns nothing about the record.
  if (ledger.userId !== ctx.user.id) throw errors.forbidden("This mutationId belongs to another user's edit");
  // The same id resent for another record is not a resend: answering it would describe a record
  // the mutation never touched (and one the user may not see).
  if (ledger.recordType !== m.type || ledger.offlineId !== m.offlineId)
    throw errors.validation("This mutationId was already used for another record");
  const prior = ledger.result as PushResult;
  const row = state.record(m.type, m.offlineId);
  // The record as it is now is for users who may see it now (an assignment may have ended). One who
  // may not is still told the truth — the mutation was applied — with the version it produced, which
  // they wrote and were answered with then; never `rejected`, which would mean "not applied" and
  // park an edit the server holds.
  if (row && !isInScope(ctx.scope, entityIdOf(m.type, row))) return replayOutOfScope(state, m, row.id, prior);
  if (prior.status === "conflict") return { ...prior, version: row?.version ?? prior.version };
  if (!row) return prior;
  const answer = duplicateOf(m, m.type, row);
  const appliedVersion = (prior as { version?: unknown }).version;
  return typeof appliedVersion === "number" ? ({ ...answer, appliedVersion } as PushResult) : answer;
}

/** A replay to a user who no longer sees the record: the answer as of the version this mutation produced. */
function replayOutOfScope(state: BatchState, m: Mutation, recordId: string, prior: PushResult): PushResult {
  if (prior.status === "conflict") return prior;
  const appliedVersion = (prior as { version?: unknown }).version;
  const snapshot = typeof appliedVersion === "number" ? state.version(m.type, recordId, appliedVersion) : null;
  // A create answered `duplicate` the first time produced no version of its own: nothing to re-tell.
  if (!snapshot) throw errors.forbidden("That entity is not assigned to you");
  return {
    mutationId: m.mutationId,
    offlineId: m.offlineId,
    status: "duplicate",
    id: recordId,
    version: appliedVersion,
    appliedVersion,
    record: snapshot as SyncRecord,
  } as PushResult;
}

function duplicateOf(m: Mutation, type: RecordType, row: RecordRow): PushResult {
  return {
    mutationId: m.mutationId,
    offlineId: row.offlineId,
    status: "duplicate",
    id: row.id,
    version: row.version,
    record: toSyncRecord(type, row),
  } as PushResult;
}

// ---- shared checks --------------------------------------------------------------------------

function liveEntity(state: BatchState, entityId: string): Entity {
  const entity = state.entity(entityId);
  if (!entity || entity.deletedAt) throw errors.notFound("Entity");
  return entity;
}

function assertValidData(type: RecordType, record: { assessmentType?: unknown; status?: unknown; data?: unknown }) {
  const check = validateRecordData(type, record);
  if (!check.ok) throw errors.validation("The form answers are not valid", check.issues);
}

/**
 * Checks a patch's answers on their own before any merge, so a bad edit is rejected rather than
 * parked as a conflict for a human (null answers clear, unknown keys are refused).
 */
function assertValidPatch(type: RecordType, server: SyncRecord, patch: Record<string, unknown>) {
  if (type === "entity" || patch.data === undefined) return;
  const found = formForRecord(type, { assessmentType: patch.assessmentType ?? (server as { assessmentType?: unknown }).assessmentType });
  if (!found.ok) throw errors.validation("Unknown form", found.issues);
  const check = validateFormData(found.form, patch.data, "patch");
  if (!check.ok)
    throw errors.validation(
      "The form answers are not valid",
      check.issues.map((i) => ({ ...i, path: ["data", ...i.path] })),
    );
}

/** Resolves a response's assessment from either id; both must name the same assessment. */
function resolveAssessment(state: BatchState, ref: { assessmentId?: string | null; assessmentOfflineId?: string | null }): Assessment {
  const assessment = (
    ref.assessmentId
      ? state.recordById("assessment", ref.assessmentId)
      : ref.assessmentOfflineId
        ? state.record("assessment", ref.assessmentOfflineId)
        : null
  ) as Assessment | null;
  if (!assessment || assessment.deletedAt) throw errors.notFound("Assessment");
  if (ref.assessmentOfflineId && ref.assessmentId && assessment.offlineId !== ref.assessmentOfflineId) {
    throw errors.validation("assessmentId and assessmentOfflineId name different assessments");
  }
  return assessment;
}

/** The references a decision may follow (the loader reads them up front; see load.ts). */
export function assessmentRefs(ref: { assessmentId?: unknown; assessmentOfflineId?: unknown }): { ids: string[]; offlineIds: string[] } {
  return {
    ids: typeof ref.assessmentId === "string" ? [ref.assessmentId] : [],
    offlineIds: typeof ref.assessmentOfflineId === "string" ? [ref.assessmentOfflineId] : [],
  };
}

function versionOf(type: RecordType, row: RecordRow, record: SyncRecord, changedById: string, mutationId: string | null): VersionInsert {
  return { recordType: type, recordId: row.id, version: row.version, snapshot: record, changedById, mutationId };
}

// ---- create ---------------------------------------------------------------------------------

function decideCreate(state: BatchState, ctx: DecideContext, m: Extract<Mutation, { action: "create" }>, now: Date): Effects {
  const existing = state.record(m.type, m.offlineId);
  if (existing) {
    assertInScope(ctx.scope, entityIdOf(m.type, existing));
    return { ...nothing(duplicateOf(m, m.type, existing)), records: [] };
  }
  const id = uuidv7();
  const clientTime = m.clientTime ? new Date(m.clientTime) : null;
  const stamps = { version: 1, changeSeq: 0n, createdAt: now, updatedAt: now, deletedAt: null };
  let row: RecordRow;
  if (m.type === "entity") {
    row = {
      id,
      offlineId: m.offlineId,
      ...m.data,
      autoApprove: m.data.autoApprove ?? false,
      createdById: ctx.user.id,
      lastModifiedById: ctx.user.id,
      ...stamps,
    } as Entity;
  } else {
    const verification = { verifiedById: null, verifiedAt: null, verificationNote: null, mediaExpected: m.mediaCount ?? null, clientTime };
    if (m.type === "assessment") {
      const entity = liveEntity(state, m.data.entityId);
      assertInScope(ctx.scope, entity.id);
      assertValidData("assessment", m.data);
      row = {
        id,
        offlineId: m.offlineId,
        entityId: entity.id,
        assessorId: ctx.user.id,
        assessmentType: m.data.assessmentType,
        status: m.data.status,
        data: m.data.data as object,
        verificationStatus: verificationFor(m.data.status, entity.autoApprove),
        lastModifiedById: ctx.user.id,
        ...verification,
        ...stamps,
      } as Assessment;
    } else {
      const assessment = resolveAssessment(state, m.data);
      if (assessment.entityId !== m.data.entityId) {
        throw new AppError(SERVER_ERROR_CODES.ENTITY_MISMATCH, "The response's entity differs from its assessment's entity");
      }
      const entity = liveEntity(state, assessment.entityId);
      assertInScope(ctx.scope, entity.id);
      assertValidData("response", m.data);
      row = {
        id,
        offlineId: m.offlineId,
        assessmentId: assessment.id,
        assessment: { offlineId: assessment.offlineId },
        entityId: entity.id,
        responderId: ctx.user.id,
        responseType: m.data.responseType,
        status: m.data.status,
        data: m.data.data as object,
        verificationStatus: verificationFor(m.data.status, entity.autoApprove),
        lastModifiedById: ctx.user.id,
        ...verification,
        ...stamps,
      } as ResponseWithAssessment;
    }
  }
  const record = toSyncRecord(m.type, row);
  return {
    result: { mutationId: m.mutationId, offlineId: m.offlineId, status: "applied", id, version: 1, record } as PushResult,
    records: [{ type: m.type, row, created: true }],
    versions: [versionOf(m.type, row, record, ctx.user.id, m.mutationId)],
    conflicts: [],
    ledger: null,
    touched: [{ table: STAMP_TABLE[m.type], id }],
  };
}

// ---- update ---------------------------------------------------------------------------------

/** The columns a record's mergeable state maps to (responses store only assessmentId). */
function writableColumns(type: RecordType, record: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case "entity": {
      const { name, type: entityType, lga, ward, latitude, longitude, autoApprove } = record;
      return { name, type: entityType, lga, ward, latitude, longitude, autoApprove };
    }
    case "assessment": {
      const { entityId, assessmentType, status, data } = record;
      return { entityId, assessmentType, status, data };
    }
    default: {
      const { assessmentId, entityId, responseType, status, data } = record;
      return { assessmentId, entityId, responseType, status, data };
    }
  }
}

/** The snapshot of the version an edit started from: the current state, or the history (state). */
function baseOf(state: BatchState, type: RecordType, row: RecordRow, baseVersion: number, server: SyncRecord): SyncRecord {
  if (baseVersion === row.version) return server;
  const snapshot = state.version(type, row.id, baseVersion);
  if (!snapshot) throw errors.validation(`No history for version ${baseVersion} of this record`);
  return snapshot as SyncRecord;
}

function liveRowForEdit(state: BatchState, ctx: DecideContext, m: Mutation): RecordRow {
  const row = state.record(m.type, m.offlineId);
  if (!row) throw errors.notFound(m.type.charAt(0).toUpperCase() + m.type.slice(1));
  assertInScope(ctx.scope, entityIdOf(m.type, row));
  if (m.baseVersion > row.version) {
    throw new AppError(SERVER_ERROR_CODES.VERSION_AHEAD, `baseVersion ${m.baseVersion} is ahead of the server's version ${row.version}`);
  }
  if (m.action !== "create" && m.baseVersion < 1)
    throw errors.validation("An update or delete needs the baseVersion it started from (≥ 1)");
  return row;
}

function decideUpdate(state: BatchState, ctx: DecideContext, m: Extract<Mutation, { action: "update" }>, now: Date): Effects {
  const row = liveRowForEdit(state, ctx, m);
  const server = toSyncRecord(m.type, row);
  const base = baseOf(state, m.type, row, m.baseVersion, server);
  assertValidPatch(m.type, server, m.data as Record<string, unknown>);
  const patch = patchToPaths(m.data as Record<string, unknown>);

  if (row.deletedAt) {
    const clientChanged = changedPaths(recordToPaths(base, m.type), { ...recordToPaths(base, m.type), ...patch });
    return toHuman(ctx, m, now, {
      row,
      base,
      server,
      patch,
      conflictingFields: clientChanged.length ? clientChanged : ["deletedAt"],
      kind: "DELETION",
    });
  }

  const decision = decidePolicy(m.type, {
    base: recordToPaths(base, m.type),
    server: recordToPaths(server, m.type),
    patch,
    sameUser: row.lastModifiedById === ctx.user.id,
  });
  if (decision.outcome === "conflict") {
    return toHuman(ctx, m, now, { row, base, server, patch, conflictingFields: decision.conflictingFields, kind: "UPDATE" });
  }

  const written = decideRecordChange(state, ctx, m.type, row, server, decision.resultPaths, m.mutationId, {}, now);
  const records: RecordWrite[] = written.changed ? [{ type: m.type, row: written.row, created: false }] : [];
  // The photo count is server-side bookkeeping for the verification queue, not record content:
  // no version, nothing for devices to pull.
  if (m.type !== "entity" && m.mediaCount !== undefined) {
    records.push({ type: m.type, row: { ...written.row, mediaExpected: m.mediaCount, updatedAt: now } as RecordRow, created: false });
  }
  const touched: Touch[] = written.changed ? [{ table: STAMP_TABLE[m.type], id: row.id }] : [];
  const conflicts: ConflictInsert[] = [];
  const status = m.baseVersion === row.version ? "applied" : "merged";
  let conflictId: string | undefined;
  if (decision.method) {
    const auto = autoResolution(ctx, m, now, {
      row,
      base,
      server,
      patch,
      conflictingFields: decision.conflictingFields,
      method: decision.method,
      resultVersion: written.row.version,
    });
    conflicts.push(auto);
    conflictId = auto.id;
    touched.push({ table: "Conflict", id: auto.id });
  }
  return {
    result: {
      mutationId: m.mutationId,
      offlineId: m.offlineId,
      status,
      id: row.id,
      version: written.row.version,
      record: written.record,
      ...(status === "merged" && decision.method
        ? { conflictId, method: decision.method, conflictingFields: decision.conflictingFields }
        : {}),
    } as PushResult,
    records,
    versions: written.version ? [written.version] : [],
    conflicts,
    ledger: null,
    touched,
  };
}

const PATCH_SCHEMAS = { entity: entityPatchSchema, assessment: assessmentPatchSchema, response: responsePatchSchema } as const;

export interface RecordChange {
  changed: boolean;
  row: RecordRow;
  record: SyncRecord;
  /** The new version's snapshot, when something changed. */
  version: VersionInsert | null;
}

/**
 * A resulting mergeable state applied to a record: re-resolves a response's assessment, checks
 * scope and the form, and makes a new version (with its snapshot) only if something changed.
 * Shared by push, conflict resolution, verification and admin entity edits.
 */
export function decideRecordChange(
  state: BatchState,
  ctx: Pick<DecideContext, "user">,
  type: RecordType,
  row: RecordRow,
  server: SyncRecord,
  resultPaths: PathMap,
  mutationId: string | null,
  extraColumns: Record<string, unknown> = {},
  now = new Date(),
): RecordChange {
  let next = applyPaths(server, resultPaths) as SyncRecord & Record<string, unknown>;
  let assessmentOfflineId: string | undefined;
  if (type === "response") {
    const before = server as SyncRecord & { assessmentId: string; assessmentOfflineId: string };
    const refChanged = next.assessmentId !== before.assessmentId || next.assessmentOfflineId !== before.assessmentOfflineId;
    if (refChanged) {
      // Whichever names changed must name one assessment (both, when both changed).
      const byOffline = next.assessmentOfflineId !== before.assessmentOfflineId;
      const byId = next.assessmentId !== before.assessmentId;
      const assessment = resolveAssessment(state, {
        ...(byOffline ? { assessmentOfflineId: next.assessmentOfflineId as string } : {}),
        ...(byId ? { assessmentId: next.assessmentId as string } : {}),
      });
      next = { ...next, assessmentId: assessment.id, assessmentOfflineId: assessment.offlineId };
      assessmentOfflineId = assessment.offlineId;
      if (assessment.entityId !== next.entityId) {
        throw new AppError(SERVER_ERROR_CODES.ENTITY_MISMATCH, "The response's entity differs from its assessment's entity");
      }
    }
  }
  // The top-level fields too must be valid (a coordinator's custom resolution can set any path).
  const shaped = PATCH_SCHEMAS[type].safeParse(
    Object.fromEntries((MUTABLE_FIELDS[type] as readonly string[]).filter((f) => next[f] !== undefined).map((f) => [f, next[f]])),
  );
  if (!shaped.success) throw errors.validation("The resulting record is not valid", toIssues(shaped.error.issues));
  if (type !== "entity" && next.entityId !== (server as { entityId: string }).entityId) {
    // Moving a record between entities would strand it on devices scoped to the old entity and
    // split an assessment from its responses; a misfiled record is deleted and captured again.
    throw errors.validation("A record cannot move to another entity");
  }
  const changed = changedPaths(recordToPaths(server, type), recordToPaths(next, type)).length > 0 || Object.keys(extraColumns).length > 0;
  if (!changed) return { changed: false, row, record: server, version: null };
  let autoApprove = false;
  if (type !== "entity") {
    const entity = liveEntity(state, next.entityId as string);
    assertValidData(type, next as { status?: unknown; data?: unknown });
    autoApprove = entity.autoApprove;
  }
  const version = row.version + 1;
  const columns: Record<string, unknown> = {
    ...writableColumns(type, next),
    version,
    lastModifiedById: ctx.user.id,
    ...extraColumns,
  };
  if (type !== "entity" && !("verificationStatus" in extraColumns)) {
    // Any change to a record's content asks for verification again.
    columns.verificationStatus = verificationFor(next.status as string, autoApprove);
    columns.verifiedById = null;
    columns.verifiedAt = null;
    columns.verificationNote = null;
  }
  const updated = { ...row, updatedAt: now } as Record<string, unknown>;
  // As an ORM update would: an absent (undefined) column keeps its value.
  for (const [k, v] of Object.entries(columns)) if (v !== undefined) updated[k] = v;
  if (assessmentOfflineId !== undefined) updated.assessment = { offlineId: assessmentOfflineId };
  const newRow = updated as unknown as RecordRow;
  const record = toSyncRecord(type, newRow);
  return { changed: true, row: newRow, record, version: versionOf(type, newRow, record, ctx.user.id, mutationId) };
}

// ---- conflicts ------------------------------------------------------------------------------

interface ConflictInput {
  row: RecordRow;
  base: SyncRecord;
  server: SyncRecord;
  patch: PathMap;
  conflictingFields: string[];
}

function conflictRow(ctx: DecideContext, m: Mutation, now: Date, c: ConflictInput) {
  return {
    id: uuidv7(),
    recordType: m.type,
    recordId: c.row.id,
    recordOfflineId: c.row.offlineId,
    entityId: entityIdOf(m.type, c.row),
    baseVersion: m.baseVersion,
    serverVersion: c.row.version,
    base: c.base,
    server: c.server,
    client: applyPaths(c.base, c.patch),
    patch: "data" in m ? m.data : null,
    conflictingFields: c.conflictingFields,
    mutationId: m.mutationId,
    submittedById: ctx.user.id,
    deviceId: ctx.deviceId,
    detectedAt: now,
  };
}

/** Not applied at all: the whole edit is kept for a human (PROTOCOL §5). */
function toHuman(ctx: DecideContext, m: Mutation, now: Date, c: ConflictInput & { kind: "UPDATE" | "DELETION" }): Effects {
  const conflict: ConflictInsert = {
    ...conflictRow(ctx, m, now, c),
    kind: c.kind,
    status: "PENDING",
    method: null,
    resolvedAt: null,
    resolution: null,
  };
  return {
    result: {
      mutationId: m.mutationId,
      offlineId: m.offlineId,
      status: "conflict",
      id: c.row.id,
      version: c.row.version,
      conflictId: conflict.id,
      conflictingFields: c.conflictingFields,
      kind: c.kind,
    } as PushResult,
    records: [],
    versions: [],
    conflicts: [conflict],
    ledger: null,
    touched: [{ table: "Conflict", id: conflict.id }],
  };
}

/** Policy decisions are logged as AUTO_RESOLVED so coordinators can audit them. */
function autoResolution(
  ctx: DecideContext,
  m: Mutation,
  now: Date,
  c: ConflictInput & { method: AutoResolutionMethod; resultVersion: number },
): ConflictInsert {
  return {
    ...conflictRow(ctx, m, now, c),
    kind: "UPDATE",
    status: "AUTO_RESOLVED",
    method: c.method,
    resolvedAt: now,
    resolution: { strategy: null, method: c.method, resolvedAt: now.toISOString(), resolvedBy: null, resultVersion: c.resultVersion },
  };
}

// ---- delete ---------------------------------------------------------------------------------

function decideDelete(state: BatchState, ctx: DecideContext, m: Extract<Mutation, { action: "delete" }>, now: Date): Effects {
  const row = state.record(m.type, m.offlineId);
  if (row?.deletedAt) {
    assertInScope(ctx.scope, entityIdOf(m.type, row));
    return nothing(duplicateOf(m, m.type, row));
  }
  const live = liveRowForEdit(state, ctx, m);
  const server = toSyncRecord(m.type, live);
  if (m.baseVersion < live.version) {
    // Deleting would silently discard what others changed since the device's base: a human decides.
    const base = baseOf(state, m.type, live, m.baseVersion, server);
    const serverChanged = changedPaths(recordToPaths(base, m.type), recordToPaths(server, m.type));
    if (serverChanged.length > 0)
      return toHuman(ctx, m, now, { row: live, base, server, patch: {}, conflictingFields: serverChanged, kind: "DELETION" });
  }
  const updated = { ...live, deletedAt: now, version: live.version + 1, lastModifiedById: ctx.user.id, updatedAt: now } as RecordRow;
  const record = toSyncRecord(m.type, updated);
  return {
    result: {
      mutationId: m.mutationId,
      offlineId: m.offlineId,
      status: "applied",
      id: live.id,
      version: updated.version,
      record,
    } as PushResult,
    records: [{ type: m.type, row: updated, created: false }],
    versions: [versionOf(m.type, updated, record, ctx.user.id, m.mutationId)],
    conflicts: [],
    ledger: null,
    // Its photos go with it (lib/server/media/deleted-media.ts); their bytes once committed (push.ts).
    touched: [{ table: STAMP_TABLE[m.type], id: live.id }, { hideMediaOf: { type: m.type, id: live.id } }],
  };
}
