/**
 * `npm start`: build if the sources changed since the last build, apply migrations, seed the demo
 * on an empty embedded database (or with FIELDSYNC_DEMO=1), then serve with `next start` and print
 * the URL and demo logins. The database is closed before Next opens it (PGlite has no lock).
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { closeDb } from "@/lib/server/db/client";
import { DataDirError } from "@/lib/server/db/pglite-dir";
import { getEnv } from "@/lib/server/env";
import { countUsers } from "@/lib/server/queries/users";
import { DEMO_USERS, seedDemo } from "@/lib/server/seed";
import { openMigratedDb } from "./lib";

const root = process.cwd();
const dev = process.argv.includes("--dev");
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
// lib/ includes lib/sw, the service worker's source (built by scripts/build-sw.ts).
const BUILD_INPUTS = [
  "app",
  "components",
  "lib",
  "stores",
  "public",
  "next.config.ts",
  "package-lock.json",
  "postcss.config.mjs",
  "tsconfig.json",
];
const STAMP = path.join(root, ".next", "fieldsync-build-stamp");
/** Written by the build itself: not an input. */
const BUILD_OUTPUTS = new Set(["public/sw.js", "public/sw.js.map"].map((p) => path.join(root, p)));

function fingerprint(): string {
  const hash = createHash("sha256");
  const walk = (p: string) => {
    if (!existsSync(p) || BUILD_OUTPUTS.has(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      if (p.endsWith(`${path.sep}generated`)) return;
      for (const name of readdirSync(p).sort()) walk(path.join(p, name));
    } else {
      hash.update(`${path.relative(root, p)}:${st.size}:${st.mtimeMs}\n`);
    }
  };
  for (const input of BUILD_INPUTS) walk(path.join(root, input));
  return hash.digest("hex");
}

function buildIfNeeded() {
  const print = fingerprint();
  if (existsSync(path.join(root, ".next", "BUILD_ID")) && existsSync(STAMP) && readFileSync(STAMP, "utf8") === print) return;
  console.log("Building the app (first start, or the sources changed)…");
  const result = spawnSync(process.execPath, [nextBin, "build"], {
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
  // The service worker precaches this build's output (SETUP.md): rebuilt after every next build.
  const sw = spawnSync(process.execPath, [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/build-sw.ts"], {
    stdio: "inherit",
    env: process.env,
  });
  if (sw.status !== 0) process.exit(sw.status ?? 1);
  writeFileSync(STAMP, print);
}

async function prepareDatabase() {
  const env = getEnv();
  const { prisma, applied } = await openMigratedDb();
  if (applied.length) console.log(`Applied migrations: ${applied.join(", ")}`);
  const embedded = !env.DATABASE_URL;
  let seeded = false;
  if ((embedded || env.FIELDSYNC_DEMO === "1") && (await countUsers(prisma)) === 0) {
    const { created } = await seedDemo(prisma, env.DEMO_PASSWORD);
    console.log(`Seeded demo data (${created} rows).`);
    seeded = true;
  }
  const hasDemo = (await prisma.user.count({ where: { email: DEMO_USERS[0].email } })) > 0;
  await closeDb();
  return { seeded, hasDemo, embedded };
}

async function main() {
  if (!dev) buildIfNeeded();
  const { hasDemo, embedded } = await prepareDatabase();
  const env = getEnv();
  const url = `http://localhost:${env.PORT}`;
  const child = spawn(process.execPath, [nextBin, dev ? "dev" : "start", "-p", String(env.PORT)], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  child.on("exit", (code) => process.exit(code ?? 0));

  // Announce once the server answers.
  for (let i = 0; i < 600; i++) {
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(
    `\nField Sync is running at ${url}  (database: ${embedded ? `embedded PGlite in ${path.relative(process.cwd(), env.PGLITE_DIR) || "."}` : "DATABASE_URL"})`,
  );
  if (hasDemo) {
    console.log(`Demo logins (password: ${env.DEMO_PASSWORD}):`);
    for (const u of DEMO_USERS) console.log(`  ${u.role.padEnd(12)} ${u.email}`);
  }
}

main().catch((error) => {
  // A locked or damaged embedded database: the message says what to do; a stack would bury it.
  console.error(error instanceof DataDirError ? `Field Sync cannot start: ${error.message}` : error);
  process.exit(1);
});
