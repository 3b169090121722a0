import pg from "pg";
import { type DbTarget, openAdapter, resolveDbTarget } from "@/lib/server/db/adapter";
import { createPrisma, setDb } from "@/lib/server/db/client";
import { applyMigrations } from "@/lib/server/db/migrator";
import { getEnv } from "@/lib/server/env";

/**
 * App servers started together on one Postgres (README "Running several app servers") migrate one
 * after another. Prisma's schema engine gives up on its own migration lock after 10 s — less than
 * the first starter may hold it on a busy machine, and the second server then refuses to start —
 * so they queue first on a lock of ours that waits as long as it takes.
 */
async function oneMigratorAtATime<T>(target: DbTarget, run: () => Promise<T>): Promise<T> {
  if (target.kind !== "postgres") return run(); // PGlite: its data directory already has one opener
  const client = new pg.Client({ connectionString: target.url, application_name: "fieldsync-migrate" });
  client.on("error", () => {}); // a dropped connection ends the session, and with it the lock
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtextextended('fieldsync:migrate', 0))");
    return await run();
  } finally {
    await client.end().catch(() => {}); // ending the session releases the lock
  }
}

/** Opens the configured database, applies pending migrations, and makes it the process's db. */
export async function openMigratedDb() {
  const opened = await openAdapter(resolveDbTarget(getEnv()));
  const applied = await oneMigratorAtATime(opened.target, () => applyMigrations(opened.factory));
  const prisma = createPrisma(opened);
  setDb(prisma, opened);
  return { opened, prisma, applied };
}

export function argValue(name: string): string | undefined {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}
