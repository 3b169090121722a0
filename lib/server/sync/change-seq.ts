import "server-only";
import type { Tx } from "@/lib/server/db/client";

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
export async function drawChangeSeqs(tx: Tx, count: number): Promise<bigint> {
  const rows = await tx.$queryRaw<{ value: bigint }[]>`
    UPDATE "ChangeCounter" SET "value" = "value" + ${count} WHERE "id" = 1 RETURNING "value"`;
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
export async function stampChanges(tx: Tx, rows: Stamp[]): Promise<bigint[]> {
  if (rows.length === 0) return [];
  const first = await drawChangeSeqs(tx, rows.length);
  const seqs = rows.map((_, i) => first + BigInt(i));
  const byTable = new Map<StampTable, Map<string, bigint>>();
  rows.forEach((row, i) => {
    const ids = byTable.get(row.table) ?? new Map<string, bigint>();
    ids.set(row.id, seqs[i]);
    byTable.set(row.table, ids);
  });
  for (const [table, ids] of byTable) {
    await tx.$executeRawUnsafe(
      `UPDATE "${table}" AS t SET "changeSeq" = v.seq FROM unnest($1::uuid[], $2::bigint[]) AS v(id, seq) WHERE t."id" = v.id`,
      [...ids.keys()],
      [...ids.values()].map(String),
    );
  }
  return seqs;
}
