import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAdapter } from "@/lib/server/db/adapter";
import { useTestDb } from "@/tests/fixtures/test-db";

// Issue #2: "A test fails when schema.prisma and the migrations drift apart", plus the bookkeeping
// that lets the stock Prisma CLI agree with our WASM migrator (_prisma_migrations rows + checksums).

const db = useTestDb();

/** What the engine prints when there is nothing to do; anything else is real SQL. */
function isEmptyMigration(sql: string): boolean {
  return (
    sql
      .split("\n")
      .filter((line) => !line.trim().startsWith("--"))
      .join("")
      .trim() === ""
  );
}

const REPO_PRISMA = path.join(process.cwd(), "prisma");
const REPO_MIGRATIONS = path.join(REPO_PRISMA, "migrations");
const committedFolders = () =>
  readdirSync(REPO_MIGRATIONS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

/**
 * The migrator resolves prisma/ from the working directory once, when its module loads, and its
 * WASM engine can be instantiated only once per process. So this file loads it a single time from
 * inside a temporary copy of prisma/ (vitest runs files in child processes, where chdir is allowed),
 * and edits that copy to prove the check can fail — the repository's files are never touched.
 */
let copy: string;
let migrator: typeof import("@/lib/server/db/migrator");
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "fieldsync-drift-"));
  copy = path.join(root, "prisma");
  cpSync(REPO_PRISMA, copy, { recursive: true });
  const cwd = process.cwd();
  process.chdir(root);
  try {
    migrator = await import("@/lib/server/db/migrator");
  } finally {
    process.chdir(cwd);
  }
  expect(migrator.SCHEMA_PATH).toBe(path.join(copy, "schema.prisma"));
});

afterAll(async () => {
  for (const o of opened) await o.close();
  if (copy) rmSync(path.dirname(copy), { recursive: true, force: true });
});

async function memoryAdapter() {
  const o = await openAdapter({ kind: "pglite", dataDir: "memory://" });
  opened.push(o);
  return o;
}

describe("schema.prisma ↔ prisma/migrations drift check", () => {
  it("the committed migrations produce exactly the schema in schema.prisma", async () => {
    // The copy is the repository's prisma/ byte for byte.
    expect(readFileSync(path.join(copy, "schema.prisma"), "utf8")).toBe(readFileSync(path.join(REPO_PRISMA, "schema.prisma"), "utf8"));
    for (const folder of committedFolders()) {
      expect(readFileSync(path.join(copy, "migrations", folder, "migration.sql"), "utf8")).toBe(
        readFileSync(path.join(REPO_MIGRATIONS, folder, "migration.sql"), "utf8"),
      );
    }
    const sql = await migrator.diffMigrationsToSchema((await memoryAdapter()).factory);
    // If this fails, run `npm run db:migrate:create -- <name>` and commit the new folder.
    expect(isEmptyMigration(sql), `schema.prisma and prisma/migrations differ:\n${sql}`).toBe(true);
  });

  // These two prove the checks can fail. Both run on in-memory PGlite whatever DATABASE_URL says, so
  // the Postgres run of the suite skips them (CI runs the suite on both).
  const proofsRun = !process.env.DATABASE_URL;

  it.runIf(proofsRun)("notices a drift: a model added to schema.prisma without a migration → CREATE TABLE", async () => {
    const schemaFile = path.join(copy, "schema.prisma");
    const original = readFileSync(schemaFile, "utf8");
    const before = new Set(readdirSync(path.join(copy, "migrations")));
    writeFileSync(schemaFile, `${original}\nmodel DriftProbe {\n  id    Int    @id\n  label String\n}\n`);
    try {
      const { factory } = await memoryAdapter();
      // createMigration writes a folder exactly when the diff (the drift check) is not empty.
      const folder = await migrator.createMigration(factory, "Drift probe!");
      expect(folder).toMatch(/^\d{14}_drift_probe_$/);
      const written = readFileSync(path.join(copy, "migrations", folder as string, "migration.sql"), "utf8");
      expect(isEmptyMigration(written)).toBe(false);
      expect(written).toMatch(/CREATE TABLE "DriftProbe"/);
    } finally {
      writeFileSync(schemaFile, original);
      for (const name of readdirSync(path.join(copy, "migrations"))) {
        if (!before.has(name)) rmSync(path.join(copy, "migrations", name), { recursive: true, force: true });
      }
    }
  });

  it.runIf(proofsRun)("a failing migration fails loudly and is not recorded as applied", async () => {
    const broken = "29991231000000_broken";
    const dir = path.join(copy, "migrations", broken);
    mkdirSync(dir);
    writeFileSync(path.join(dir, "migration.sql"), 'ALTER TABLE "NoSuchTable" ADD COLUMN "x" INT;\n');
    try {
      const o = await memoryAdapter();
      await expect(migrator.applyMigrations(o.factory)).rejects.toThrow();
      const rows = await o.pglite?.query<{ migration_name: string; finished_at: Date | null }>(
        "SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name",
      );
      const byName = new Map(rows?.rows.map((r) => [r.migration_name, r.finished_at]));
      for (const name of committedFolders()) expect(byName.get(name), name).toBeInstanceOf(Date);
      expect(byName.get(broken) ?? null).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the migrated test database", () => {
  it("has a finished _prisma_migrations row, with Prisma's checksum, for every migration folder", async () => {
    const rows = await db.current.prisma.$queryRaw<
      { migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null; applied_steps_count: number }[]
    >`SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name`;
    const folders = committedFolders();
    expect(folders.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.migration_name)).toEqual(folders);
    for (const row of rows) {
      expect(row.finished_at, row.migration_name).toBeInstanceOf(Date);
      expect(row.rolled_back_at, row.migration_name).toBeNull();
      const sql = readFileSync(path.join(REPO_MIGRATIONS, row.migration_name, "migration.sql"));
      expect(row.checksum, row.migration_name).toBe(createHash("sha256").update(sql).digest("hex"));
    }
  });

  it("applying the migrations again changes nothing", async () => {
    expect(await migrator.applyMigrations(db.current.opened.factory)).toEqual([]);
  });
});
