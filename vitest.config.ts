import path from "node:path";
import { defineConfig } from "vitest/config";

// Two layers, selected by file suffix (STYLE.md):
//   unit: *.test.ts that need no database (pure logic, Dexie on fake-indexeddb)
//   db:   *.db.test.ts that run against PGlite by default, or a throwaway database on the
//         Postgres server named by DATABASE_URL.
const alias = { "@": path.resolve(__dirname), "server-only": path.resolve(__dirname, "tests/fixtures/server-only.ts") };

// In CI only, a failed test runs once more; tests/fixtures/flaky-reporter.ts names every test that
// needed it, and .ci/run repeats those names in its summary.
const ci = Boolean(process.env.CI);

export default defineConfig({
  resolve: { alias },
  test: {
    reporters: ci ? ["default", "./tests/fixtures/flaky-reporter.ts"] : ["default"],
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.ts", "lib/**/*.test.ts"],
          exclude: ["**/*.db.test.ts", "**/node_modules/**"],
          setupFiles: ["fake-indexeddb/auto"],
          environment: "node",
          retry: ci ? 1 : 0,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "db",
          include: ["tests/**/*.db.test.ts"],
          setupFiles: ["fake-indexeddb/auto"],
          globalSetup: ["tests/fixtures/db-global-setup.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          retry: ci ? 1 : 0,
        },
      },
    ],
  },
});
