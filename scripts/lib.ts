import { openAdapter, resolveDbTarget } from "@/lib/server/db/adapter";
import { createPrisma, setDb } from "@/lib/server/db/client";
import { applyMigrations } from "@/lib/server/db/migrator";
import { getEnv } from "@/lib/server/env";

/** Opens the configured database, applies pending migrations, and makes it the process's db. */
export async function openMigratedDb() {
  const opened = await openAdapter(resolveDbTarget(getEnv()));
  const applied = await applyMigrations(opened.factory);
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
