import "server-only";
import type { RecordType } from "@/lib/protocol";
import type { Sql } from "@/lib/server/db/sql";
import type { RecordRow, ResponseWithAssessment, RowOf } from "./records";

/**
 * The push engine's hot-path SQL (lib/server/sync/engine): every write of a batch is ONE statement
 * per table, whatever the batch's size. Rows travel as one JSON array parameter and are expanded in
 * the database with `jsonb_to_recordset`, which converts each JSON value with its column's own type
 * (uuid, enum, timestamptz, jsonb), so one statement text serves every batch and no value is ever
 * spliced into SQL. Reads are one statement per table too. Everything runs on `Sql`
 * (lib/server/db/sql.ts): a `pg` connection on a Postgres server, a Prisma transaction on PGlite.
 * Tested on both databases in tests/integration/queries/push-sql.db.test.ts.
 */

type Column = readonly [name: string, sqlType: string, mutable: boolean];

/** Columns the engine writes, per table: [name, type, written by an update too]. */
const RECORD_COLUMNS: Record<RecordType, readonly Column[]> = {
  entity: [
    ["id", "uuid", false],
    ["offlineId", "uuid", false],
    ["name", "text", true],
    ["type", '"EntityType"', true],
    ["lga", "text", true],
    ["ward", "text", true],
    ["latitude", "float8", true],
    ["longitude", "float8", true],
    ["autoApprove", "boolean", true],
    ["version", "int4", true],
    ["createdById", "uuid", false],
    ["lastModifiedById", "uuid", true],
    ["createdAt", "timestamptz", false],
    ["updatedAt", "timestamptz", true],
    ["deletedAt", "timestamptz", true],
    ["changeSeq", "int8", true],
  ],
  assessment: [
    ["id", "uuid", false],
    ["offlineId", "uuid", false],
    ["entityId", "uuid", false],
    ["assessorId", "uuid", false],
    ["assessmentType", '"AssessmentType"', true],
    ["status", '"AssessmentStatus"', true],
    ["data", "jsonb", true],
    ["version", "int4", true],
    ["verificationStatus", '"VerificationStatus"', true],
    ["verifiedById", "uuid", true],
    ["verifiedAt", "timestamptz", true],
    ["verificationNote", "text", true],
    ["mediaExpected", "int4", true],
    ["lastModifiedById", "uuid", true],
    ["clientTime", "timestamptz", false],
    ["createdAt", "timestamptz", false],
    ["updatedAt", "timestamptz", true],
    ["deletedAt", "timestamptz", true],
    ["changeSeq", "int8", true],
  ],
  response: [
    ["id", "uuid", false],
    ["offlineId", "uuid", false],
    ["assessmentId", "uuid", true],
    ["entityId", "uuid", false],
    ["responderId", "uuid", false],
    ["responseType", '"ResponseType"', true],
    ["status", '"ResponseStatus"', true],
    ["data", "jsonb", true],
    ["version", "int4", true],
    ["verificationStatus", '"VerificationStatus"', true],
    ["verifiedById", "uuid", true],
    ["verifiedAt", "timestamptz", true],
    ["verificationNote", "text", true],
    ["mediaExpected", "int4", true],
    ["lastModifiedById", "uuid", true],
    ["clientTime", "timestamptz", false],
    ["createdAt", "timestamptz", false],
    ["updatedAt", "timestamptz", true],
    ["deletedAt", "timestamptz", true],
    ["changeSeq", "int8", true],
  ],
};

export const RECORD_TABLE = { entity: "Entity", assessment: "Assessment", response: "Response" } as const;

const q = (name: string) => `"${name}"`;
const recordset = (columns: readonly Column[]) =>
  `jsonb_to_recordset($1::jsonb) AS x(${columns.map(([n, t]) => `${q(n)} ${t}`).join(", ")})`;

/** `INSERT … SELECT … FROM jsonb_to_recordset($1)`: `json` overrides how a column is read (defaults for NOT NULL json). */
function insertSql(table: string, columns: readonly Column[], json: Record<string, string> = {}): string {
  const names = columns.map(([n]) => q(n)).join(", ");
  const values = columns.map(([n]) => json[n] ?? `x.${q(n)}`).join(", ");
  return `INSERT INTO ${q(table)} (${names}) SELECT ${values} FROM ${recordset(columns)}`;
}

