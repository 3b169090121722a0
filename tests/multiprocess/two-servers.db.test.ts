import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type FieldSyncDb, openFieldSyncDb } from "@/lib/client/db/field-sync-db";
import { createRecord, updateRecord } from "@/lib/client/outbox/local-writes";
import { SyncClient } from "@/lib/client/sync/sync-client";
import { FakeClock } from "@/tests/fixtures/app-fetch";
import { freePort } from "@/tests/fixtures/http-server";
import { assign, FULL_WASH, type Loose as Json, mut, newEntity, quickUser, resolve, type Signed } from "@/tests/fixtures/sync";
import { useTestDb } from "@/tests/fixtures/test-db";
import { encodeTusMetadata } from "../fixtures/tus";

/**
 * Several stateless app servers on one Postgres (issue 12, "Scale past one machine"): TWO real
 * server processes — tests/crash/server.ts, the app's sync and media route handlers behind a real
 * HTTP server, opened as `npm start` opens the database — on one throwaway database and one media
 * directory (the shared volume), on different ports. Proved across the two:
 * (a) a push racing itself on both applies each mutationId once;
 * (b) devices split between them merge and conflict exactly as on one process, and converge;
 * (c) a pull cursor from one, used on the other while both write, never skips a change;
 * (d) a tus upload cut off on one resumes on the other, and PATCHes racing on both for one upload
 *     do not corrupt it (the Postgres tus locker, lib/server/media/tus-locker.ts).
 * Postgres only: embedded PGlite is one process by construction (its data directory is locked).
 */

const onPostgres = inject("dbTemplate").kind === "postgres";
const ROOT = path.resolve(import.meta.dirname, "../..");
const SERVER = path.join(ROOT, "tests/crash/server.ts");
// Node with tsx's loader in one process (the tsx CLI would put the server in a grandchild).
const TSX_LOADER = pathToFileURL(path.join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;

// ---- the app processes --------------------------------------------------------------------------

const children = new Set<ChildProcess>();
const killChildren = () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
};
process.once("exit", killChildren);

interface AppProcess {
  name: string;
  url: string;
  child: ChildProcess;
}

async function startApp(name: string, env: Record<string, string>): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", TSX_LOADER, "--conditions=react-server", SERVER], {
    cwd: ROOT,
    env: { ...process.env, ...env, CRASH_PORT: String(port), LOG_LEVEL: "silent", NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = "";
    child.once("exit", (code, signal) =>
      reject(new Error(`app ${name} exited (${signal ?? code}) before it was ready: ${stderr.slice(-1500)}`)),
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        if (line.startsWith("ready ")) resolve(line.slice("ready ".length));
        else if (line.startsWith("refused ")) reject(new Error(`app ${name} refused to start: ${line.slice(8)}`));
      }
    });
  });
  return { name, url, child };
}

