import "server-only";
import type { Conflict } from "@/lib/generated/prisma/client";
import type { Change, ConflictChangeRecord, PullResponse } from "@/lib/protocol";
import { getScope } from "@/lib/server/admin";
import { getDb, type Tx } from "@/lib/server/db/client";
import { entitiesAssignedBetween, maxAssignmentSeq } from "@/lib/server/queries/assignments";
import { type ChangeRef, selectChanges } from "@/lib/server/queries/changes";
import { conflictUserNames, type UserNames } from "@/lib/server/queries/conflicts";
import { touchDevice } from "@/lib/server/queries/devices";
import type { PublicUser } from "@/lib/server/queries/users";
import { currentChangeSeq } from "./change-seq";
import { decodeCursor, encodeCursor, type PullCursor, refusedCursor } from "./cursor";
import { toAssessmentRecord, toEntityRecord, toMediaRecord, toResponseRecord } from "./serialize";

/**
 * GET /api/sync/pull (PROTOCOL §4). Reads in one REPEATABLE READ snapshot. Change numbers are
 * handed out in commit order (change-seq.ts), so "everything numbered > cursor" in a later
 * snapshot contains every change that was not visible to this one: the cursor never skips.
 *
 * Scope: entities whose assignment was (re)activated after the cursor's assignment watermark
 * joined the scope since; their records numbered ≤ the cursor are backfilled, in change order,
 * before normal paging resumes (see cursor.ts). Entities that left the scope simply stop
 * matching, and `scope.entityIds` tells the device to drop them.
 */
export async function pullChanges(user: PublicUser, params: { cursor?: string; limit: number; deviceId?: string }): Promise<PullResponse> {
  const db = await getDb();
  const given = params.cursor ? decodeCursor(params.cursor) : undefined;
  const response = await db.$transaction((tx) => pullPage(tx, user, given, params.limit), { isolationLevel: "RepeatableRead" });
  if (params.deviceId) await touchDevice(db, { deviceId: params.deviceId, userId: user.id, kind: "pull" });
  return response;
}

async function pullPage(tx: Tx, user: PublicUser, given: PullCursor | undefined, limit: number): Promise<PullResponse> {
  const scope = await getScope(tx, user);
  const scopeIds =
    scope ?? (await tx.entity.findMany({ where: { deletedAt: null }, select: { id: true }, orderBy: { id: "asc" } })).map((e) => e.id);
  // Everything numbered ≤ this is committed and visible in this snapshot (commit-ordered numbers).
  const visibleSeq = await currentChangeSeq(tx);
  // Every cursor this database issued is ≤ its change counter, which only grows. One beyond it
  // comes from another database, or from before a restore that rewound the counter: continuing
  // would skip the changes numbered up to it. The device must pull from the start instead.
  if (given && given.seq > visibleSeq)
    throw refusedCursor("The cursor is ahead of this server's changes (another or a restored database); pull again without a cursor");
  const respond = (changes: Change[], cursor: PullCursor, hasMore: boolean): PullResponse => ({
    changes,
    cursor: encodeCursor(cursor),
    hasMore,
    scope: { entityIds: scopeIds },
    serverTime: new Date().toISOString(),
  });

  // No cursor: everything in scope from the beginning; every current assignment is then covered.
  const cursor: PullCursor = given ?? { seq: 0n, assignmentSeq: scope ? await maxAssignmentSeq(tx, user.id) : 0n };

  if (scope && cursor.seq > 0n) {
    const upTo = cursor.backfill?.upTo ?? (await maxAssignmentSeq(tx, user.id));
    if (upTo > cursor.assignmentSeq) {
      const joined = await entitiesAssignedBetween(tx, user.id, cursor.assignmentSeq, upTo);
      const after = cursor.backfill?.after ?? 0n;
      const refs = joined.length ? await selectChanges(tx, { after, upTo: cursor.seq, entityIds: joined, conflictsOf: null, limit }) : [];
      const done = refs.length < limit;
      const next: PullCursor = done
        ? { seq: cursor.seq, assignmentSeq: upTo }
        : { seq: cursor.seq, assignmentSeq: cursor.assignmentSeq, backfill: { upTo, after: refs[refs.length - 1].seq } };
      return respond(await loadChanges(tx, refs), next, true);
    }
  }

  const refs = await selectChanges(tx, { after: cursor.seq, upTo: null, entityIds: scope, conflictsOf: user.id, limit });
  const full = refs.length === limit;
  // A short page means nothing else in scope is visible: the cursor may jump to the visible end,
  // so an idle device does not rescan other entities' changes on every pull.
  const last = full ? refs[refs.length - 1].seq : visibleSeq > cursor.seq ? visibleSeq : cursor.seq;
  return respond(await loadChanges(tx, refs), { seq: last, assignmentSeq: cursor.assignmentSeq }, full);
}

/** Loads the rows behind change refs (batched per table) and renders them in ref order. */
async function loadChanges(tx: Tx, refs: ChangeRef[]): Promise<Change[]> {
  const idsOf = (kind: ChangeRef["kind"]) => refs.filter((r) => r.kind === kind).map((r) => r.id);
  const [entities, assessments, responses, media, conflicts] = await Promise.all([
    tx.entity.findMany({ where: { id: { in: idsOf("entity") } } }),
    tx.assessment.findMany({ where: { id: { in: idsOf("assessment") } } }),
    tx.response.findMany({ where: { id: { in: idsOf("response") } }, include: { assessment: { select: { offlineId: true } } } }),
    tx.media.findMany({ where: { id: { in: idsOf("media") } } }),
    tx.conflict.findMany({ where: { id: { in: idsOf("conflict") } } }),
  ]);
  const resolvers = await conflictUserNames(tx, conflicts);
  const byId = new Map<string, Change>();
  const put = (change: Change) => byId.set(`${change.type}:${change.id}`, change);
  const recordChange = <R extends { id: string; offlineId: string; version: number; deletedAt: string | null }>(
    type: "entity" | "assessment" | "response",
    record: R,
  ) =>
    put(
      (record.deletedAt
        ? { type, op: "delete", id: record.id, offlineId: record.offlineId, version: record.version }
        : { type, op: "upsert", id: record.id, offlineId: record.offlineId, version: record.version, record }) as Change,
    );
  for (const row of entities) recordChange("entity", toEntityRecord(row));
  for (const row of assessments) recordChange("assessment", toAssessmentRecord(row));
  for (const row of responses) recordChange("response", toResponseRecord(row));
  for (const row of media) {
    const record = toMediaRecord(row);
    put(
      (row.deletedAt
        ? { type: "media", op: "delete", id: row.id, offlineId: row.offlineId }
        : { type: "media", op: "upsert", id: row.id, offlineId: row.offlineId, record }) as Change,
    );
  }
  for (const row of conflicts) put({ type: "conflict", op: "upsert", id: row.id, record: toConflictChange(row, resolvers) } as Change);
  return refs.map((r) => byId.get(`${r.kind}:${r.id}`)).filter((c): c is Change => c !== undefined);
}

export function toConflictChange(row: Conflict, resolvers: UserNames): ConflictChangeRecord {
  return {
    id: row.id,
    type: row.recordType,
    recordId: row.recordId,
    recordOfflineId: row.recordOfflineId,
    status: row.status,
    kind: row.kind,
    conflictingFields: row.conflictingFields,
    resolution: row.resolution
      ? ({
          ...(row.resolution as object),
          resolvedBy: row.resolvedById ? (resolvers.get(row.resolvedById) ?? null) : null,
        } as ConflictChangeRecord["resolution"])
      : null,
    mutationId: row.mutationId,
  };
}
