import "server-only";
import { patchToPaths, recordToPaths, resolveWithStrategy } from "@/lib/domain";
import type { Conflict } from "@/lib/generated/prisma/client";
import type {
  ConflictDetail,
  ConflictListResponse,
  ConflictStatus,
  ConflictSummary,
  ResolveConflictRequest,
  SyncRecord,
} from "@/lib/protocol";
import { getDb } from "@/lib/server/db/client";
import { AppError, errors, SERVER_ERROR_CODES } from "@/lib/server/errors";
import { conflictUserNames, getConflictById, listConflicts, markConflictResolved, type UserNames } from "@/lib/server/queries/conflicts";
import { findRecordById, lockRecordKey, updateRecordRow } from "@/lib/server/queries/records";
import type { PublicUser } from "@/lib/server/queries/users";
import { insertRecordVersion } from "@/lib/server/queries/versions";
import { writeRecordChange } from "./apply-mutation";
import { stampChanges } from "./change-seq";
import { STAMP_TABLE, toSyncRecord } from "./records";

function toSummary(row: Conflict, names: UserNames): ConflictSummary {
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
  };
}

function toDetail(row: Conflict, names: UserNames): ConflictDetail {
  const resolution = row.resolution as Record<string, unknown> | null;
  return {
    ...toSummary(row, names),
    mutationId: row.mutationId,
    baseVersion: row.baseVersion,
    serverVersion: row.serverVersion,
    base: row.base as SyncRecord,
    server: row.server as SyncRecord,
    client: row.client as SyncRecord,
    patch: (row.patch ?? {}) as Record<string, unknown>,
    resolution: resolution
      ? ({ ...resolution, resolvedBy: row.resolvedById ? (names.get(row.resolvedById) ?? null) : null } as ConflictDetail["resolution"])
      : null,
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

export async function listConflictsPage(params: {
  status?: ConflictStatus;
  cursor?: string;
  limit: number;
}): Promise<ConflictListResponse> {
  const db = await getDb();
  const rows = await listConflicts(db, {
    status: params.status,
    before: params.cursor ? decodeListCursor(params.cursor) : undefined,
    limit: params.limit + 1,
  });
  const page = rows.slice(0, params.limit);
  const names = await conflictUserNames(db, page);
  return {
    conflicts: page.map((r) => toSummary(r, names)),
    nextCursor: rows.length > params.limit ? encodeListCursor(page[page.length - 1]) : null,
  };
}

export async function getConflictDetail(id: string): Promise<ConflictDetail> {
  const db = await getDb();
  const row = await getConflictById(db, id);
  if (!row) throw errors.notFound("Conflict");
  return toDetail(row, await conflictUserNames(db, [row]));
}

/**
 * Resolves a PENDING conflict (PROTOCOL §5). Takes the record's lock first, so a resolution and
 * a push of the same record never interleave; a second resolution finds the conflict RESOLVED
 * (409 CONFLICT_ALREADY_RESOLVED), a resolution against a record that moved on since the
 * coordinator looked fails with 409 STALE_RESOLUTION when `expectedVersion` is given.
 */
export async function resolveConflict(
  user: PublicUser,
  id: string,
  req: ResolveConflictRequest,
): Promise<{ conflict: ConflictDetail; record: SyncRecord }> {
  const db = await getDb();
  return db.$transaction(async (tx) => {
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
    const base = conflict.base as SyncRecord;
    const patch = patchToPaths((conflict.patch ?? {}) as Record<string, unknown>);

    const outcome = resolveWithStrategy({
      strategy: req.strategy,
      base: recordToPaths(base, type),
      server: recordToPaths(server, type),
      patch,
      conflictingFields:
        conflict.kind === "DELETION" ? conflict.conflictingFields.filter((f) => f !== "deletedAt") : conflict.conflictingFields,
      custom: req.data,
    });
    if (!outcome.ok) throw errors.validation(outcome.message, { missing: outcome.missing, unexpected: outcome.unexpected });

    let written = { changed: false, row, record: server };
    const keepsClientSide = req.strategy === "client" || req.strategy === "custom";
    if (row.deletedAt) {
      // The record is deleted now — before the edit arrived (a DELETION conflict) or since (an
      // UPDATE conflict overtaken by a delete). A client edit kept by the coordinator (client,
      // custom) restores the record with it; server and merge leave it deleted. A stale delete
      // (no edit) has nothing left to do.
      if (conflict.patch && keepsClientSide)
        written = await writeRecordChange(tx, ctx, type, row, server, outcome.paths ?? {}, null, { deletedAt: null });
    } else if (conflict.kind === "DELETION" && !conflict.patch) {
      // A stale delete: the client's side deletes the record; custom and merge keep it, with the
      // coordinator's values (custom) applied.
      if (req.strategy !== "client" && outcome.paths) {
        written = await writeRecordChange(tx, ctx, type, row, server, outcome.paths, null);
      } else if (req.strategy === "client") {
        const version = row.version + 1;
        const updated = await updateRecordRow(tx, type, row.id, { deletedAt: new Date(), version, lastModifiedById: user.id });
        const record = toSyncRecord(type, updated);
        await insertRecordVersion(tx, { recordType: type, recordId: row.id, version, snapshot: record, changedById: user.id });
        written = { changed: true, row: updated, record };
      }
    } else if (outcome.paths) {
      written = await writeRecordChange(tx, ctx, type, row, server, outcome.paths, null);
    }

    const resolvedAt = new Date().toISOString();
    const updated = await markConflictResolved(tx, {
      id,
      resolvedById: user.id,
      method: req.strategy,
      resolution: { strategy: req.strategy, method: null, resolvedAt, resultVersion: written.changed ? written.row.version : null },
    });
    const stamps: Parameters<typeof stampChanges>[1] = [{ table: "Conflict", id }];
    if (written.changed) stamps.unshift({ table: STAMP_TABLE[type], id: row.id });
    if (type === "entity" && row.deletedAt && !written.row.deletedAt) {
      // A restored entity rejoins its assessors' scope: re-stamping its assignments makes their
      // next pull backfill its records, as for a new assignment (their devices dropped them).
      const assignments = await tx.assignment.findMany({ where: { entityId: row.id, active: true }, select: { id: true } });
      stamps.unshift(...assignments.map((a) => ({ table: "Assignment" as const, id: a.id })));
    }
    await stampChanges(tx, stamps);
    return { conflict: toDetail(updated, await conflictUserNames(tx, [updated])), record: written.record };
  });
}
