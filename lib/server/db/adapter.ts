import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { lockDataDir, openDataDir, prepareDataDir } from "./pglite-dir";

/**
 * One code path, two databases: a Postgres server (DATABASE_URL, through @prisma/adapter-pg) or an
 * embedded PGlite in a data directory. The runtime client and the migrator share this factory.
 */
export type DbTarget = { kind: "postgres"; url: string } | { kind: "pglite"; dataDir: string };

export interface OpenedAdapter {
  target: DbTarget;
  factory: SqlMigrationAwareDriverAdapterFactory;
  /** The PGlite instance, when embedded (tests and scripts sometimes need it directly). */
  pglite?: PGlite;
  /** The connection pool, on a Postgres server (the hot paths' plain SQL uses it: lib/server/db/sql.ts). */
  pool?: pg.Pool;
  close(): Promise<void>;
}

export function resolveDbTarget(env: { DATABASE_URL?: string; PGLITE_DIR: string }): DbTarget {
  return env.DATABASE_URL ? { kind: "postgres", url: env.DATABASE_URL } : { kind: "pglite", dataDir: env.PGLITE_DIR };
}

// Postgres's internal `char` type (OID 18), met when the schema engine inspects a database, cannot be
// decoded by @prisma/adapter-pg: read it as text.
pg.types.setTypeParser(18 as number, (value: string) => value);

export async function openAdapter(target: DbTarget, options: { poolSize?: number } = {}): Promise<OpenedAdapter> {
  if (target.kind === "postgres") {
    const pool = new pg.Pool({ connectionString: target.url, max: options.poolSize ?? 10 });
    // An idle connection dropped by the server (restart, failover, DROP DATABASE) must not crash
    // the process: the pool discards it and the next query opens a new one.
    pool.on("error", () => {});
    const factory = new PrismaPg(pool);
    return { target, factory, pool, close: () => pool.end() };
  }
  let release = () => {};
  let pglite: PGlite;
  if (target.dataDir === "memory://") pglite = await PGlite.create(target.dataDir);
  else {
    // A data directory on disk: one writer, atomic creation, and a clear refusal of a damaged one
    // instead of a silently fresh database (pglite-dir.ts).
    mkdirSync(target.dataDir, { recursive: true });
    release = lockDataDir(target.dataDir);
    try {
      await prepareDataDir(target.dataDir);
      pglite = await openDataDir(target.dataDir);
    } catch (error) {
      release();
      throw error;
    }
  }
  const factory = new PrismaPGlite(pglite);
  return {
    target,
    factory,
    pglite,
    close: async () => {
      if (!pglite.closed) await pglite.close();
      release();
    },
  };
}
