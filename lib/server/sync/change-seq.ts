import "server-only";
import type { Tx } from "@/lib/server/db/client";
import { type Sql, txSql } from "@/lib/server/db/sql";

/**
 * Commit-ordered change numbers — the invariant the pull cursor rests on:
 *
 *   if change A is visible to a reader and change B is not, then seq(A) < seq(B).
 *
 * A writer draws its numbers by incrementing the single ChangeCounter row as the LAST statements of
 * its transaction. The row lock is held until commit, so the next writer can only draw after this
 * one has committed (or rolled back): numbers are handed out in commit order. A pull that returns
 * everything up to N therefore never leaves behind a not-yet-committed change numbered ≤ N.
 * (A plain sequence fails this: numbers are drawn at insert time and commits reorder them.)
 *
 * The lock is held only for the final UPDATE(s) and the commit, so writers serialise only there.
 */
export async function drawChangeSeqs(db: Tx | Sql, count: number): Promise<bigint> {
  const rows = await sqlOf(db).query<{ value: string }>(
    `UPDATE "ChangeCounter" SET "value" = "value" + $1 WHERE "id" = 1 RETURNING "value"::text AS "value"`,
    [count],
  );
  const last = BigInt(rows[0].value);
  return last - BigInt(count) + 1n;
}

export async function currentChangeSeq(tx: Tx): Promise<bigint> {
  const rows = await tx.$queryRaw<{ value: bigint }[]>`SELECT "value" FROM "ChangeCounter" WHERE "id" = 1`;
  return BigInt(rows[0]?.value ?? 0);
}

export type StampTable = "Entity" | "Assessment" | "Response" | "Media" | "Conflict" | "Assignment";

/** A row whose change needs a number. */
export interface Stamp {
  table: StampTable;
  id: string;
}

/**
 * Stamps rows written in this transaction with fresh change numbers (one statement per table).
 * Call it once, at the very end of the transaction, with every row the transaction changed, in
 * the order the changes happened. A row listed twice keeps its last number.
 */
export async function stampChanges(db: Tx | Sql, rows: Stamp[]): Promise<void> {
  const sql = sqlOf(db);
  for (const [table, ids] of await drawStamps(sql, rows)) await setChangeSeqs(sql, table, ids);
}

/**
 * Draws the change numbers of rows about to be written (or just written), in order, per table;
 * a row listed twice keeps its last number. From here to COMMIT this transaction holds the
 * counter: whoever draws next waits for it, so keep what follows short (the push engine writes
 * only its records and conflicts after drawing: engine/write.ts).
 */
export async function drawStamps(sql: Sql, rows: readonly Stamp[]): Promise<Map<StampTable, Map<string, bigint>>> {
  const byTable = new Map<StampTable, Map<string, bigint>>();
  if (rows.length === 0) return byTable;
  const first = await drawChangeSeqs(sql, rows.length);
  rows.forEach((row, i) => {
    const ids = byTable.get(row.table) ?? new Map<string, bigint>();
    ids.set(row.id, first + BigInt(i));
    byTable.set(row.table, ids);
  });
  return byTable;
}

/** Writes change numbers already drawn (drawChangeSeqs) onto rows of one table. */
export async function setChangeSeqs(sql: Sql, table: StampTable, seqs: ReadonlyMap<string, bigint>): Promise<void> {
  if (seqs.size === 0) return;
  await sql.exec(`UPDATE "${table}" AS t SET "changeSeq" = v.seq FROM unnest($1::uuid[], $2::bigint[]) AS v(id, seq) WHERE t."id" = v.id`, [
    [...seqs.keys()],
    [...seqs.values()].map(String),
  ]);
}

function sqlOf(db: Tx | Sql): Sql {
  return "exec" in db ? db : txSql(db);
}
