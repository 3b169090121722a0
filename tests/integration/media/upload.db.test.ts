import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { DefaultHttpStack, type DetailedError, type HttpStack, Upload } from "tus-js-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as mediaRoute from "@/app/api/media/[id]/route";
import * as uploadsRoute from "@/app/api/media/uploads/[[...path]]/route";
import * as pullRoute from "@/app/api/sync/pull/route";
import { POST as push } from "@/app/api/sync/push/route";
import { DEFAULT_CHUNK_SIZE } from "@/lib/client/media/media-queue";
import { assignUser, createEntity } from "@/lib/server/admin";
import { resetEnvForTests } from "@/lib/server/env";
import { cleanupExpiredUploads, resetMediaUploadsForTests } from "@/lib/server/media/tus-uploads";
import { call, makeUser } from "../../fixtures/api";
import { type HttpFixture, mediaRoutes, routeTable, startHttpServer } from "../../fixtures/http-server";
import { useTestDb } from "../../fixtures/test-db";
import { encodeTusMetadata as encodeMetadata } from "../../fixtures/tus";

/**
 * PROTOCOL §6 end to end: the real tus-js-client (its Node HTTP stack) against our route handlers
 * behind a real HTTP server on loopback.
 */

const db = useTestDb();
const MiB = 1024 * 1024;
const mediaDir = mkdtempSync(path.join(os.tmpdir(), "fieldsync-media-"));
const uploadsDir = path.join(mediaDir, "uploads");

let server: HttpFixture;
let endpoint: string;
type Actor = Awaited<ReturnType<typeof makeUser>>;
let assessor: Actor; // assigned to entity A
let outsider: Actor; // an assessor assigned to entity B only
let responder: Actor; // assigned to A, but may not write assessments
let parentA: string; // an assessment of A (offlineId)
let parentB: string; // an assessment of B (offlineId)

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const uploadsLeft = () => {
  try {
    return readdirSync(uploadsDir);
  } catch {
    return [];
  }
};

async function createAssessment(token: string, entityId: string): Promise<string> {
  const offlineId = randomUUID();
  const mutation = {
    mutationId: randomUUID(),
    type: "assessment",
    action: "create",
    offlineId,
    baseVersion: 0,
    data: { entityId, assessmentType: "WASH", status: "DRAFT", data: {} },
  };
  const res = await call(push, { path: "/api/sync/push", token, body: { deviceId: randomUUID(), mutations: [mutation] } });
  expect((res.body.results as { status: string }[])[0].status).toBe("applied");
  return offlineId;
}

function metadataFor(bytes: Buffer, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    offlineId: randomUUID(),
    parentType: "assessment",
    parentOfflineId: parentA,
    filename: "latrine-block.jpg",
    mimeType: "image/jpeg",
    sha256: sha256(bytes),
    capturedAt: "2026-11-21T10:00:00.000Z",
    latitude: "11.85",
    longitude: "13.16",
    ...overrides,
  };
}

type Outcome =
  | { ok: true; url: string | null; mediaId: string | undefined; ms: number }
  | { ok: false; status: number | undefined; body: string | undefined; message: string; url: string | null };

/** One upload with tus-js-client; resolves with its outcome instead of throwing. */
function tusUpload(
  bytes: Buffer,
  options: {
    token?: string;
    uploadDataDuringCreation?: boolean;
    metadata: Record<string, string>;
    uploadSize?: number;
    retryDelays?: number[] | null;
    uploadUrl?: string;
    httpStack?: HttpStack;
    chunkSize?: number;
  },
): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const upload: Upload = new Upload(bytes, {
      endpoint,
      uploadUrl: options.uploadUrl ?? null,
      headers: options.token ? { Authorization: `Bearer ${options.token}` } : {},
      metadata: options.metadata,
      uploadSize: options.uploadSize ?? null,
      uploadDataDuringCreation: options.uploadDataDuringCreation ?? false,
      ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
      ...(options.httpStack ? { httpStack: options.httpStack } : {}),
      retryDelays: options.retryDelays === undefined ? [0, 100, 300, 1000] : options.retryDelays,
      onSuccess: ({ lastResponse }) =>
        resolve({ ok: true, url: upload.url, mediaId: lastResponse.getHeader("X-Media-Id"), ms: performance.now() - started }),
      onError: (error) => {
        const detailed = error as DetailedError;
        resolve({
          ok: false,
          status: detailed.originalResponse?.getStatus(),
          body: detailed.originalResponse?.getBody(),
          message: error.message,
          url: upload.url,
        });
      },
    });
    upload.start();
  });
}

