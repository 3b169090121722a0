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
import type { Prisma } from "@/lib/generated/prisma/client";
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
  toStorableString,
  toStorableText,
} from "@/lib/protocol";
import type { Db, Tx } from "@/lib/server/db/client";
import { isTransientDbError } from "@/lib/server/db/errors";
import { AppError, errors, SERVER_ERROR_CODES } from "@/lib/server/errors";
import { uuidv7 } from "@/lib/server/ids";
import { hideMediaOfDeleted } from "@/lib/server/media/deleted-media";
import { insertConflict } from "@/lib/server/queries/conflicts";
import { getEntityById } from "@/lib/server/queries/entities";
import { getProcessedMutation, insertProcessedMutation, insertRejectedMutation } from "@/lib/server/queries/ledger";
import {
  findAssessmentByIdOrOfflineId,
  findRecordByOfflineId,
  insertAssessmentRow,
  insertEntityRow,
  insertResponseRow,
  lockRecordKey,
  type RecordRow,
  updateRecordRow,
} from "@/lib/server/queries/records";
import type { PublicUser } from "@/lib/server/queries/users";
import { getRecordVersion, insertRecordVersion } from "@/lib/server/queries/versions";
import { assertCanWrite, assertInScope, isInScope, type Scope } from "./access";
import type { stampChanges } from "./change-seq";
import { entityIdOf, STAMP_TABLE, toSyncRecord } from "./records";

import type { WriteBuffer } from "./write-buffer";

export interface MutationContext {
  user: PublicUser;
  deviceId: string | null;
  /** Entity ids the user may write; null = all. Read once per push. */
  scope: Scope;
  /** Batch write-behind for snapshots and ledger rows (push); absent = write immediately. */
  buffer?: WriteBuffer;
}

export type Stamp = Parameters<typeof stampChanges>[1][number];

interface Outcome {
  result: PushResult;
  recordId: string | null;
  touched: Stamp[];
}

/**
 * Applies one mutation exactly once inside the caller's transaction, which has opened a SAVEPOINT
 * for it (see push.ts):
 *
 *   lock(type, offlineId) → ledger lookup → apply → version snapshot → conflict rows → ledger row.
 *
 * Returns the rows it changed; the caller stamps them with change numbers as the last step of
 * the transaction (change-seq.ts). The advisory lock makes a mutation racing itself on two
 * connections wait until the first transaction commits; the second then finds the ledger row and
 * answers `duplicate`. Throws AppError for a mutation that must be rejected.
 */
export async function applyMutationInTx(tx: Tx, ctx: MutationContext, m: Mutation): Promise<{ result: PushResult; touched: Stamp[] }> {
  if (!ctx.buffer?.holdsLock(m.type, m.offlineId)) await lockRecordKey(tx, m.type, m.offlineId);
  const prefetched = ctx.buffer?.prefetchedLedgerRow(m.mutationId);
  const prior =
    (ctx.buffer?.findLedger(m.mutationId) as LedgerView | undefined) ??
    (prefetched !== undefined ? prefetched : await getProcessedMutation(tx, m.mutationId));
  if (prior) return { result: await replayProcessed(tx, ctx, m, prior), touched: [] };
  const outcome = await dispatch(tx, ctx, m);
  // Later mutations of the batch read an entity afresh after an entity mutation: its deletion or
  // autoApprove counts for them (a rolled-back one clears the cache in WriteBuffer.discard).
  if (m.type === "entity") ctx.buffer?.forgetEntities();
  const ledgerRow = {
    mutationId: m.mutationId,
    userId: ctx.user.id,
    deviceId: ctx.deviceId,
    recordType: m.type,
    offlineId: m.offlineId,
    recordId: outcome.recordId,
    status: outcome.result.status,
    result: ledgerResult(outcome.result),
    clientTime: m.clientTime ? new Date(m.clientTime) : null,
  };
  if (ctx.buffer) ctx.buffer.addLedger({ ...ledgerRow, result: ledgerRow.result as Prisma.InputJsonValue });
  else await insertProcessedMutation(tx, ledgerRow);
  return { result: outcome.result, touched: outcome.touched };
}

