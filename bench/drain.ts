/**
 * Outbox drain after reconnecting: how long a device needs to send what it queued offline — the
 * outbox through the real SyncClient, then its photos through the real MediaQueue (tus-js-client,
 * fetch stack) — against the real route handlers behind a real HTTP server on loopback
 * (tests/fixtures/http-server.ts) on a real database (bench/lib.ts: a throwaway Postgres database or
 * an in-memory PGlite). The device is Dexie on fake-indexeddb.
 *
 *   npx tsx --conditions=react-server bench/drain.ts [postgres|pglite]   (both when none is named)
 *
 * Scenarios (each a new assessor and device):
 * - A: 1 assessment create + 2 photos of ~50 KB.
 * - B: 100 mutations — 80 creates spread over the assessor's 5 entities and 20 edits of
 *   assessments the device synced earlier — with 2 photos of ~200 KB on 10 of the new assessments.
 *
 * The queue is built with the app's local writes (createRecord, updateRecord, captureMedia) and
 * no network. Timed: `syncOnce()` (push batches, then pull) followed by `MediaQueue.drain()` — the
 * service worker's Background Sync order — until the outbox is empty and every photo is
 * "uploaded". Afterwards the server must hold exactly the expected records, versions and media
 * (SHA-256 and size of each file), or the run throws instead of printing a number.
 */
import "fake-indexeddb/auto";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { crc32, deflateSync } from "node:zlib";
import * as mediaRoute from "@/app/api/media/[id]/route";
import * as uploadsRoute from "@/app/api/media/uploads/[[...path]]/route";
import * as pullRoute from "@/app/api/sync/pull/route";
import * as pushRoute from "@/app/api/sync/push/route";
import { type FieldSyncDb, openFieldSyncDb } from "@/lib/client/db/field-sync-db";
import { UPLOAD_STATES } from "@/lib/client/db/types";
import { captureMedia } from "@/lib/client/media/capture-media";
import { MediaQueue } from "@/lib/client/media/media-queue";
import type { MediaRow } from "@/lib/client/media/media-row";
import { createRecord, updateRecord } from "@/lib/client/outbox/local-writes";
import { SyncClient } from "@/lib/client/sync/sync-client";
import type { FetchLike } from "@/lib/client/sync/transport";
import { assignUser, createEntity } from "@/lib/server/admin";
import type { Db } from "@/lib/server/db/client";
import { resetEnvForTests } from "@/lib/server/env";
import { resetMediaUploadsForTests } from "@/lib/server/media/tus-uploads";
import { makeUser } from "@/tests/fixtures/api";
import { type HttpFixture, routeTable, startHttpServer } from "@/tests/fixtures/http-server";
import { benchDb } from "./lib";

export type DbKind = "postgres" | "pglite";

export interface DrainScenario {
  name: string;
  /** Timed runs (each a new assessor and device); the median is reported. */
  runs: number;
  /** Assignments of the assessor. */
  entities: number;
  /** Assessments created and synced before going offline (the edits' targets). */
  synced: number;
  /** Offline: new assessments (one create each). */
  creates: number;
  /** Offline: edits of synced assessments (one update each). */
  edits: number;
  /** How many of the new assessments get photos, and how many each. */
  withPhotos: number;
  photosEach: number;
  /** Approximate size of each photo (a PNG of noise: as incompressible as a camera's JPEG). */
  photoBytes: number;
}

export const SCENARIOS: DrainScenario[] = [
  { name: "A", runs: 5, entities: 1, synced: 0, creates: 1, edits: 0, withPhotos: 1, photosEach: 2, photoBytes: 50_000 },
  { name: "B", runs: 3, entities: 5, synced: 20, creates: 80, edits: 20, withPhotos: 10, photosEach: 2, photoBytes: 200_000 },
];

