import "server-only";
import { planResolution } from "@/lib/domain";
import type { Conflict } from "@/lib/generated/prisma/client";
import type {
  ConflictDetail,
  ConflictListResponse,
  ConflictSummary,
  ResolveConflictRequest,
  ResolveConflictResponse,
  SyncRecord,
} from "@/lib/protocol";
import { getDb } from "@/lib/server/db/client";
import { AppError, errors, SERVER_ERROR_CODES } from "@/lib/server/errors";
import {
  hideMediaOfDeleted,
  type MediaStamp,
  type RestoredMedia,
  releaseMediaBytes,
  restoreMediaOf,
} from "@/lib/server/media/deleted-media";
import {
  type ConflictFilter,
  conflictUserNames,
  entityNames,
  getConflictById,
  listConflicts,
  markConflictResolved,
  type UserNames,
} from "@/lib/server/queries/conflicts";
import { listMediaOfParents } from "@/lib/server/queries/media";
import { findRecordById, listLiveRecordIdsOfEntity, lockRecordKey, updateRecordRow } from "@/lib/server/queries/records";
import type { PublicUser } from "@/lib/server/queries/users";
import { insertRecordVersion } from "@/lib/server/queries/versions";
import { stampChanges } from "./change-seq";
import { writeRecordChange } from "./engine/record-change";
import { STAMP_TABLE, toSyncRecord } from "./records";
import { toMediaRecord } from "./serialize";

type EntityNames = Map<string, { id: string; name: string }>;

function formOf(row: Conflict): string | null {
  if (row.recordType === "response") return "RESPONSE";
  if (row.recordType === "entity") return null;
  const type = (row.server as { assessmentType?: unknown } | null)?.assessmentType;
  return typeof type === "string" ? type : null;
}

function resolutionOf(row: Conflict, names: UserNames): ConflictDetail["resolution"] {
  const resolution = row.resolution as Record<string, unknown> | null;
  if (!resolution) return null;
  return { ...resolution, resolvedBy: row.resolvedById ? (names.get(row.resolvedById) ?? null) : null } as ConflictDetail["resolution"];
}

function toSummary(row: Conflict, names: UserNames, entities?: EntityNames): ConflictSummary {
  return {
    id: row.id,
    type: row.recordType,
    recordId: row.recordId,
    recordOfflineId: row.recordOfflineId,
    kind: row.kind,
    status: row.status,
    conflictingFields: row.conflictingFields,
    submittedBy: names.get(row.submittedById) ?? { id: row.submittedById, name: "Unknown user" },
    deviceId: row.deviceId ?? row.submittedById,
    detectedAt: row.detectedAt.toISOString(),
    entity: entities?.get(row.entityId) ?? { id: row.entityId, name: "Unknown entity" },
    form: formOf(row),
    resolution: resolutionOf(row, names),
  };
}

function toDetail(row: Conflict, names: UserNames, entities?: EntityNames): ConflictDetail {
  return {
    ...toSummary(row, names, entities),
    mutationId: row.mutationId,
    baseVersion: row.baseVersion,
    serverVersion: row.serverVersion,
    base: row.base as SyncRecord,
    server: row.server as SyncRecord,
    client: row.client as SyncRecord,
    patch: (row.patch ?? {}) as Record<string, unknown>,
    clientAction: row.patch === null ? "delete" : "update",
    resolution: resolutionOf(row, names),
  };
}

function encodeListCursor(row: Conflict): string {
  return Buffer.from(JSON.stringify([row.detectedAt.toISOString(), row.id])).toString("base64url");
}

function decodeListCursor(raw: string): { detectedAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as [string, string];
    const detectedAt = new Date(at);
    if (Number.isNaN(detectedAt.getTime()) || typeof id !== "string") throw new Error("bad");
    return { detectedAt, id };
  } catch {
    throw errors.validation("The cursor is not one this server issued");
  }
}

export async function listConflictsPage(params: ConflictFilter & { cursor?: string; limit: number }): Promise<ConflictListResponse> {
  const db = await getDb();
  const { cursor, limit, ...filter } = params;
  const rows = await listConflicts(db, { ...filter, before: cursor ? decodeListCursor(cursor) : undefined, limit: limit + 1 });
  const page = rows.slice(0, limit);
  const [names, entities] = await Promise.all([
    conflictUserNames(db, page),
    entityNames(
      db,
      page.map((r) => r.entityId),
    ),
  ]);
  return {
    conflicts: page.map((r) => toSummary(r, names, entities)),
    nextCursor: rows.length > params.limit ? encodeListCursor(page[page.length - 1]) : null,
  };
}

export async function getConflictDetail(id: string): Promise<ConflictDetail> {
  const db = await getDb();
  const row = await getConflictById(db, id);
  if (!row) throw errors.notFound("Conflict");
  const [names, entities, record, media] = await Promise.all([
    conflictUserNames(db, [row]),
    entityNames(db, [row.entityId]),
    findRecordById(db, row.recordType, row.recordId),
    listMediaOfParents(db, [row.recordId]),
  ]);
  const uploaders = await conflictUserNames(
    db,
    media.map((m) => ({ submittedById: m.uploadedById, resolvedById: null })),
  );
  return {
    ...toDetail(row, names, entities),
    current: record ? toSyncRecord(row.recordType, record) : null,
    media: media.map((m) => ({ ...toMediaRecord(m), uploadedBy: uploaders.get(m.uploadedById) ?? null })),
  };
}

