/**
 * Crash recovery (issue 11 §3): a real server process (tests/crash/server.ts: the app's sync and
 * media route handlers over HTTP, on Postgres or an on-disk PGlite directory) is killed with
 * SIGKILL while real devices push to it — mid-batch, mid-upload, or at a random moment — then
 * restarted on the same database and media directory, and the devices' own retries carry on.
 *
 *   npm run test:crash -- --kills 10 --seed 7 [--db postgres|pglite|both] [--devices 3] [--aim push|upload|finish|answer|random]
 *
 * Devices are the real client: Dexie on fake-indexeddb, the SyncClient (push batches of up to 100,
 * pull) and the MediaQueue (tus-js-client, 512 KiB PATCHes) over fetch. Each kill cycle queues
 * work offline (one device a 100-mutation batch, the others smaller ones plus edits of records
 * they sent before, a ~1.5 MB photo), starts syncing, kills the server at a seeded point, restarts
 * it, and waits until every device has drained. A coordinator device pulls throughout.
 *
 * Afterwards, with the server killed once more and the database opened directly:
 * - every mutation the devices queued is in the ledger exactly once, and nothing else is;
 *   none was rejected, parked or turned into a conflict;
 * - one record per offlineId, at the version its edits imply, with the device's content;
 *   history rows = versions (1…v, each naming a ledger mutation), no record without its history;
 * - every photo was completed once, its bytes (downloaded) have the captured SHA-256;
 * - the device that pulled throughout and one pulling from scratch hold exactly the server's
 *   records and media (the cursor skipped nothing), as do the assessors' devices.
 * A violation throws an Error whose message names the seed.
 */
import "fake-indexeddb/auto";
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { gunzipSync } from "node:zlib";
import pg from "pg";
import { type FieldSyncDb, openFieldSyncDb } from "@/lib/client/db/field-sync-db";
import { UPLOAD_STATES } from "@/lib/client/db/types";
import { captureMedia } from "@/lib/client/media/capture-media";
import { MediaQueue } from "@/lib/client/media/media-queue";
import type { MediaRow } from "@/lib/client/media/media-row";
import { createRecord, updateRecord } from "@/lib/client/outbox/local-writes";
import { SyncClient } from "@/lib/client/sync/sync-client";
import type { FetchLike } from "@/lib/client/sync/transport";
import { assignUser, createEntity } from "@/lib/server/admin";
import { type DbTarget, openAdapter } from "@/lib/server/db/adapter";
import { closeDb, createPrisma, type Db, setDb } from "@/lib/server/db/client";
import { applyMigrations } from "@/lib/server/db/migrator";
import { makeUser } from "@/tests/fixtures/api";
import { FakeClock } from "@/tests/fixtures/app-fetch";

export type DbKind = "postgres" | "pglite";

export interface CrashOptions {
  kind: DbKind;
  kills: number;
  seed: number;
  /** Assessor devices (the first sends 100-mutation batches). */
  devices?: number;
  /** Size of each photo. */
  photoBytes?: number;
  /** Aim every kill at this (default: one of each, then seeded choices). */
  aim?: KillRecord["aim"];
  /** Postgres server to create the throwaway database on (local only). */
  postgresUrl?: string;
  log?: (line: string) => void;
}

export interface KillRecord {
  /** What the kill was aimed at: a push, an upload's PATCH, the last PATCH of a file (its completion), or any moment. */
  aim: "push" | "upload" | "finish" | "answer" | "random";
  delayMs: number;
  /** Requests the server had not answered when it died. */
  inFlight: string[];
}

export interface CrashReport {
  kind: DbKind;
  seed: number;
  kills: KillRecord[];
  /** Kills with a push / an upload PATCH unanswered at that moment. */
  killsMidPush: number;
  killsMidUpload: number;
  mutations: number;
  /** Pushes answered 200 (batches), and those the server never answered (cut by a kill). */
  pushes: number;
  pushesCut: number;
  /** Of the pushes a kill cut off (checked before any retry): committed whole, rolled back whole. */
  cutCommitted: number;
  cutRolledBack: number;
  photos: number;
  photoBytes: number;
  /** tus uploads created (POST) — more than `photos` when an upload was restarted — and resumptions (HEAD). */
  uploadsCreated: number;
  uploadResumes: number;
  /**
   * Upload working copies left in MEDIA_DIR/uploads once everything was recorded: uploads whose
   * completion a kill cut off (every byte arrived, no record) and that the device then sent again.
   */
  leftoverUploads: number;
  /** Server restarts' time to `ready` (ms, includes opening and migrating the database). */
  restartMs: number[];
  ms: number;
}

