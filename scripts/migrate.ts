/**
 * `npm run db:migrate` applies pending migrations to the configured database (PGlite by default,
 * DATABASE_URL when set). `npm run db:migrate:create -- <name>` writes a migration for the
 * difference between prisma/migrations and prisma/schema.prisma (uses an in-memory PGlite as shadow).
 */
import { openAdapter, resolveDbTarget } from "@/lib/server/db/adapter";
import { applyMigrations, createMigration } from "@/lib/server/db/migrator";
import { getEnv } from "@/lib/server/env";

async function main() {
  const [command, name] = process.argv.slice(2);
  if (command === "create") {
    const opened = await openAdapter({ kind: "pglite", dataDir: "memory://" });
    try {
      const folder = await createMigration(opened.factory, name ?? "migration");
      console.log(folder ? `created prisma/migrations/${folder}` : "schema and migrations agree: nothing to create");
    } finally {
      await opened.close();
    }
    return;
  }
  const opened = await openAdapter(resolveDbTarget(getEnv()));
  try {
    const applied = await applyMigrations(opened.factory);
    console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
  } finally {
    await opened.close();
  }
}

main().then(
  () => process.exit(0), // the WASM engine leaves timers alive: exit explicitly
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