function updateSql(table: string, columns: readonly Column[], json: Record<string, string> = {}): string {
  const sets = columns
    .filter(([, , mutable]) => mutable)
    .map(([n]) => `${q(n)} = ${json[n] ?? `x.${q(n)}`}`)
    .join(", ");
  // `t."id" = ANY($2)` as well as the join: the planner guesses 100 rows for any
  // jsonb_to_recordset, and against a large table it would rather scan it than probe the key 100
  // times; the id list gives it a real count to probe the primary key with.
  return `UPDATE ${q(table)} AS t SET ${sets} FROM ${recordset(columns)} WHERE t."id" = x."id" AND t."id" = ANY($2::uuid[])`;
}

// A record's change number is written with the record (the batch draws its numbers before its
// record writes: change-seq.ts); a row written without one (a photo count) keeps the one it has.
const INSERT_RECORDS = Object.fromEntries(
  (Object.keys(RECORD_COLUMNS) as RecordType[]).map((type) => [
    type,
    insertSql(RECORD_TABLE[type], RECORD_COLUMNS[type], { changeSeq: `COALESCE(x."changeSeq", 0)` }),
  ]),
) as Record<RecordType, string>;
const UPDATE_RECORDS = Object.fromEntries(
  (Object.keys(RECORD_COLUMNS) as RecordType[]).map((type) => [
    type,
    updateSql(RECORD_TABLE[type], RECORD_COLUMNS[type], { changeSeq: `COALESCE(x."changeSeq", t."changeSeq")` }),
  ]),
) as Record<RecordType, string>;

/** A record's final state in a batch, with the change number it gets (null: keeps its own). */
export interface RecordWriteRow {
  row: RecordRow;
  changeSeq: bigint | null;
}

/** Only the columns the statement reads (a response row also carries its assessment's offlineId). */
function pick(type: RecordType, { row, changeSeq }: RecordWriteRow): Record<string, unknown> {
  const source = row as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = Object.fromEntries(RECORD_COLUMNS[type].map(([n]) => [n, source[n] ?? null]));
  out.changeSeq = changeSeq === null ? null : String(changeSeq);
  return out;
}

async function run(sql: Sql, text: string, rows: readonly unknown[], ...more: unknown[]): Promise<number> {
  if (rows.length === 0) return 0;
  return sql.exec(text, [JSON.stringify(rows), ...more]);
}

/** New records of one type, each in its final state for the batch. */
export function insertRecords(sql: Sql, type: RecordType, rows: readonly RecordWriteRow[]): Promise<number> {
  return run(
    sql,
    INSERT_RECORDS[type],
    rows.map((r) => pick(type, r)),
  );
}

/** Existing records of one type, each to its final state for the batch (at most one row per id). */
export function updateRecords(sql: Sql, type: RecordType, rows: readonly RecordWriteRow[]): Promise<number> {
  return run(
    sql,
    UPDATE_RECORDS[type],
    rows.map((r) => pick(type, r)),
    rows.map((r) => r.row.id),
  );
}

export interface VersionInsert {
  recordType: RecordType;
  recordId: string;
  version: number;
  snapshot: unknown;
  changedById: string | null;
  mutationId: string | null;
}

const VERSION_COLUMNS: readonly Column[] = [
  ["recordType", '"RecordType"', false],
  ["recordId", "uuid", false],
  ["version", "int4", false],
  ["snapshot", "jsonb", false],
  ["changedById", "uuid", false],
  ["mutationId", "uuid", false],
];
const INSERT_VERSIONS = insertSql("RecordVersion", VERSION_COLUMNS);

export function insertVersions(sql: Sql, rows: readonly VersionInsert[]): Promise<number> {
  return run(sql, INSERT_VERSIONS, rows);
}

export interface LedgerInsert {
  mutationId: string;
  userId: string;
  deviceId: string | null;
  recordType: RecordType;
  offlineId: string;
  recordId: string | null;
  status: string;
  result: unknown;
  clientTime: Date | null;
}

const LEDGER_COLUMNS: readonly Column[] = [
  ["mutationId", "uuid", false],
  ["userId", "uuid", false],
  ["deviceId", "uuid", false],
  ["recordType", '"RecordType"', false],
  ["offlineId", "uuid", false],
  ["recordId", "uuid", false],
  ["status", "text", false],
  ["result", "jsonb", false],
  ["clientTime", "timestamptz", false],
];
const INSERT_LEDGER = insertSql("ProcessedMutation", LEDGER_COLUMNS);

