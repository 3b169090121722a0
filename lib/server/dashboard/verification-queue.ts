import "server-only";
import { changedPaths, readPath, recordToPaths } from "@/lib/domain";
import type {
  AssessmentRecord,
  FieldChange,
  ResponseRecord,
  VerificationItem,
  VerificationListQuery,
  VerificationListResponse,
} from "@/lib/protocol";
import { getDb } from "@/lib/server/db/client";
import { errors } from "@/lib/server/errors";
import { entityNames } from "@/lib/server/queries/conflicts";
import {
  countPendingByEntity,
  findLastRejections,
  type Keyset,
  listPendingAssessments,
  listPendingResponses,
  userRefs,
} from "@/lib/server/queries/dashboard";
import { listMediaOfParents } from "@/lib/server/queries/media";
import { toAssessmentRecord, toMediaRecord, toResponseRecord } from "@/lib/server/sync/serialize";

function encodeCursor(k: Keyset): string {
  return Buffer.from(JSON.stringify([k.updatedAt.toISOString(), k.id])).toString("base64url");
}

function decodeCursor(raw: string): Keyset {
  try {
    const [at, id] = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as [string, string];
    const updatedAt = new Date(at);
    if (Number.isNaN(updatedAt.getTime()) || typeof id !== "string") throw new Error("bad");
    return { updatedAt, id };
  } catch {
    throw errors.validation("The cursor is not one this server issued");
  }
}

interface Row {
  type: "assessment" | "response";
  record: AssessmentRecord | ResponseRecord;
  submittedById: string;
  mediaExpected: number | null;
  key: Keyset;
}

/**
 * The verification queue (README "Dashboard"): PENDING assessments and responses, oldest change
 * first, both types in one keyset order. A record rejected before carries what changed since the
 * rejection (its last REJECTED version vs now), so the coordinator reviews only the correction.
 */
export async function listVerificationQueue(q: VerificationListQuery): Promise<VerificationListResponse> {
  const db = await getDb();
  const afterKey = q.cursor ? decodeCursor(q.cursor) : undefined;
  const page = { entityId: q.entityId, after: afterKey, limit: q.limit + 1 };
  const [assessments, responses] = await Promise.all([
    q.type === "response" ? [] : listPendingAssessments(db, page),
    q.type === "assessment" ? [] : listPendingResponses(db, page),
  ]);
  const rowOf = (
    type: Row["type"],
    record: Row["record"],
    src: { assessorId?: string; responderId?: string; mediaExpected: number | null; updatedAt: Date; id: string },
  ): Row => ({
    type,
    record,
    submittedById: (src.assessorId ?? src.responderId) as string,
    mediaExpected: src.mediaExpected,
    key: { updatedAt: src.updatedAt, id: src.id },
  });
  const rows: Row[] = [
    ...assessments.map((a) => rowOf("assessment", toAssessmentRecord(a), a)),
    ...responses.map((r) => rowOf("response", toResponseRecord(r), r)),
  ].sort((x, y) => x.key.updatedAt.getTime() - y.key.updatedAt.getTime() || (x.key.id < y.key.id ? -1 : x.key.id > y.key.id ? 1 : 0));
  const taken = rows.slice(0, q.limit);
  const ids = taken.map((r) => r.record.id);

  const [media, rejections, counts] = await Promise.all([
    listMediaOfParents(db, ids),
    findLastRejections(db, ids),
    countPendingByEntity(db),
  ]);
  const [entities, users] = await Promise.all([
    entityNames(db, [...taken.map((r) => r.record.entityId), ...counts.keys()]),
    userRefs(db, [
      ...taken.map((r) => r.submittedById),
      ...[...rejections.values()].flatMap((v) => (v.changedById ? [v.changedById] : [])),
    ]),
  ]);
  const userById = new Map(users.map((u) => [u.id, u]));
  const entityRef = (id: string) => entities.get(id) ?? { id, name: "Unknown entity" };

  const items: VerificationItem[] = taken.map((row) => {
    const own = media.filter((m) => m.parentId === row.record.id).map(toMediaRecord);
    const rejected = rejections.get(row.record.id);
    let sinceRejection: VerificationItem["sinceRejection"] = null;
    if (rejected) {
      const snapshot = rejected.snapshot as Record<string, unknown>;
      const before = recordToPaths(snapshot, row.type);
      const now = recordToPaths(row.record, row.type);
      const changes: FieldChange[] = changedPaths(before, now).map((path) => ({
        path,
        before: readPath(before, path),
        after: readPath(now, path),
      }));
      sinceRejection = {
        rejectedAt: typeof snapshot.verifiedAt === "string" ? snapshot.verifiedAt : rejected.createdAt.toISOString(),
        rejectedBy: rejected.changedById ? (userById.get(rejected.changedById) ?? null) : null,
        note: typeof snapshot.verificationNote === "string" ? snapshot.verificationNote : null,
        rejectedVersion: rejected.version,
        changes,
      };
    }
    return {
      type: row.type,
      record: row.record,
      form: row.type === "response" ? "RESPONSE" : (row.record as AssessmentRecord).assessmentType,
      entity: entityRef(row.record.entityId),
      submittedBy: userById.get(row.submittedById) ?? { id: row.submittedById, name: "Unknown user" },
      media: own,
      // A file counts once it has arrived whole (size and SHA-256 checked): never before.
      photos: { received: own.length, expected: row.mediaExpected === null ? null : Math.max(row.mediaExpected, own.length) },
      sinceRejection,
    };
  });

  return {
    items,
    nextCursor: rows.length > q.limit ? encodeCursor(taken[taken.length - 1].key) : null,
    countsByEntity: [...counts.entries()]
      .map(([id, pending]) => ({ entity: entityRef(id), pending }))
      .sort((a, b) => b.pending - a.pending || a.entity.name.localeCompare(b.entity.name)),
  };
}