/** The answer for a mutation whose savepoint was rolled back; null when the error is not the mutation's fault. */
export async function answerFailedMutation(tx: Tx, ctx: MutationContext, m: Mutation, error: unknown): Promise<PushResult | null> {
  if (isUniqueViolation(error)) {
    // Lost a race the advisory lock did not cover (one mutationId reused for another record).
    const prior = await getProcessedMutation(tx, m.mutationId);
    if (prior && prior.userId === ctx.user.id) return replayProcessed(tx, ctx, m, prior);
  }
  const rejection = toRejection(error);
  if (!rejection) return null;
  await recordRejection(tx, ctx, { mutationId: m.mutationId, type: m.type, offlineId: m.offlineId, payload: m, ...rejection });
  return {
    mutationId: m.mutationId,
    offlineId: m.offlineId,
    status: "rejected",
    error: { code: rejection.code, message: rejection.message, ...(rejection.issues ? { issues: rejection.issues } : {}) },
  } as PushResult;
}

/**
 * Keeps every refused mutation whole (who, what, why): no captured data vanishes without trace.
 * Every field goes through toStorableText: whatever the mutation carried (NUL, half a character,
 * in a value or a key), the log row can be written — it is what fails to be stored that is refused.
 */
export async function recordRejection(
  db: Db | Tx,
  ctx: Pick<MutationContext, "user" | "deviceId">,
  r: { mutationId: string | null; type: string | null; offlineId: string | null; payload: unknown; code: string; message: string },
): Promise<void> {
  const text = (value: string | null) => (value === null ? null : toStorableString(value));
  await insertRejectedMutation(db, {
    mutationId: text(r.mutationId),
    userId: ctx.user.id,
    deviceId: ctx.deviceId,
    recordType: text(r.type),
    offlineId: text(r.offlineId),
    payload: toStorableText(r.payload),
    errorCode: r.code,
    errorMessage: toStorableString(r.message),
  });
}

function toRejection(
  error: unknown,
): { code: (typeof SERVER_ERROR_CODES)[keyof typeof SERVER_ERROR_CODES]; message: string; issues?: unknown } | null {
  if (error instanceof AppError) return { code: error.code, message: error.message, issues: error.details?.issues };
  // Deadlocks, serialization failures, timeouts, lost connections: the push fails as a whole and
  // the device retries it — never "your data is invalid" (found by the opposite-order batches test).
  if (isTransientDbError(error)) return null;
  const code = (error as { code?: unknown }).code;
  // Prisma's other known request errors (P2xxx) are about this mutation's data.
  if (typeof code === "string" && /^P2\d{3}$/.test(code)) {
    return { code: SERVER_ERROR_CODES.VALIDATION_FAILED, message: "The database refused this record's data" };
  }
  return null;
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown }).code === "P2002";
}

/** The ledger keeps the answer without the full record (the record is re-read on replay). */
function ledgerResult(result: PushResult): unknown {
  const { record: _record, ...rest } = result as PushResult & { record?: unknown };
  return rest;
}

const PATCH_SCHEMAS = { entity: entityPatchSchema, assessment: assessmentPatchSchema, response: responsePatchSchema } as const;

/** What replay needs of a ledger row (buffered, prefetched or read). */
interface LedgerView {
  userId: string;
  recordType: string;
  offlineId: string;
  result: unknown;
}

/**
 * A mutation seen before: nothing is written. Applied/merged edits answer `duplicate` with the
 * record's current state; an edit that went to a human answers its conflict again, so a device
 * whose first answer was lost still learns the edit awaits review.
 */