export interface DrainResult {
  kind: DbKind;
  scenario: string;
  mutations: number;
  photos: number;
  photoBytes: number;
  /** Request-body bytes that reached the server during the drain (pushes, tus PATCHes). */
  bodyBytes: number;
  requests: number;
  ms: number;
  /** Of which: syncOnce (push + pull). */
  syncMs: number;
  mutationsPerSecond: number;
  /** Every timed run's ms (the fields above are the median run's). */
  samples: number[];
}

// ---- photos ----------------------------------------------------------------------------------

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid RGB PNG of random pixels, about `bytes` long (noise does not compress). */
export function noisePng(bytes: number): Buffer {
  const width = 256;
  const height = Math.max(1, Math.round(bytes / (width * 3 + 1)));
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const raw = randomBytes(height * (width * 3 + 1));
  for (let y = 0; y < height; y++) raw[y * (width * 3 + 1)] = 0; // filter type "none" on every row
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(raw, { level: 1 })),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

// ---- the server ------------------------------------------------------------------------------

/** The routes a syncing device calls, as Next's file router maps them. */
function appServer(): Promise<HttpFixture> {
  return startHttpServer(
    routeTable([
      { pattern: /^\/api\/sync\/push$/, module: pushRoute },
      { pattern: /^\/api\/sync\/pull$/, module: pullRoute },
      {
        pattern: /^\/api\/media\/uploads(?:\/(?<rest>.*))?$/,
        module: uploadsRoute,
        params: (g) => (g.rest ? { path: g.rest.split("/") } : {}),
      },
      { pattern: /^\/api\/media\/(?<id>[^/]+)$/, module: mediaRoute },
    ]),
  );
}

let sites = 0;

const WASH = (i: number) => ({
  waterSource: "BOREHOLE",
  functionalBoreholes: i % 4,
  latrines: 10 + (i % 30),
  openDefecationObserved: i % 3 === 0,
});

function assessmentInput(entityId: string, i: number) {
  return { entityId, assessmentType: "WASH", status: "SUBMITTED", data: WASH(i) };
}

interface Device {
  db: FieldSyncDb;
  client: SyncClient;
  media: MediaQueue;
  close(): Promise<void>;
}

async function openDevice(server: HttpFixture, token: string): Promise<Device> {
  const db = await openFieldSyncDb(`bench-drain-${randomUUID()}`);
  const client = new SyncClient({
    db,
    baseUrl: server.url,
    fetch: fetch as FetchLike,
    getToken: () => token,
    appVersion: "1.0.0-bench",
    periodicSyncMs: 0,
    locks: null,
  });
  const media = new MediaQueue(db, {
    endpoint: `${server.url}/api/media/uploads`,
    headers: () => ({ Authorization: `Bearer ${token}` }),
    pollIntervalMs: 0,
    locks: null,
  });
  return {
    db,
    client,
    media,
    close: async () => {
      client.stop();
      await media.stop();
      db.close();
      await db.delete();
    },
  };
}

async function expectIdle(client: SyncClient, what: string) {
  const state = await client.syncOnce("manual");
  if (state.status !== "idle") throw new Error(`${what}: sync ended ${JSON.stringify(state)}`);
}

function check(ok: boolean, message: string) {
  if (!ok) throw new Error(`drain bench: ${message}`);
}

