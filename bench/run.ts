process.env.LOG_LEVEL ??= "silent";

/**
 * `npm run bench`: measures both databases in one run and reports the ratio.
 * Numbers from a shared 2-core machine are noisy: compare ratios, not absolutes.
 */
import { benchDrain, type DrainResult, formatDrain, formatDrainRatio } from "./drain";
import { benchSync } from "./sync";

const only = process.argv.slice(2);
const results = [];
const drains: DrainResult[][] = [];
for (const kind of ["postgres", "pglite"] as const) {
  if (only.length && !only.includes(kind)) continue;
  const r = await benchSync(kind);
  results.push(r);
  console.log(
    `${kind.padEnd(8)} push: ${r.pushed} mutations (4 devices × 100-mutation batches) in ${r.pushSeconds.toFixed(2)} s = ${r.mutationsPerSecond.toFixed(0)} mutations/s; ` +
      `pull: ${r.pulledRecords} records in ${r.pullSeconds.toFixed(2)} s`,
  );
  // Outbox drain after reconnecting (bench/drain.ts): SyncClient + MediaQueue over real HTTP.
  const drain = await benchDrain(kind);
  drains.push(drain);
  for (const d of drain) console.log(formatDrain(d));
}
if (results.length === 2) {
  const [p, g] = results;
  console.log(
    `ratio postgres/pglite: push ${(p.mutationsPerSecond / g.mutationsPerSecond).toFixed(2)}×, pull ${(g.pullSeconds / p.pullSeconds).toFixed(2)}× faster`,
  );
  console.log(formatDrainRatio(drains[0], drains[1]));
}
process.exit(0);