async function stopApp(app: AppProcess | undefined): Promise<void> {
  if (!app || app.child.exitCode !== null || app.child.signalCode !== null) return;
  const exited = new Promise((resolve) => app.child.once("exit", resolve));
  app.child.kill("SIGTERM"); // closes its database connections first
  const timer = setTimeout(() => app.child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
  children.delete(app.child);
}

// ---- HTTP helpers -------------------------------------------------------------------------------

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function pushTo(app: AppProcess, token: string, body: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${app.url}/api/sync/push`, {
    method: "POST",
    headers: { ...bearer(token), "Content-Type": "application/json" },
    body,
  });
  return { status: res.status, body: (await res.json()) as Json };
}

async function pullFrom(app: AppProcess, token: string, cursor: string | undefined, limit: number): Promise<Json> {
  const q = new URLSearchParams({ limit: String(limit) });
  if (cursor !== undefined) q.set("cursor", cursor);
  const res = await fetch(`${app.url}/api/sync/pull?${q}`, { headers: bearer(token) });
  const body = (await res.json()) as Json;
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body;
}

describe.skipIf(!onPostgres)("two app processes on one Postgres", () => {
  const db = useTestDb();
  let mediaDir = "";
  let a: AppProcess;
  let b: AppProcess;
  const apps = () => [a, b];

  beforeAll(async () => {
    mediaDir = mkdtempSync(path.join(os.tmpdir(), "fieldsync-two-servers-"));
    const env = { DATABASE_URL: db.current.url as string, MEDIA_DIR: mediaDir };
    [a, b] = await Promise.all([startApp("A", env), startApp("B", env)]);
  });

  afterAll(async () => {
    await Promise.all([stopApp(a), stopApp(b)]);
    killChildren();
    if (mediaDir) rmSync(mediaDir, { recursive: true, force: true });
  });

  it("(a) the same push sent to both processes at once applies each mutation once", async () => {
    const entity = await newEntity();
    const assessor = await quickUser(db.current.prisma, "ASSESSOR");
    await assign(assessor, entity.id);
    const ROUNDS = 20;
    const creates: ReturnType<typeof mut.createAssessment>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const batch = [0, 1, 2].map(() => mut.createAssessment(entity.id, { data: { ...FULL_WASH } }));
      const updates = batch.map((c, i) => mut.update("assessment", c.offlineId, 1, { data: { latrines: 100 + round * 3 + i } }));
      for (const mutations of [batch, updates]) {
        const body = JSON.stringify({ deviceId: randomUUID(), mutations });
        const answers = await Promise.all([pushTo(a, assessor.token, body), pushTo(b, assessor.token, body)]);
        for (const answer of answers) expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        mutations.forEach((m, i) => {
          const statuses = answers.map((answer) => answer.body.results[i].status).sort();
          // One process applied it; the other found it in the ledger (or both answers report the ledger's).
          expect(statuses, `${m.action} ${m.mutationId}`).toContain("applied");
          expect(statuses.filter((s) => s === "applied").length + statuses.filter((s) => s === "duplicate").length).toBe(2);
        });
      }
      creates.push(...batch);
    }
    const prisma = db.current.prisma;
    const offlineIds = creates.map((c) => c.offlineId);
    const records = await prisma.assessment.findMany({ where: { offlineId: { in: offlineIds } } });
    expect(records).toHaveLength(creates.length);
    for (const record of records) expect(record.version, record.offlineId).toBe(2);
    const history = await prisma.recordVersion.groupBy({
      by: ["recordId"],
      where: { recordId: { in: records.map((r) => r.id) } },
      _count: { _all: true },
    });
    expect(history.map((h) => h._count._all)).toEqual(records.map(() => 2));
    const ledger = await prisma.processedMutation.findMany({ where: { offlineId: { in: offlineIds } } });
    expect(ledger).toHaveLength(creates.length * 2);
    expect(await prisma.conflict.count({ where: { recordOfflineId: { in: offlineIds } } })).toBe(0);
  });

  // ---- (b) devices split between the processes ------------------------------------------------

  interface Device {
    db: FieldSyncDb;
    client: SyncClient;
    close(): Promise<void>;
  }

  async function openDevice(app: AppProcess, user: Signed): Promise<Device> {
    const deviceDb = await openFieldSyncDb(`two-servers-${randomUUID()}`);
    const clock = new FakeClock(Date.now()); // no timer of its own fires: the test syncs by hand
    const client = new SyncClient({
      db: deviceDb,
      baseUrl: app.url,
      fetch: (input, init) => fetch(input, init),
      getToken: () => user.token,
      appVersion: "1.0.0-two-servers",
      batchSize: 100,
      periodicSyncMs: 0,
      timers: clock,
      now: clock.now,
      locks: null,
    });
    return {
      db: deviceDb,
      client,
      close: async () => {
        client.stop();
        deviceDb.close();
        await deviceDb.delete();
      },
    };
  }

  async function sync(device: Device): Promise<void> {
    const state = await device.client.syncOnce("manual");
    expect(state.status, JSON.stringify(state)).toBe("idle");
  }

  /**
   * Four assessors' devices, each on the process `placement` names, edit two shared records
   * offline — the same field of one (a conflict), different fields of the other (a merge) — and
   * sync in a fixed order. A coordinator then resolves the conflict (through the route handler in
   * this test's process — a third app process on the same database) and every device syncs again.
   * Returns what the server and the devices hold, with ids replaced by labels.
   */
  async function editScenario(placement: AppProcess[]) {
    const entity = await newEntity();
    const users = await Promise.all(placement.map(() => quickUser(db.current.prisma, "ASSESSOR")));
    for (const user of users) await assign(user, entity.id);
    const devices = await Promise.all(placement.map((app, i) => openDevice(app, users[i])));
    try {
      const r1 = await createRecord(devices[0].db, "assessment", {
        entityId: entity.id,
        assessmentType: "WASH",
        status: "DRAFT",
        data: { ...FULL_WASH },
      });
      const r2 = await createRecord(devices[0].db, "assessment", {
        entityId: entity.id,
        assessmentType: "WASH",
        status: "DRAFT",
        data: { ...FULL_WASH },
      });
      for (const device of devices) await sync(device);
      await updateRecord(devices[0].db, "assessment", r1.offlineId, { data: { latrines: 11 } });
      await updateRecord(devices[1].db, "assessment", r1.offlineId, { data: { latrines: 12 } });
      await updateRecord(devices[2].db, "assessment", r2.offlineId, { data: { functionalBoreholes: 3 } });
      await updateRecord(devices[3].db, "assessment", r2.offlineId, { data: { latrines: 40 } });
      for (const device of devices) await sync(device);
      for (const device of devices) await sync(device); // everyone pulls what the later ones sent
      const coordinator = await quickUser(db.current.prisma, "COORDINATOR");
      const pending = await db.current.prisma.conflict.findMany({ where: { recordOfflineId: r1.offlineId, status: "PENDING" } });
      for (const conflict of pending) {
        const resolved = await resolve(coordinator.token, conflict.id, { strategy: "client" });
        expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
      }
      for (const device of devices) await sync(device);

      const labels = new Map([
        [r1.offlineId, "r1"],
        [r2.offlineId, "r2"],
      ]);
      const ids = [...labels.keys()];
      const server = await db.current.prisma.assessment.findMany({ where: { offlineId: { in: ids } }, orderBy: { offlineId: "asc" } });
      const serverState = Object.fromEntries(server.map((r) => [labels.get(r.offlineId), { version: r.version, data: r.data }]));
      const conflicts = await db.current.prisma.conflict.findMany({ where: { recordOfflineId: { in: ids } } });
      const conflictState = conflicts
        .map((c) => ({
          record: labels.get(c.recordOfflineId),
          by: users.findIndex((u) => u.user.id === c.submittedById),
          kind: c.kind,
          status: c.status,
          method: c.method,
          fields: c.conflictingFields,
          baseVersion: c.baseVersion,
          serverVersion: c.serverVersion,
        }))
        .sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
      const deviceState = await Promise.all(
        devices.map(async (device) => {
          const rows = await device.db.assessments.where("offlineId").anyOf(ids).toArray();
          return {
            records: Object.fromEntries(rows.map((r) => [labels.get(r.offlineId), { version: r.serverVersion ?? null, data: r.data }])),
            outbox: await device.db.outbox.count(),
            parked: await device.db.parked.count(),
            conflicts: await device.db.conflicts.count(),
          };
        }),
      );
      return { serverState, conflictState, deviceState };
    } finally {
      for (const device of devices) await device.close();
    }
  }

  it("(b) devices split between the processes merge and conflict as on one process, and converge", async () => {
    const one = await editScenario([a, a, a, a]);
    const split = await editScenario([a, b, a, b]);
    expect(split).toEqual(one);
    // The scenario exercises both: r2's edits of different fields merged into one version…
    expect(one.serverState.r2.version).toBe(3);
    expect(one.serverState.r2.data).toMatchObject({ functionalBoreholes: 3, latrines: 40 });
    // …and r1's edits of one field met: a conflict, resolved for the device that lost.
    expect(one.conflictState).toContainEqual(
      expect.objectContaining({ record: "r1", by: 1, status: "RESOLVED", fields: ["data.latrines"] }),
    );
    expect(one.serverState.r1.data).toMatchObject({ latrines: 12 });
    // Converged: every device holds the server's records and has nothing left to send.
    for (const device of split.deviceState) {
      expect(device.outbox).toBe(0);
      expect(device.parked).toBe(0);
      for (const [label, record] of Object.entries(split.serverState)) expect(device.records[label]).toEqual(record);
    }
  });

  // ---- (c) a cursor from one process used on the other ---------------------------------------

  it("(c) a pull cursor alternating between the processes skips nothing while both write", async () => {
    const entity = await newEntity();
    const writers = await Promise.all([0, 1, 2, 3].map(() => quickUser(db.current.prisma, "ASSESSOR")));
    for (const writer of writers) await assign(writer, entity.id);
    const reader = await quickUser(db.current.prisma, "COORDINATOR");

    // Start from "now": drain what earlier tests left.
    let cursor: string | undefined;
    for (let page = await pullFrom(a, reader.token, undefined, 500); ; page = await pullFrom(a, reader.token, cursor, 500)) {
      cursor = page.cursor as string;
      if (!page.hasMore) break;
    }

    // Creates only: a skipped create is never repaired by a later change of the same record.
    const created: string[] = [];
    let writing = true;
    const write = async (writer: Signed, app: AppProcess) => {
      for (let batch = 0; batch < 12; batch++) {
        const mutations = Array.from({ length: 15 }, () => mut.createAssessment(entity.id, { data: { ...FULL_WASH } }));
        const answer = await pushTo(app, writer.token, JSON.stringify({ deviceId: randomUUID(), mutations }));
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        for (const result of answer.body.results as Json[]) expect(result.status).toBe("applied");
        created.push(...mutations.map((m) => m.offlineId));
      }
    };
    const seen = new Set<string>();
    let pulls = 0;
    const read = async (until: () => boolean) => {
      for (;;) {
        const done = until(); // decided before the pull, so the last pull starts after the last commit
        const app = apps()[pulls++ % 2];
        const page = await pullFrom(app, reader.token, cursor, 7);
        for (const change of page.changes as Json[])
          if (change.type === "assessment" && change.record?.entityId === entity.id) seen.add(change.record.offlineId);
        cursor = page.cursor as string;
        if (done && !page.hasMore) return;
      }
    };
    const writes = Promise.all(writers.map((writer, i) => write(writer, apps()[i % 2]))).finally(() => {
      writing = false;
    });
    await Promise.all([writes, read(() => !writing)]);

    expect(created).toHaveLength(4 * 12 * 15);
    const missing = created.filter((id) => !seen.has(id));
    expect(missing, `${missing.length} creates never pulled (${pulls} pulls alternating A/B)`).toEqual([]);
    expect(seen.size).toBe(created.length);
    expect(pulls).toBeGreaterThan(10); // the reader really did pull while the writers wrote
  });

  // ---- (d) media across the processes ----------------------------------------------------------

  const TUS = { "Tus-Resumable": "1.0.0" };

  function uploadMetadata(bytes: Uint8Array, parentOfflineId: string, offlineId: string): string {
    return encodeTusMetadata({
      offlineId,
      parentType: "assessment",
      parentOfflineId,
      filename: "photo.jpg",
      mimeType: "image/jpeg",
      sha256: sha256(bytes),
    });
  }

  function photo(size: number): Uint8Array {
    const bytes = new Uint8Array(randomBytes(size));
    bytes.set([0xff, 0xd8, 0xff, 0xe0]);
    return bytes;
  }

  async function mediaWorld() {
    const entity = await newEntity();
    const assessor = await quickUser(db.current.prisma, "ASSESSOR");
    await assign(assessor, entity.id);
    const parent = mut.createAssessment(entity.id, { data: { ...FULL_WASH } });
    const answer = await pushTo(a, assessor.token, JSON.stringify({ deviceId: randomUUID(), mutations: [parent] }));
    expect(answer.body.results[0].status).toBe("applied");
    return { assessor, parentOfflineId: parent.offlineId };
  }

  async function createUpload(app: AppProcess, token: string, bytes: Uint8Array, metadata: string): Promise<string> {
    const res = await fetch(`${app.url}/api/media/uploads`, {
      method: "POST",
      headers: { ...TUS, ...bearer(token), "Upload-Length": String(bytes.length), "Upload-Metadata": metadata },
    });
    expect(res.status, await res.text()).toBe(201);
    return new URL(res.headers.get("location") as string, app.url).pathname;
  }

  async function headOffset(app: AppProcess, token: string, uploadPath: string): Promise<{ offset: number; mediaId: string | null }> {
    const res = await fetch(`${app.url}${uploadPath}`, { method: "HEAD", headers: { ...TUS, ...bearer(token) } });
    expect(res.status).toBe(200);
    return { offset: Number(res.headers.get("upload-offset")), mediaId: res.headers.get("x-media-id") };
  }

  /**
   * A PATCH over a raw socket, its body written in `chunk`-byte pieces `pauseMs` apart. With
   * `cutAfter`, the connection is destroyed once that many bytes were written (a dropped link);
   * with `stallAfter`, the sender just stops there and keeps the connection open (a half-open
   * link), until `abandon()`. Resolves with the status, or null when the connection ended
   * without an answer.
   */
  function slowPatch(
    app: AppProcess,
    token: string,
    uploadPath: string,
    bytes: Uint8Array,
    offset: number,
    options: { chunk?: number; pauseMs?: number; cutAfter?: number; stallAfter?: number } = {},
  ): Promise<{ status: number | null; mediaId: string | null; body: string }> & { abandon(): void } {
    const { chunk = 64 * 1024, pauseMs = 10, cutAfter, stallAfter } = options;
    const body = bytes.subarray(offset);
    let abandon = () => {};
    const answer = new Promise<{ status: number | null; mediaId: string | null; body: string }>((resolve) => {
      const req = http.request(`${app.url}${uploadPath}`, {
        method: "PATCH",
        headers: {
          ...TUS,
          ...bearer(token),
          "Upload-Offset": String(offset),
          "Content-Type": "application/offset+octet-stream",
          "Content-Length": String(body.length),
        },
      });
      abandon = () => req.destroy();
      let settled = false;
      const settle = (value: { status: number | null; mediaId: string | null; body: string }) => {
        if (!settled) {
          settled = true;
          resolve(value);
        }
      };
      req.on("response", (res) => {
        let text = "";
        res.on("data", (d: Buffer) => {
          text += d.toString();
        });
        res.on("end", () => settle({ status: res.statusCode ?? null, mediaId: (res.headers["x-media-id"] as string) ?? null, body: text }));
        res.on("error", () => settle({ status: res.statusCode ?? null, mediaId: null, body: text }));
      });
      req.on("error", () => settle({ status: null, mediaId: null, body: "" }));
      (async () => {
        for (let sent = 0; sent < body.length && !req.destroyed; sent += chunk) {
          const piece = body.subarray(sent, Math.min(body.length, sent + chunk));
          if (cutAfter !== undefined && sent + piece.length > cutAfter) {
            await new Promise((r) => setTimeout(r, 300)); // what was written reaches the server
            req.destroy();
            return;
          }
          if (stallAfter !== undefined && sent + piece.length > stallAfter) return;
          if (!req.write(piece)) await new Promise((r) => req.once("drain", r));
          await new Promise((r) => setTimeout(r, pauseMs));
        }
        req.end();
      })();
    });
    return Object.assign(answer, { abandon: () => abandon() });
  }

  async function downloaded(app: AppProcess, token: string, mediaId: string): Promise<string> {
    const res = await fetch(`${app.url}/api/media/${mediaId}`, { headers: bearer(token) });
    expect(res.status).toBe(200);
    return sha256(new Uint8Array(await res.arrayBuffer()));
  }

  it("(d) an upload cut off on one process resumes on the other and completes with the right SHA-256", async () => {
    const { assessor, parentOfflineId } = await mediaWorld();
    const bytes = photo(1_500_000);
    const offlineId = randomUUID();
    const upload = await createUpload(a, assessor.token, bytes, uploadMetadata(bytes, parentOfflineId, offlineId));

    const cut = await slowPatch(a, assessor.token, upload, bytes, 0, { cutAfter: 600 * 1024 });
    expect(cut.status).toBeNull();
    const { offset } = await headOffset(b, assessor.token, upload);
    expect(offset).toBeGreaterThan(0); // B sees the bytes A wrote to the shared volume
    expect(offset).toBeLessThan(bytes.length);

    const resumed = await slowPatch(b, assessor.token, upload, bytes, offset, { pauseMs: 0 });
    expect(resumed.status, resumed.body).toBe(204);
    expect(resumed.mediaId).toBeTruthy();
    const media = await db.current.prisma.media.findMany({ where: { offlineId } });
    expect(media).toHaveLength(1);
    expect(media[0].sha256).toBe(sha256(bytes));
    expect(await downloaded(a, assessor.token, resumed.mediaId as string)).toBe(sha256(bytes));
  });

  it("(d) a PATCH stalled on one process is ended when the client resumes on the other", async () => {
    const { assessor, parentOfflineId } = await mediaWorld();
    const bytes = photo(1_500_000);
    const offlineId = randomUUID();
    const upload = await createUpload(a, assessor.token, bytes, uploadMetadata(bytes, parentOfflineId, offlineId));
    const stalled = slowPatch(a, assessor.token, upload, bytes, 0, { stallAfter: 500 * 1024 });
    try {
      await new Promise((r) => setTimeout(r, 500)); // A holds the upload's lock, its link gone quiet
      // The client gives up on A and asks B where to resume: B's lock request makes A's request
      // let go (tus drains it, then ends it), so the offset B answers is final — A writes no more.
      const { offset } = await headOffset(b, assessor.token, upload);
      const ended = await Promise.race([stalled.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000))]);
      expect(ended, "A's stalled PATCH still holds the upload after B answered HEAD").toBe(true);
      expect(offset).toBeGreaterThan(0);
      const resumed = await slowPatch(b, assessor.token, upload, bytes, offset, { pauseMs: 0 });
      expect(resumed.status, resumed.body).toBe(204);
      const media = await db.current.prisma.media.findMany({ where: { offlineId } });
      expect(media.map((m) => m.sha256)).toEqual([sha256(bytes)]);
      expect(await downloaded(a, assessor.token, media[0].id)).toBe(sha256(bytes));
    } finally {
      stalled.abandon();
    }
  });

  it("(d) PATCHes of one upload racing on both processes take turns: one writes, the upload completes intact", async () => {
    const { assessor, parentOfflineId } = await mediaWorld();
    for (let round = 0; round < 4; round++) {
      const bytes = photo(1_200_000 + round * 7_777);
      const offlineId = randomUUID();
      const upload = await createUpload(round % 2 ? b : a, assessor.token, bytes, uploadMetadata(bytes, parentOfflineId, offlineId));
      // Both send the whole file from offset 0 at once, slowly, so the requests overlap.
      const racers = await Promise.all([
        slowPatch(a, assessor.token, upload, bytes, 0, { pauseMs: 15 }),
        slowPatch(b, assessor.token, upload, bytes, 0, { pauseMs: 15 }),
      ]);
      for (const racer of racers) {
        // Completed (204), too late (404/410, below), refused for a moved offset (409) or a busy lock
        // (503), or cut off by the lock holder making way — never a server error, never a failed
        // verification (460).
        if (racer.status !== null) expect([204, 404, 409, 410, 503], `${racer.status} ${racer.body}`).toContain(racer.status);
      }
      // 404/410: the other racer completed first and its working copy is (being) removed; a HEAD
      // then answers "done".
      if (racers.some((r) => r.status === 404 || r.status === 410)) expect(racers.map((r) => r.status)).toContain(204);
      // The lock excludes: never did both write the whole file side by side.
      expect(racers.filter((r) => r.status === 204).length, JSON.stringify(racers.map((r) => r.status))).toBeLessThanOrEqual(1);
      // The client's resumption, on either process, until done.
      let mediaId = racers.find((r) => r.status === 204)?.mediaId ?? null;
      for (let attempt = 0; mediaId === null; attempt++) {
        expect(attempt, "the upload never completed").toBeLessThan(10);
        const app = apps()[attempt % 2];
        const head = await headOffset(app, assessor.token, upload);
        if (head.offset === bytes.length) {
          mediaId = head.mediaId;
          break;
        }
        const resumed = await slowPatch(app, assessor.token, upload, bytes, head.offset, { pauseMs: 0 });
        if (resumed.status === 204) mediaId = resumed.mediaId;
        else expect([409, 503, null], `${resumed.status} ${resumed.body}`).toContain(resumed.status);
      }
      expect(mediaId).toBeTruthy();
      const media = await db.current.prisma.media.findMany({ where: { offlineId } });
      expect(media).toHaveLength(1);
      expect(media[0].sha256).toBe(sha256(bytes));
      expect(Number(media[0].size)).toBe(bytes.length);
      expect(await downloaded(b, assessor.token, media[0].id)).toBe(sha256(bytes));
    }
  });
});

describe.skipIf(!onPostgres)("app processes starting together on one Postgres", () => {
  const db = useTestDb();

  it("migrate one at a time, a starter waiting as long as the one before it migrates", async () => {
    // Stand in for a first starter that holds the migration lock past Prisma's own 10 s limit.
    const holder = new pg.Client({ connectionString: db.current.url });
    await holder.connect();
    const mediaDir = mkdtempSync(path.join(os.tmpdir(), "fieldsync-two-servers-start-"));
    let app: AppProcess | undefined;
    try {
      await holder.query("SELECT pg_advisory_lock(hashtextextended('fieldsync:migrate', 0))");
      let ready = false;
      const starting = startApp("C", { DATABASE_URL: db.current.url as string, MEDIA_DIR: mediaDir }).then((started) => {
        app = started;
        ready = true;
        return started;
      });
      starting.catch(() => {});
      // The starter queues on the lock (seen in pg_stat_activity)…
      for (let waited = 0; ; waited++) {
        expect(waited, "the starter never queued on the migration lock").toBeLessThan(600);
        const { rows } = await holder.query(
          "SELECT 1 FROM pg_stat_activity WHERE application_name = 'fieldsync-migrate' AND wait_event_type = 'Lock' AND datname = current_database()",
        );
        if (rows.length > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 11_000));
      expect(ready).toBe(false);
      // …and starts once the lock is free, instead of having given up.
      await holder.query("SELECT pg_advisory_unlock(hashtextextended('fieldsync:migrate', 0))");
      app = await starting;
      const res = await fetch(`${app.url}/api/sync/pull`);
      expect(res.status).toBe(401); // answering: the route ran, signed-out
    } finally {
      await holder.end();
      await stopApp(app);
      rmSync(mediaDir, { recursive: true, force: true });
    }
  });
});