async function replayProcessed(tx: Tx, ctx: MutationContext, m: Mutation, ledger: LedgerView): Promise<PushResult> {
  // A mutation id is its device's; another user resending it learns nothing about the record.
  if (ledger.userId !== ctx.user.id) throw errors.forbidden("This mutationId belongs to another user's edit");
  // The same id resent for another record is not a resend: answering it would describe a record
  // the mutation never touched (and one the user may not see).
  if (ledger.recordType !== m.type || ledger.offlineId !== m.offlineId)
    throw errors.validation("This mutationId was already used for another record");
  const prior = ledger.result as PushResult;
  const row = await findRecordByOfflineId(tx, m.type, m.offlineId);
  // The record as it is now is for users who may see it now (an assignment may have ended). One who
  // may not is still told the truth — the mutation was applied — with the version it produced, which
  // they wrote and were answered with then; never `rejected`, which would mean "not applied" and
  // park an edit the server holds.
  if (row && !isInScope(ctx.scope, entityIdOf(m.type, row))) return replayOutOfScope(tx, m, row.id, prior);
  if (prior.status === "conflict") return { ...prior, version: row?.version ?? prior.version };
  if (!row) return prior;
  const answer = duplicateOf(m, m.type, row);
  const appliedVersion = (prior as { version?: unknown }).version;
  return typeof appliedVersion === "number" ? ({ ...answer, appliedVersion } as PushResult) : answer;
}

