/**
 * The pull curve's data: rows loaded straight into the tables with set-based SQL (one
 * `INSERT … SELECT FROM generate_series` per table and chunk, in one transaction), consistent with
 * what a push writes — the record, its version-1 snapshot in history, its ledger row, a change
 * number drawn from the change counter — so an incremental pull afterwards meets a database of that
 * size. Each loaded row clones an engine-written template row (same type, status, answers and
 * snapshot shape), with its own ids, entity, change number and a varied `notes`.
 *
 * And the plan of the pull query at that size: the engine's own `selectPullHead` (the one statement
 * every pull page starts with: counter, scope, watermark and the page's change refs), run as
 * `EXPLAIN (ANALYZE, BUFFERS)` with a device's cursor 10 in-scope changes before the end.
 */
import type { Sql as AppSql } from "@/lib/server/db/sql";
import { selectPullHead } from "@/lib/server/queries/changes";

/** Runs one statement; `pg.Client#query` and `PGlite#query` both fit. */
export type Sql = (sql: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

const CHUNK = 50_000;

export async function countAssessments(sql: Sql): Promise<number> {
  return Number((await sql(`SELECT count(*)::bigint AS n FROM "Assessment"`)).rows[0].n);
}

export interface Template {
  type: string;
  status: string;
  data: unknown;
  verificationStatus: string;
  snapshot: unknown;
}

/** The newest assessment the engine wrote (not one this module loaded), with its version-1 snapshot. */
export async function readTemplate(sql: Sql): Promise<Template> {
  const row = (
    await sql(
      `SELECT a."assessmentType"::text AS type, a.status::text AS status, a.data, a."verificationStatus"::text AS vs, v.snapshot
         FROM "Assessment" a JOIN "RecordVersion" v ON v."recordType" = 'assessment' AND v."recordId" = a.id AND v.version = 1
        WHERE a.data ->> 'notes' NOT LIKE 'Loaded row %'
        ORDER BY a."changeSeq" DESC LIMIT 1`,
    )
  ).rows[0];
  if (!row) throw new Error("pull curve: no engine-written assessment to clone");
  return { type: String(row.type), status: String(row.status), data: row.data, verificationStatus: String(row.vs), snapshot: row.snapshot };
}

/**
 * Empties the synced record tables (records, history, ledger, rejections, conflicts), so the curve
 * starts from its first size whatever ran before. Entities, users, assignments and the change
 * counter stay: every cursor already issued stays valid (the counter only grows).
 */
export async function emptyRecordTables(sql: Sql) {
  await sql(`TRUNCATE "Media", "Response", "Conflict", "Assessment", "RecordVersion", "ProcessedMutation", "RejectedMutation"`);
}

/**
 * Adds `count` assessments spread over `entityIds` (round robin), authored by `userId`, cloned from
 * `template`. Returns the seconds it took (load, then VACUUM ANALYZE — a table loaded in bulk gets
 * its statistics and visibility map before it is queried, as autovacuum would give it).
 */
export async function loadAssessments(
  sql: Sql,
  template: Template,
  params: { count: number; entityIds: string[]; userId: string; deviceId: string },
) {
  const started = performance.now();
  for (let done = 0; done < params.count; done += CHUNK) {
    const n = Math.min(CHUNK, params.count - done);
    const at = new Date().toISOString();
    await sql("BEGIN");
    try {
      // The counter row's lock orders this transaction's change numbers like any writer's (change-seq.ts).
      const base = BigInt((await sql(`SELECT "value" FROM "ChangeCounter" WHERE "id" = 1 FOR UPDATE`)).rows[0].value as string | number);
      await sql(
        `CREATE TEMP TABLE bench_load (id uuid, offline_id uuid, mutation_id uuid, entity_id uuid, seq bigint, data jsonb) ON COMMIT DROP`,
      );
      await sql(
        `INSERT INTO bench_load
        SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(),
               ($1::uuid[])[1 + (g % cardinality($1::uuid[]))], $2::bigint + g,
               $3::jsonb || jsonb_build_object('notes', 'Loaded row ' || ($4::int + g) || '. ' || ($3::jsonb ->> 'notes'))
          FROM generate_series(1, $5::int) AS g`,
        [params.entityIds, String(base), JSON.stringify(template.data), done, n],
      );
      await sql(
        `INSERT INTO "Assessment" ("id", "offlineId", "entityId", "assessorId", "assessmentType", "status", "data", "version",
                                   "verificationStatus", "lastModifiedById", "changeSeq", "createdAt", "updatedAt")
         SELECT id, offline_id, entity_id, $1::uuid, $2::"AssessmentType", $3::"AssessmentStatus", data, 1,
                $4::"VerificationStatus", $1::uuid, seq, $5::timestamptz, $5::timestamptz FROM bench_load`,
        [params.userId, template.type, template.status, template.verificationStatus, at],
      );
      await sql(
        `INSERT INTO "RecordVersion" ("recordType", "recordId", "version", "snapshot", "changedById", "mutationId", "createdAt")
         SELECT 'assessment', id, 1,
                $1::jsonb || jsonb_build_object('id', id, 'offlineId', offline_id, 'entityId', entity_id, 'assessorId', $2::uuid,
                                                'data', data, 'createdAt', $3::text, 'updatedAt', $3::text),
                $2::uuid, mutation_id, $3::timestamptz FROM bench_load`,
        [JSON.stringify(template.snapshot), params.userId, at],
      );
      await sql(
        `INSERT INTO "ProcessedMutation" ("mutationId", "userId", "deviceId", "recordType", "offlineId", "recordId", "status", "result", "createdAt")
         SELECT mutation_id, $1::uuid, $2::uuid, 'assessment', offline_id, id, 'applied',
                jsonb_build_object('mutationId', mutation_id, 'offlineId', offline_id, 'status', 'applied', 'id', id, 'version', 1), $3::timestamptz
           FROM bench_load`,
        [params.userId, params.deviceId, at],
      );
      await sql(`UPDATE "ChangeCounter" SET "value" = "value" + $1::bigint WHERE "id" = 1`, [n]);
      await sql("COMMIT");
    } catch (error) {
      await sql("ROLLBACK");
      throw error;
    }
  }
  await sql(`VACUUM ANALYZE "Assessment"`);
  await sql(`VACUUM ANALYZE "RecordVersion"`);
  await sql(`VACUUM ANALYZE "ProcessedMutation"`);
  return (performance.now() - started) / 1000;
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the pull query as a device in `scope` runs it with a cursor 10 of
 * its changes before the end. The engine's `selectPullHead` builds the statement; this runs it
 * through `sql` with EXPLAIN in front instead of executing it. `scope` picks the cursor only: the
 * statement reads the scope of `userId` itself, as in production.
 */
export async function explainPull(sql: Sql, params: { scope: string[]; userId: string; limit: number }): Promise<string> {
  const after = (
    await sql(
      `SELECT "changeSeq" AS seq FROM "Assessment" WHERE "entityId" = ANY($1::uuid[]) ORDER BY "changeSeq" DESC OFFSET 10 LIMIT 1`,
      [params.scope],
    )
  ).rows[0]?.seq;
  let plan = "";
  // The pull's own statement (selectPullHead: counter, scope, watermark and the page in one), run
  // under EXPLAIN; the row handed back is an empty head, which is all the caller needs here.
  const explaining: AppSql = {
    query: async <T>(statement: string, args: readonly unknown[] = []) => {
      const rows = (await sql(`EXPLAIN (ANALYZE, BUFFERS) ${statement}`, [...args])).rows;
      plan = rows.map((r) => String(r["QUERY PLAN"])).join("\n");
      return [{ visibleSeq: "0", assignmentSeq: "0", scope: [], refs: "[]" }] as T[];
    },
    exec: async () => 0,
  };
  await selectPullHead(explaining, { userId: params.userId, scoped: true, after: BigInt(String(after ?? 0)), limit: params.limit });
  return plan;
}
