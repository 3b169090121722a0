process.env.LOG_LEVEL ??= "silent";

/**
 * `npm run bench` — sync throughput and latency on the peer harness's workload (bench/workload.ts),
 * over HTTP against real `npm start` servers and in-process against the route handlers, with the
 * database floor and the seed-style protocol as baselines in the same run; prints every figure and
 * a table of ratios and writes bench/results.json. See README "Benchmark" for what each figure is.
 *
 *   npm run bench                            real Postgres when DATABASE_URL is set, else PGlite
 *   npm run bench -- --db both               both databases, one after the other, with their ratios
 *   npm run bench -- --quick                 small sizes (a smoke run of every part, ~2 min)
 *   npm run bench -- --only http,pull-curve  some parts (floor, in-process, http, seed-style, two-apps, pull-curve, drain)
 *   npm run bench -- --pull-curve-max 1000000   the pull curve's 1M step (default 100k)
 *   npm run bench -- --peers ../shared/peers/results/x.json   ratios against the peer harness's run
 *   npm run bench -- --wait-idle 120         before each part, wait up to 120 s for other processes to go quiet
 *
 * Shared 2-core machines are noisy: the meta block records the load average before and after each
 * part; compare figures from one run.
 */
import { execSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { makeUser } from "@/tests/fixtures/api";
import { type Api, httpApi, inProcessApi, login } from "./api";
import { benchDrain, type DrainResult } from "./drain";
import { benchFloorPglite, benchFloorPostgres, type FloorResult } from "./floor";
import { benchDb } from "./lib";
import { type Busy, startMonitor, waitIdle } from "./monitor";
import { countAssessments, emptyRecordTables, explainPull, loadAssessments, readTemplate, type Sql, type Template } from "./pull-curve";
import {
  freshPull,
  incrementalRounds,
  type Latency,
  newDevice,
  pushBatch,
  pushThroughput,
  seedStyle,
  setupWorld,
  type Throughput,
  type World,
} from "./scenarios";
import { type AppServer, createAppDatabase, DEMO_ADMIN, freePort, holdBuildLock, type ProcessRss, serverProcess, startApp } from "./server";
import { DEFAULT_SEED, entityIds, generateDocs, workloadSizes } from "./workload";

type Kind = "postgres" | "pglite";
const PARTS = ["floor", "in-process", "http", "seed-style", "two-apps", "pull-curve", "drain"] as const;
type Part = (typeof PARTS)[number];

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    db: { type: "string" },
    "pull-curve-max": { type: "string" },
    n: { type: "string" },
    rounds: { type: "string" },
    seed: { type: "string", default: DEFAULT_SEED },
    peers: { type: "string" },
    out: { type: "string", default: "bench/results.json" },
    "wait-idle": { type: "string", default: "0" },
  },
});

const quick = args.quick ?? false;
const only = new Set((args.only ?? PARTS.filter((p) => !(quick && p === "drain")).join(",")).split(",").map((s) => s.trim()));
for (const p of only)
  if (!(PARTS as readonly string[]).includes(p)) throw new Error(`--only: unknown part ${p} (parts: ${PARTS.join(", ")})`);
const wants = (p: Part) => only.has(p);
const baseUrl = process.env.DATABASE_URL || undefined;
const kinds: Kind[] = args.db === "both" ? ["postgres", "pglite"] : args.db ? [args.db as Kind] : [baseUrl ? "postgres" : "pglite"];
for (const k of kinds) if (k !== "postgres" && k !== "pglite") throw new Error(`--db: postgres, pglite or both, not ${k}`);
const POSTGRES_URL = baseUrl ?? "postgresql://postgres@127.0.0.1:5432/postgres";

const params = {
  seed: args.seed ?? DEFAULT_SEED,
  /** Documents per push-throughput figure (the peer harness's N). */
  n: Number(args.n ?? (quick ? 400 : 10_000)),
  batch: 100,
  /** Incremental rounds of 10 (latency percentiles). */
  rounds: Number(args.rounds ?? 50),
  incrementalSize: 10,
  seedStyleItems: quick ? 100 : 1000,
  /** The device that pulls incrementally sees this many of the 50 entities. */
  readerEntities: 5,
  pullCurve: [] as number[],
  pullLimit: 500,
};
const curveMax = Number(args["pull-curve-max"] ?? (quick ? 10_000 : 100_000));
for (let size = quick ? 1_000 : 10_000; size <= curveMax; size *= 10) params.pullCurve.push(size);