const ROOT = path.resolve(import.meta.dirname, "../..");
const SERVER = path.join(ROOT, "tests/crash/server.ts");
// Node itself with tsx's loader, in one process: the tsx CLI runs the script in a child process,
// and a SIGKILL of the CLI would leave that child (the actual server) running.
const TSX_LOADER = pathToFileURL(path.join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
const CHUNK = 512 * 1024;
/** How long the server holds each push's answer after committing (a slow link; see server.ts). */
const HOLD_PUSH_MS = 200;

// ---- seeded randomness -------------------------------------------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- the server process ------------------------------------------------------------------------

/** Every server child this process started, so nothing outlives a failed run (see killAllServers). */
const children = new Set<ChildProcess>();

export function killAllServers(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  children.clear();
}
process.once("exit", killAllServers);

export class ServerProcess {
  private child: ChildProcess | null = null;
  private readonly inFlight = new Map<string, number>();
  private readonly waiters = new Set<{ match: (line: string) => boolean; resolve: () => void }>();
  /** Every request line seen over all incarnations (`> …` / `< …`), for the report. */
  readonly seen: string[] = [];
  url = "";

  constructor(
    private readonly env: Record<string, string>,
    private readonly port: number,
  ) {}

  /** Starts the server and resolves when it answers (`ready`); rejects if it refuses or dies. */
  async start(): Promise<number> {
    const started = performance.now();
    this.inFlight.clear();
    const child = spawn(process.execPath, ["--import", TSX_LOADER, "--conditions=react-server", SERVER], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, CRASH_PORT: String(this.port), LOG_LEVEL: "silent", NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(child);
    this.child = child;
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    let buffered = "";
    const ready = new Promise<void>((resolve, reject) => {
      child.on("exit", (code, signal) => {
        children.delete(child);
        reject(new Error(`crash server exited (${signal ?? code}) before it was ready: ${stderr.trim().slice(-1500)}`));
      });
      child.stdout?.on("data", (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) {
          if (line.startsWith("ready ")) {
            this.url = line.slice("ready ".length);
            resolve();
          } else if (line.startsWith("refused ")) reject(new Error(`crash server refused to start: ${line.slice(8)}`));
          else this.onLine(line);
        }
      });
    });
    await ready;
    return performance.now() - started;
  }

  /** PATCHes seen per upload URL (over all incarnations). */
  private readonly patches = new Map<string, number>();

  /** How many PATCHes the upload named in a `> PATCH …` line has had, this one included. */
  patchesOf(line: string): number {
    return this.patches.get(line.slice(2)) ?? 0;
  }

  private onLine(line: string): void {
    if (line.startsWith("> PATCH ")) this.patches.set(line.slice(2), (this.patches.get(line.slice(2)) ?? 0) + 1);
    if (line.startsWith("> ") || line.startsWith("< ")) {
      this.seen.push(line);
      const what = line.startsWith("> ") ? line.slice(2) : line.slice(2).replace(/ \d+$/, "");
      const key = what.replace(/\/api\/media\/uploads\/.+$/, "/api/media/uploads/:id");
      this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + (line.startsWith("> ") ? 1 : -1));
    }
    for (const waiter of this.waiters) {
      if (waiter.match(line)) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  /** Resolves at the next output line that matches, or after `timeoutMs` (returns whether it matched). */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter = { match, resolve: () => resolve(true) };
      this.waiters.add(waiter);
      setTimeout(() => {
        if (this.waiters.delete(waiter)) resolve(false);
      }, timeoutMs);
    });
  }

  /** Requests not answered yet, e.g. `POST /api/sync/push`. */
  unanswered(): string[] {
    return [...this.inFlight.entries()].flatMap(([what, n]) => Array.from({ length: Math.max(0, n) }, () => what));
  }

  /** SIGKILL: no handler runs, no transaction commits, no file is closed. */
  async kill(): Promise<string[]> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return [];
    const inFlight = this.unanswered();
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    children.delete(child);
    this.child = null;
    return inFlight;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

// ---- the database ------------------------------------------------------------------------------