export function insertLedgerRows(sql: Sql, rows: readonly LedgerInsert[]): Promise<number> {
  return run(sql, INSERT_LEDGER, rows);
}

export interface ConflictInsert {
  id: string;
  recordType: RecordType;
  recordId: string;
  recordOfflineId: string;
  entityId: string;
  kind: "UPDATE" | "DELETION";
  status: "PENDING" | "AUTO_RESOLVED";
  method: string | null;
  baseVersion: number;
  serverVersion: number;
  base: unknown;
  server: unknown;
  client: unknown;
  patch: unknown;
  conflictingFields: string[];
  mutationId: string;
  submittedById: string;
  deviceId: string | null;
  detectedAt: Date;
  resolvedAt: Date | null;
  resolution: unknown;
  /** Set by the writer: the conflict's change number (devices pull their conflicts). */
  changeSeq?: string;
}

const CONFLICT_COLUMNS: readonly Column[] = [
  ["id", "uuid", false],
  ["recordType", '"RecordType"', false],
  ["recordId", "uuid", false],
  ["recordOfflineId", "uuid", false],
  ["entityId", "uuid", false],
  ["kind", '"ConflictKind"', false],
  ["status", '"ConflictStatus"', false],
  ["method", "text", false],
  ["baseVersion", "int4", false],
  ["serverVersion", "int4", false],
  ["base", "jsonb", false],
  ["server", "jsonb", false],
  ["client", "jsonb", false],
  ["patch", "jsonb", false],
  ["conflictingFields", "text[]", false],
  ["mutationId", "uuid", false],
  ["submittedById", "uuid", false],
  ["deviceId", "uuid", false],
  ["detectedAt", "timestamptz", false],
  ["resolvedAt", "timestamptz", false],
  ["resolution", "jsonb", false],
  ["changeSeq", "int8", false],
];
// A delete's conflict has no patch: a JSON null, as the column is NOT NULL (jsonb_to_recordset reads JSON null as SQL NULL).
const INSERT_CONFLICTS = insertSql("Conflict", CONFLICT_COLUMNS, {
  patch: `COALESCE(x."patch", 'null'::jsonb)`,
  changeSeq: `COALESCE(x."changeSeq", 0)`,
});

export function insertConflicts(sql: Sql, rows: readonly ConflictInsert[]): Promise<number> {
  return run(sql, INSERT_CONFLICTS, rows);
}

export interface RejectionInsert {
  mutationId: string | null;
  userId: string;
  deviceId: string | null;
  recordType: string | null;
  offlineId: string | null;
  payload: unknown;
  errorCode: string;
  errorMessage: string;
}

const REJECTION_COLUMNS: readonly Column[] = [
  ["mutationId", "text", false],
  ["userId", "uuid", false],
  ["deviceId", "uuid", false],
  ["recordType", "text", false],
  ["offlineId", "text", false],
  ["payload", "jsonb", false],
  ["errorCode", "text", false],
  ["errorMessage", "text", false],
];
const INSERT_REJECTIONS = insertSql("RejectedMutation", REJECTION_COLUMNS, { payload: `COALESCE(x."payload", 'null'::jsonb)` });

/** Every field must already be storable text (toStorableText): the log row is what must never fail. */
export function insertRejections(sql: Sql, rows: readonly RejectionInsert[]): Promise<number> {
  return run(sql, INSERT_REJECTIONS, rows);
}

/**
 * Hides the live media of deleted records (by parent) and deleted entities (by entity), one
 * statement for the batch; returns which rows it hid so the caller can stamp them in order.
 */
export async function hideMediaOfDeletedRecords(
  sql: Sql,
  parentIds: readonly string[],
  entityIds: readonly string[],
  at: Date,
): Promise<{ id: string; parentId: string; entityId: string }[]> {
  if (parentIds.length === 0 && entityIds.length === 0) return [];
  return sql.query(
    `UPDATE "Media" SET "deletedAt" = $3::timestamptz
     WHERE "deletedAt" IS NULL AND ("parentId" = ANY($1::uuid[]) OR "entityId" = ANY($2::uuid[]))
     RETURNING "id"::text AS id, "parentId"::text AS "parentId", "entityId"::text AS "entityId"`,
    [[...parentIds], [...entityIds], at.toISOString()],
  );
}

