import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { FileStore } from "@tus/file-store";
import { Server, type Upload as TusUpload } from "@tus/server";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FieldSyncDb } from "@/lib/client/db/field-sync-db";
import { UPLOAD_STATES } from "@/lib/client/db/types";
import { captureMedia } from "@/lib/client/media/capture-media";
import { DexieUrlStorage, mediaFingerprint } from "@/lib/client/media/dexie-url-storage";
import { DEFAULT_CHUNK_SIZE, MediaQueue, type MediaQueueOptions, type MediaQueueSnapshot } from "@/lib/client/media/media-queue";
import type { MediaRow } from "@/lib/client/media/media-row";
import { type HttpFixture, startHttpServer } from "../../fixtures/http-server";
import { freshDb } from "./helpers/test-db";

/**
 * The media queue on fake-indexeddb (real Dexie) with the real tus-js-client, against a real tus
 * endpoint: @tus/server with a file store behind the HTTP fixture. The endpoint's hooks play the
 * server's part of PROTOCOL §6 that matters to the client: a bearer token (401), refusals by
 * parent (403/415), and the SHA-256 check on completion (460).
 */

const TOKEN = "Bearer device-token";
const dir = mkdtempSync(path.join(os.tmpdir(), "fieldsync-media-queue-"));
const refusedParents = new Map<string, { status: number; code: string }>();
/** Completions that fail before the record exists (every byte is stored, nothing recorded). */
let failFinishes = 0;
let server: HttpFixture;
let endpoint: string;

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const tusRefusal = (status: number, code: string) => ({ status_code: status, body: JSON.stringify({ error: { code, message: code } }) });
const uploadsOnServer = () => readdirSync(dir).filter((n) => !n.endsWith(".json"));