interface CrashDatabase {
  target: DbTarget;
  /** Environment that points the server at it. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

async function createDatabase(kind: DbKind, postgresUrl?: string): Promise<CrashDatabase> {
  if (kind === "pglite") {
    const dir = mkdtempSync(path.join(os.tmpdir(), "fieldsync-crash-pglite-"));
    const dataDir = path.join(dir, "pglite");
    return {
      target: { kind: "pglite", dataDir },
      env: { PGLITE_DIR: dataDir, DATABASE_URL: "" },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const base = postgresUrl ?? process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  const host = new URL(base).hostname;
  if (!["localhost", "127.0.0.1", "::1", "[::1]"].includes(host))
    throw new Error(`Refusing to crash-test against non-local database ${host}`);
  const name = `fieldsync_crash_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    target: { kind: "postgres", url: url.toString() },
    env: { DATABASE_URL: url.toString() },
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Runs `fn` on the database opened in this process, without migrating (only while no server runs). */
async function withDatabase<T>(target: DbTarget, fn: (db: Db) => Promise<T>): Promise<T> {
  const opened = await openAdapter(target, { poolSize: 2 });
  const db = createPrisma(opened);
  try {
    return await fn(db);
  } finally {
    await db.$disconnect();
    await opened.close();
  }
}

/** Opens the database in this process (only while no server runs: PGlite has one writer). */
async function openDirect(target: DbTarget): Promise<Db> {
  const opened = await openAdapter(target, { poolSize: 4 });
  await applyMigrations(opened.factory);
  const prisma = createPrisma(opened);
  setDb(prisma, opened);
  return prisma;
}

// ---- devices -----------------------------------------------------------------------------------

interface Device {
  name: string;
  db: FieldSyncDb;
  client: SyncClient;
  media: MediaQueue | null;
  /** The media queue's clock: moved an hour per round, so its backoff never holds a retry back. */
  mediaClock: { t: number };
  close(): Promise<void>;
}

/** A push the device sent: its mutations, and whether its answer arrived whole. */
interface SentPush {
  device: string;
  mutationIds: string[];
  answered: boolean;
  /** The connection was refused: the server was down, the push never reached one. */
  refused: boolean;
  settled: Promise<unknown>;
}

async function pushBodyText(body: unknown, gzipped: boolean): Promise<string> {
  const bytes =
    typeof body === "string"
      ? Buffer.from(body)
      : body instanceof Blob
        ? Buffer.from(await body.arrayBuffer())
        : Buffer.from((body as Uint8Array).buffer, (body as Uint8Array).byteOffset, (body as Uint8Array).byteLength);
  return (gzipped ? gunzipSync(bytes) : bytes).toString("utf8");
}

/** The device's fetch, noting each push it sends (the same request goes out unchanged). */
function recordingFetch(device: string, pushes: SentPush[]): FetchLike {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    if (!url.endsWith("/api/sync/push") || init?.method !== "POST") return fetch(input, init);
    const gzipped = new Headers(init.headers).get("content-encoding") === "gzip";
    const { mutations } = JSON.parse(await pushBodyText(init.body, gzipped)) as { mutations: { mutationId: string }[] };
    const sent: SentPush = {
      device,
      mutationIds: mutations.map((m) => m.mutationId),
      answered: false,
      refused: false,
      settled: Promise.resolve(),
    };
    pushes.push(sent);
    const answer = (async () => {
      const res = await fetch(input, init);
      const text = await res.text(); // answered only once the whole body arrived
      sent.answered = true;
      return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
    })();
    sent.settled = answer.catch((error: Error & { cause?: { code?: string } }) => {
      sent.refused = error.cause?.code === "ECONNREFUSED";
    });
    return answer;
  }) as FetchLike;
}

async function openDevice(name: string, server: ServerProcess, token: string, withMedia: boolean, pushes: SentPush[]): Promise<Device> {
  const db = await openFieldSyncDb(`crash-${name}-${randomUUID()}`);
  const clock = new FakeClock(Date.now()); // backoff timers never fire: the driver retries by hand
  const client = new SyncClient({
    db,
    baseUrl: server.url,
    fetch: recordingFetch(name, pushes),
    getToken: () => token,
    appVersion: "1.0.0-crash",
    batchSize: 100,
    periodicSyncMs: 0,
    timers: clock,
    now: clock.now,
    locks: null,
  });
  const mediaClock = { t: Date.now() };
  const media = withMedia
    ? new MediaQueue(db, {
        endpoint: `${server.url}/api/media/uploads`,
        headers: () => ({ Authorization: `Bearer ${token}` }),
        pollIntervalMs: 0,
        retryDelays: [],
        locks: null,
        now: () => mediaClock.t,
      })
    : null;
  return {
    name,
    db,
    client,
    media,
    mediaClock,
    close: async () => {
      client.stop();
      await media?.stop();
      db.close();
      await db.delete();
    },
  };
}

