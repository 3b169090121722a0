import type { Db } from "@/lib/server/db/client";

/**
 * A fingerprint of every application table: row count and an md5 of all rows (as Postgres
 * renders them, sorted), in one query. Comparing two fingerprints names the tables a request
 * wrote to — nothing can change unseen, whatever table it lands in.
 */
export type Snapshot = Map<string, { rows: number; hash: string }>;

let tables: string[] | null = null;

async function tableNames(db: Db): Promise<string[]> {
  tables ??= (
    await db.$queryRawUnsafe<{ name: string }[]>(
      `SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'
       ORDER BY table_name`,
    )
  ).map((r) => r.name);
  return tables;
}

export async function snapshot(db: Db): Promise<Snapshot> {
  const names = await tableNames(db);
  const sql = names
    .map(
      (name) =>
        `SELECT '${name}' AS name, count(*)::int AS rows, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS hash FROM "${name}" t`,
    )
    .join(" UNION ALL ");
  const rows = await db.$queryRawUnsafe<{ name: string; rows: number; hash: string }[]>(sql);
  return new Map(rows.map((r) => [r.name, { rows: Number(r.rows), hash: r.hash }]));
}

/** The tables whose rows differ, with their row-count change. */
export function changedTables(before: Snapshot, after: Snapshot): Map<string, number> {
  const changed = new Map<string, number>();
  for (const [name, a] of after) {
    const b = before.get(name);
    if (!b || b.hash !== a.hash) changed.set(name, a.rows - (b?.rows ?? 0));
  }
  return changed;
}
