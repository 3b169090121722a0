import "server-only";
import type { Conflict } from "@/lib/generated/prisma/client";
import type { Change, ConflictChangeRecord, PullResponse } from "@/lib/protocol";
import { isScoped } from "@/lib/server/admin";
import { getDb, type Tx } from "@/lib/server/db/client";
import { dbSql, type Sql, txSql } from "@/lib/server/db/sql";
import { entitiesAssignedBetween } from "@/lib/server/queries/assignments";
import { type ChangeRef, loadChangedRows, selectChanges, selectPullHead } from "@/lib/server/queries/changes";
import type { UserNames } from "@/lib/server/queries/conflicts";
import { touchDevice } from "@/lib/server/queries/devices";
import type { PublicUser } from "@/lib/server/queries/users";
import { decodeCursor, encodeCursor, type PullCursor, refusedCursor } from "./cursor";
import { toAssessmentRecord, toEntityRecord, toMediaRecord, toResponseRecord } from "./serialize";

/**
 * GET /api/sync/pull (PROTOCOL §4). Change numbers are handed out in commit order
 * (change-seq.ts), so "everything numbered > cursor" in a later snapshot contains every change that
 * was not visible to this one: the cursor never skips.
 *
 * A page is ONE statement (`selectPullHead`: counter, scope, assignment watermark and the page's
 * change refs, in one snapshot) and then the rows behind the refs, read by primary key. Outside a
 * transaction those rows come from a later snapshot, so a row may be newer than its ref: that newer
 * change is numbered above the cursor returned (which never passes the head's counter) and is sent
 * again by the next pull — at least once, never skipped; a record never moves to another entity,
 * so it stays in scope. Only a backfill (below) needs dependent reads: it runs in one REPEATABLE
 * READ snapshot.
 *
 * Scope: entities whose assignment was (re)activated after the cursor's assignment watermark
 * joined the scope since; their records numbered ≤ the cursor are backfilled, in change order,
 * before normal paging resumes (see cursor.ts). Entities that left the scope simply stop
 * matching, and `scope.entityIds` tells the device to drop them.
 */
export async function pullChanges(user: PublicUser, params: { cursor?: string; limit: number; deviceId?: string }): Promise<PullResponse> {
  const db = await getDb();
  const given = params.cursor ? decodeCursor(params.cursor) : undefined;
  const read = async () =>
    (given?.backfill ? null : await pullPage(dbSql(db), user, given, params.limit)) ??
    (await db.$transaction((tx) => pullPage(txSql(tx), user, given, params.limit, tx), { isolationLevel: "RepeatableRead" }));
  // The device's last pull is stamped beside the page's reads (on its own connection, off the
  // page's critical path): it records that the device asked, whatever the page then answers.
  const [page] = await Promise.all([
    read(),
    params.deviceId ? touchDevice(dbSql(db), { deviceId: params.deviceId, userId: user.id, kind: "pull" }) : undefined,
  ]);
  if (!page) throw new Error("A pull in one snapshot always answers");
  return page;
}

/**
 * One page, its statements on `sql`. Without `snapshot` (a transaction in REPEATABLE READ, on which
 * `sql` runs) a page that needs a backfill answers null: the caller runs it again in a snapshot.
 */
async function pullPage(
  sql: Sql,
  user: PublicUser,
  given: PullCursor | undefined,
  limit: number,
  snapshot?: Tx,
): Promise<PullResponse | null> {
  const scoped = isScoped(user);
  const head = await selectPullHead(sql, { userId: user.id, scoped, after: given?.seq ?? 0n, limit });
  // Everything numbered ≤ this is committed and visible to the head (commit-ordered numbers).
  const visibleSeq = head.visibleSeq;
  // Every cursor this database issued is ≤ its change counter, which only grows. One beyond it
  // comes from another database, or from before a restore that rewound the counter: continuing
  // would skip the changes numbered up to it. The device must pull from the start instead.
  if (given && given.seq > visibleSeq)
    throw refusedCursor("The cursor is ahead of this server's changes (another or a restored database); pull again without a cursor");
  const respond = async (refs: ChangeRef[], cursor: PullCursor, hasMore: boolean): Promise<PullResponse> => ({
    changes: await loadChanges(sql, refs, snapshot !== undefined),
    cursor: encodeCursor(cursor),
    hasMore,
    scope: { entityIds: head.scope },
    serverTime: new Date().toISOString(),
  });

  // No cursor: everything in scope from the beginning; every current assignment is then covered.
  const cursor: PullCursor = given ?? { seq: 0n, assignmentSeq: scoped ? head.assignmentSeq : 0n };

  if (scoped && cursor.seq > 0n) {
    const upTo = cursor.backfill?.upTo ?? head.assignmentSeq;
    if (upTo > cursor.assignmentSeq) {
      if (!snapshot) return null;
      const joined = await entitiesAssignedBetween(snapshot, user.id, cursor.assignmentSeq, upTo);
      const after = cursor.backfill?.after ?? 0n;
      const refs = joined.length
        ? await selectChanges(snapshot, { after, upTo: cursor.seq, entityIds: joined, conflictsOf: null, limit })
        : [];
      const done = refs.length < limit;
      const next: PullCursor = done
        ? { seq: cursor.seq, assignmentSeq: upTo }
        : { seq: cursor.seq, assignmentSeq: cursor.assignmentSeq, backfill: { upTo, after: refs[refs.length - 1].seq } };
      return respond(refs, next, true);
    }
  }

  const refs = head.refs;
  const full = refs.length === limit;
  // A short page means nothing else in scope is visible: the cursor may jump to the visible end,
  // so an idle device does not rescan other entities' changes on every pull.
  const last = full ? refs[refs.length - 1].seq : visibleSeq > cursor.seq ? visibleSeq : cursor.seq;
  return respond(refs, { seq: last, assignmentSeq: cursor.assignmentSeq }, full);
}

/** Renders the rows behind change refs, in ref order. */
async function loadChanges(sql: Sql, refs: ChangeRef[], oneConnection: boolean): Promise<Change[]> {
  if (refs.length === 0) return [];
  const { entities, assessments, responses, media, conflicts } = await loadChangedRows(sql, refs, { oneConnection });
  const resolvers: UserNames = new Map();
  for (const c of conflicts)
    if (c.resolvedById && c.resolvedByName !== null) resolvers.set(c.resolvedById, { id: c.resolvedById, name: c.resolvedByName });
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
  for (const row of responses) recordChange("response", toResponseRecord(row, row.assessmentOfflineId));
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
