import { randomUUID } from "node:crypto";
import pg from "pg";
import { type DbTarget, openAdapter } from "@/lib/server/db/adapter";
import { closeDb, createPrisma, setDb } from "@/lib/server/db/client";
import { applyMigrations } from "@/lib/server/db/migrator";

/**
 * A throwaway migrated database for one benchmark: a fresh Postgres database, or a PGlite in memory
 * (or in `pgliteDir`, a fresh directory the caller removes).
 */
export async function benchDb(kind: "postgres" | "pglite", pgliteDir = "memory://") {
  let target: DbTarget = { kind: "pglite", dataDir: pgliteDir };
  let drop = async () => {};
  if (kind === "postgres") {
    const base = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
    const name = `fieldsync_bench_${randomUUID().slice(0, 8)}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    target = { kind: "postgres", url: url.toString() };
    drop = async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    };
  }
  const opened = await openAdapter(target, { poolSize: 16 });
  await applyMigrations(opened.factory);
  const prisma = createPrisma(opened);
  setDb(prisma, opened);
  return {
    prisma,
    close: async () => {
      await closeDb();
      await drop();
    },
  };
}

export function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}