/** A replay to a user who no longer sees the record: the answer as of the version this mutation produced. */
async function replayOutOfScope(tx: Tx, m: Mutation, recordId: string, prior: PushResult): Promise<PushResult> {
  if (prior.status === "conflict") return prior;
  const appliedVersion = (prior as { version?: unknown }).version;
  const snapshot =
    typeof appliedVersion === "number" ? await getRecordVersion(tx, { recordType: m.type, recordId, version: appliedVersion }) : null;
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

/** The record's current row: from the batch's prefetch when it still holds it, else the database. */
async function currentRow(tx: Tx, ctx: BufferCtx, type: RecordType, offlineId: string): Promise<RecordRow | null> {
  const prefetched = ctx.buffer?.takeRecord(type, offlineId);
  return prefetched !== undefined ? prefetched : findRecordByOfflineId(tx, type, offlineId);
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

async function dispatch(tx: Tx, ctx: MutationContext, m: Mutation): Promise<Outcome> {
  assertCanWrite(ctx.user, m.type);
  switch (m.action) {
    case "create":
      return applyCreate(tx, ctx, m);
    case "update":
      return applyUpdate(tx, ctx, m);
    default:
      return applyDelete(tx, ctx, m);
  }
}

// ---- create ---------------------------------------------------------------------------------

type BufferCtx = { buffer?: WriteBuffer };

async function getLiveEntityOrThrow(tx: Tx, ctx: BufferCtx, entityId: string) {
  const entity = ctx.buffer ? await ctx.buffer.entity(tx, entityId) : await getEntityById(tx, entityId);
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
async function resolveAssessment(tx: Tx, ref: { assessmentId?: string | null; assessmentOfflineId?: string | null }) {
  const assessment = await findAssessmentByIdOrOfflineId(tx, { id: ref.assessmentId, offlineId: ref.assessmentOfflineId });
  if (!assessment || assessment.deletedAt) throw errors.notFound("Assessment");
  if (ref.assessmentOfflineId && ref.assessmentId && assessment.offlineId !== ref.assessmentOfflineId) {
    throw errors.validation("assessmentId and assessmentOfflineId name different assessments");
  }
  return assessment;
}

async function applyCreate(tx: Tx, ctx: MutationContext, m: Extract<Mutation, { action: "create" }>): Promise<Outcome> {
  const existing = await currentRow(tx, ctx, m.type, m.offlineId);
  if (existing) {
    assertInScope(ctx.scope, entityIdOf(m.type, existing));
    return { result: duplicateOf(m, m.type, existing), recordId: existing.id, touched: [] };
  }
  const id = uuidv7();
  const common = { id, offlineId: m.offlineId, version: 1, clientTime: m.clientTime ? new Date(m.clientTime) : null };
  let row: RecordRow;
  if (m.type === "entity") {
    const { clientTime: _c, ...rest } = common;
    row = await insertEntityRow(tx, { ...rest, ...m.data, createdById: ctx.user.id, lastModifiedById: ctx.user.id });
  } else if (m.type === "assessment") {
    const entity = await getLiveEntityOrThrow(tx, ctx, m.data.entityId);
    assertInScope(ctx.scope, entity.id);
    assertValidData("assessment", m.data);
    row = await insertAssessmentRow(tx, {
      ...common,
      entityId: entity.id,
      assessmentType: m.data.assessmentType,
      status: m.data.status,
      data: m.data.data as object,
      assessorId: ctx.user.id,
      lastModifiedById: ctx.user.id,
      verificationStatus: verificationFor(m.data.status, entity.autoApprove),
      mediaExpected: m.mediaCount ?? null,
    });
  } else {
    const assessment = await resolveAssessment(tx, m.data);
    if (assessment.entityId !== m.data.entityId) {
      throw new AppError(SERVER_ERROR_CODES.ENTITY_MISMATCH, "The response's entity differs from its assessment's entity");
    }
    const entity = await getLiveEntityOrThrow(tx, ctx, assessment.entityId);
    assertInScope(ctx.scope, entity.id);
    assertValidData("response", m.data);
    row = await insertResponseRow(tx, {
      ...common,
      assessmentId: assessment.id,
      entityId: entity.id,
      responseType: m.data.responseType,
      status: m.data.status,
      data: m.data.data as object,
      responderId: ctx.user.id,
      lastModifiedById: ctx.user.id,
      verificationStatus: verificationFor(m.data.status, entity.autoApprove),
      mediaExpected: m.mediaCount ?? null,
    });
  }
  const record = toSyncRecord(m.type, row);
  await saveVersion(tx, ctx, {
    recordType: m.type,
    recordId: row.id,
    version: 1,
    snapshot: record,
    changedById: ctx.user.id,
    mutationId: m.mutationId,
  });
  return {
    result: { mutationId: m.mutationId, offlineId: m.offlineId, status: "applied", id: row.id, version: 1, record } as PushResult,
    recordId: row.id,
    touched: [{ table: STAMP_TABLE[m.type], id: row.id }],
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

/** Snapshot of one version: buffered within a push batch, written at once otherwise. */
async function saveVersion(tx: Tx, ctx: BufferCtx, params: Parameters<typeof insertRecordVersion>[1]): Promise<void> {
  if (ctx.buffer) {
    ctx.buffer.addVersion({ ...params, snapshot: params.snapshot as Prisma.InputJsonValue, mutationId: params.mutationId ?? null });
    return;
  }
  await insertRecordVersion(tx, params);
}

async function loadBase(
  tx: Tx,
  ctx: BufferCtx,
  type: RecordType,
  row: RecordRow,
  baseVersion: number,
  server: SyncRecord,
): Promise<SyncRecord> {
  if (baseVersion === row.version) return server;
  const snapshot =
    ctx.buffer?.findVersion(type, row.id, baseVersion) ??
    (await getRecordVersion(tx, { recordType: type, recordId: row.id, version: baseVersion }));
  if (!snapshot) throw errors.validation(`No history for version ${baseVersion} of this record`);
  return snapshot as SyncRecord;
}

async function getLiveRowForEdit(tx: Tx, ctx: MutationContext, m: Mutation) {
  const row = await currentRow(tx, ctx, m.type, m.offlineId);
  if (!row) throw errors.notFound(m.type.charAt(0).toUpperCase() + m.type.slice(1));
  assertInScope(ctx.scope, entityIdOf(m.type, row));
  if (m.baseVersion > row.version) {
    throw new AppError(SERVER_ERROR_CODES.VERSION_AHEAD, `baseVersion ${m.baseVersion} is ahead of the server's version ${row.version}`);
  }
  if (m.action !== "create" && m.baseVersion < 1)
    throw errors.validation("An update or delete needs the baseVersion it started from (≥ 1)");
  return row;
}

async function applyUpdate(tx: Tx, ctx: MutationContext, m: Extract<Mutation, { action: "update" }>): Promise<Outcome> {
  const row = await getLiveRowForEdit(tx, ctx, m);
  const server = toSyncRecord(m.type, row);
  const base = await loadBase(tx, ctx, m.type, row, m.baseVersion, server);
  assertValidPatch(m.type, server, m.data as Record<string, unknown>);
  const patch = patchToPaths(m.data as Record<string, unknown>);

  if (row.deletedAt) {
    const clientChanged = changedPaths(recordToPaths(base, m.type), { ...recordToPaths(base, m.type), ...patch });
    return toHuman(tx, ctx, m, {
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
    return toHuman(tx, ctx, m, { row, base, server, patch, conflictingFields: decision.conflictingFields, kind: "UPDATE" });
  }

  const written = await writeRecordChange(tx, ctx, m.type, row, server, decision.resultPaths, m.mutationId);
  // The photo count is server-side bookkeeping for the verification queue, not record content:
  // no version, nothing for devices to pull.
  if (m.type !== "entity" && m.mediaCount !== undefined) await updateRecordRow(tx, m.type, row.id, { mediaExpected: m.mediaCount });
  const touched: Stamp[] = written.changed ? [{ table: STAMP_TABLE[m.type], id: row.id }] : [];
  const status = m.baseVersion === row.version ? "applied" : "merged";
  let conflictId: string | undefined;
  if (decision.method) {
    conflictId = await logAutoResolution(tx, ctx, m, {
      row,
      base,
      server,
      patch,
      conflictingFields: decision.conflictingFields,
      method: decision.method,
      resultVersion: written.row.version,
    });
    touched.push({ table: "Conflict", id: conflictId });
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
    recordId: row.id,
    touched,
  };
}

/**
 * Applies a resulting mergeable state to a record: re-resolves a response's assessment, checks
 * scope and the form, and writes a new version (with its snapshot) only if something changed.
 * Shared by push and by conflict resolution.
 */
export async function writeRecordChange(
  tx: Tx,
  ctx: Pick<MutationContext, "user" | "scope" | "buffer">,
  type: RecordType,
  row: RecordRow,
  server: SyncRecord,
  resultPaths: PathMap,
  mutationId: string | null,
  extraColumns: Record<string, unknown> = {},
): Promise<{ changed: boolean; row: RecordRow; record: SyncRecord }> {
  let next = applyPaths(server, resultPaths) as SyncRecord & Record<string, unknown>;
  if (type === "response") {
    const before = server as SyncRecord & { assessmentId: string; assessmentOfflineId: string };
    const refChanged = next.assessmentId !== before.assessmentId || next.assessmentOfflineId !== before.assessmentOfflineId;
    if (refChanged) {
      // Whichever names changed must name one assessment (both, when both changed).
      const byOffline = next.assessmentOfflineId !== before.assessmentOfflineId;
      const byId = next.assessmentId !== before.assessmentId;
      const assessment = await resolveAssessment(tx, {
        ...(byOffline ? { assessmentOfflineId: next.assessmentOfflineId as string } : {}),
        ...(byId ? { assessmentId: next.assessmentId as string } : {}),
      });
      next = { ...next, assessmentId: assessment.id, assessmentOfflineId: assessment.offlineId };
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
  if (!changed) return { changed: false, row, record: server };
  let autoApprove = false;
  if (type !== "entity") {
    const entity = await getLiveEntityOrThrow(tx, ctx, next.entityId as string);
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
  const updated = await updateRecordRow(tx, type, row.id, columns);
  const record = toSyncRecord(type, updated);
  await saveVersion(tx, ctx, { recordType: type, recordId: row.id, version, snapshot: record, changedById: ctx.user.id, mutationId });
  return { changed: true, row: updated, record };
}

interface ConflictInput {
  row: RecordRow;
  base: SyncRecord;
  server: SyncRecord;
  patch: PathMap;
  conflictingFields: string[];
}

function conflictRow(ctx: MutationContext, m: Mutation, c: ConflictInput) {
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
  };
}

/** Not applied at all: the whole edit is kept for a human (PROTOCOL §5). */
async function toHuman(tx: Tx, ctx: MutationContext, m: Mutation, c: ConflictInput & { kind: "UPDATE" | "DELETION" }): Promise<Outcome> {
  const conflict = await insertConflict(tx, { ...conflictRow(ctx, m, c), kind: c.kind, status: "PENDING", method: null });
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
    recordId: c.row.id,
    touched: [{ table: "Conflict", id: conflict.id }],
  };
}

/** Policy decisions are logged as AUTO_RESOLVED so coordinators can audit them. */
async function logAutoResolution(
  tx: Tx,
  ctx: MutationContext,
  m: Mutation,
  c: ConflictInput & { method: AutoResolutionMethod; resultVersion: number },
): Promise<string> {
  const resolvedAt = new Date();
  const conflict = await insertConflict(tx, {
    ...conflictRow(ctx, m, c),
    kind: "UPDATE",
    status: "AUTO_RESOLVED",
    method: c.method,
    resolvedAt,
    resolution: {
      strategy: null,
      method: c.method,
      resolvedAt: resolvedAt.toISOString(),
      resolvedBy: null,
      resultVersion: c.resultVersion,
    },
  });
  return conflict.id;
}

// ---- delete ---------------------------------------------------------------------------------

async function applyDelete(tx: Tx, ctx: MutationContext, m: Extract<Mutation, { action: "delete" }>): Promise<Outcome> {
  const row = await currentRow(tx, ctx, m.type, m.offlineId);
  if (row?.deletedAt) {
    assertInScope(ctx.scope, entityIdOf(m.type, row));
    return { result: duplicateOf(m, m.type, row), recordId: row.id, touched: [] };
  }
  const live = await getLiveRowForEdit(tx, ctx, m);
  const server = toSyncRecord(m.type, live);
  if (m.baseVersion < live.version) {
    // Deleting would silently discard what others changed since the device's base: a human decides.
    const base = await loadBase(tx, ctx, m.type, live, m.baseVersion, server);
    const serverChanged = changedPaths(recordToPaths(base, m.type), recordToPaths(server, m.type));
    if (serverChanged.length > 0)
      return toHuman(tx, ctx, m, { row: live, base, server, patch: {}, conflictingFields: serverChanged, kind: "DELETION" });
  }
  const version = live.version + 1;
  const updated = await updateRecordRow(tx, m.type, live.id, { deletedAt: new Date(), version, lastModifiedById: ctx.user.id });
  // Its photos go with it (lib/server/media/deleted-media.ts); their bytes once committed (push.ts).
  const hiddenMedia = await hideMediaOfDeleted(tx, m.type, live.id);
  const record = toSyncRecord(m.type, updated);
  await saveVersion(tx, ctx, {
    recordType: m.type,
    recordId: live.id,
    version,
    snapshot: record,
    changedById: ctx.user.id,
    mutationId: m.mutationId,
  });
  return {
    result: { mutationId: m.mutationId, offlineId: m.offlineId, status: "applied", id: live.id, version, record } as PushResult,
    recordId: live.id,
    touched: [{ table: STAMP_TABLE[m.type], id: live.id }, ...hiddenMedia],
  };
}