/** One scenario on a fresh assessor and device; the database is already installed. */
async function runScenario(kind: DbKind, prisma: Db, server: HttpFixture, s: DrainScenario): Promise<Omit<DrainResult, "samples">> {
  const assessor = await makeUser(prisma, "ASSESSOR");
  const entityIds: string[] = [];
  for (let e = 0; e < s.entities; e++) {
    const entity = await createEntity({
      name: `Drain ${++sites}`,
      type: "CAMP",
      lga: "Jere",
      ward: "Mashamari",
      latitude: 11.85,
      longitude: 13.16,
      autoApprove: false,
      createdById: null,
    });
    await assignUser({ userId: assessor.user.id, entityId: entity.id });
    entityIds.push(entity.id);
  }
  const device = await openDevice(server, assessor.token);
  try {
    const { db } = device;
    // Online before: the device has its entities and the assessments it will edit.
    await expectIdle(device.client, "first sync");
    const synced: string[] = [];
    for (let i = 0; i < s.synced; i++)
      synced.push((await createRecord(db, "assessment", assessmentInput(entityIds[i % entityIds.length], i))).offlineId);
    if (s.synced > 0) await expectIdle(device.client, "sync of the assessments to edit");

    // Offline: the queue, with the app's own local writes (no request is made).
    const created: string[] = [];
    for (let i = 0; i < s.creates; i++) {
      const row = await createRecord(db, "assessment", assessmentInput(entityIds[i % entityIds.length], 1000 + i));
      created.push(row.offlineId);
    }
    const edited = new Map<string, number>();
    for (let i = 0; i < s.edits; i++) {
      const latrines = 500 + i;
      await updateRecord(db, "assessment", synced[i], { data: { latrines } });
      edited.set(synced[i], latrines);
    }
    const photos = new Map<string, { sha256: string; size: number; parent: string }>();
    for (let p = 0; p < s.withPhotos; p++) {
      for (let k = 0; k < s.photosEach; k++) {
        const bytes = noisePng(s.photoBytes);
        const row = await captureMedia(db, {
          parentType: "assessment",
          parentOfflineId: created[p],
          file: new Blob([new Uint8Array(bytes)], { type: "image/png" }),
          filename: `photo-${p}-${k}.png`,
          position: { latitude: 11.85, longitude: 13.16 },
        });
        photos.set(row.offlineId, { sha256: row.sha256 as string, size: row.size as number, parent: created[p] });
      }
    }
    const mutations = s.creates + s.edits;
    check((await db.outbox.count()) === mutations, `expected ${mutations} queued mutations, found ${await db.outbox.count()}`);
    const photoBytes = [...photos.values()].reduce((sum, p) => sum + p.size, 0);

    // Reconnected: drain.
    server.resetStats();
    const started = performance.now();
    let syncMs = 0;
    for (let round = 1; ; round++) {
      const t = performance.now();
      const state = await device.client.syncOnce("manual");
      syncMs += performance.now() - t;
      if (state.status !== "idle") throw new Error(`drain: sync ended ${JSON.stringify(state)}`);
      await device.media.drain();
      const outbox = await db.outbox.count();
      const notUploaded = await db.media.filter((m) => (m as MediaRow).uploadState !== UPLOAD_STATES.UPLOADED).count();
      if (outbox === 0 && notUploaded === 0) break;
      // One pass has always been enough; a second one would mean the bench measures something else.
      if (round >= 3) throw new Error(`drain: after ${round} rounds ${outbox} mutations and ${notUploaded} photos are left`);
    }
    const ms = performance.now() - started;
    const bodyBytes = server.bodyBytes();
    const requests = server.requests.length;

    // The server holds exactly what was queued: no more, no less, nothing refused.
    check((await db.parked.count()) === 0, "mutations were refused (parked)");
    check((await db.conflicts.count()) === 0, "mutations ended in conflicts");
    const onServer = await prisma.assessment.findMany({ where: { assessorId: assessor.user.id, deletedAt: null } });
    check(onServer.length === s.synced + s.creates, `expected ${s.synced + s.creates} assessments on the server, found ${onServer.length}`);
    const byOfflineId = new Map(onServer.map((a) => [a.offlineId, a]));
    for (const id of created) check(byOfflineId.get(id)?.version === 1, `create ${id} missing or not at version 1`);
    for (const [id, latrines] of edited) {
      const a = byOfflineId.get(id);
      check(a?.version === 2 && (a.data as { latrines?: number }).latrines === latrines, `edit of ${id} not applied once`);
    }
    for (let p = 0; p < s.withPhotos; p++) {
      check(byOfflineId.get(created[p])?.mediaExpected === s.photosEach, `mediaCount of ${created[p]} not recorded`);
    }
    const media = await prisma.media.findMany({ where: { uploadedById: assessor.user.id, deletedAt: null } });
    check(media.length === photos.size, `expected ${photos.size} media on the server, found ${media.length}`);
    for (const m of media) {
      const sent = photos.get(m.offlineId);
      check(
        !!sent && sent.sha256 === m.sha256 && BigInt(sent.size) === m.size && sent.parent === m.parentOfflineId,
        `media ${m.offlineId} differs from the captured file`,
      );
    }
    check(bodyBytes >= photoBytes, `only ${bodyBytes} body bytes reached the server for ${photoBytes} bytes of photos`);
    return {
      kind,
      scenario: s.name,
      mutations,
      photos: photos.size,
      photoBytes,
      bodyBytes,
      requests,
      ms,
      syncMs,
      mutationsPerSecond: mutations / (ms / 1000),
    };
  } finally {
    await device.close();
  }
}