// ---- the workload, handed out in disjoint slices -----------------------------------------------

const workloadEntities = entityIds(params.seed);
function docsFrom(start = 0) {
  let next = start;
  return (count: number) => {
    const from = next;
    next += count;
    return generateDocs({ seed: params.seed, from, to: next });
  };
}

// ---- meta ---------------------------------------------------------------------------------------

const load = () => os.loadavg().map((x) => Number(x.toFixed(2)));
const loadLog: { part: string; kind: Kind; before: number[]; after?: number[]; cpu?: Busy }[] = [];

/**
 * Postgres: writes out the dirty pages earlier parts left, so that flushing them (a checkpoint, the
 * background writer) does not fall inside the next part's timing. Needs superuser or pg_checkpoint;
 * without it the part runs as it is, and says so.
 */
async function checkpoint(kind: Kind): Promise<void> {
  if (kind !== "postgres") return;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  try {
    await client.connect();
    await client.query("CHECKPOINT");
  } catch (e) {
    console.log(`(no CHECKPOINT before the part: ${(e as Error).message})`);
  } finally {
    await client.end().catch(() => {});
  }
}

async function part<T>(kind: Kind, name: string, run: () => Promise<T>): Promise<T> {
  await checkpoint(kind);
  const idle = await waitIdle(Number(args["wait-idle"]));
  if (idle) console.log(`\n(waited for a quiet machine: others now use ${idle.othersPct} %)`);
  const entry: (typeof loadLog)[number] = { part: name, kind, before: load() };
  loadLog.push(entry);
  console.log(`\n[${kind}] ${name} (load average ${entry.before.join(" ")})`);
  const monitor = startMonitor();
  try {
    return await run();
  } finally {
    entry.after = load();
    entry.cpu = monitor.stop();
    const c = entry.cpu;
    console.log(
      `[${kind}] ${name}: ${c.seconds} s; CPU of the machine ${c.machinePct} % busy, the bench's processes ${c.oursPct} %, others ${c.othersPct} %` +
        (c.othersPct > 15 ? " — BUSY MACHINE: figures not comparable" : ""),
    );
  }
}

