import "server-only";
import type { Assessment, Entity, Prisma, Response as ResponseRow } from "@/lib/generated/prisma/client";
import type { RecordType } from "@/lib/protocol";
import type { Tx } from "@/lib/server/db/client";
import { txSql } from "@/lib/server/db/sql";
import { lockRecordKeys as lockRecordKeysWith } from "./push-sql";

/**
 * Row access for the three synced record types, so the engine can treat them alike. Responses
 * are always read with their assessment's offlineId (a device names assessments by offlineId).
 */
export type ResponseWithAssessment = ResponseRow & { assessment: { offlineId: string } };
export type RecordRow = Entity | Assessment | ResponseWithAssessment;
export type RowOf<T extends RecordType> = T extends "entity" ? Entity : T extends "assessment" ? Assessment : ResponseWithAssessment;

const responseInclude = { assessment: { select: { offlineId: true } } } as const;

/**
 * Serialises every operation on one record (by type and offlineId) across connections and app
 * servers, for the rest of the transaction. Two pushes of one mutation, a push racing a
 * conflict resolution, two creates of one offlineId: all take this lock first.
 */
export async function lockRecordKey(tx: Tx, type: RecordType, offlineId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${recordKey(type, offlineId)}, 0))`;
}

export function recordKey(type: RecordType, offlineId: string): string {
  return `${type}:${offlineId}`;
}

/**
 * Takes the locks of many records at once, in the order of their lock numbers. A transaction that
 * locks records one by one, in the order its mutations name them, can deadlock with another that
 * names the same records in the opposite order; a single global order cannot.
 */
export function lockRecordKeys(tx: Tx, keys: readonly string[]): Promise<void> {
  return lockRecordKeysWith(txSql(tx), keys);
}

export async function findRecordByOfflineId<T extends RecordType>(tx: Tx, type: T, offlineId: string): Promise<RowOf<T> | null> {
  switch (type) {
    case "entity":
      return (await tx.entity.findUnique({ where: { offlineId } })) as RowOf<T> | null;
    case "assessment":
      return (await tx.assessment.findUnique({ where: { offlineId } })) as RowOf<T> | null;
    default:
      return (await tx.response.findUnique({ where: { offlineId }, include: responseInclude })) as RowOf<T> | null;
  }
}

export async function findRecordById<T extends RecordType>(tx: Tx, type: T, id: string): Promise<RowOf<T> | null> {
  switch (type) {
    case "entity":
      return (await tx.entity.findUnique({ where: { id } })) as RowOf<T> | null;
    case "assessment":
      return (await tx.assessment.findUnique({ where: { id } })) as RowOf<T> | null;
    default:
      return (await tx.response.findUnique({ where: { id }, include: responseInclude })) as RowOf<T> | null;
  }
}

export function insertAssessmentRow(tx: Tx, data: Prisma.AssessmentUncheckedCreateInput) {
  return tx.assessment.create({ data });
}

export function insertResponseRow(tx: Tx, data: Prisma.ResponseUncheckedCreateInput) {
  return tx.response.create({ data, include: responseInclude });
}

export function insertEntityRow(tx: Tx, data: Prisma.EntityUncheckedCreateInput) {
  return tx.entity.create({ data });
}

/** Writes the changed columns of a record; the caller has computed version and audit fields. */
export async function updateRecordRow<T extends RecordType>(tx: Tx, type: T, id: string, data: Record<string, unknown>): Promise<RowOf<T>> {
  switch (type) {
    case "entity":
      return (await tx.entity.update({ where: { id }, data: data as Prisma.EntityUncheckedUpdateInput })) as RowOf<T>;
    case "assessment":
      return (await tx.assessment.update({ where: { id }, data: data as Prisma.AssessmentUncheckedUpdateInput })) as RowOf<T>;
    default:
      return (await tx.response.update({
        where: { id },
        data: data as Prisma.ResponseUncheckedUpdateInput,
        include: responseInclude,
      })) as RowOf<T>;
  }
}

export function findAssessmentByIdOrOfflineId(tx: Tx, ref: { id?: string | null; offlineId?: string | null }) {
  if (ref.id) return tx.assessment.findUnique({ where: { id: ref.id } });
  if (ref.offlineId) return tx.assessment.findUnique({ where: { offlineId: ref.offlineId } });
  return Promise.resolve(null);
}

/** The live assessments and responses of an entity (what a restored entity re-sends to devices). */
export async function listLiveRecordIdsOfEntity(tx: Tx, entityId: string): Promise<{ assessments: string[]; responses: string[] }> {
  const where = { entityId, deletedAt: null };
  const [assessments, responses] = await Promise.all([
    tx.assessment.findMany({ where, select: { id: true }, orderBy: { changeSeq: "asc" } }),
    tx.response.findMany({ where, select: { id: true }, orderBy: { changeSeq: "asc" } }),
  ]);
  return { assessments: assessments.map((r) => r.id), responses: responses.map((r) => r.id) };
}
