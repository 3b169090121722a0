/**
 * Runs seeds, shrinks failures and prints the figures (the CLI and the vitest file share it).
 */
import type { Failure, Fate } from "./invariants";
import { openSimDatabase, type SimDatabase } from "./server-db";
import { type SimConfig, type SimResult, simulate } from "./simulator";

export interface RunOptions {
  seeds: number[];
  devices: number;
  ops: number;
  verbose: boolean;
  /** Shrink failing seeds (on by default). */
  shrink: boolean;
}

export interface RunSummary {
  options: RunOptions;
  results: SimResult[];
  failed: { result: SimResult; repro: SimConfig; reproFailures: Failure[]; trace: string[] }[];
  ms: number;
  database: string;
}

const USAGE = "usage: npm run test:sim -- [--seed N | --seeds A..B] [--devices D] [--ops K] [--verbose] [--no-shrink]";

export function parseArgs(argv: string[]): RunOptions {
  const options: RunOptions = { seeds: [1], devices: 20, ops: 500, verbose: false, shrink: true };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split("=", 2);
    const value = () => inline ?? argv[++i];
    const int = (text: string | undefined) => {
      const n = Number(text);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a whole number (${USAGE})`);
      return n;
    };
    switch (flag) {
      case "--seed":
        options.seeds = [int(value())];
        break;
      case "--seeds": {
        const text = value() ?? "";
        const range = /^(\d+)\.\.(\d+)$/.exec(text);
        options.seeds = range
          ? Array.from({ length: Math.max(0, Number(range[2]) - Number(range[1]) + 1) }, (_, k) => Number(range[1]) + k)
          : text.split(",").map((s) => int(s));
        break;
      }
      case "--devices":
        options.devices = Math.max(2, int(value()));
        break;
      case "--ops":
        options.ops = int(value());
        break;
      case "--verbose":
        options.verbose = true;
        break;
      case "--no-shrink":
        options.shrink = false;
        break;
      default:
        throw new Error(`unknown option ${argv[i]} (${USAGE})`);
    }
  }
  return options;
}

/** One run on a fresh database (or on `database` when given: the vitest fixture's). */
export async function runOnce(config: SimConfig, database?: SimDatabase): Promise<SimResult> {
  if (database) return simulate(config, database);
  const fresh = await openSimDatabase();
  try {
    return await simulate(config, fresh);
  } finally {
    await fresh.close();
  }
}

/**
 * The shortest op prefix (and then the fewest devices) that still fails the same invariant.
 * Op i draws from its own generator, so a prefix replays the same ops. Bounded: each try is a
 * whole run on a fresh database.
 */
export async function shrink(
  failing: SimResult,
  log: (line: string) => void,
  budget = 16,
): Promise<{ config: SimConfig; failures: Failure[]; trace: string[] }> {
  const invariant = failing.failures[0]?.invariant;
  let best = { config: failing.config, failures: failing.failures, trace: failing.trace };
  let tries = 0;
  const fails = async (config: SimConfig) => {
    tries++;
    const result = await runOnce({ ...config, verbose: false, log: undefined });
    const same = result.failures.some((f) => f.invariant === invariant);
    log(`  shrink: --devices ${config.devices} --ops ${config.ops} → ${same ? "fails" : "passes"}`);
    if (same && (config.ops < best.config.ops || config.devices < best.config.devices))
      best = { config, failures: result.failures, trace: result.trace };
    return same;
  };
  const shrinkOps = async (config: SimConfig) => {
    let lo = 0;
    let hi = config.ops;
    while (hi - lo > 1 && tries < budget) {
      const mid = Math.floor((lo + hi) / 2);
      if (await fails({ ...config, ops: mid })) hi = mid;
      else lo = mid;
    }
  };
  await shrinkOps(best.config);
  for (const devices of [2, 3, 4, Math.floor(best.config.devices / 2)]) {
    if (devices >= best.config.devices || tries >= budget) continue;
    if (await fails({ ...best.config, devices })) {
      await shrinkOps(best.config);
      break;
    }
  }
  return best;
}

function pct(n: number, total: number): string {
  return total === 0 ? "0" : `${((100 * n) / total).toFixed(1)}%`;
}

export function formatStats(r: SimResult): string {
  const s = r.stats;
  const f = s.fates;
  return (
    `seed ${r.config.seed}: ${r.failures.length === 0 ? "ok" : "FAILED"} in ${(r.ms / 1000).toFixed(1)} s — ` +
    `${s.localWrites} local writes → applied ${f.applied ?? 0}, merged ${f.merged ?? 0}, duplicate ${f.duplicate ?? 0}, ` +
    `conflict ${f.conflict ?? 0}, parked ${f.parked ?? 0}, held ${f.held ?? 0}, withdrawn ${f.withdrawn ?? 0}; ` +
    `server ledger: applied ${s.applied}, merged ${s.merged}, conflict ${s.conflicted}, duplicate ${s.duplicate}, rejections logged ${s.rejected}; ` +
    `${s.mutationsSent} mutations sent (resends included), ${s.faults} injected faults, ` +
    `${s.wire.duplicated} duplicated and ${s.wire.heldDelivered} late deliveries, ${s.wire.restarts} restarts ` +
    `(${s.wire.answersLostInRestart} answers lost), ${s.conflictsResolved} conflicts resolved`
  );
}

export async function runSeeds(options: RunOptions, log: (line: string) => void, database?: SimDatabase): Promise<RunSummary> {
  const started = performance.now();
  const results: SimResult[] = [];
  const failed: RunSummary["failed"] = [];
  const dbName = database?.kind ?? (process.env.DATABASE_URL ? "postgres" : "pglite");
  log(`simulating ${options.seeds.length} seed(s) × ${options.devices} devices × ${options.ops} ops on ${dbName}`);
  for (const seed of options.seeds) {
    const config: SimConfig = { seed, devices: options.devices, ops: options.ops, verbose: options.verbose, log };
    const result = await runOnce(config, database);
    results.push(result);
    log(formatStats(result));
    if (result.failures.length === 0) continue;
    for (const f of result.failures) log(`  ✗ ${f.invariant}: ${f.detail}`);
    const best = options.shrink && !database ? await shrink(result, log) : { config, failures: result.failures, trace: result.trace };
    failed.push({ result, repro: best.config, reproFailures: best.failures, trace: best.trace });
  }
  return { options, results, failed, ms: performance.now() - started, database: dbName };
}

export function reproCommand(config: SimConfig, database: string): string {
  const env = database === "postgres" ? "DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres " : "";
  return `${env}npm run test:sim -- --seed ${config.seed} --devices ${config.devices} --ops ${config.ops} --verbose --no-shrink`;
}

export function formatResult(summary: RunSummary): string {
  const total = (pick: (r: SimResult) => number) => summary.results.reduce((n, r) => n + pick(r), 0);
  const fate = (k: Fate) => total((r) => r.stats.fates[k] ?? 0);
  const writes = total((r) => r.stats.localWrites);
  const lines = [
    "",
    `${summary.results.length} seed(s), ${summary.options.devices} devices, ${summary.options.ops} ops each, on ${summary.database}, in ${(summary.ms / 1000).toFixed(0)} s`,
    `local writes ${writes}: applied ${fate("applied")} (${pct(fate("applied"), writes)}), merged ${fate("merged")}, duplicate ${fate("duplicate")}, ` +
      `conflict ${fate("conflict")}, parked ${fate("parked")}, held behind a parked change ${fate("held")}, withdrawn by the user ${fate("withdrawn")}`,
    `server ledger: applied ${total((r) => r.stats.applied)}, merged ${total((r) => r.stats.merged)}, conflict ${total((r) => r.stats.conflicted)}, ` +
      `duplicate ${total((r) => r.stats.duplicate)}; rejections logged ${total((r) => r.stats.rejected)}; conflicts resolved ${total((r) => r.stats.conflictsResolved)}`,
    `mutations sent ${total((r) => r.stats.mutationsSent)} (resends included); injected faults ${total((r) => r.stats.faults)}, ` +
      `duplicate deliveries ${total((r) => r.stats.wire.duplicated)}, late deliveries ${total((r) => r.stats.wire.heldDelivered)}, ` +
      `server restarts ${total((r) => r.stats.wire.restarts)} (${total((r) => r.stats.wire.answersLostInRestart)} answers lost)`,
  ];
  if (summary.failed.length === 0) lines.push("all invariants held");
  for (const f of summary.failed) {
    lines.push(``, `FAILED seed ${f.result.config.seed}: ${f.reproFailures[0]?.invariant} — ${f.reproFailures[0]?.detail}`);
    const shrunk = f.repro.ops < f.result.config.ops || f.repro.devices < f.result.config.devices;
    lines.push(`${shrunk ? "shortest reproduction found" : "reproduce (not shrunk)"}: ${reproCommand(f.repro, summary.database)}`);
    lines.push("last ops of it:", ...f.trace.slice(-25).map((l) => `  ${l}`));
  }
  return lines.join("\n");
}
