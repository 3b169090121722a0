/**
 * `npm run test:sim -- --seed N --devices 20 --ops 500` (or `--seeds 1..25`): seeded fault
 * simulation of devices against the real server (tests/sim/simulator.ts). In-memory PGlite by
 * default; a throwaway database on the Postgres server named by DATABASE_URL when it is set.
 * A failing seed prints the invariant, the op trace and the shortest reproduction found.
 */
process.env.LOG_LEVEL ??= "silent";

import "fake-indexeddb/auto";
import { formatResult, parseArgs, runSeeds } from "./runner";
import { closeTemplates } from "./server-db";

const options = parseArgs(process.argv.slice(2));
const summary = await runSeeds(options, (line) => console.log(line));
console.log(formatResult(summary));
await closeTemplates();
process.exit(summary.failed.length > 0 ? 1 : 0);
