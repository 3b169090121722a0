import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";

/**
 * Prisma migrations without the native schema engine: this drives @prisma/schema-engine-wasm
 * through the same driver adapter as the app. It reads and writes the standard
 * `prisma/migrations/<timestamp>_<name>/migration.sql` folders and the standard
 * `_prisma_migrations` table, so the stock CLI agrees with it where the native engine exists.
 */

type SchemaEngineModule = typeof import("@prisma/schema-engine-wasm");
type SchemaEngine = Awaited<ReturnType<SchemaEngineModule["SchemaEngine"]["new"]>>;
type MigrationList = Parameters<SchemaEngine["applyMigrations"]>[0]["migrationsList"];

const ROOT = process.cwd();
export const SCHEMA_PATH = path.join(ROOT, "prisma", "schema.prisma");
export const MIGRATIONS_DIR = path.join(ROOT, "prisma", "migrations");
const NO_FILTER = { externalTables: [], externalEnums: [] };

let enginePromise: Promise<SchemaEngineModule> | undefined;

/** The package's `.wasm` is not exported: resolve the folder and instantiate the bindings ourselves. */
function loadEngineModule(): Promise<SchemaEngineModule> {
  enginePromise ??= (async () => {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve("@prisma/schema-engine-wasm"));
    const bindings = (await import("@prisma/schema-engine-wasm/schema_engine_bg")) as unknown as SchemaEngineModule & {
      __wbg_set_wasm(exports: WebAssembly.Exports): void;
    };
    const bytes = readFileSync(path.join(dir, "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": bindings as never });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bindings;
  })();
  return enginePromise;
}

function readSchema(): string {
  return readFileSync(SCHEMA_PATH, "utf8");
}

export function loadMigrationsList(): MigrationList {
  const dirs = existsSync(MIGRATIONS_DIR)
    ? readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  const lockPath = path.join(MIGRATIONS_DIR, "migration_lock.toml");
  return {
    baseDir: MIGRATIONS_DIR,
    lockfile: { path: "migration_lock.toml", content: existsSync(lockPath) ? readFileSync(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: dirs.map((name) => {
      const file = path.join(MIGRATIONS_DIR, name, "migration.sql");
      return {
        path: name,
        migrationFile: {
          path: "migration.sql",
          content: existsSync(file)
            ? { tag: "ok" as const, value: readFileSync(file, "utf8") }
            : { tag: "error" as const, value: "missing migration.sql" },
        },
      };
    }),
  };
}

async function withEngine<T>(factory: SqlMigrationAwareDriverAdapterFactory, fn: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const mod = await loadEngineModule();
  const engine = await mod.SchemaEngine.new(
    { datamodels: [[SCHEMA_PATH, readSchema()]] },
    () => {},
    // The engine talks to the error-capturing form of the adapter ({ok, value} results).
    bindMigrationAwareSqlAdapterFactory(wrapFactoryForEngine(factory)),
  );
  try {
    return await fn(engine);
  } finally {
    engine.free();
  }
}

/**
 * pglite-prisma-adapter's `executeScript` does not await the script, so a failed migration would be
 * recorded as applied; this wrapper makes every adapter's executeScript awaited and fail loudly.
 */
function wrapFactoryForEngine(factory: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  const wrapAdapter = <A extends { executeScript(script: string): Promise<void> }>(adapter: A & Record<string, unknown>): A => {
    const client = (adapter as { client?: { exec?: (sql: string) => Promise<unknown> } }).client;
    if (client && typeof client.exec === "function") {
      const exec = client.exec.bind(client);
      adapter.executeScript = async (script: string) => {
        await exec(script);
      };
    }
    // The engine expects a schema name; pglite-prisma-adapter reports none.
    const info = (adapter as { getConnectionInfo?: () => { schemaName?: string } }).getConnectionInfo?.bind(adapter);
    if (info) {
      (adapter as Record<string, unknown>).getConnectionInfo = () => ({ ...info(), schemaName: info().schemaName ?? "public" });
    }
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => wrapAdapter((await factory.connect()) as never),
    connectToShadowDb: async () => wrapAdapter((await factory.connectToShadowDb()) as never),
  };
}

/** Applies every migration not yet applied; returns the names applied now. */
export async function applyMigrations(factory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  return withEngine(factory, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList: loadMigrationsList(), filters: NO_FILTER });
    return out.appliedMigrationNames;
  });
}

/**
 * The SQL that would take the committed migrations to the current schema.prisma; empty when they
 * agree. Computed without a database (migrations → datamodel diff through a shadow database).
 */
export async function diffMigrationsToSchema(factory: SqlMigrationAwareDriverAdapterFactory): Promise<string> {
  const list = loadMigrationsList();
  return withEngine(factory, async (engine) => {
    const result = await engine.diff({
      from: list.migrationDirectories.length ? { tag: "migrations", ...list } : { tag: "empty" },
      to: { tag: "schemaDatamodel", files: [{ path: SCHEMA_PATH, content: readSchema() }] },
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    });
    return (result as { stdout?: string }).stdout ?? "";
  });
}

/** Writes a new migration folder for the difference between the migrations and the schema. */
export async function createMigration(factory: SqlMigrationAwareDriverAdapterFactory, name: string): Promise<string | null> {
  const sql = await diffMigrationsToSchema(factory);
  if (!sql.trim() || /^-- This is an empty migration/m.test(sql)) return null;
  const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const folder = `${stamp}_${name.replace(/[^a-z0-9_]+/gi, "_").toLowerCase()}`;
  mkdirSync(path.join(MIGRATIONS_DIR, folder), { recursive: true });
  writeFileSync(path.join(MIGRATIONS_DIR, folder, "migration.sql"), sql);
  const lock = path.join(MIGRATIONS_DIR, "migration_lock.toml");
  if (!existsSync(lock)) {
    writeFileSync(
      lock,
      '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n',
    );
  }
  return folder;
}
