import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

// Browser tests run Debian's Chromium (SETUP.md): Playwright's own browser download cannot reach its
// host from these machines. `npm run test:e2e` builds if needed and serves the app on its own port
// with a throwaway embedded database, seeded with the demo data on start.

const PORT = Number(process.env.E2E_PORT ?? 3100);
const BASE_URL = `http://localhost:${PORT}`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CI = Boolean(process.env.CI);
// Removed by the web server command (not here: this file is evaluated again in every worker).
const PGLITE_DIR = `.data/e2e-${PORT}`;

// In CI a missing browser is a failure, never a silent skip (the specs skip only outside CI).
if (CI && !existsSync(CHROMIUM)) {
  throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
}

export default defineConfig({
  testDir: "tests/e2e",
  testMatch: "**/*.spec.ts",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 1, // 2 shared cores; one browser at a time keeps timings honest
  forbidOnly: CI,
  retries: process.env.CI ? 1 : 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: CI ? [["line"]] : [["list"]],
  use: {
    baseURL: BASE_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: CHROMIUM,
          args: [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
          ],
        },
      },
    },
  ],
  webServer: {
    command: `rm -rf ${PGLITE_DIR} && npm start`,
    url: `${BASE_URL}/api/health`,
    env: {
      PORT: String(PORT),
      PGLITE_DIR,
      DATABASE_URL: "",
      NEXT_TELEMETRY_DISABLED: "1",
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    },
    reuseExistingServer: !CI,
    timeout: 300_000, // the first start builds the app
    stdout: "pipe",
    stderr: "pipe",
  },
});