function expectOk(outcome: Outcome): asserts outcome is Extract<Outcome, { ok: true }> {
  if (!outcome.ok) throw new Error(`upload failed: ${outcome.status} ${outcome.body ?? outcome.message}`);
}

function mediaRows(offlineId: string) {
  return db.current.prisma.media.findMany({ where: { offlineId } });
}

beforeAll(async () => {
  process.env.MEDIA_DIR = mediaDir;
  process.env.MEDIA_UPLOAD_EXPIRY_HOURS = "1";
  resetEnvForTests();
  resetMediaUploadsForTests();
  const prisma = db.current.prisma;
  const base = {
    type: "CAMP" as const,
    lga: "Jere",
    ward: "Mashamari",
    latitude: 11.85,
    longitude: 13.16,
    autoApprove: false,
    createdById: null,
  };
  const entityA = await createEntity({ ...base, name: "Camp A" });
  const entityB = await createEntity({ ...base, name: "Camp B" });
  assessor = await makeUser(prisma, "ASSESSOR");
  outsider = await makeUser(prisma, "ASSESSOR");
  responder = await makeUser(prisma, "RESPONDER");
  await assignUser({ userId: assessor.user.id, entityId: entityA.id });
  await assignUser({ userId: responder.user.id, entityId: entityA.id });
  await assignUser({ userId: outsider.user.id, entityId: entityB.id });
  parentA = await createAssessment(assessor.token, entityA.id);
  parentB = await createAssessment(outsider.token, entityB.id);

  server = await startHttpServer(
    routeTable([...mediaRoutes({ uploads: uploadsRoute, media: mediaRoute }), { pattern: /^\/api\/sync\/pull$/, module: pullRoute }]),
  );
  endpoint = `${server.url}/api/media/uploads`;
});

afterAll(async () => {
  await server?.close();
  resetMediaUploadsForTests();
  rmSync(mediaDir, { recursive: true, force: true });
});

beforeEach(() => {
  server.resetStats();
  server.setLatency(0);
  server.cutConnections({ afterBytes: 0, times: 0 });
});