function git(cmd: string): string {
  try {
    return execSync(`git ${cmd}`, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

async function databaseInfo(kind: Kind) {
  if (kind === "pglite") {
    const db = await PGlite.create();
    const version = (await db.query<{ v: string }>("SHOW server_version")).rows[0].v;
    await db.close();
    return {
      kind,
      engine: `PGlite ${JSON.parse(readFileSync("node_modules/@electric-sql/pglite/package.json", "utf8")).version} (Postgres ${version})`,
    };
  }
  const c = new pg.Client({ connectionString: POSTGRES_URL });
  await c.connect();
  const settings: Record<string, string> = {};
  for (const s of ["server_version", "fsync", "synchronous_commit", "shared_buffers", "wal_level", "max_connections"])
    settings[s] = (await c.query(`SHOW ${s}`)).rows[0][s];
  await c.end();
  return { kind, engine: `Postgres ${settings.server_version}`, url: POSTGRES_URL.replace(/\/\/[^@]*@/, "//…@"), settings };
}

// ---- the scenarios every mode runs --------------------------------------------------------------

interface CoreFigures {
  push1: Throughput;
  freshPull: Awaited<ReturnType<typeof freshPull>>;
  push4: Throughput;
  incremental: { push: Latency; pull: Latency };
}

/** A world whose documents all land in `scope` (the incremental reader's entities). */
const scoped = (world: World, scope: string[]): World => ({
  ...world,
  entities: world.workloadEntities.map((_, k) => scope[k % scope.length]),
});

async function coreScenarios(world: World, take: (n: number) => ReturnType<ReturnType<typeof docsFrom>>): Promise<CoreFigures> {
  const one = await newDevice(world);
  const push1 = await pushThroughput(world, [one], take(params.n), params.batch);
  console.log(`  push, 1 device: ${fmtRate(push1.perSecond)} mutations/s (${push1.mutations} in ${fmtMs(push1.ms)})`);
  const fresh = await freshPull(world, one, params.n);
  console.log(`  pull of ${fresh.records} records into a fresh device: ${fmtMs(fresh.ms)} (${fresh.pages} pages)`);
  const four = await Promise.all([0, 1, 2, 3].map(() => newDevice(world)));
  const push4 = await pushThroughput(world, four, take(params.n), params.batch);
  console.log(`  push, 4 devices: ${fmtRate(push4.perSecond)} mutations/s (${push4.mutations} in ${fmtMs(push4.ms)})`);
  const scope = world.entities.slice(0, params.readerEntities);
  const reader = await newDevice(world, scope);
  const incremental = await incrementalRounds(
    scoped(world, scope),
    one,
    reader,
    take(params.rounds * params.incrementalSize),
    params.rounds,
  );
  console.log(`  incremental push of 10: p50 ${fmtMs(incremental.push.p50)}, p99 ${fmtMs(incremental.push.p99)} (${params.rounds} rounds)`);
  console.log(`  incremental pull of 10: p50 ${fmtMs(incremental.pull.p50)}, p99 ${fmtMs(incremental.pull.p99)}`);
  return { push1, freshPull: fresh, push4, incremental };
}

async function inProcess(kind: Kind): Promise<CoreFigures> {
  // PGlite on disk, as the app's embedded database (not in memory).
  const dir = kind === "pglite" ? mkdtempSync(path.join(os.tmpdir(), "fieldsync-bench-inproc-")) : undefined;
  const db = await benchDb(kind, dir);
  try {
    const admin = await makeUser(db.prisma, "ADMIN");
    const world = await setupWorld(inProcessApi(), admin.token, params.seed);
    return await coreScenarios(world, docsFrom(0));
  } finally {
    await db.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

// ---- over HTTP ----------------------------------------------------------------------------------

interface CurveStep {
  rows: number;
  loadSeconds: number;
  pull: Latency;
  push: Latency;
  plan: string;
}

interface HttpFigures extends Partial<CoreFigures> {
  seedStyle?: Throughput;
  twoApps?: { oneApp: Throughput; twoApps: Throughput; secondServerRss?: ProcessRss[] } | { skipped: string };
  pullCurve?: CurveStep[];
  serverRss?: { serverKiB: number; totalKiB: number; processes: ProcessRss[] };
}

async function overHttp(kind: Kind): Promise<HttpFigures> {
  const release = await holdBuildLock();
  const appDb = await createAppDatabase(kind, POSTGRES_URL);
  const port = await freePort();
  const servers: AppServer[] = [];
  const out: HttpFigures = {};
  try {
    console.log(`  npm start on port ${port} (${kind}; builds first if the sources changed)…`);
    let server = await startApp(appDb, port);
    servers.push(server);
    const api: Api = httpApi(server.url);
    const adminToken = await login(api, DEMO_ADMIN.email, DEMO_ADMIN.password);
    const world = await setupWorld(api, adminToken, params.seed);
    const take = docsFrom(0);
    if (wants("http")) Object.assign(out, await coreScenarios(world, take));
    else take(2 * params.n + params.rounds * params.incrementalSize); // the same slices as a full run

    if (wants("seed-style")) {
      const device = await newDevice(world);
      out.seedStyle = await seedStyle(world, device, take(params.seedStyleItems));
      console.log(`  seed-style protocol (GET + 1-mutation push per item): ${fmtRate(out.seedStyle.perSecond)} items/s`);
    }

    if (wants("two-apps")) {
      if (kind === "pglite") {
        out.twoApps = { skipped: "two app processes cannot share one PGlite directory (PGlite has no lock and serves one process)" };
        console.log(`  two app processes: skipped — ${out.twoApps.skipped}`);
      } else {
        const second = await startApp(appDb, await freePort());
        servers.push(second);
        const apis = [api, httpApi(second.url)];
        const devices = await Promise.all([0, 1, 2, 3].map(() => newDevice(world)));
        const oneApp = await pushThroughput(world, devices, take(params.n), params.batch, [api]);
        const twoApps = await pushThroughput(world, devices, take(params.n), params.batch, apis);
        out.twoApps = { oneApp, twoApps, secondServerRss: second.rss() };
        console.log(
          `  push, 4 devices on 1 app process: ${fmtRate(oneApp.perSecond)} mutations/s; on 2 (2 devices each): ${fmtRate(twoApps.perSecond)}`,
        );
        await second.stop();
      }
    }

    if (wants("pull-curve")) {
      const scope = world.entities.slice(0, params.readerEntities);
      const sw = scoped(world, scope);
      const writer = await newDevice(world);
      const reader = await newDevice(world, scope);
      let cursor: string | undefined;
      let template: Template | undefined;
      // One engine-written assessment for the loader to clone.
      await pushBatch(sw, writer, take(1));
      out.pullCurve = [];
      for (const size of params.pullCurve) {
        let loadSeconds = 0;
        let plan = "";
        let rows = 0;
        const withSql = async (fn: (sql: Sql) => Promise<void>) => {
          if (appDb.kind === "postgres") {
            const c = new pg.Client({ connectionString: appDb.url });
            await c.connect();
            try {
              await fn((q, p) => c.query(q, p));
            } finally {
              await c.end();
            }
            return;
          }
          // PGlite serves one process: stop the server, load in this one, start the server again.
          await server.stop();
          const db = await PGlite.create(appDb.dir as string);
          try {
            await fn((q, p) => db.query(q, p) as ReturnType<Sql>);
          } finally {
            await db.close();
          }
          server = await startApp(appDb, port);
          servers.push(server);
        };
        await withSql(async (sql) => {
          if (!template) {
            // The curve starts from an empty record table at its first size, whatever ran before.
            template = await readTemplate(sql);
            await emptyRecordTables(sql);
          }
          const have = await countAssessments(sql);
          if (size > have)
            loadSeconds = await loadAssessments(sql, template, {
              count: size - have,
              entityIds: world.entities,
              userId: writer.userId,
              deviceId: writer.deviceId,
            });
          rows = await countAssessments(sql);
          plan = await explainPull(sql, { scope, userId: reader.userId, limit: params.pullLimit });
        });
        const r = await incrementalRounds(
          sw,
          writer,
          reader,
          take(params.rounds * params.incrementalSize),
          params.rounds,
          params.incrementalSize,
          cursor,
        );
        cursor = r.cursor;
        out.pullCurve.push({ rows, loadSeconds, pull: r.pull, push: r.push, plan });
        console.log(
          `  pull curve, ${rows} assessments (loaded in ${loadSeconds.toFixed(1)} s): incremental pull of 10 p50 ${fmtMs(r.pull.p50)}, p99 ${fmtMs(r.pull.p99)}; push of 10 p50 ${fmtMs(r.push.p50)}`,
        );
        console.log(plan.replace(/^/gm, "    | "));
      }
    }

    const processes = server.rss();
    const main = serverProcess(processes);
    out.serverRss = {
      serverKiB: main?.rssKiB ?? Number.NaN,
      totalKiB: processes.reduce((s, p) => s + p.rssKiB, 0),
      processes,
    };
    console.log(
      `  server RSS at the end: ${(out.serverRss.serverKiB / 1024).toFixed(0)} MiB (next start; all ${processes.length} processes of npm start: ${(out.serverRss.totalKiB / 1024).toFixed(0)} MiB)`,
    );
    return out;
  } finally {
    for (const s of servers) await s.stop();
    await appDb.drop();
    await release();
  }
}

// ---- figures, ratios, output --------------------------------------------------------------------

const fmtMs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`);
const fmtRate = (x: number) => x.toFixed(0);

interface Run {
  kind: Kind;
  database: Awaited<ReturnType<typeof databaseInfo>>;
  floor?: FloorResult;
  inProcess?: CoreFigures;
  http?: HttpFigures;
  drain?: DrainResult[];
}

interface Figure {
  kind: Kind;
  name: string;
  value: number;
  unit: string;
}

function figuresOf(run: Run): Figure[] {
  const out: Figure[] = [];
  const add = (name: string, value: number | undefined, unit: string) =>
    out.push({ kind: run.kind, name, value: value ?? Number.NaN, unit });
  const core = (label: string, c: Partial<CoreFigures> | undefined) => {
    add(`${label} push, 1 device`, c?.push1?.perSecond, "mutations/s");
    add(`${label} push, 4 devices`, c?.push4?.perSecond, "mutations/s");
    add(`${label} pull of ${params.n} records into a fresh device`, c?.freshPull?.ms, "ms");
    add(`${label} incremental push of 10, p50`, c?.incremental?.push.p50, "ms");
    add(`${label} incremental push of 10, p99`, c?.incremental?.push.p99, "ms");
    add(`${label} incremental pull of 10, p50`, c?.incremental?.pull.p50, "ms");
    add(`${label} incremental pull of 10, p99`, c?.incremental?.pull.p99, "ms");
  };
  if (wants("floor"))
    for (const f of run.floor?.figures ?? [{ connections: 1 }])
      add(`floor: 100-row INSERTs, ${f.connections} conn.`, (f as { perSecond?: number }).perSecond, "rows/s");
  if (wants("in-process")) core("in-process:", run.inProcess);
  if (wants("http")) {
    core("HTTP:", run.http);
  }
  if (wants("seed-style")) add("HTTP: seed-style protocol, 1 device", run.http?.seedStyle?.perSecond, "items/s");
  const two = run.http?.twoApps;
  if (wants("two-apps") && !(two && "skipped" in two)) {
    add("HTTP: push, 4 devices, 1 app process", two?.oneApp.perSecond, "mutations/s");
    add("HTTP: push, 4 devices, 2 app processes", two?.twoApps.perSecond, "mutations/s");
  }
  if (wants("pull-curve"))
    for (const [i, size] of params.pullCurve.entries()) {
      const step = run.http?.pullCurve?.[i];
      add(`HTTP: incremental pull of 10 at ${size} rows, p50`, step?.pull.p50, "ms");
      add(`HTTP: incremental pull of 10 at ${size} rows, p99`, step?.pull.p99, "ms");
    }
  if (run.http) add("HTTP: server RSS at the end", run.http.serverRss ? run.http.serverRss.serverKiB / 1024 : undefined, "MiB");
  if (wants("drain"))
    for (const d of run.drain ?? [{ scenario: "A" }, { scenario: "B" }])
      add(`HTTP (test server): outbox drain ${d.scenario}`, (d as { ms?: number }).ms, "ms");
  return out;
}

interface Ratio {
  kind: Kind | "both";
  name: string;
  value: number;
  note: string;
}

interface PeerRow {
  peer: string;
  scenario: string;
  variant: string;
  medianPerSec: number;
  medianMs: number;
}

function ratiosOf(runs: Run[], peers: PeerRow[] | null): Ratio[] {
  const out: Ratio[] = [];
  const add = (kind: Ratio["kind"], name: string, a: number | undefined, b: number | undefined, note: string) => {
    if (a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b) && b !== 0)
      out.push({ kind, name, value: a / b, note });
  };
  const peer = (peerName: string, scenario: string, variant = "default") =>
    peers?.find((p) => p.peer === peerName && p.scenario === scenario && p.variant === variant);
  for (const run of runs) {
    const k = run.kind;
    const h = run.http;
    const floor = (c: number) => run.floor?.figures.find((f) => f.connections === c)?.perSecond;
    if (floor(4) !== undefined) add(k, "push 4 devices over HTTP ÷ floor 4 conn.", h?.push4?.perSecond, floor(4), "goal ≥ 15 %");
    else add(k, "push 4 devices over HTTP ÷ floor 1 conn.", h?.push4?.perSecond, floor(1), "PGlite: one connection");
    add(k, "push 1 device over HTTP ÷ floor 1 conn.", h?.push1?.perSecond, floor(1), "");
    add(k, "push 4 devices over HTTP ÷ seed-style protocol", h?.push4?.perSecond, h?.seedStyle?.perSecond, "");
    add(k, "push 4 devices: HTTP ÷ in-process", h?.push4?.perSecond, run.inProcess?.push4.perSecond, "what HTTP and `next start` cost");
    add(k, "push 1 device: HTTP ÷ in-process", h?.push1?.perSecond, run.inProcess?.push1.perSecond, "");
    const two = h?.twoApps;
    if (two && !("skipped" in two)) add(k, "push 4 devices: 2 app processes ÷ 1", two.twoApps.perSecond, two.oneApp.perSecond, "");
    const curve = h?.pullCurve ?? [];
    if (curve.length > 1)
      add(
        k,
        `incremental pull p50: ${curve[curve.length - 1].rows} rows ÷ ${curve[0].rows} rows`,
        curve[curve.length - 1].pull.p50,
        curve[0].pull.p50,
        "goal ≤ 1.5×",
      );
    if (peers) {
      add(
        k,
        "push 4 devices over HTTP ÷ PouchDB push 4 clients",
        h?.push4?.perSecond,
        peer("pouchdb", "push 4 clients concurrent (aggr.)")?.medianPerSec,
        "goal ≥ 2×",
      );
      add(k, "push 1 device over HTTP ÷ PouchDB push 1 client", h?.push1?.perSecond, peer("pouchdb", "push 1 client")?.medianPerSec, "");
      add(
        k,
        "fresh pull over HTTP ÷ PouchDB pull fresh client (records/s)",
        h?.freshPull?.perSecond,
        peer("pouchdb", "pull fresh client")?.medianPerSec,
        "ours 2000 a page, PouchDB's default batches of 100",
      );
      add(
        k,
        "PouchDB incremental push 10 ms ÷ ours (p50)",
        peer("pouchdb", "incremental push 10 (latency)")?.medianMs,
        h?.incremental?.push.p50,
        ">1: ours faster",
      );
      add(
        k,
        "PouchDB incremental pull 10 ms ÷ ours (p50)",
        peer("pouchdb", "incremental pull 10 (latency)")?.medianMs,
        h?.incremental?.pull.p50,
        ">1: ours faster",
      );
      add(
        k,
        "push 4 devices over HTTP ÷ peers' Postgres floor 4 conns",
        h?.push4?.perSecond,
        peer("postgres", "insert 4 conns concurrent (aggr.)", "batch 100/txn")?.medianPerSec,
        "",
      );
      add(
        k,
        "our floor 4 conn. ÷ peers' floor 4 conns",
        floor(4),
        peer("postgres", "insert 4 conns concurrent (aggr.)", "batch 100/txn")?.medianPerSec,
        "same SQL, other server",
      );
    }
  }
  const pgRun = runs.find((r) => r.kind === "postgres");
  const liteRun = runs.find((r) => r.kind === "pglite");
  if (pgRun && liteRun) {
    add("both", "push 4 devices over HTTP: Postgres ÷ PGlite", pgRun.http?.push4?.perSecond, liteRun.http?.push4?.perSecond, "");
    add("both", "push 4 devices in-process: Postgres ÷ PGlite", pgRun.inProcess?.push4.perSecond, liteRun.inProcess?.push4.perSecond, "");
    add("both", "fresh pull over HTTP: PGlite ms ÷ Postgres ms", liteRun.http?.freshPull?.ms, pgRun.http?.freshPull?.ms, "");
  }
  return out;
}

function readPeers(file: string | undefined): { file: string; meta: unknown; summary: PeerRow[] } | null {
  if (!file) return null;
  const json = JSON.parse(readFileSync(file, "utf8")) as { meta: unknown; summary: PeerRow[] };
  return { file, meta: json.meta, summary: json.summary };
}

function table(rows: string[][]): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join(" | ")} |`;
  return [
    line(rows[0]),
    `|${w.map((x, i) => (i === 0 ? "-".repeat(x + 2) : `${"-".repeat(x + 1)}:`)).join("|")}|`,
    ...rows.slice(1).map(line),
  ].join("\n");
}

// ---- main ---------------------------------------------------------------------------------------

const startedAt = new Date().toISOString();
const peers = readPeers(args.peers);
const sizes = workloadSizes(generateDocs({ seed: params.seed, to: 1000 }), workloadEntities);
const runs: Run[] = [];
let failed: unknown = null;
for (const kind of kinds) {
  const run: Run = { kind, database: await databaseInfo(kind) };
  runs.push(run);
  try {
    if (wants("floor")) {
      const docs = generateDocs({ seed: params.seed, to: params.n });
      run.floor = await part(kind, "floor", () =>
        kind === "postgres" ? benchFloorPostgres(POSTGRES_URL, docs, params.batch) : benchFloorPglite(docs, params.batch),
      );
      for (const f of run.floor.figures)
        console.log(`  floor, ${f.connections} conn.: ${fmtRate(f.perSecond)} rows/s (${f.rows} in ${fmtMs(f.ms)})`);
      if (run.floor.skipped) console.log(`  floor: skipped ${run.floor.skipped}`);
    }
    if (wants("in-process")) run.inProcess = await part(kind, "in-process (route handlers, no HTTP)", () => inProcess(kind));
    if (["http", "seed-style", "two-apps", "pull-curve"].some((p) => wants(p as Part))) {
      run.http = await part(kind, "over HTTP (npm start)", () => overHttp(kind));
    }
    if (wants("drain")) run.drain = await part(kind, "outbox drain (bench/drain.ts)", () => benchDrain(kind));
  } catch (error) {
    failed = error;
    console.error(error);
    break;
  }
}

const figures = runs.flatMap(figuresOf);
const ratios = ratiosOf(runs, peers?.summary ?? null);
const missing = figures.filter((f) => !Number.isFinite(f.value));

console.log(
  `\n=== figures (seed ${params.seed}; N = ${params.n}; ${params.rounds} incremental rounds; workload ${sizes.documentBytes} B/document, ${sizes.mutationBytes} B/mutation)`,
);
console.log(
  table([
    ["figure", ...kinds, "unit"],
    ...[...new Set(figures.map((f) => f.name))].map((name) => [
      name,
      ...kinds.map((k) => {
        const f = figures.find((x) => x.kind === k && x.name === name);
        return f && Number.isFinite(f.value) ? (f.unit === "ms" ? f.value.toFixed(1) : f.value.toFixed(0)) : "–";
      }),
      figures.find((f) => f.name === name)?.unit ?? "",
    ]),
  ]),
);
if (peers) {
  console.log(`\n=== peer harness (${peers.file}, medians)`);
  console.log(
    table([
      ["peer · scenario · variant", "median ms", "median docs/s"],
      ...peers.summary.map((p) => [`${p.peer} · ${p.scenario} · ${p.variant}`, p.medianMs.toFixed(1), p.medianPerSec.toFixed(0)]),
    ]),
  );
}
console.log("\n=== ratios");
console.log(
  table([
    ["ratio", "db", "value", "note"],
    ...ratios.map((r) => [
      r.name,
      r.kind,
      r.value >= 10 ? r.value.toFixed(1) : r.value < 1 ? `${r.value.toFixed(3)} (${(r.value * 100).toFixed(1)} %)` : r.value.toFixed(2),
      r.note,
    ]),
  ]),
);

const results = {
  meta: {
    startedAt,
    finishedAt: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(),
    host: os.hostname(),
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    kernel: os.release(),
    node: process.version,
    gitCommit: git("rev-parse HEAD"),
    gitDirty: git("status --porcelain --untracked-files=no") !== "",
    loadAverage: { start: loadLog[0]?.before, parts: loadLog, end: load() },
    databases: runs.map((r) => r.database),
    workload: {
      seed: params.seed,
      entities: workloadEntities.length,
      ...sizes,
      generator: "bench/workload.ts (port of ../shared/peers/lib/workload.mjs)",
    },
    seedStyle:
      "one request per item: GET /api/sync/pull?cursor=…&limit=1 (what changed since the device last looked: our API has no per-record GET), then POST /api/sync/push with the one mutation",
    peers: peers ? { file: peers.file, meta: peers.meta } : null,
  },
  params: { ...params, quick, only: [...only], kinds },
  figures,
  ratios,
  runs,
  peers: peers?.summary ?? null,
  missing: missing.map((f) => `${f.kind}: ${f.name}`),
  error: failed ? String((failed as Error).stack ?? failed) : null,
};
writeFileSync(args.out as string, `${JSON.stringify(results, (_k, v) => (typeof v === "bigint" ? String(v) : v), 2)}\n`);
// In Biome's format, so a committed results file passes `biome ci .`.
try {
  execSync(`npx biome format --write ${JSON.stringify(args.out)}`, { stdio: "ignore" });
} catch {}
console.log(`\nwrote ${args.out}`);
if (missing.length) console.error(`missing figures: ${results.missing.join("; ")}`);
process.exit(failed || missing.length ? 1 : 0);
