import "server-only";
import type { Tx } from "@/lib/server/db/client";

export type ChangeKind = "entity" | "assessment" | "response" | "media" | "conflict";
export interface ChangeRef {
  kind: ChangeKind;
  id: string;
  seq: bigint;
}

/**
 * The next `limit` changes after `after` (and ≤ `upTo`, when given), in change-number order,
 * across every synced table. `entityIds` null = every entity. Conflicts are the user's own
 * (`conflictsOf`), independent of scope; pass null to leave them out (backfill pages).
 * Served by the (entityId, changeSeq) and (changeSeq) indexes.
 */
export async function selectChanges(
  tx: Tx,
  params: { after: bigint; upTo: bigint | null; entityIds: string[] | null; conflictsOf: string | null; limit: number },
): Promise<ChangeRef[]> {
  const args: unknown[] = [params.after, params.upTo ?? 9_223_372_036_854_775_807n];
  const range = `"changeSeq" > $1 AND "changeSeq" <= $2`;
  let scoped = "";
  if (params.entityIds) {
    args.push(params.entityIds);
    scoped = ` AND "entityId" = ANY($${args.length}::uuid[])`;
  }
  const entityScoped = params.entityIds ? ` AND "id" = ANY($${args.length}::uuid[])` : "";
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
  const sql = `SELECT kind, id, seq FROM (${parts.join(" UNION ALL ")}) c ORDER BY seq LIMIT $${args.length}`;
  const rows = await tx.$queryRawUnsafe<{ kind: ChangeKind; id: string; seq: bigint | number | string }[]>(sql, ...args);
  return rows.map((r) => ({ kind: r.kind, id: r.id, seq: BigInt(r.seq) }));
}