describe("tus upload", () => {
  /** tus-js-client with an agent that counts every byte its sockets wrote, headers included. */
  function countingStack(): { stack: HttpStack; bytesWritten(): number; destroy(): void } {
    const sockets: Socket[] = [];
    const agent = new (class extends http.Agent {
      override createConnection(...args: Parameters<http.Agent["createConnection"]>) {
        const socket = super.createConnection(...args) as Socket;
        sockets.push(socket);
        return socket;
      }
    })({ keepAlive: true });
    return {
      stack: new DefaultHttpStack({ agent }),
      bytesWritten: () => sockets.reduce((sum, s) => sum + s.bytesWritten, 0),
      destroy: () => agent.destroy(),
    };
  }

  async function expectOneStoredCopy(outcome: Extract<Outcome, { ok: true }>, metadata: Record<string, string>, bytes: Buffer) {
    const rows = await mediaRows(metadata.offlineId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: outcome.mediaId,
      sha256: metadata.sha256,
      size: BigInt(bytes.length),
      parentOfflineId: parentA,
      uploadedById: assessor.user.id,
    });
    expect(rows[0].changeSeq).toBeGreaterThan(0n);
    expect(readFileSync(path.join(mediaDir, rows[0].storageKey)).equals(bytes)).toBe(true);
    expect(uploadsLeft()).toEqual([]); // the working copy is gone once promoted
  }

  it("completes a 10 MB upload cut off three times, the client sending at most 1.2× its size", async () => {
    const bytes = randomBytes(10 * 1_000_000);
    const metadata = metadataFor(bytes);
    // The link drops every 2.5 MB that reaches the server, whatever request carries them.
    server.cutConnections({ method: "PATCH", afterBytes: 2_500_000, times: 3, across: true });
    const client = countingStack();
    // The chunk size the app's MediaQueue uses.
    const outcome = await tusUpload(bytes, { token: assessor.token, metadata, httpStack: client.stack, chunkSize: DEFAULT_CHUNK_SIZE });
    client.destroy();
    expectOk(outcome);

    const patches = server.requests.filter((r) => r.method === "PATCH");
    expect(patches.filter((r) => r.cut)).toHaveLength(3);
    expect(server.requests.filter((r) => r.method === "HEAD").length).toBeGreaterThanOrEqual(3); // resumed, not restarted
    expect(server.requests.filter((r) => r.method === "POST")).toHaveLength(1);
    const sent = client.bytesWritten() / bytes.length;
    const arrived = server.bodyBytes() / bytes.length;
    console.info(
      `[media] 10 MB upload, ${DEFAULT_CHUNK_SIZE / 1024} KiB chunks, 3 cuts: the client wrote ${client.bytesWritten()} bytes = ${sent.toFixed(3)}× the file; ${server.bodyBytes()} body bytes = ${arrived.toFixed(3)}× reached the server`,
    );
    expect(sent).toBeLessThanOrEqual(1.2);
    // Every byte that arrived is kept (a cut body ends instead of failing): nothing arrives twice.
    expect(arrived).toBeLessThan(1.01);
    await expectOneStoredCopy(outcome, metadata, bytes);
  });

  it("a 10 MB upload sent as one PATCH and cut three times resumes where the server got to", async () => {
    const bytes = randomBytes(10 * 1_000_000);
    const metadata = metadataFor(bytes);
    server.cutConnections({ method: "PATCH", afterBytes: 2_500_000, times: 3 });
    const client = countingStack();
    const outcome = await tusUpload(bytes, { token: assessor.token, metadata, httpStack: client.stack });
    client.destroy();
    expectOk(outcome);
    expect(server.requests.filter((r) => r.method === "PATCH" && r.cut)).toHaveLength(3);
    const arrived = server.bodyBytes() / bytes.length;
    // Without chunks, each cut also throws away whatever the client's socket buffers held (megabytes
    // on loopback): why the app sends DEFAULT_CHUNK_SIZE chunks.
    console.info(
      `[media] 10 MB upload as one PATCH, 3 cuts: the client wrote ${(client.bytesWritten() / bytes.length).toFixed(3)}× the file; ${arrived.toFixed(3)}× reached the server`,
    );
    expect(arrived).toBeLessThan(1.01);
    await expectOneStoredCopy(outcome, metadata, bytes);
  });

  it.each([
    ["in the app's chunks", DEFAULT_CHUNK_SIZE],
    ["as one PATCH", undefined],
  ])("measures loopback throughput for an uninterrupted 10 MiB upload %s", async (label, chunkSize) => {
    const bytes = randomBytes(10 * MiB);
    const outcome = await tusUpload(bytes, { token: assessor.token, metadata: metadataFor(bytes), chunkSize });
    expectOk(outcome);
    console.info(
      `[media] 10 MiB upload on loopback ${label}: ${outcome.ms.toFixed(0)} ms = ${(10 / (outcome.ms / 1000)).toFixed(1)} MiB/s (create + PATCHes + SHA-256 verify + record)`,
    );
    expect(server.bodyBytes()).toBe(bytes.length);
    expect(server.requests.filter((r) => r.method === "PATCH")).toHaveLength(chunkSize ? Math.ceil(bytes.length / chunkSize) : 1);
  });

  it("completes an upload sent whole with its creation request (creation-with-upload)", async () => {
    const bytes = randomBytes(256 * 1024);
    const metadata = metadataFor(bytes);
    const outcome = await tusUpload(bytes, { token: assessor.token, metadata, uploadDataDuringCreation: true });
    expectOk(outcome);
    expect(server.requests.map((r) => r.method)).toEqual(["POST"]);
    expect(await mediaRows(metadata.offlineId)).toHaveLength(1);
    expect(uploadsLeft()).toEqual([]);
  });

  it("needs a same-origin Origin on cookie-authenticated uploads", async () => {
    const metadata = encodeMetadata(metadataFor(Buffer.alloc(10)));
    const headers = {
      "Tus-Resumable": "1.0.0",
      Cookie: `fs_session=${assessor.token}`,
      "Upload-Length": "10",
      "Upload-Metadata": metadata,
    };
    const crossSite = await fetch(endpoint, { method: "POST", headers: { ...headers, Origin: "https://evil.example" } });
    expect(crossSite.status).toBe(403);
    expect((await crossSite.json()).error.code).toBe("FORBIDDEN");
    const sameSite = await fetch(endpoint, { method: "POST", headers: { ...headers, Origin: server.url } });
    expect(sameSite.status).toBe(201);
    const location = sameSite.headers.get("location") as string;
    expect(location).toMatch(/^\/api\/media\/uploads\/[0-9a-f-]{36}_[0-9a-f]{24}$/);
    const cookie = { "Tus-Resumable": "1.0.0", Cookie: `fs_session=${assessor.token}` };
    expect((await fetch(`${server.url}${location}`, { method: "DELETE", headers: cookie })).status).toBe(403); // no Origin
    expect((await fetch(`${server.url}${location}`, { method: "DELETE", headers: { ...cookie, Origin: server.url } })).status).toBe(204);
    expect(uploadsLeft()).toEqual([]);
  });

  it("refuses an upload whose length is deferred: sizes are verified on completion (400)", async () => {
    const metadata = encodeMetadata(metadataFor(Buffer.alloc(10)));
    const res = await fetch(endpoint, {
      method: "POST",
      headers: {
        "Tus-Resumable": "1.0.0",
        Authorization: `Bearer ${assessor.token}`,
        "Upload-Defer-Length": "1",
        "Upload-Metadata": metadata,
      },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("VALIDATION_FAILED");
    expect(uploadsLeft()).toEqual([]);
  });

  it("refuses bytes whose SHA-256 differs from the metadata (460) and keeps no record", async () => {
    const bytes = randomBytes(300_000);
    const metadata = metadataFor(bytes, { sha256: sha256(Buffer.from("something else")) });
    const outcome = await tusUpload(bytes, { token: assessor.token, metadata });
    expect(outcome).toMatchObject({ ok: false, status: 460 });
    if (!outcome.ok) expect(JSON.parse(outcome.body ?? "{}")).toMatchObject({ error: { code: "CHECKSUM_MISMATCH" } });
    expect(await mediaRows(metadata.offlineId)).toHaveLength(0);
    expect(uploadsLeft()).toEqual([]);
  });

  const refusals: {
    name: string;
    status: number;
    code: string;
    who: () => Actor | null;
    meta: () => Record<string, string>;
    uploadSize?: number;
    issuePath?: string[];
  }[] = [
    { name: "no credentials", status: 401, code: "UNAUTHENTICATED", who: () => null, meta: () => ({}) },
    { name: "an unknown parent", status: 404, code: "NOT_FOUND", who: () => assessor, meta: () => ({ parentOfflineId: randomUUID() }) },
    {
      name: "a parent outside the user's scope",
      status: 403,
      code: "FORBIDDEN",
      who: () => assessor,
      meta: () => ({ parentOfflineId: parentB }),
    },
    { name: "a parent type the role may not write", status: 403, code: "FORBIDDEN", who: () => responder, meta: () => ({}) },
    {
      name: "a type that is not allowed",
      status: 415,
      code: "UNSUPPORTED_MEDIA_TYPE",
      who: () => assessor,
      meta: () => ({ mimeType: "image/gif" }),
    },
    {
      name: "a length over the limit",
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
      who: () => assessor,
      meta: () => ({}),
      uploadSize: 25 * MiB + 1,
    },
    {
      name: "a malformed SHA-256",
      status: 400,
      code: "VALIDATION_FAILED",
      who: () => assessor,
      meta: () => ({ sha256: "not-hex" }),
      issuePath: ["Upload-Metadata", "sha256"],
    },
    {
      name: "a missing offlineId",
      status: 400,
      code: "VALIDATION_FAILED",
      who: () => assessor,
      meta: () => ({ offlineId: "" }),
      issuePath: ["Upload-Metadata", "offlineId"],
    },
  ];

  it.each(refusals)("refuses $name with $status before any byte is stored", async ({ status, code, who, meta, uploadSize, issuePath }) => {
    const bytes = randomBytes(64 * 1024);
    const metadata = metadataFor(bytes, meta());
    const outcome = await tusUpload(bytes, { token: who()?.token, metadata, uploadSize, retryDelays: null });
    expect(outcome).toMatchObject({ ok: false, status, url: null });
    const body = outcome.ok ? {} : JSON.parse(outcome.body ?? "{}");
    expect(body.error).toEqual({
      code,
      message: expect.any(String),
      ...(issuePath ? { issues: [expect.objectContaining({ path: issuePath })] } : {}),
    });
    expect(server.requests.map((r) => r.method)).toEqual(["POST"]);
    expect(server.bodyBytes()).toBe(0);
    expect(uploadsLeft()).toEqual([]);
    if (metadata.offlineId) expect(await mediaRows(metadata.offlineId)).toHaveLength(0);
  });

  it("yields one record when the same offlineId is uploaded twice, in turn or at once", async () => {
    const bytes = randomBytes(200_000);
    const metadata = metadataFor(bytes);
    const first = await tusUpload(bytes, { token: assessor.token, metadata });
    const second = await tusUpload(bytes, { token: assessor.token, metadata });
    expectOk(first);
    expectOk(second);
    expect(second.mediaId).toBe(first.mediaId);
    expect(await mediaRows(metadata.offlineId)).toHaveLength(1);

    const raced = metadataFor(bytes);
    const outcomes = await Promise.all([1, 2, 3].map(() => tusUpload(bytes, { token: assessor.token, metadata: raced })));
    for (const outcome of outcomes) expectOk(outcome);
    expect(new Set(outcomes.map((o) => (o.ok ? o.mediaId : null))).size).toBe(1);
    expect(await mediaRows(raced.offlineId)).toHaveLength(1);
    expect(uploadsLeft()).toEqual([]);
  });

  it("refuses a different file under an offlineId that is taken (409)", async () => {
    const bytes = randomBytes(50_000);
    const metadata = metadataFor(bytes);
    expectOk(await tusUpload(bytes, { token: assessor.token, metadata }));
    const other = randomBytes(50_000);
    const outcome = await tusUpload(other, { token: assessor.token, metadata: { ...metadata, sha256: sha256(other) }, retryDelays: null });
    expect(outcome).toMatchObject({ ok: false, status: 409 });
    expect(server.bodyBytes()).toBe(50_000); // only the first file's bytes
  });

  it("answers HEAD on a finished upload with offset = length, so a lost final answer resumes into done", async () => {
    const bytes = randomBytes(100_000);
    const metadata = metadataFor(bytes);
    const first = await tusUpload(bytes, { token: assessor.token, metadata });
    expectOk(first);
    server.resetStats();
    const again = await tusUpload(bytes, { token: assessor.token, metadata, uploadUrl: first.url ?? undefined });
    expectOk(again);
    expect(again.mediaId).toBe(first.mediaId);
    expect(server.requests.map((r) => r.method)).toEqual(["HEAD"]);
    expect(server.bodyBytes()).toBe(0);
  });

  it("lets only the uploader resume or terminate an upload", async () => {
    const bytes = randomBytes(2 * MiB);
    server.cutConnections({ method: "PATCH", afterBytes: 512 * 1024, times: 1 });
    const partial = await tusUpload(bytes, { token: assessor.token, metadata: metadataFor(bytes), retryDelays: null });
    expect(partial.ok).toBe(false);
    const url = partial.url as string;
    const tus = { "Tus-Resumable": "1.0.0" };
    const asOutsider = { ...tus, Authorization: `Bearer ${outsider.token}` };
    expect((await fetch(url, { method: "HEAD", headers: asOutsider })).status).toBe(403);
    const patch = await fetch(url, {
      method: "PATCH",
      headers: { ...asOutsider, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream" },
      body: new Uint8Array(10),
    });
    expect(patch.status).toBe(403);
    expect((await patch.json()).error.code).toBe("FORBIDDEN");
    expect((await fetch(url, { method: "DELETE", headers: asOutsider })).status).toBe(403);

    const head = await fetch(url, { method: "HEAD", headers: { ...tus, Authorization: `Bearer ${assessor.token}` } });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get("upload-offset"))).toBeGreaterThan(0);
    expect((await fetch(url, { method: "DELETE", headers: { ...tus, Authorization: `Bearer ${assessor.token}` } })).status).toBe(204);
    expect(uploadsLeft()).toEqual([]);
  });

  it("refuses a PATCH whose body is not application/offset+octet-stream with 415, writing nothing", async () => {
    const bytes = randomBytes(64 * 1024);
    const created = await fetch(endpoint, {
      method: "POST",
      headers: {
        "Tus-Resumable": "1.0.0",
        Authorization: `Bearer ${assessor.token}`,
        "Upload-Length": String(bytes.length),
        "Upload-Metadata": encodeMetadata(metadataFor(bytes)),
      },
    });
    expect(created.status).toBe(201);
    const url = new URL(created.headers.get("location") as string, server.url).toString();
    const auth = { "Tus-Resumable": "1.0.0", Authorization: `Bearer ${assessor.token}` };
    for (const contentType of ["application/json", "application/octet-stream", null]) {
      const res = await fetch(url, {
        method: "PATCH",
        headers: { ...auth, "Upload-Offset": "0", ...(contentType ? { "Content-Type": contentType } : {}) },
        body: new Uint8Array(bytes),
      });
      expect(res.status, String(contentType)).toBe(415);
      expect(res.headers.get("tus-resumable")).toBe("1.0.0");
      expect((await res.json()).error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    }
    const head = await fetch(url, { method: "HEAD", headers: auth });
    expect(head.headers.get("upload-offset")).toBe("0");
    await fetch(url, { method: "DELETE", headers: auth });
  });

  it("announces expiry and removes abandoned partial uploads with cleanupExpiredUploads()", async () => {
    const bytes = randomBytes(1 * MiB);
    server.cutConnections({ method: "PATCH", afterBytes: 256 * 1024, times: 2 });
    const abandoned = await tusUpload(bytes, { token: assessor.token, metadata: metadataFor(bytes), retryDelays: null });
    const fresh = await tusUpload(bytes, { token: assessor.token, metadata: metadataFor(bytes), retryDelays: null });
    expect(abandoned.ok || fresh.ok).toBe(false);
    const abandonedId = (abandoned.url as string).split("/").pop() as string;
    const freshId = (fresh.url as string).split("/").pop() as string;
    expect(uploadsLeft().sort()).toEqual([abandonedId, `${abandonedId}.json`, freshId, `${freshId}.json`].sort());

    // Created two hours ago; MEDIA_UPLOAD_EXPIRY_HOURS is 1.
    const infoFile = path.join(uploadsDir, `${abandonedId}.json`);
    const info = JSON.parse(readFileSync(infoFile, "utf8"));
    writeFileSync(infoFile, JSON.stringify({ ...info, creation_date: new Date(Date.now() - 2 * 3_600_000).toISOString() }));

    expect(await cleanupExpiredUploads()).toBe(1);
    expect(uploadsLeft().sort()).toEqual([freshId, `${freshId}.json`].sort());
    const head = await fetch(abandoned.url as string, {
      method: "HEAD",
      headers: { "Tus-Resumable": "1.0.0", Authorization: `Bearer ${assessor.token}` },
    });
    expect(head.status).toBe(404);

    const post = await fetch(endpoint, {
      method: "POST",
      headers: {
        "Tus-Resumable": "1.0.0",
        Authorization: `Bearer ${assessor.token}`,
        "Upload-Length": "10",
        "Upload-Metadata": encodeMetadata(metadataFor(Buffer.alloc(10))),
      },
    });
    expect(post.status).toBe(201);
    const expires = Date.parse(post.headers.get("upload-expires") ?? "");
    expect(expires - Date.now()).toBeGreaterThan(59 * 60_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(3_600_000);
  });
});

describe("uploaded media", () => {
  let bytes: Buffer;
  let mediaId: string;
  let offlineId: string;

  beforeAll(async () => {
    server.cutConnections({ afterBytes: 0, times: 0 });
    bytes = randomBytes(700_000);
    const metadata = metadataFor(bytes, { filename: "Water point 3.jpg" });
    offlineId = metadata.offlineId;
    const outcome = await tusUpload(bytes, { token: assessor.token, metadata });
    expectOk(outcome);
    mediaId = outcome.mediaId as string;
  });

  it("appears in pull as a media change with its url", async () => {
    const res = await fetch(`${server.url}/api/sync/pull?limit=2000`, { headers: { Authorization: `Bearer ${assessor.token}` } });
    const body = (await res.json()) as { changes: { type: string; op: string; offlineId: string; record?: Record<string, unknown> }[] };
    const change = body.changes.find((c) => c.type === "media" && c.offlineId === offlineId);
    expect(change).toMatchObject({
      op: "upsert",
      record: {
        id: mediaId,
        parentOfflineId: parentA,
        size: bytes.length,
        sha256: sha256(bytes),
        url: `/api/media/${mediaId}`,
        mimeType: "image/jpeg",
        latitude: 11.85,
      },
    });
    const outsiderPull = await fetch(`${server.url}/api/sync/pull?limit=2000`, { headers: { Authorization: `Bearer ${outsider.token}` } });
    const outsiderChanges = ((await outsiderPull.json()) as { changes: { type: string; offlineId: string }[] }).changes;
    expect(outsiderChanges.some((c) => c.offlineId === offlineId)).toBe(false);
  });

  it("serves the bytes with ETag to a user in scope, 304 on If-None-Match", async () => {
    const auth = { Authorization: `Bearer ${assessor.token}` };
    const res = await fetch(`${server.url}/api/media/${mediaId}`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe(`"${sha256(bytes)}"`);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    expect(res.headers.get("content-length")).toBe(String(bytes.length));
    expect(res.headers.get("cache-control")).toContain("private");
    expect(res.headers.get("content-disposition")).toContain("filename*=UTF-8''Water%20point%203.jpg");
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);

    const cached = await fetch(`${server.url}/api/media/${mediaId}`, { headers: { ...auth, "If-None-Match": `"${sha256(bytes)}"` } });
    expect(cached.status).toBe(304);
    expect(cached.headers.get("etag")).toBe(`"${sha256(bytes)}"`);

    const ranged = await fetch(`${server.url}/api/media/${mediaId}`, { headers: { ...auth, Range: "bytes=100-199" } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-range")).toBe(`bytes 100-199/${bytes.length}`);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(100, 200))).toBe(true);
  });

  const downloads: { name: string; who: () => string | null; id: () => string; status: number; code: string }[] = [
    { name: "an assessor out of scope", who: () => outsider.token, id: () => mediaId, status: 403, code: "FORBIDDEN" },
    { name: "no credentials", who: () => null, id: () => mediaId, status: 401, code: "UNAUTHENTICATED" },
    { name: "an unknown id", who: () => assessor.token, id: () => randomUUID(), status: 404, code: "NOT_FOUND" },
    { name: "an id that is not a UUID", who: () => assessor.token, id: () => "nope", status: 400, code: "VALIDATION_FAILED" },
  ];

  it.each(downloads)("answers $name with $status", async ({ who, id, status, code }) => {
    const token = who();
    const res = await fetch(`${server.url}/api/media/${id()}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error: { code, message: expect.any(String) } });
  });
});