async function pendingWork(device: Device): Promise<number> {
  const outbox = await device.db.outbox.count();
  const photos = await device.db.media.filter((m) => (m as MediaRow).uploadState !== UPLOAD_STATES.UPLOADED).count();
  return outbox + photos;
}

/** Syncs the device until it has nothing left to send and a pass ended idle, retrying through outages. */
async function pump(device: Device, stop: { now: boolean }, fail: (message: string) => never): Promise<void> {
  for (let round = 0; !stop.now; round++) {
    const state = await device.client.syncOnce("manual");
    if (device.media) {
      device.mediaClock.t += 3_600_000;
      await device.media.drain();
    }
    const parked = await device.db.parked.count();
    const conflicts = await device.db.conflicts.count();
    const failed = (await device.db.media.filter((m) => (m as MediaRow).uploadState === UPLOAD_STATES.FAILED).toArray()) as MediaRow[];
    if (parked > 0)
      fail(`${device.name}: ${parked} mutations parked (refused): ${JSON.stringify(await device.db.parked.toArray()).slice(0, 800)}`);
    if (conflicts > 0) fail(`${device.name}: ${conflicts} conflicts, none expected (each device edits only its own records)`);
    if (failed.length > 0) fail(`${device.name}: uploads failed for good: ${JSON.stringify(failed.map((m) => m.uploadError))}`);
    if (state.status === "idle" && (await pendingWork(device)) === 0) return;
    if (round > 2000) fail(`${device.name}: still not drained after ${round} rounds (last state ${JSON.stringify(state)})`);
    await sleep(state.status === "idle" ? 20 : 150);
  }
}

// ---- the run -----------------------------------------------------------------------------------

const WASH = (n: number) => ({
  waterSource: "BOREHOLE",
  functionalBoreholes: n % 4,
  latrines: n % 1000,
  openDefecationObserved: n % 3 === 0,
});