beforeAll(async () => {
  const tus = new Server({
    path: "/files",
    datastore: new FileStore({ directory: dir }),
    relativeLocation: true,
    async onIncomingRequest(req) {
      if (req.headers.get("authorization") !== TOKEN) throw tusRefusal(401, "UNAUTHENTICATED");
    },
    async onUploadCreate(_req, upload: TusUpload) {
      const refusal = refusedParents.get(upload.metadata?.parentOfflineId ?? "");
      if (refusal) throw tusRefusal(refusal.status, refusal.code);
      return {};
    },
    async onUploadFinish(_req, upload: TusUpload) {
      if (failFinishes > 0) {
        failFinishes--;
        throw tusRefusal(500, "INTERNAL"); // the server died between the last bytes and the record
      }
      const bytes = readFileSync(path.join(dir, upload.id));
      if (sha256(bytes) !== upload.metadata?.sha256) throw tusRefusal(460, "CHECKSUM_MISMATCH");
      return { headers: { "X-Media-Id": `media-${upload.metadata?.offlineId}` } };
    },
  });
  server = await startHttpServer((req) => tus.handleWeb(req));
  endpoint = `${server.url}/files`;
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

let db: FieldSyncDb;
const queues: MediaQueue[] = [];

beforeEach(async () => {
  db = await freshDb("media");
  server.resetStats();
  server.setLatency(0);
  server.cutConnections({ afterBytes: 0, times: 0 });
  refusedParents.clear();
  failFinishes = 0;
});

afterEach(async () => {
  for (const queue of queues.splice(0)) await queue.stop();
});

function newQueue(options: MediaQueueOptions = {}): MediaQueue {
  const queue = new MediaQueue(db, {
    endpoint,
    headers: () => ({ Authorization: TOKEN }),
    pollIntervalMs: 0,
    retryDelays: [0, 50, 100],
    locks: null,
    random: () => 0,
    ...options,
  });
  queues.push(queue);
  return queue;
}

async function addParent(type: "assessment" | "response", serverVersion = 1): Promise<string> {
  const offlineId = randomUUID();
  const table = type === "assessment" ? db.assessments : db.responses;
  await table.put({ offlineId, serverVersion, pendingPaths: {}, syncState: serverVersion > 0 ? "synced" : "pending" });
  return offlineId;
}

async function capture(
  parentType: "assessment" | "response",
  parentOfflineId: string,
  size: number,
  options: { keepOriginal?: boolean } = {},
) {
  const bytes = randomBytes(size);
  const row = await captureMedia(
    db,
    {
      parentType,
      parentOfflineId,
      file: new Blob([bytes], { type: "image/jpeg" }),
      filename: `photo-${size}.jpg`,
      position: { latitude: 11.85, longitude: 13.16 },
    },
    options,
  );
  return { row, bytes };
}

const row = async (offlineId: string) => (await db.media.get(offlineId)) as MediaRow;
const createdOrder = () =>
  server.requests
    .filter((r) => r.method === "POST")
    .map(
      (r) =>
        Object.fromEntries(
          r.headers["upload-metadata"]
            .split(",")
            .map((kv) => kv.split(" "))
            .map(([k, v]) => [k, Buffer.from(v, "base64").toString()]),
        ).offlineId,
    );

describe("MediaQueue", () => {
  it("waits for the parent to exist on the server, then uploads, verifies and drops the bytes", async () => {
    const parent = await addParent("assessment", 0);
    const { row: media, bytes } = await capture("assessment", parent, 200_000);
    const queue = newQueue();
    queue.start();
    await queue.whenIdle();
    expect(server.requests).toHaveLength(0);
    expect((await row(media.offlineId)).uploadState).toBe(UPLOAD_STATES.PENDING);

    await db.assessments.update(parent, { serverVersion: 1 }); // the sync client got `applied`
    queue.kick();
    await queue.whenIdle();
    const uploaded = await row(media.offlineId);
    expect(uploaded).toMatchObject({
      uploadState: UPLOAD_STATES.UPLOADED,
      id: `media-${media.offlineId}`,
      sha256: sha256(bytes),
      size: bytes.length,
    });
    expect(uploaded.blob).toBeUndefined();
    expect(await db.uploadState.get(media.offlineId)).toBeUndefined();
    expect(server.bodyBytes()).toBe(bytes.length);
  });

  it("keeps the bytes after upload when asked to", async () => {
    const parent = await addParent("assessment");
    const { row: media } = await capture("assessment", parent, 10_000, { keepOriginal: true });
    const queue = newQueue();
    queue.start();
    await queue.whenIdle();
    const uploaded = await row(media.offlineId);
    expect(uploaded.uploadState).toBe(UPLOAD_STATES.UPLOADED);
    expect(uploaded.blob).toBeInstanceOf(Blob);
  });

  it("uploads assessment photos before response photos, smaller first", async () => {
    const assessment = await addParent("assessment");
    const response = await addParent("response");
    const r3 = await capture("response", response, 3_000);
    const r1 = await capture("response", response, 1_000);
    const a5 = await capture("assessment", assessment, 5_000);
    const a2 = await capture("assessment", assessment, 2_000);
    const a4 = await capture("assessment", assessment, 4_000);
    const queue = newQueue({ concurrency: 1 });
    queue.start();
    await queue.whenIdle();
    expect(createdOrder()).toEqual([a2, a4, a5, r1, r3].map((m) => m.row.offlineId));
    expect(server.maxConcurrent()).toBe(1);
  });

  it("runs at most three uploads at a time", async () => {
    const parent = await addParent("assessment");
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await capture("assessment", parent, 50_000 + i)).row.offlineId);
    server.setLatency(40);
    const queue = newQueue();
    let mostRunning = 0;
    queue.subscribe((s: MediaQueueSnapshot) => {
      mostRunning = Math.max(mostRunning, s.running.length);
    });
    queue.start();
    await queue.whenIdle();
    expect(mostRunning).toBe(3);
    expect(server.maxConcurrent()).toBe(3);
    for (const id of ids) expect((await row(id)).uploadState).toBe(UPLOAD_STATES.UPLOADED);
  });

  it("resumes from the server's offset after a restart of the queue (new instance, stored upload URL)", async () => {
    const parent = await addParent("assessment");
    const size = 3 * 1024 * 1024;
    const { row: media, bytes } = await capture("assessment", parent, size);
    server.setLatency(20);
    const first = newQueue({ chunkSize: 256 * 1024 });
    const halfway = new Promise<void>((resolve) => {
      first.subscribe((s) => {
        if ((s.running[0]?.bytesSent ?? 0) >= size / 3) resolve();
      });
    });
    first.start();
    await halfway;
    await first.stop(); // the tab closes mid-upload
    const stored = await db.uploadState.get(media.offlineId);
    expect(stored?.uploadUrl).toMatch(/\/files\/\w+$/);
    expect(stored?.offset).toBeGreaterThan(0);
    expect((await row(media.offlineId)).uploadState).toBe(UPLOAD_STATES.PENDING);
    const sentBefore = server.bodyBytes();
    server.resetStats();

    const second = newQueue({ chunkSize: 256 * 1024 });
    second.start();
    await second.whenIdle();
    expect((await row(media.offlineId)).uploadState).toBe(UPLOAD_STATES.UPLOADED);
    const [head, firstPatch] = server.requests;
    expect(head).toMatchObject({ method: "HEAD", path: new URL(stored?.uploadUrl ?? "").pathname });
    expect(server.requests.some((r) => r.method === "POST")).toBe(false);
    expect(firstPatch.method).toBe("PATCH");
    expect(Number(firstPatch.headers["upload-offset"])).toBeGreaterThanOrEqual(stored?.offset ?? 0);
    expect((sentBefore + server.bodyBytes()) / size).toBeLessThanOrEqual(1.2);
    expect(sha256(readFileSync(path.join(dir, new URL(stored?.uploadUrl ?? "").pathname.split("/").pop() as string)))).toBe(sha256(bytes));
  });

  it("uploads 10 MiB through the queue's fetch stack in PATCHes of DEFAULT_CHUNK_SIZE (throughput printed)", async () => {
    const parent = await addParent("assessment");
    const { row: media } = await capture("assessment", parent, 10 * 1024 * 1024);
    const queue = newQueue();
    const started = performance.now();
    queue.start();
    await queue.whenIdle();
    const ms = performance.now() - started;
    console.info(
      `[media] MediaQueue 10 MiB on loopback (FetchHttpStack, ${DEFAULT_CHUNK_SIZE / 1024} KiB chunks, fake-indexeddb): ${ms.toFixed(0)} ms = ${(10 / (ms / 1000)).toFixed(1)} MiB/s`,
    );
    expect((await row(media.offlineId)).uploadState).toBe(UPLOAD_STATES.UPLOADED);
    expect(server.requests.filter((r) => r.method === "PATCH")).toHaveLength((10 * 1024 * 1024) / DEFAULT_CHUNK_SIZE);
    expect(server.bodyBytes()).toBe(10 * 1024 * 1024);
  });

  it("resumes after a dropped connection within one run", async () => {
    const parent = await addParent("assessment");
    const { row: media, bytes } = await capture("assessment", parent, 1_500_000);
    server.cutConnections({ method: "PATCH", afterBytes: 400_000, times: 2 });
    const queue = newQueue({ chunkSize: Number.POSITIVE_INFINITY });
    queue.start();
    await queue.whenIdle();
    expect((await row(media.offlineId)).uploadState).toBe(UPLOAD_STATES.UPLOADED);
    expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(server.requests.filter((r) => r.cut)).toHaveLength(2);
    // Each PATCH after a cut starts where the server got to (a plain @tus/server loses what was
    // buffered on its way to disk; our endpoint keeps it — see the integration test's ratio).
    const offsets = server.requests.filter((r) => r.method === "PATCH").map((r) => Number(r.headers["upload-offset"]));
    expect(offsets).toHaveLength(3);
    expect(offsets[0]).toBe(0);
    expect(offsets[1]).toBeGreaterThan(0);
    expect(offsets[2]).toBeGreaterThan(offsets[1]);
    expect(server.bodyBytes()).toBeLessThan(bytes.length + 2 * 400_000);
  });

  const refusals = [
    { status: 403, code: "FORBIDDEN" },
    { status: 404, code: "NOT_FOUND" },
    { status: 413, code: "PAYLOAD_TOO_LARGE" },
    { status: 415, code: "UNSUPPORTED_MEDIA_TYPE" },
  ];

  it.each(refusals)("parks a file refused with $status, keeps its bytes, and retries it on request", async ({ status, code }) => {
    const parent = await addParent("assessment");
    const { row: media } = await capture("assessment", parent, 20_000);
    refusedParents.set(parent, { status, code });
    const queue = newQueue();
    queue.start();
    await queue.whenIdle();
    const parked = await row(media.offlineId);
    expect(parked).toMatchObject({ uploadState: UPLOAD_STATES.FAILED, uploadError: { kind: "refused", code, status } });
    expect(parked.blob).toBeInstanceOf(Blob);
    expect(server.requests.map((r) => r.method)).toEqual(["POST"]); // no retries, no bytes

    refusedParents.delete(parent);
    await queue.retry(media.offlineId);
    await queue.whenIdle();
    expect(await row(media.offlineId)).toMatchObject({ uploadState: UPLOAD_STATES.UPLOADED });
    expect((await row(media.offlineId)).uploadError).toBeUndefined();
  });

  it("marks bytes the server could not verify (460) as failed verification, visible and retryable", async () => {
    const parent = await addParent("assessment");
    const { row: media } = await capture("assessment", parent, 30_000);
    await db.media.update(media.offlineId, { sha256: "0".repeat(64) }); // as if the bytes changed after capture
    const queue = newQueue();
    queue.start();
    await queue.whenIdle();
    const failed = await row(media.offlineId);
    expect(failed).toMatchObject({
      uploadState: UPLOAD_STATES.FAILED,
      uploadError: { kind: "verification", code: "CHECKSUM_MISMATCH", status: 460 },
    });
    expect(failed.blob).toBeInstanceOf(Blob);
    expect(await db.uploadState.get(media.offlineId)).toBeUndefined();
    await queue.retry(media.offlineId);
    expect((await row(media.offlineId)).uploadState).toBe(UPLOAD_STATES.PENDING);
  });

  it("stops on 401 with needs-sign-in and carries on after signedIn()", async () => {
    const parent = await addParent("assessment");
    const { row: media } = await capture("assessment", parent, 20_000);
    let token = "Bearer expired";
    const queue = newQueue({ headers: () => ({ Authorization: token }) });
    const statuses: string[] = [];
    queue.subscribe((s) => statuses.push(s.status));
    queue.start();
    await queue.whenIdle();
    expect(queue.getSnapshot().status).toBe("needs-sign-in");
    expect(await row(media.offlineId)).toMatchObject({ uploadState: UPLOAD_STATES.PENDING, lastError: { code: "UNAUTHENTICATED" } });

    token = TOKEN;
    queue.signedIn();
    await queue.whenIdle();
    expect((await row(media.offlineId)).uploadState).toBe(UPLOAD_STATES.UPLOADED);
    expect(statuses).toContain("needs-sign-in");
    expect(queue.getSnapshot().status).toBe("idle");
  });

  it("backs off after a server error and keeps the file pending", async () => {
    const parent = await addParent("assessment");
    const { row: media } = await capture("assessment", parent, 20_000);
    refusedParents.set(parent, { status: 503, code: "SERVICE_UNAVAILABLE" });
    let now = 1_000_000;
    const queue = newQueue({ retryDelays: [], now: () => now, random: () => 0.5 });
    queue.start();
    await queue.whenIdle();
    const waiting = await row(media.offlineId);
    expect(waiting).toMatchObject({
      uploadState: UPLOAD_STATES.PENDING,
      attempts: 1,
      retryAt: now + 500,
      lastError: { code: "SERVICE_UNAVAILABLE" },
    });
    refusedParents.delete(parent);
    queue.kick();
    await queue.whenIdle();
    expect((await row(media.offlineId)).uploadState).toBe(UPLOAD_STATES.PENDING); // still backing off
    now += 501;
    queue.kick();
    await queue.whenIdle();
    expect(await row(media.offlineId)).toMatchObject({ uploadState: UPLOAD_STATES.UPLOADED });
  });

  it("sends a file again whose bytes all arrived but that the server never recorded (no X-Media-Id), instead of dropping it", async () => {
    const parent = await addParent("assessment");
    const { row: media, bytes } = await capture("assessment", parent, 300_000);
    failFinishes = 1;
    const queue = newQueue({ retryDelays: [] }); // backoff 0 (random → 0): the retries run in this pass
    queue.start();
    await queue.whenIdle();
    // The retry's HEAD finds the upload at offset = length, which tus calls success; no record was
    // named, so the file is not taken as uploaded: a new upload sends it again and is recorded.
    expect(server.requests.map((r) => `${r.method} ${r.status}`)).toEqual(["POST 201", "PATCH 500", "HEAD 200", "POST 201", "PATCH 204"]);
    expect(await row(media.offlineId)).toMatchObject({ uploadState: UPLOAD_STATES.UPLOADED, id: `media-${media.offlineId}` });
    expect(server.bodyBytes()).toBe(2 * bytes.length);
  });

  it("cancels one file: aborts it, deletes the partial upload on the server, pauses it until retried", async () => {
    const parent = await addParent("assessment");
    const { row: big } = await capture("assessment", parent, 2 * 1024 * 1024);
    server.setLatency(30);
    const queue = newQueue({ chunkSize: 128 * 1024 });
    const started = new Promise<void>((resolve) => queue.subscribe((s) => (s.running[0]?.bytesSent ?? 0) > 0 && resolve()));
    queue.start();
    await started;
    const uploadUrl = (await db.uploadState.get(big.offlineId))?.uploadUrl as string;
    const uploadId = new URL(uploadUrl).pathname.split("/").pop() as string;
    expect(uploadsOnServer()).toContain(uploadId);
    await queue.cancel(big.offlineId);
    expect(await row(big.offlineId)).toMatchObject({ uploadState: UPLOAD_STATES.PENDING, paused: true });
    expect(await db.uploadState.get(big.offlineId)).toBeUndefined();
    expect(server.requests.some((r) => r.method === "DELETE")).toBe(true);
    expect(uploadsOnServer()).not.toContain(uploadId);
    await queue.whenIdle();
    expect((await row(big.offlineId)).uploadState).toBe(UPLOAD_STATES.PENDING); // paused: not restarted

    server.setLatency(0);
    await queue.retry(big.offlineId);
    await queue.whenIdle();
    expect((await row(big.offlineId)).uploadState).toBe(UPLOAD_STATES.UPLOADED);
  });
});

