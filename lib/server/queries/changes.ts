import "server-only";
import type { Assessment, Conflict, Entity, Media, Response as ResponseRow } from "@/lib/generated/prisma/client";
import type { Tx } from "@/lib/server/db/client";
import type { Sql } from "@/lib/server/db/sql";
import { ASSIGNED_LIVE_ENTITIES_SQL } from "./assignments";

export type ChangeKind = "entity" | "assessment" | "response" | "media" | "conflict";
export interface ChangeRef {
  kind: ChangeKind;
  id: string;
  seq: bigint;
}

const MAX_SEQ = 9_223_372_036_854_775_807n;

/**
 * The statement behind both change queries: the next `limit` changes numbered in (after, upTo]
 * across every synced table, in change-number order. `entities` is an SQL expression of a uuid[]
 * (null = every entity); conflicts are the user's own (`conflictsOf`), independent of scope.
 * Served by the (entityId, changeSeq) and (changeSeq) indexes and (submittedById, changeSeq).
 * Pushes its parameters onto `args`.
 */
function changesSql(
  args: unknown[],
  params: { after: bigint; upTo: bigint | null; entities: string | null; conflictsOf: string | null; limit: number },
): string {
  args.push(params.after, params.upTo ?? MAX_SEQ);
  const range = `"changeSeq" > $${args.length - 1} AND "changeSeq" <= $${args.length}`;
  const scoped = params.entities ? ` AND "entityId" = ANY(${params.entities})` : "";
  const entityScoped = params.entities ? ` AND "id" = ANY(${params.entities})` : "";
  const parts = [
    `SELECT 'entity'::text AS kind, "id"::text AS id, "changeSeq" AS seq FROM "Entity" WHERE ${range}${entityScoped}`,
    `SELECT 'assessment', "id"::text, "changeSeq" FROM "Assessment" WHERE ${range}${scoped}`,
    `SELECT 'response', "id"::text, "changeSeq" FROM "Response" WHERE ${range}${scoped}`,
    `SELECT 'media', "id"::text, "changeSeq" FROM "Media" WHERE ${range}${scoped}`,
  ];
  if (params.conflictsOf) {
    args.push(params.conflictsOf);
    parts.push(`SELECT 'conflict', "id"::text, "changeSeq" FROM "Conflict" WHERE ${range} AND "submittedById" = $${args.length}::uuid`);
  }
  args.push(params.limit);
  return `SELECT kind, id, seq FROM (${parts.join(" UNION ALL ")}) c ORDER BY seq LIMIT $${args.length}`;
}

type RawRef = { kind: ChangeKind; id: string; seq: bigint | number | string };
const toRef = (r: RawRef): ChangeRef => ({ kind: r.kind, id: r.id, seq: BigInt(r.seq) });

/**
 * The next `limit` changes after `after` (and ≤ `upTo`, when given), in change-number order,
 * across every synced table. `entityIds` null = every entity. Conflicts are the user's own
 * (`conflictsOf`), independent of scope; pass null to leave them out (backfill pages).
 */
export async function selectChanges(
  tx: Tx,
  params: { after: bigint; upTo: bigint | null; entityIds: string[] | null; conflictsOf: string | null; limit: number },
): Promise<ChangeRef[]> {
  const args: unknown[] = [];
  if (params.entityIds) args.push(params.entityIds);
  const sql = changesSql(args, { ...params, entities: params.entityIds ? "$1::uuid[]" : null });
  const rows = await tx.$queryRawUnsafe<RawRef[]>(sql, ...args);
  return rows.map(toRef);
}

/** What one pull needs to know, read by one statement (so in one snapshot). */
export interface PullHead {
  /** The change counter: everything numbered ≤ it is committed and visible to the statement. */
  visibleSeq: bigint;
  /** The entities in scope, ascending: the user's live assigned ones, or every live one when unscoped. */
  scope: string[];
  /** The highest change number of the user's active assignments (0 if none). */
  assignmentSeq: bigint;
  /** The next `limit` changes after `after` in scope, plus the user's own conflicts. */
  refs: ChangeRef[];
}

/**
 * One statement for the common pull: the counter, the scope, the assignment watermark and the next
 * page of changes in that scope — one round trip and one snapshot, so no transaction is needed.
 * `scoped` false (coordinators, admins): every entity. Scope is read from the assignments in the same
 * snapshot as the changes, so a page never holds a change of an entity unassigned before it.
 */