/** Every scenario on one database (a throwaway Postgres database or an in-memory PGlite). */
export async function benchDrain(kind: DbKind, scenarios: DrainScenario[] = SCENARIOS): Promise<DrainResult[]> {
  const mediaDir = mkdtempSync(path.join(os.tmpdir(), "fieldsync-bench-media-"));
  const previousDir = process.env.MEDIA_DIR;
  process.env.MEDIA_DIR = mediaDir;
  resetEnvForTests();
  resetMediaUploadsForTests();
  const db = await benchDb(kind);
  const server = await appServer();
  try {
    // Warm-up, not reported: the first requests of a process pay for module, query-plan and JIT
    // warm-up that a running server has behind it.
    await runScenario(kind, db.prisma, server, SCENARIOS[0]);
    const results: DrainResult[] = [];
    for (const s of scenarios) {
      const runs: Omit<DrainResult, "samples">[] = [];
      for (let i = 0; i < s.runs; i++) runs.push(await runScenario(kind, db.prisma, server, s));
      const samples = runs.map((r) => r.ms);
      const median = [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)];
      results.push({ ...median, samples });
    }
    return results;
  } finally {
    await server.close();
    await db.close();
    resetMediaUploadsForTests();
    if (previousDir === undefined) delete process.env.MEDIA_DIR;
    else process.env.MEDIA_DIR = previousDir;
    resetEnvForTests();
    rmSync(mediaDir, { recursive: true, force: true });
  }
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} kB`;

export function formatDrain(r: DrainResult): string {
  return (
    `${r.kind.padEnd(8)} drain ${r.scenario}: ${r.mutations} mutation${r.mutations === 1 ? "" : "s"} + ${r.photos} photos (${kb(r.photoBytes)}) ` +
    `in ${r.ms.toFixed(0)} ms (sync ${r.syncMs.toFixed(0)} ms, photos ${(r.ms - r.syncMs).toFixed(0)} ms) = ${r.mutationsPerSecond.toFixed(1)} mutations/s; ` +
    `${kb(r.bodyBytes)} uploaded in ${r.requests} requests; median of ${r.samples.length} (${Math.min(...r.samples).toFixed(0)}–${Math.max(...r.samples).toFixed(0)} ms)`
  );
}

export function formatDrainRatio(postgres: DrainResult[], pglite: DrainResult[]): string {
  const parts = postgres.map((p) => {
    const g = pglite.find((x) => x.scenario === p.scenario);
    return g ? `${p.scenario} ${(g.ms / p.ms).toFixed(2)}×` : "";
  });
  return `ratio postgres/pglite drain (pglite ms / postgres ms): ${parts.filter(Boolean).join(", ")}`;
}

// Run alone: `npx tsx --conditions=react-server bench/drain.ts [postgres|pglite]`.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.env.LOG_LEVEL ??= "silent";
  const only = process.argv.slice(2);
  const byKind = new Map<DbKind, DrainResult[]>();
  for (const kind of ["postgres", "pglite"] as const) {
    if (only.length && !only.includes(kind)) continue;
    const results = await benchDrain(kind);
    byKind.set(kind, results);
    for (const r of results) console.log(formatDrain(r));
  }
  const p = byKind.get("postgres");
  const g = byKind.get("pglite");
  if (p && g) console.log(formatDrainRatio(p, g));
  process.exit(0);
}
