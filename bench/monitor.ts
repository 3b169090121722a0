/**
 * How busy the machine was while a part ran, and how much of that was not ours — these machines are
 * shared, and a figure measured while other work used the cores is not comparable. Samples
 * /proc every 500 ms: the machine's busy CPU time (/proc/stat) and the CPU time of our processes —
 * this one, its descendants (the `npm start` servers) and the Postgres backends serving the bench's
 * databases (process titles naming `fieldsync_bench_`). Percentages are of all cores. Postgres's
 * shared background processes (checkpointer, WAL writer, autovacuum) count as others: they serve
 * every database on the server.
 */
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import { descendants } from "./server";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function machineBusyTicks(): number {
  const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number); // idle and iowait are not busy
  return user + nice + system + irq + softirq + steal;
}

function processTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return null;
  }
}

function benchBackends(): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, "utf8").includes("fieldsync_bench_")) out.push(Number(name));
    } catch {}
  }
  return out;
}

export interface Busy {
  seconds: number;
  /** Share of all cores busy, whoever used them. */
  machinePct: number;
  /** Of which our processes. */
  oursPct: number;
  /** Of which everything else on the machine. */
  othersPct: number;
}

export function startMonitor(): { stop(): Busy } {
  const started = performance.now();
  const machineStart = machineBusyTicks();
  const baseline = new Map<number, number>();
  const last = new Map<number, number>();
  const ours = () => [...descendants(process.pid), ...benchBackends()];
  for (const pid of ours()) {
    const t = processTicks(pid);
    if (t !== null) baseline.set(pid, t);
  }
  const sample = () => {
    for (const pid of ours()) {
      const t = processTicks(pid);
      if (t === null) continue;
      if (!baseline.has(pid)) baseline.set(pid, 0); // born during the part: all its time is in it
      last.set(pid, t);
    }
  };
  const timer = setInterval(sample, 500);
  timer.unref();
  return {
    stop: () => {
      sample();
      clearInterval(timer);
      const seconds = (performance.now() - started) / 1000;
      const capacity = seconds * TICKS_PER_SECOND * os.cpus().length;
      const machine = machineBusyTicks() - machineStart;
      let mine = 0;
      for (const [pid, t] of last) mine += t - (baseline.get(pid) ?? 0);
      const pct = (x: number) => Number(((100 * x) / capacity).toFixed(1));
      return {
        seconds: Number(seconds.toFixed(1)),
        machinePct: pct(machine),
        oursPct: pct(mine),
        othersPct: pct(Math.max(0, machine - mine)),
      };
    },
  };
}

/**
 * Waits (up to `maxSeconds`) until other processes use less than `maxOthersPct` % of the machine over
 * a 3-second window; returns the last window's figures.
 */
export async function waitIdle(maxSeconds: number, maxOthersPct = 15): Promise<Busy | null> {
  if (maxSeconds <= 0) return null;
  const until = performance.now() + maxSeconds * 1000;
  for (;;) {
    const m = startMonitor();
    await new Promise((r) => setTimeout(r, 3000));
    const busy = m.stop();
    if (busy.othersPct < maxOthersPct || performance.now() > until) return busy;
  }
}