export async function selectPullHead(
  sql: Sql,
  params: { userId: string; scoped: boolean; after: bigint; limit: number },
): Promise<PullHead> {
  const args: unknown[] = [params.userId];
  const scope = params.scoped ? ASSIGNED_LIVE_ENTITIES_SQL : `SELECT "id" FROM "Entity" WHERE "deletedAt" IS NULL`;
  const changes = changesSql(args, {
    after: params.after,
    upTo: null,
    entities: params.scoped ? "(SELECT ids FROM scope)::uuid[]" : null,
    conflictsOf: params.userId,
    limit: params.limit,
  });
  const text = `WITH scope AS MATERIALIZED (SELECT COALESCE(array_agg(id ORDER BY id), '{}')::uuid[] AS ids FROM (${scope}) s)
    SELECT
      (SELECT "value" FROM "ChangeCounter" WHERE "id" = 1)::text AS "visibleSeq",
      (SELECT COALESCE(max("changeSeq"), 0) FROM "Assignment" WHERE "userId" = $1::uuid AND "active")::text AS "assignmentSeq",
      (SELECT ids FROM scope)::text[] AS scope,
      (SELECT COALESCE(json_agg(json_build_array(kind, id, seq::text) ORDER BY seq), '[]'::json) FROM (${changes}) r)::text AS refs`;
  const [row] = await sql.query<{ visibleSeq: string | null; assignmentSeq: string; scope: string[]; refs: string }>(text, args);
  const refs = JSON.parse(row.refs) as [ChangeKind, string, string][];
  return {
    visibleSeq: BigInt(row.visibleSeq ?? 0),
    scope: row.scope,
    assignmentSeq: BigInt(row.assignmentSeq),
    refs: refs.map(([kind, id, seq]) => toRef({ kind, id, seq })),
  };
}

/** The rows behind a page of change refs (a response with its assessment's offlineId). */
export interface ChangedRows {
  entities: Entity[];
  assessments: Assessment[];
  responses: (ResponseRow & { assessmentOfflineId: string })[];
  media: Media[];
  /** With the name of whoever resolved it (null: unresolved, or resolved by nobody known). */
  conflicts: (Conflict & { resolvedByName: string | null })[];
}

/**
 * Reads the rows behind change refs by primary key: one statement per kind the page holds (none
 * for an empty page); a response with its assessment's offlineId, a conflict with its resolver's name. Whole rows, as the serializers (sync/serialize.ts) take them; int8 columns
 * are not read by them (changeSeq) or read through Number() (Media.size), so they may arrive as
 * bigint or string.
 */
export async function loadChangedRows(sql: Sql, refs: readonly ChangeRef[], opts: { oneConnection?: boolean } = {}): Promise<ChangedRows> {
  // Outside a transaction each statement takes its own pooled connection, so they run side by
  // side; on one connection (a transaction) they go one after another — `pg` deprecates queueing
  // a query on a connection that is still running one.
  let previous: Promise<unknown> = Promise.resolve();
  const read = <T>(kind: ChangeKind, text: string): Promise<T[]> => {
    const ids = refs.filter((r) => r.kind === kind).map((r) => r.id);
    if (ids.length === 0) return Promise.resolve([]);
    if (!opts.oneConnection) return sql.query<T>(text, [ids]);
    const run = previous.then(() => sql.query<T>(text, [ids]));
    previous = run.catch(() => {});
    return run;
  };
  const [entities, assessments, responses, media, conflicts] = await Promise.all([
    read<Entity>("entity", `SELECT * FROM "Entity" WHERE "id" = ANY($1::uuid[])`),
    read<Assessment>("assessment", `SELECT * FROM "Assessment" WHERE "id" = ANY($1::uuid[])`),
    read<ResponseRow & { assessmentOfflineId: string }>(
      "response",
      `SELECT r.*, a."offlineId"::text AS "assessmentOfflineId" FROM "Response" r JOIN "Assessment" a ON a."id" = r."assessmentId"
        WHERE r."id" = ANY($1::uuid[])`,
    ),
    read<Media>("media", `SELECT * FROM "Media" WHERE "id" = ANY($1::uuid[])`),
    read<Conflict & { resolvedByName: string | null }>(
      "conflict",
      `SELECT c.*, u."name" AS "resolvedByName" FROM "Conflict" c LEFT JOIN "User" u ON u."id" = c."resolvedById"
        WHERE c."id" = ANY($1::uuid[])`,
    ),
  ]);
  return { entities, assessments, responses, media, conflicts };
}
