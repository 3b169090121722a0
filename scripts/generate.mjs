// Generates the Prisma client (lib/generated/prisma) without downloading the native schema engine:
// `prisma generate` only needs PRISMA_SCHEMA_ENGINE_BINARY to point at an existing executable.
// Runs after `npm install`, and again — with --if-stale, only when the client is missing or older
// than prisma/schema.prisma — before `npm start`, `npm test` and the type check, so nothing depends
// on the install script having run (e.g. `npm install --ignore-scripts`).
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

const cli = "node_modules/prisma/build/index.js";
const schema = "prisma/schema.prisma";
const client = "lib/generated/prisma/client.ts";

if (!existsSync(cli)) process.exit(0);
if (process.argv.includes("--if-stale") && existsSync(client) && statSync(client).mtimeMs >= statSync(schema).mtimeMs) process.exit(0);
const result = spawnSync(process.execPath, [cli, "generate"], {
  stdio: "inherit",
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: "1", CHECKPOINT_DISABLE: "1" },
});
process.exit(result.status ?? 1);