function fakePhoto(bytes: number): Uint8Array {
  const out = new Uint8Array(randomBytes(bytes));
  out.set([0xff, 0xd8, 0xff, 0xe0]);
  return out;
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

export async function runCrashRecovery(options: CrashOptions): Promise<CrashReport> {
  const { kind, kills, seed } = options;
  const log = options.log ?? (() => {});
  const random = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const deviceCount = Math.max(2, options.devices ?? 3);
  const photoBytes = options.photoBytes ?? 3 * CHUNK - 12_345;
  const fail = (message: string): never => {
    throw new Error(`crash recovery (${kind}, seed ${seed}): ${message}`);
  };
  const started = performance.now();
  const database = await createDatabase(kind, options.postgresUrl);
  const mediaDir = mkdtempSync(path.join(os.tmpdir(), "fieldsync-crash-media-"));
  const devices: Device[] = [];
  let server: ServerProcess | null = null;
  try {
    // Setup, before any server runs: users, entities (every assessor on every entity, so each
    // device also pulls the others' records), sessions.
    let prisma = await openDirect(database.target);
    const assessors = [];
    for (let i = 0; i < deviceCount; i++) assessors.push(await makeUser(prisma, "ASSESSOR", `crash assessor ${i}`));
    const coordinator = await makeUser(prisma, "COORDINATOR", "crash coordinator");
    const entityIds: string[] = [];
    for (let e = 0; e < 3; e++) {
      const entity = await createEntity({
        name: `Crash site ${e}`,
        type: "CAMP",
        lga: "Jere",
        ward: "Mashamari",
        latitude: 11.85,
        longitude: 13.16,
        autoApprove: false,
        createdById: null,
      });
      entityIds.push(entity.id);
      for (const a of assessors) await assignUser({ userId: a.user.id, entityId: entity.id });
    }
    await closeDb();

    const pushes: SentPush[] = [];
    const cutPushes = { committed: 0, rolledBack: 0 };
    server = new ServerProcess({ ...database.env, MEDIA_DIR: mediaDir, CRASH_HOLD_PUSH_MS: String(HOLD_PUSH_MS) }, await freePort());
    const restartMs = [await server.start()];
    log(`${kind}: server ready at ${server.url} (${restartMs[0].toFixed(0)} ms)`);

    for (let i = 0; i < deviceCount; i++)
      devices.push(await openDevice(`assessor${i}`, server, assessors[i].token, i === 1 || i === 2, pushes));
    const watcher = await openDevice("watcher", server, coordinator.token, false, pushes);
    devices.push(watcher);

    /** What the devices queued: every mutationId, and per record the version its edits imply. */
    const expectedMutations = new Set<string>();
    const expectedVersion = new Map<string, { version: number; owner: Device }>();
    const photos = new Map<string, { sha256: string; size: number }>();
    const killRecords: KillRecord[] = [];
    let n = 0;

    for (let cycle = 1; cycle <= kills; cycle++) {
      // Offline: queue work on every assessor device.
      for (let d = 0; d < deviceCount; d++) {
        const device = devices[d];
        const creates = d === 0 ? 100 : int(5, 40);
        const own = [...expectedVersion.entries()].filter(([, v]) => v.owner === device).map(([id]) => id);
        const edits = Math.min(own.length, d === 0 ? int(0, 20) : int(0, 10));
        const made: string[] = [];
        for (let i = 0; i < creates; i++) {
          const row = await createRecord(device.db, "assessment", {
            entityId: entityIds[int(0, entityIds.length - 1)],
            assessmentType: "WASH",
            status: "SUBMITTED",
            data: WASH(++n),
          });
          made.push(row.offlineId);
        }
        for (let i = 0; i < edits; i++) {
          const target = own[int(0, own.length - 1)];
          // Always a real change: the server writes no version for an edit that changes nothing.
          const current = (await device.db.assessments.get(target))?.data as { latrines?: number } | undefined;
          await updateRecord(device.db, "assessment", target, { data: { latrines: ((current?.latrines ?? 0) + 1 + int(0, 50)) % 1000 } });
        }
        if (device.media) {
          const parent = made[int(0, made.length - 1)];
          const bytes = fakePhoto(photoBytes + int(0, 4096));
          const row = await captureMedia(device.db, {
            parentType: "assessment",
            parentOfflineId: parent,
            file: new Blob([bytes as BlobPart], { type: "image/jpeg" }),
            filename: `crash-${cycle}-${d}.jpg`,
            position: { latitude: 11.85, longitude: 13.16 },
          });
          photos.set(row.offlineId, { sha256: sha256(bytes), size: bytes.length });
        }
        // The outbox now holds exactly this cycle's mutations (the previous cycle drained it).
        for (const entry of await device.db.outbox.toArray()) {
          expectedMutations.add(entry.mutationId);
          const prior = expectedVersion.get(entry.offlineId);
          expectedVersion.set(entry.offlineId, { version: (prior?.version ?? 0) + 1, owner: device });
        }
      }

      // Online: every device syncs; the server is killed at a seeded point and restarted.
      const stop = { now: false };
      const assessorsDone = { now: false };
      const sending = Promise.all(devices.slice(0, deviceCount).map((device) => pump(device, stop, fail))).finally(() => {
        assessorsDone.now = true;
      });
      // The coordinator's device pulls over and over while the others push, through the kill.
      const watching = (async () => {
        while (!assessorsDone.now && !stop.now) {
          await watcher.client.syncOnce("manual");
          await sleep(100);
        }
      })();
      const pumping = [sending, watching];
      const aims = ["push", "upload", "finish", "answer", "random"] as const;
      // The first kills take one aim each, so even a short run covers every kind of moment.
      const aim = options.aim ?? (cycle <= aims.length ? aims[cycle - 1] : aims[int(0, aims.length - 1)]);
      let delayMs = 0;
      if (aim === "push") {
        await server.waitForLine((line) => line === "> POST /api/sync/push", 20_000);
        delayMs = int(0, 400);
      } else if (aim === "upload") {
        await server.waitForLine((line) => line.startsWith("> PATCH /api/media/uploads/"), 20_000);
        delayMs = int(0, 250);
      } else if (aim === "finish") {
        // A photo is three PATCHes: the third carries the last bytes, and the server then checks
        // the SHA-256, stores the file and records it — the kill lands in or around that.
        const target = server;
        await target.waitForLine((line) => line.startsWith("> PATCH /api/media/uploads/") && target.patchesOf(line) === 3, 30_000);
        delayMs = int(0, 200);
      } else if (aim === "answer") {
        // A push committed and its answer is on its way (held HOLD_PUSH_MS by the server): the
        // device never hears of it and must learn it from the ledger when it resends.
        await server.waitForLine((line) => line === "= POST /api/sync/push 200", 20_000);
        delayMs = int(0, HOLD_PUSH_MS - 50);
      } else delayMs = int(0, 2500);
      await sleep(delayMs);
      const inFlight = await server.kill();
      killRecords.push({ aim, delayMs, inFlight });
      log(`kill ${cycle}/${kills} (${aim} +${delayMs} ms): unanswered ${inFlight.join(", ") || "none"}`);
      // Each push the kill cut off (sent to this server, no whole answer) committed whole or not at
      // all: its mutations are all in the ledger or none is — read before any retry reaches a server.
      const sentBefore = pushes.splice(0);
      await Promise.all(sentBefore.map((p) => p.settled));
      const cutOff = sentBefore.filter((p) => !p.answered && !p.refused && p.mutationIds.length > 0);
      const inLedger = await withDatabase(database.target, (db) =>
        Promise.all(cutOff.map((p) => db.processedMutation.count({ where: { mutationId: { in: p.mutationIds } } }))),
      );
      cutOff.forEach((p, i) => {
        if (inLedger[i] !== 0 && inLedger[i] !== p.mutationIds.length)
          fail(
            `kill ${cycle} cut a push of ${p.mutationIds.length} mutations from ${p.device}, and ${inLedger[i]} of them are in the ledger`,
          );
        if (inLedger[i] === 0) cutPushes.rolledBack++;
        else cutPushes.committed++;
      });
      // The devices see a refused connection meanwhile, as when a server is down; then it is back.
      await sleep(int(0, 500));
      const ms = await server.start();
      restartMs.push(ms);
      log(`  restarted in ${ms.toFixed(0)} ms`);
      try {
        await Promise.all(pumping);
      } finally {
        stop.now = true;
        await Promise.allSettled(pumping);
      }
    }

    // Everyone converges; then a device that never synced pulls everything from scratch.
    for (const device of devices) await pump(device, { now: false }, fail);
    for (const device of devices) await pump(device, { now: false }, fail);
    const fresh = await openDevice("fresh", server, coordinator.token, false, pushes);
    devices.push(fresh);
    await pump(fresh, { now: false }, fail);

    // Every photo as the server serves it: the captured bytes.
    const served = new Map<string, string>();
    for (const m of await watcher.db.media.toArray()) {
      const res = await fetch(`${server.url}/api/media/${m.id}`, { headers: { Authorization: `Bearer ${coordinator.token}` } });
      if (res.status !== 200) fail(`GET /api/media/${m.id} answered ${res.status}`);
      served.set(m.offlineId, sha256(new Uint8Array(await res.arrayBuffer())));
    }

    // One more kill, then the database opened directly (for PGlite: recovery once more).
    await server.kill();
    const pushesOk = server.seen.filter((l) => l === "< POST /api/sync/push 200").length;
    const pushesStarted = server.seen.filter((l) => l === "> POST /api/sync/push").length;
    const pushesAnswered = server.seen.filter((l) => l.startsWith("< POST /api/sync/push ")).length;
    const uploadsCreated = server.seen.filter((l) => l === "< POST /api/media/uploads 201").length;
    const uploadResumes = server.seen.filter((l) => /^< HEAD \/api\/media\/uploads\/\S+ 200$/.test(l)).length;
    server = null;
    const leftoverUploads = existsSync(path.join(mediaDir, "uploads"))
      ? readdirSync(path.join(mediaDir, "uploads")).filter((name) => !name.endsWith(".json")).length
      : 0;
    prisma = await openDirect(database.target);
    try {
      await verify(prisma, {
        fail,
        users: assessors.map((a) => a.user.id),
        expectedMutations,
        expectedVersion,
        photos,
        served,
        devices,
      });
    } finally {
      await closeDb();
    }

    return {
      kind,
      seed,
      kills: killRecords,
      killsMidPush: killRecords.filter((k) => k.inFlight.includes("POST /api/sync/push")).length,
      killsMidUpload: killRecords.filter((k) => k.inFlight.includes("PATCH /api/media/uploads/:id")).length,
      mutations: expectedMutations.size,
      pushes: pushesOk,
      pushesCut: pushesStarted - pushesAnswered,
      cutCommitted: cutPushes.committed,
      cutRolledBack: cutPushes.rolledBack,
      photos: photos.size,
      photoBytes: [...photos.values()].reduce((sum, p) => sum + p.size, 0),
      uploadsCreated,
      uploadResumes,
      leftoverUploads,
      restartMs,
      ms: performance.now() - started,
    };
  } finally {
    await server?.kill();
    for (const device of devices) await device.close().catch(() => undefined);
    await closeDb().catch(() => undefined);
    await database.drop();
    rmSync(mediaDir, { recursive: true, force: true });
  }
}

interface Expected {
  fail: (message: string) => never;
  users: string[];
  expectedMutations: Set<string>;
  expectedVersion: Map<string, { version: number; owner: Device }>;
  photos: Map<string, { sha256: string; size: number }>;
  served: Map<string, string>;
  devices: Device[];
}

async function verify(prisma: Db, x: Expected): Promise<void> {
  const { fail } = x;
  // The ledger: each queued mutation exactly once (mutationId is its primary key), nothing else.
  const ledger = await prisma.processedMutation.findMany({ where: { userId: { in: x.users } } });
  const inLedger = new Set(ledger.map((row) => row.mutationId));
  const missing = [...x.expectedMutations].filter((id) => !inLedger.has(id));
  const extra = ledger.filter((row) => !x.expectedMutations.has(row.mutationId));
  if (missing.length > 0) fail(`${missing.length} queued mutations are not in the ledger (lost): ${missing.slice(0, 3).join(", ")}`);
  if (extra.length > 0) fail(`${extra.length} ledger rows for mutations nobody queued`);
  const statuses = new Set(ledger.map((row) => row.status));
  if ([...statuses].some((s) => s !== "applied")) fail(`ledger statuses ${[...statuses].join(", ")}; every mutation should be applied`);
  const rejected = await prisma.rejectedMutation.count();
  if (rejected > 0) fail(`${rejected} mutations were rejected`);

  // Records: one per offlineId, at the version its edits imply, with the owner's content.
  const records = await prisma.assessment.findMany({ where: { assessorId: { in: x.users } } });
  if (records.length !== x.expectedVersion.size) fail(`${records.length} assessments on the server, ${x.expectedVersion.size} created`);
  const history = await prisma.recordVersion.findMany({
    where: { recordType: "assessment", recordId: { in: records.map((r) => r.id) } },
    select: { recordId: true, version: true, mutationId: true },
  });
  const versionsOf = new Map<string, number[]>();
  for (const h of history) {
    versionsOf.set(h.recordId, [...(versionsOf.get(h.recordId) ?? []), h.version]);
    if (!h.mutationId || !inLedger.has(h.mutationId)) fail(`history row ${h.recordId} v${h.version} names no ledger mutation`);
  }
  for (const record of records) {
    const expected = x.expectedVersion.get(record.offlineId);
    if (!expected) fail(`assessment ${record.offlineId} was never created by a device`);
    else if (record.version !== expected.version)
      fail(`assessment ${record.offlineId} at v${record.version}, its edits imply v${expected.version}`);
    if (record.deletedAt) fail(`assessment ${record.offlineId} is deleted`);
    const versions = (versionsOf.get(record.id) ?? []).sort((a, b) => a - b);
    if (
      !isDeepStrictEqual(
        versions,
        Array.from({ length: record.version }, (_, i) => i + 1),
      )
    )
      fail(`assessment ${record.offlineId} v${record.version} has history [${versions.join(",")}]`);
    const local = await expected?.owner.db.assessments.get(record.offlineId);
    if (!local || local.serverVersion !== record.version || !isDeepStrictEqual(local.data, record.data))
      fail(`assessment ${record.offlineId}: the server's content differs from its device's`);
  }
  if (history.length !== records.reduce((sum, r) => sum + r.version, 0)) fail("history rows ≠ versions");

  // Media: each photo completed once, with the captured bytes.
  const media = await prisma.media.findMany({ where: { uploadedById: { in: x.users } } });
  if (media.length !== x.photos.size) {
    const recorded = new Set(media.map((m) => m.offlineId));
    const lost = [];
    for (const offlineId of x.photos.keys()) {
      if (recorded.has(offlineId)) continue;
      for (const device of x.devices) {
        const row = (await device.db.media.get(offlineId)) as MediaRow | undefined;
        if (row?.parentOfflineId && device.media)
          lost.push(`${offlineId} on ${device.name}: ${row.uploadState}, id ${row.id ?? "none"}, bytes ${row.blob ? "kept" : "dropped"}`);
      }
    }
    fail(`${media.length} media records for ${x.photos.size} photos; not recorded: ${lost.join("; ")}`);
  }
  for (const m of media) {
    const photo = x.photos.get(m.offlineId);
    if (!photo || photo.sha256 !== m.sha256 || BigInt(photo.size) !== m.size) fail(`media ${m.offlineId} differs from the captured photo`);
    if (x.served.get(m.offlineId) !== photo?.sha256) fail(`media ${m.offlineId}: the bytes served do not have the captured SHA-256`);
  }

  // The cursor skipped nothing: every device holds exactly the server's records and media.
  const counter = await prisma.changeCounter.findFirst();
  let maxSeq = 0n; // bigint: Math.max does not take it
  for (const r of records) if (r.changeSeq > maxSeq) maxSeq = r.changeSeq;
  if (!counter || counter.value < maxSeq) fail(`change counter ${counter?.value} behind a record's change number ${maxSeq}`);
  for (const device of x.devices) {
    const local = await device.db.assessments.toArray();
    const byId = new Map(local.map((row) => [row.offlineId, row]));
    if (local.length !== records.length) fail(`${device.name} holds ${local.length} assessments, the server ${records.length}`);
    for (const record of records) {
      const row = byId.get(record.offlineId);
      if (!row || row.serverVersion !== record.version || !isDeepStrictEqual(row.data, record.data))
        fail(
          `${device.name}: assessment ${record.offlineId} is ${row ? `at v${row.serverVersion}` : "missing"}, the server has v${record.version}`,
        );
    }
    const localMedia = new Map((await device.db.media.toArray()).map((m) => [m.offlineId, m.sha256]));
    for (const m of media) if (localMedia.get(m.offlineId) !== m.sha256) fail(`${device.name}: media ${m.offlineId} missing or different`);
  }
}

// ---- CLI ---------------------------------------------------------------------------------------

function arg(name: string): string | undefined {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

export function formatReport(r: CrashReport): string {
  const sorted = [...r.restartMs.slice(1)].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return [
    `${r.kind} seed ${r.seed}: ${r.kills.length} SIGKILLs survived (${r.killsMidPush} with a push unanswered, ${r.killsMidUpload} mid-upload PATCH) + 1 before the final check`,
    `  ${r.mutations} mutations applied exactly once in ${r.pushes} answered pushes; ${r.pushesCut} pushes begun on the server and never answered;`,
    `  ${r.cutCommitted + r.cutRolledBack} pushes sent by devices without a whole answer, each whole or nothing in the ledger right after the kill ` +
      `(${r.cutCommitted} committed with the answer lost, ${r.cutRolledBack} rolled back or never begun)`,
    `  ${r.photos} photos (${(r.photoBytes / 1e6).toFixed(1)} MB) complete with the right SHA-256; ${r.uploadsCreated} tus uploads created, ${r.uploadResumes} resumptions (HEAD)`,
    `  ${r.leftoverUploads} upload working copies left in MEDIA_DIR/uploads (completions cut off; removed on expiry)`,
    `  restart to ready: median ${median.toFixed(0)} ms; total ${(r.ms / 1000).toFixed(1)} s`,
  ].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.env.LOG_LEVEL ??= "silent";
  const kills = Number(arg("kills") ?? 10);
  const seed = Number(arg("seed") ?? Math.floor(Math.random() * 1e9));
  const devices = Number(arg("devices") ?? 3);
  const which = arg("db") ?? "both";
  const aim = arg("aim") as KillRecord["aim"] | undefined;
  const kinds: DbKind[] = which === "both" ? ["postgres", "pglite"] : [which as DbKind];
  let code = 0;
  for (const kind of kinds) {
    console.log(
      `crash recovery on ${kind}: ${kills} kills, seed ${seed} (rerun: npm run test:crash -- --db ${kind} --kills ${kills} --seed ${seed})`,
    );
    try {
      const report = await runCrashRecovery({ kind, kills, seed, devices, aim, log: (line) => console.log(line) });
      console.log(formatReport(report));
    } catch (error) {
      console.error(error);
      code = 1;
    }
  }
  killAllServers();
  process.exit(code);
}
