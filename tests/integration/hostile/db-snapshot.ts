import type { Db } from "@/lib/server/db/client";

/**
 * What a request wrote, table by table, on the test's throwaway database:
 * - write counters: a row-level trigger on every application table counts the rows inserted,
 *   updated or deleted — committed writes only (a rolled-back savepoint or transaction takes its
 *   counts with it), and cheap enough to read before and after every request;
 * - fingerprints: row count and a hash of every row's contents per table, to check between runs
 *   that no table changed without its counter moving (the counters cover everything).
 */

const COUNTERS = "_hostile_writes";

let tables: string[] | null = null;

export async function tableNames(db: Db): Promise<string[]> {
  tables ??= (
    await db.$queryRawUnsafe<{ name: string }[]>(
      `SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT IN ('_prisma_migrations', '${COUNTERS}')
       ORDER BY table_name`,
    )
  ).map((r) => r.name);
  return tables;
}

/** Installs the counting trigger on every application table (once per test database). */
export async function installWriteCounters(db: Db): Promise<void> {
  await db.$executeRawUnsafe(`CREATE TABLE "${COUNTERS}" (name text PRIMARY KEY, n bigint NOT NULL)`);
  await db.$executeRawUnsafe(`
    CREATE FUNCTION "${COUNTERS}_count"() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO "${COUNTERS}" VALUES (TG_TABLE_NAME, 1) ON CONFLICT (name) DO UPDATE SET n = "${COUNTERS}".n + 1;
      RETURN NULL;
    END $$`);
  for (const name of await tableNames(db))
    await db.$executeRawUnsafe(
      `CREATE TRIGGER "${COUNTERS}_trigger" AFTER INSERT OR UPDATE OR DELETE ON "${name}" FOR EACH ROW EXECUTE FUNCTION "${COUNTERS}_count"()`,
    );
}

export type WriteCounts = Map<string, number>;

export async function writeCounts(db: Db): Promise<WriteCounts> {
  const rows = await db.$queryRawUnsafe<{ name: string; n: bigint | number }[]>(`SELECT name, n FROM "${COUNTERS}"`);
  return new Map(rows.map((r) => [r.name, Number(r.n)]));
}

/** The tables written between two readings, with how many rows were written to each. */
export function writtenTables(before: WriteCounts, after: WriteCounts): Map<string, number> {
  const written = new Map<string, number>();
  for (const [name, n] of after) if (n !== (before.get(name) ?? 0)) written.set(name, n - (before.get(name) ?? 0));
  return written;
}

export type Fingerprint = Map<string, { rows: number; hash: string }>;

/** Row count and an order-independent hash of all rows (as Postgres renders them), per table. */
export async function fingerprint(db: Db): Promise<Fingerprint> {
  const sql = (await tableNames(db))
    .map(
      (name) =>
        `SELECT '${name}' AS name, count(*)::int AS rows, coalesce(sum(hashtext(t::text)::bigint), 0)::text AS hash FROM "${name}" t`,
    )
    .join(" UNION ALL ");
  const rows = await db.$queryRawUnsafe<{ name: string; rows: number; hash: string }[]>(sql);
  return new Map(rows.map((r) => [r.name, { rows: Number(r.rows), hash: r.hash }]));
}

/** Tables whose contents differ between two fingerprints. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  return [...after].filter(([name, a]) => before.get(name)?.hash !== a.hash || before.get(name)?.rows !== a.rows).map(([name]) => name);
}