describe("MediaQueue start-up", () => {
  it("drops the bytes of a file it sent whose record arrived by pull, and nothing else", async () => {
    const parent = await addParent("assessment");
    const sent = await capture("assessment", parent, 1_000);
    const elsewhere = await capture("assessment", parent, 1_000);
    // The server finished `sent` but its answer was lost; pull then marked both uploaded.
    await db.uploadState.put({ offlineId: sent.row.offlineId, uploadUrl: `${endpoint}/x`, offset: 0, size: 1_000, updatedAt: "x" });
    await db.media.bulkUpdate([sent, elsewhere].map((m) => ({ key: m.row.offlineId, changes: { uploadState: UPLOAD_STATES.UPLOADED } })));
    const queue = newQueue();
    queue.start();
    await queue.whenIdle();
    expect((await row(sent.row.offlineId)).blob).toBeUndefined();
    expect(await db.uploadState.count()).toBe(0);
    expect((await row(elsewhere.row.offlineId)).blob).toBeInstanceOf(Blob);
    expect(server.requests).toHaveLength(0);
  });
});

describe("DexieUrlStorage", () => {
  it("keeps one resume URL per media file in the uploadState table", async () => {
    const storage = new DexieUrlStorage(db);
    const key = await storage.addUpload(mediaFingerprint("m-1"), {
      size: 10,
      metadata: {},
      creationTime: "x",
      urlStorageKey: "",
      uploadUrl: "http://h/files/abc",
      parallelUploadUrls: null,
    });
    expect(key).toBe("m-1");
    expect(await storage.findUploadsByFingerprint(mediaFingerprint("m-1"))).toEqual([
      expect.objectContaining({ uploadUrl: "http://h/files/abc", urlStorageKey: "m-1", size: 10 }),
    ]);
    expect(await storage.findUploadsByFingerprint(mediaFingerprint("m-2"))).toEqual([]);
    await storage.recordOffset("m-1", 5);
    expect((await db.uploadState.get("m-1"))?.offset).toBe(5);
    expect(await storage.findAllUploads()).toHaveLength(1);
    await storage.removeUpload(key);
    expect(await storage.findAllUploads()).toEqual([]);
  });
});
