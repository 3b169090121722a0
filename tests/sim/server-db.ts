/**
 * The simulator's server database: a throwaway migrated database (in-memory PGlite by default,
 * a fresh database on the Postgres server named by DATABASE_URL otherwise), installed as the
 * process's database so the route handlers use it — and a "server restart" for it.
 */
import { randomUUID } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { type DbTarget, type OpenedAdapter, openAdapter } from "@/lib/server/db/adapter";
import { closeDb, createPrisma, type Db, setDb } from "@/lib/server/db/client";
import { applyMigrations } from "@/lib/server/db/migrator";

export interface SimDatabase {
  kind: "postgres" | "pglite";
  /**
   * A server restart as far as the database sees it. Postgres: every connection of the database is
   * terminated (an open transaction rolls back, as when the process dies) and the server gets a new
   * Prisma client and pool. PGlite lives in the process and cannot be killed without losing its
   * memory: only the in-flight requests are lost (the wire drops their answers).
   */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const POOL_SIZE = 16;

function install(opened: OpenedAdapter): { prisma: Db; opened: OpenedAdapter } {
  const prisma = createPrisma(opened);
  setDb(prisma, opened);
  return { prisma, opened };
}

/**
 * Wraps a database the caller opened (the vitest fixture). `url` is given for Postgres only.
 * `close` leaves the current client to whoever opened the first one (closeDb closes it).
 */
export function adoptDatabase(kind: "postgres" | "pglite", current: { prisma: Db; opened: OpenedAdapter }, url?: string): SimDatabase {
  let live = current;
  const retired: { prisma: Db; opened: OpenedAdapter }[] = [];
  return {
    kind,
    restart: async () => {
      if (kind !== "postgres" || !url) return;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
        );
      } finally {
        await admin.end();
      }
      retired.push(live);
      live = install(await openAdapter({ kind: "postgres", url }, { poolSize: POOL_SIZE }));
    },
    close: async () => {
      for (const old of retired.splice(0)) {
        await old.prisma.$disconnect().catch(() => undefined);
        await old.opened.close().catch(() => undefined);
      }
    },
  };
}

/**
 * Migrated once per process, copied for every run: a PGlite data directory dump, or a Postgres
 * template database (CREATE DATABASE … TEMPLATE). Dropped by `closeTemplates`.
 */
let pgliteTemplate: Promise<Blob> | undefined;
let postgresTemplate: Promise<{ admin: pg.Client; name: string }> | undefined;

function localOnly(url: string): void {
  const host = new URL(url).hostname;
  if (!["localhost", "127.0.0.1", "::1", "[::1]"].includes(host))
    throw new Error(`Refusing to simulate against non-local database ${host}`);
}

/** A fresh migrated database for one simulated run (CLI). */
export async function openSimDatabase(): Promise<SimDatabase> {
  const base = process.env.DATABASE_URL;
  if (!base) {
    pgliteTemplate ??= (async () => {
      const opened = await openAdapter({ kind: "pglite", dataDir: "memory://" } satisfies DbTarget);
      await applyMigrations(opened.factory);
      const dump = await (opened.pglite as PGlite).dumpDataDir("none");
      await opened.close();
      return dump;
    })();
    const pglite = await PGlite.create({ loadDataDir: await pgliteTemplate });
    const opened: OpenedAdapter = {
      target: { kind: "pglite", dataDir: "memory://" },
      factory: new PrismaPGlite(pglite) as never,
      pglite,
      close: async () => {
        if (!pglite.closed) await pglite.close();
      },
    };
    const adopted = adoptDatabase("pglite", install(opened));
    return {
      ...adopted,
      close: async () => {
        await adopted.close();
        await closeDb();
      },
    };
  }
  localOnly(base);
  postgresTemplate ??= (async () => {
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    const name = `fieldsync_simtpl_${randomUUID().slice(0, 8)}`;
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    const opened = await openAdapter({ kind: "postgres", url: url.toString() });
    await applyMigrations(opened.factory);
    await opened.close();
    return { admin, name };
  })();
  const template = await postgresTemplate;
  const name = `fieldsync_sim_${randomUUID().slice(0, 8)}`;
  await template.admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template.name}"`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const opened = await openAdapter({ kind: "postgres", url: url.toString() }, { poolSize: POOL_SIZE });
  const adopted = adoptDatabase("postgres", install(opened), url.toString());
  return {
    ...adopted,
    close: async () => {
      await adopted.close();
      await closeDb();
      await template.admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

/** Drops the Postgres template (end of the CLI). */
export async function closeTemplates(): Promise<void> {
  const template = await postgresTemplate?.catch(() => undefined);
  postgresTemplate = undefined;
  pgliteTemplate = undefined;
  if (!template) return;
  await template.admin.query(`DROP DATABASE IF EXISTS "${template.name}" WITH (FORCE)`);
  await template.admin.end();
}