/**
 * Resolves a PENDING conflict (PROTOCOL §5). Takes the record's lock first, so a resolution and
 * a push of the same record never interleave; a second resolution finds the conflict RESOLVED
 * (409 CONFLICT_ALREADY_RESOLVED), a resolution against a record that moved on since the
 * coordinator looked fails with 409 STALE_RESOLUTION when `expectedVersion` is given.
 */
export async function resolveConflict(user: PublicUser, id: string, req: ResolveConflictRequest): Promise<ResolveConflictResponse> {
  const db = await getDb();
  const answer = await db.$transaction(async (tx): Promise<ResolveConflictResponse> => {
    const found = await getConflictById(tx, id);
    if (!found) throw errors.notFound("Conflict");
    await lockRecordKey(tx, found.recordType, found.recordOfflineId);
    const conflict = (await getConflictById(tx, id)) as Conflict;
    if (conflict.status !== "PENDING")
      throw new AppError(
        SERVER_ERROR_CODES.CONFLICT_ALREADY_RESOLVED,
        `This conflict is already ${conflict.status.toLowerCase().replace("_", "-")}`,
      );
    const type = conflict.recordType;
    const row = await findRecordById(tx, type, conflict.recordId);
    if (!row) throw errors.notFound("Record");
    if (req.expectedVersion !== undefined && req.expectedVersion !== row.version) {
      throw new AppError(
        SERVER_ERROR_CODES.STALE_RESOLUTION,
        `The record is at version ${row.version} now, not ${req.expectedVersion}; review it again`,
      );
    }
    const ctx = { user, scope: null };
    const server = toSyncRecord(type, row);
    // The plan is the preview the resolver showed (lib/domain/merge/plan-resolution.ts).
    const plan = planResolution({
      type,
      kind: conflict.kind,
      base: conflict.base as SyncRecord | null,
      current: server,
      patch: conflict.patch as Record<string, unknown> | null,
      conflictingFields: conflict.conflictingFields,
      strategy: req.strategy,
      custom: req.data,
    });
    if (!plan.ok) {
      throw errors.validation(plan.message, plan.issues.length > 0 ? plan.issues : { missing: plan.missing, unexpected: plan.unexpected });
    }

    let written = { changed: false, row, record: server };
    // Photos follow their record (lib/server/media/deleted-media.ts).
    let media: RestoredMedia | null = null;
    let mediaStamps: MediaStamp[] = [];
    if (plan.action === "restore") {
      written = await writeRecordChange(tx, ctx, type, row, server, plan.paths ?? {}, null, { deletedAt: null });
      media = await restoreMediaOf(tx, row.id);
      mediaStamps = media.stamps;
    } else if (plan.action === "write") {
      written = await writeRecordChange(tx, ctx, type, row, server, plan.paths ?? {}, null);
    } else if (plan.action === "delete") {
      const version = row.version + 1;
      const updated = await updateRecordRow(tx, type, row.id, { deletedAt: new Date(), version, lastModifiedById: user.id });
      const record = toSyncRecord(type, updated);
      await insertRecordVersion(tx, { recordType: type, recordId: row.id, version, snapshot: record, changedById: user.id });
      written = { changed: true, row: updated, record };
      mediaStamps = await hideMediaOfDeleted(tx, type, row.id);
    }

    const resolvedAt = new Date().toISOString();
    const updated = await markConflictResolved(tx, {
      id,
      resolvedById: user.id,
      method: req.strategy,
      resolution: { strategy: req.strategy, method: null, resolvedAt, resultVersion: written.changed ? written.row.version : null },
    });
    const stamps: Parameters<typeof stampChanges>[1] = [];
    const restoredEntity = type === "entity" && row.deletedAt !== null && written.row.deletedAt === null;
    if (restoredEntity) {
      // A restored entity rejoins its assessors' scope: re-stamping its assignments makes their
      // next pull backfill its records, as for a new assignment (their devices dropped them).
      const assignments = await tx.assignment.findMany({ where: { entityId: row.id, active: true }, select: { id: true } });
      stamps.push(...assignments.map((a) => ({ table: "Assignment" as const, id: a.id })));
    }
    if (written.changed) stamps.push({ table: STAMP_TABLE[type], id: row.id });
    if (restoredEntity) {
      // Coordinators' devices dropped them too (outside `scope.entityIds`) and have no assignment
      // to backfill through: its records are sent again, unchanged, after the entity.
      const records = await listLiveRecordIdsOfEntity(tx, row.id);
      stamps.push(...records.assessments.map((rid) => ({ table: "Assessment" as const, id: rid })));
      stamps.push(...records.responses.map((rid) => ({ table: "Response" as const, id: rid })));
    }
    stamps.push(...mediaStamps, { table: "Conflict", id });
    await stampChanges(tx, stamps);
    const [names, entities] = await Promise.all([conflictUserNames(tx, [updated]), entityNames(tx, [updated.entityId])]);
    return {
      conflict: toDetail(updated, names, entities),
      record: written.record,
      ...(media ? { media: { restored: media.restored, gone: media.gone } } : {}),
    };
  });
  // This conflict no longer holds a deleted record's photos: their bytes go unless another does.
  if (answer.record.deletedAt) await releaseMediaBytes([answer.record.id]);
  return answer;
}