/** Snapshots of given versions (the bases of merges), one statement; missing ones are absent. */
export async function findVersionSnapshots(
  sql: Sql,
  keys: readonly { recordType: RecordType; recordId: string; version: number }[],
): Promise<{ recordType: RecordType; recordId: string; version: number; snapshot: unknown }[]> {
  if (keys.length === 0) return [];
  return sql.query(
    `SELECT v."recordType"::text AS "recordType", v."recordId"::text AS "recordId", v."version", v."snapshot"
     FROM "RecordVersion" v
     JOIN unnest($1::text[], $2::uuid[], $3::int4[]) AS k(t, id, n)
       ON v."recordType" = k.t::"RecordType" AND v."recordId" = k.id AND v."version" = k.n`,
    [keys.map((k) => k.recordType), keys.map((k) => k.recordId), keys.map((k) => k.version)],
  );
}

// ---- reads ----------------------------------------------------------------------------------

export interface LedgerRead {
  mutationId: string;
  userId: string;
  recordType: string;
  offlineId: string;
  result: unknown;
}

/** The ledger rows of these mutationIds (missing ones are absent). */
export function findLedgerRows(sql: Sql, mutationIds: readonly string[]): Promise<LedgerRead[]> {
  if (mutationIds.length === 0) return Promise.resolve([]);
  return sql.query<LedgerRead>(
    `SELECT "mutationId"::text AS "mutationId", "userId"::text AS "userId", "recordType"::text AS "recordType",
            "offlineId"::text AS "offlineId", "result"
     FROM "ProcessedMutation" WHERE "mutationId" = ANY($1::uuid[])`,
    [[...mutationIds]],
  );
}

/** Columns of a record row as the engine reads them: every column the writer writes, ids as text. */
const SELECT_RECORD = Object.fromEntries(
  (Object.keys(RECORD_COLUMNS) as RecordType[]).map((type) => [
    type,
    RECORD_COLUMNS[type]
      .filter(([n]) => n !== "changeSeq")
      .map(([n, t]) => (t === "uuid" || t.startsWith('"') ? `t.${q(n)}::text AS ${q(n)}` : `t.${q(n)}`))
      .join(", "),
  ]),
) as Record<RecordType, string>;

/**
 * Current rows of many records of one type, by id or by offlineId (any order; missing ones are
 * absent). A response comes with its assessment's offlineId, as devices name assessments by it.
 * `changeSeq` is not read (the row's field is undefined): the push never decides by it, and the
 * writer takes each record's change number from the batch's draw (RecordWriteRow.changeSeq).
 */
export async function findRecordRows<T extends RecordType>(
  sql: Sql,
  type: T,
  by: "id" | "offlineId",
  values: readonly string[],
): Promise<RowOf<T>[]> {
  if (values.length === 0) return [];
  const where = `t.${q(by)} = ANY($1::uuid[])`;
  if (type !== "response") {
    return sql.query<RowOf<T>>(`SELECT ${SELECT_RECORD[type]} FROM ${q(RECORD_TABLE[type])} t WHERE ${where}`, [[...values]]);
  }
  const rows = await sql.query<ResponseWithAssessment & { assessmentOfflineId: string }>(
    `SELECT ${SELECT_RECORD.response}, a."offlineId"::text AS "assessmentOfflineId"
     FROM "Response" t JOIN "Assessment" a ON a."id" = t."assessmentId" WHERE ${where}`,
    [[...values]],
  );
  return rows.map(({ assessmentOfflineId, ...row }) => ({ ...row, assessment: { offlineId: assessmentOfflineId } })) as RowOf<T>[];
}

/**
 * Takes the advisory locks of many records (`type:offlineId` keys) at once, in the order of their
 * lock numbers: a transaction locking records in the order its mutations name them could deadlock
 * with one naming them in the opposite order; a single global order cannot. Held until COMMIT.
 */
export async function lockRecordKeys(sql: Sql, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await sql.query(
    `SELECT count(pg_advisory_xact_lock(h))::int AS locked
     FROM (SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest($1::text[]) AS k ORDER BY h) AS ordered`,
    [[...keys]],
  );
}
