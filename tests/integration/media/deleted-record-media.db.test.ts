/**
 * What a deleted record leaves behind (issue 11 §4, README "Media of deleted records"): the photos
 * of a deleted assessment, response or entity disappear from pull (a `media` `delete` change),
 * answer 404 to everyone, and their bytes leave the media store once nothing holds them — kept
 * while a PENDING conflict may restore the record, or while another record refers to the same
 * (content-addressed) bytes. A restore brings back the media whose bytes remain and names the rest.
 * Against the roles × scope setup of tests/integration/scope/matrix.db.test.ts.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as mediaRoute from "@/app/api/media/[id]/route";
import * as uploadsRoute from "@/app/api/media/uploads/[[...path]]/route";
import { UPLOAD_STATES } from "@/lib/client/db/types";
import { captureMedia } from "@/lib/client/media/capture-media";
import { MediaQueue } from "@/lib/client/media/media-queue";
import { createRecord } from "@/lib/client/outbox/local-writes";
import type { Mutation, Role } from "@/lib/protocol";
import { resetEnvForTests } from "@/lib/server/env";
import { releaseMediaBytes } from "@/lib/server/media/deleted-media";
import { resetMediaUploadsForTests } from "@/lib/server/media/tus-uploads";
import { applyMutation } from "@/lib/server/sync/push";
import { call } from "../../fixtures/api";
import { createAppFetch, type Device, openDevice } from "../../fixtures/app-fetch";
import { type HttpFixture, mediaRoutes, routeTable, startHttpServer } from "../../fixtures/http-server";
import {
  assign,
  type Loose,
  latestByRecord,
  mut,
  newEntity,
  pullAll,
  pushOne,
  quickUser,
  resolve,
  type Signed,
  seedAssessment,
  seedResponse,
} from "../../fixtures/sync";
import { useTestDb } from "../../fixtures/test-db";
import { createTusUpload, encodeTusMetadata, patchTusUpload, tusHeaders } from "../../fixtures/tus";

const db = useTestDb();
const prisma = () => db.current.prisma;
const mediaDir = mkdtempSync(path.join(os.tmpdir(), "fieldsync-deleted-media-"));
let server: HttpFixture;
let endpoint: string;

const ROLES: Role[] = ["ASSESSOR", "RESPONDER", "COORDINATOR", "ADMIN"];
const users = {} as Record<Role, Signed>;
/** An assessor assigned only to OUT: never in scope of IN's records. */
let OUTSIDER: Signed;
/** Second coordinator: the "other side" of conflicts. */
let C2: Signed;
let IN: { id: string };
let OUT: { id: string };

beforeAll(async () => {
  process.env.MEDIA_DIR = mediaDir;
  resetEnvForTests();
  resetMediaUploadsForTests();
  const p = prisma();
  for (const role of ROLES) users[role] = await quickUser(p, role, `Deleted-media ${role.toLowerCase()}`);
  OUTSIDER = await quickUser(p, "ASSESSOR", "Outsider");
  C2 = await quickUser(p, "COORDINATOR", "Second coordinator");
  IN = await newEntity({ name: "In Scope" });
  OUT = await newEntity({ name: "Out Of Scope" });
  await assign(users.ASSESSOR, IN.id);
  await assign(users.RESPONDER, IN.id);
  await assign(OUTSIDER, OUT.id);
  server = await startHttpServer(routeTable(mediaRoutes({ uploads: uploadsRoute, media: mediaRoute })));
  endpoint = `${server.url}/api/media/uploads`;
});

afterAll(async () => {
  await server?.close();
  resetMediaUploadsForTests();
  rmSync(mediaDir, { recursive: true, force: true });
});

// ---- helpers ------------------------------------------------------------------------------------

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const objectPath = (bytes: Buffer) => {
  const sha = sha256(bytes);
  return path.join(mediaDir, "objects", sha.slice(0, 2), sha);
};

/** Starts a tus upload (no bytes yet); returns its URL. */
async function createUpload(token: string, parentType: string, parentOfflineId: string, bytes: Buffer): Promise<string> {
  const metadata = {
    offlineId: randomUUID(),
    parentType,
    parentOfflineId,
    filename: "photo.jpg",
    mimeType: "image/jpeg",
    sha256: sha256(bytes),
  };
  return createTusUpload(endpoint, token, bytes, metadata);
}

const patchUpload = patchTusUpload;

/** Uploads a whole file to a record; returns the media id. */
async function upload(token: string, parentType: "assessment" | "response", parentOfflineId: string, bytes: Buffer): Promise<string> {
  const done = await patchUpload(token, await createUpload(token, parentType, parentOfflineId, bytes), bytes);
  expect(done.status).toBe(204);
  expect(done.mediaId).toEqual(expect.any(String));
  return done.mediaId as string;
}

async function getMedia(token: string, id: string, headers: Record<string, string> = {}) {
  const res = await call(mediaRoute.GET, { path: `/api/media/${id}`, token, params: { id }, headers });
  return res;
}

/** The bytes `GET /api/media/:id` serves (status must be 200). */
async function mediaBytes(token: string, id: string): Promise<Buffer> {
  const req = new Request(`http://localhost:3000/api/media/${id}`, { headers: { authorization: `Bearer ${token}` } });
  const res = await mediaRoute.GET(req, { params: Promise.resolve({ id }) } as never);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/** What a device pulling from scratch would hold: media ids with a live upsert as their latest change. */
async function liveMediaFromScratch(token: string): Promise<Set<string>> {
  const latest = latestByRecord((await pullAll(token)).changes);
  return new Set([...latest.values()].filter((c) => c.type === "media" && c.op === "upsert").map((c) => c.id as string));
}

async function cursors(who: Signed[]): Promise<string[]> {
  return Promise.all(who.map(async (u) => (await pullAll(u.token)).cursor));
}

const mediaChanges = (changes: Loose[], id: string) => changes.filter((c) => c.type === "media" && c.id === id);

const signed = (role: Role | "OUTSIDER") => (role === "OUTSIDER" ? OUTSIDER : users[role]);
const EVERYONE = [...ROLES, "OUTSIDER"] as const;
/** Who sees IN's records (PROTOCOL §2): its assigned assessor and responder, coordinators and admins. */
const SEES_IN: Role[] = ["ASSESSOR", "RESPONDER", "COORDINATOR", "ADMIN"];

async function expectGoneForEveryone(mediaId: string, etag: string) {
  for (const who of EVERYONE) {
    const res = await getMedia(signed(who).token, mediaId);
    expect({ who, status: res.status, code: res.body?.error?.code }).toEqual({ who, status: 404, code: "NOT_FOUND" });
    // An old URL with the cached ETag is not answered 304 either: the copy is not valid any more.
    expect((await getMedia(signed(who).token, mediaId, { "if-none-match": `"${etag}"` })).status).toBe(404);
  }
}

const entityOfflineId = async (id: string) => (await prisma().entity.findUniqueOrThrow({ where: { id } })).offlineId;

// ---- deletes --------------------------------------------------------------------------------------

describe("a deleted assessment's photos", () => {
  it("leave every pull that showed them, answer 404 to everyone, and their bytes go unless another record holds them", async () => {
    const a = await seedAssessment(users.ASSESSOR.token, IN.id);
    const keep = await seedAssessment(users.ASSESSOR.token, IN.id);
    const own = randomBytes(30_000);
    const shared = randomBytes(20_000);
    const ownId = await upload(users.ASSESSOR.token, "assessment", a.offlineId, own);
    const sharedId = await upload(users.ASSESSOR.token, "assessment", a.offlineId, shared);
    const keptId = await upload(users.ASSESSOR.token, "assessment", keep.offlineId, shared); // same bytes, another record

    for (const role of SEES_IN) expect((await liveMediaFromScratch(users[role].token)).has(ownId), role).toBe(true);
    expect((await liveMediaFromScratch(OUTSIDER.token)).has(ownId)).toBe(false);
    const before = await cursors(SEES_IN.map((r) => users[r]));
    expect(existsSync(objectPath(own))).toBe(true);

    expect((await pushOne(users.ASSESSOR.token, mut.remove("assessment", a.offlineId, 1))).status).toBe("applied");

    for (const [i, role] of SEES_IN.entries()) {
      const delta = await pullAll(users[role].token, { cursor: before[i] });
      for (const id of [ownId, sharedId])
        expect(mediaChanges(delta.changes, id), `${role} ${id}`).toEqual([expect.objectContaining({ op: "delete" })]);
      expect(mediaChanges(delta.changes, keptId), role).toEqual([]);
      const scratch = await liveMediaFromScratch(users[role].token);
      expect([scratch.has(ownId), scratch.has(sharedId), scratch.has(keptId)], role).toEqual([false, false, true]);
    }
    await expectGoneForEveryone(ownId, sha256(own));
    await expectGoneForEveryone(sharedId, sha256(shared));

    expect(existsSync(objectPath(own))).toBe(false);
    expect(existsSync(objectPath(shared))).toBe(true); // still the other record's photo
    expect((await mediaBytes(users.COORDINATOR.token, keptId)).equals(shared)).toBe(true);
    // The upload that made it cannot be resumed into a "finished" answer any more.
    const rows = await prisma().media.findMany({ where: { id: { in: [ownId, sharedId] } } });
    expect(rows.map((r) => r.deletedAt !== null)).toEqual([true, true]);
  });

  it("a deleted record's only copy of shared bytes is the last: deleting the other record then removes them", async () => {
    const first = await seedAssessment(users.ASSESSOR.token, IN.id);
    const second = await seedAssessment(users.ASSESSOR.token, IN.id);
    const bytes = randomBytes(10_000);
    await upload(users.ASSESSOR.token, "assessment", first.offlineId, bytes);
    await upload(users.ASSESSOR.token, "assessment", second.offlineId, bytes);
    await pushOne(users.ASSESSOR.token, mut.remove("assessment", first.offlineId, 1));
    expect(existsSync(objectPath(bytes))).toBe(true);
    await pushOne(users.ASSESSOR.token, mut.remove("assessment", second.offlineId, 1));
    expect(existsSync(objectPath(bytes))).toBe(false);
  });
});

describe("a deleted response's photos", () => {
  it("are gone from pull and GET and the store; the assessment's photos stay", async () => {
    const a = await seedAssessment(users.ASSESSOR.token, IN.id);
    const r = await seedResponse(users.RESPONDER.token, { assessmentOfflineId: a.offlineId, entityId: IN.id });
    const aBytes = randomBytes(12_000);
    const rBytes = randomBytes(14_000);
    const aPhoto = await upload(users.ASSESSOR.token, "assessment", a.offlineId, aBytes);
    const rPhoto = await upload(users.RESPONDER.token, "response", r.offlineId, rBytes);
    const before = await cursors(SEES_IN.map((x) => users[x]));

    expect((await pushOne(users.RESPONDER.token, mut.remove("response", r.offlineId, 1))).status).toBe("applied");

    for (const [i, role] of SEES_IN.entries()) {
      const delta = await pullAll(users[role].token, { cursor: before[i] });
      expect(mediaChanges(delta.changes, rPhoto), role).toEqual([expect.objectContaining({ op: "delete", type: "media" })]);
      expect(mediaChanges(delta.changes, aPhoto), role).toEqual([]);
    }
    await expectGoneForEveryone(rPhoto, sha256(rBytes));
    expect(existsSync(objectPath(rBytes))).toBe(false);
    expect((await mediaBytes(users.RESPONDER.token, aPhoto)).equals(aBytes)).toBe(true);
    expect(existsSync(objectPath(aBytes))).toBe(true);
  });
});

describe("a deleted entity's photos", () => {
  it("every photo of its records is gone: pull, GET (coordinators included), store", async () => {
    const E = await newEntity({ name: "Deleted camp" });
    await assign(users.ASSESSOR, E.id);
    await assign(users.RESPONDER, E.id);
    const a = await seedAssessment(users.ASSESSOR.token, E.id);
    const r = await seedResponse(users.RESPONDER.token, { assessmentOfflineId: a.offlineId, entityId: E.id });
    const aBytes = randomBytes(11_000);
    const rBytes = randomBytes(13_000);
    const aPhoto = await upload(users.ASSESSOR.token, "assessment", a.offlineId, aBytes);
    const rPhoto = await upload(users.RESPONDER.token, "response", r.offlineId, rBytes);
    const before = await cursors(SEES_IN.map((x) => users[x]));

    expect((await pushOne(users.COORDINATOR.token, mut.remove("entity", await entityOfflineId(E.id), 1))).status).toBe("applied");

    for (const [i, role] of SEES_IN.entries()) {
      const delta = await pullAll(users[role].token, { cursor: before[i] });
      expect(delta.scope, role).not.toContain(E.id); // assigned devices drop E and its records (PROTOCOL §4)
      const scratch = await liveMediaFromScratch(users[role].token);
      expect([scratch.has(aPhoto), scratch.has(rPhoto)], role).toEqual([false, false]);
    }
    // Coordinators pull every change: theirs says so explicitly.
    const coordinatorDelta = await pullAll(users.COORDINATOR.token, { cursor: before[2] });
    for (const id of [aPhoto, rPhoto])
      expect(mediaChanges(coordinatorDelta.changes, id)).toEqual([expect.objectContaining({ op: "delete" })]);
    await expectGoneForEveryone(aPhoto, sha256(aBytes));
    await expectGoneForEveryone(rPhoto, sha256(rBytes));
    expect([existsSync(objectPath(aBytes)), existsSync(objectPath(rBytes))]).toEqual([false, false]);
  });

  it("no new photo can be attached to a record of a deleted entity, even by a coordinator", async () => {
    const E = await newEntity();
    const a = await seedAssessment(users.COORDINATOR.token, E.id);
    await pushOne(users.COORDINATOR.token, mut.remove("entity", await entityOfflineId(E.id), 1));
    const bytes = randomBytes(1_000);
    const res = await fetch(endpoint, {
      method: "POST",
      headers: {
        ...tusHeaders(users.COORDINATOR.token),
        "Upload-Length": String(bytes.length),
        "Upload-Metadata": encodeTusMetadata({
          offlineId: randomUUID(),
          parentType: "assessment",
          parentOfflineId: a.offlineId,
          filename: "late.jpg",
          mimeType: "image/jpeg",
          sha256: sha256(bytes),
        }),
      },
    });
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("NOT_FOUND");
  });
});

// ---- restores ----------------------------------------------------------------------------------

/** An assessment with a PENDING UPDATE conflict (assessor vs coordinator), then deleted by the coordinator. */
async function deletedWithPendingConflict() {
  const a = await seedAssessment(users.ASSESSOR.token, IN.id, { data: { waterSource: "WELL", latrines: 1 } });
  const bytes = randomBytes(16_000);
  const photo = await upload(users.ASSESSOR.token, "assessment", a.offlineId, bytes);
  expect((await pushOne(users.COORDINATOR.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 5 } }))).status).toBe(
    "applied",
  );
  const c = await pushOne(users.ASSESSOR.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 7 } }));
  expect(c).toMatchObject({ status: "conflict" });
  const cursor = (await pullAll(users.ASSESSOR.token)).cursor;
  expect((await pushOne(users.COORDINATOR.token, mut.remove("assessment", a.offlineId, 2))).status).toBe("applied");
  return { a, bytes, photo, conflictId: c.conflictId as string, cursor };
}

describe("restoring a deleted record", () => {
  it("while a conflict may restore it, its photos' bytes are kept (yet 404); `client` brings them back", async () => {
    const { a, bytes, photo, conflictId, cursor } = await deletedWithPendingConflict();
    await expectGoneForEveryone(photo, sha256(bytes));
    expect(existsSync(objectPath(bytes))).toBe(true);

    const res = await resolve(users.COORDINATOR.token, conflictId, { strategy: "client" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.record).toMatchObject({ id: a.id, deletedAt: null });
    expect(res.body.media).toEqual({ restored: [photo], gone: [] });

    expect((await mediaBytes(users.ASSESSOR.token, photo)).equals(bytes)).toBe(true);
    expect((await getMedia(OUTSIDER.token, photo)).status).toBe(403); // live again: out of scope is 403 as before
    const delta = await pullAll(users.ASSESSOR.token, { cursor });
    expect(latestByRecord(delta.changes).get(`media:${photo}`)).toMatchObject({ op: "upsert", record: { sha256: sha256(bytes) } });
  });

  it("a resolution that leaves it deleted (`server`) releases the bytes", async () => {
    const { bytes, photo, conflictId } = await deletedWithPendingConflict();
    expect(existsSync(objectPath(bytes))).toBe(true);
    const res = await resolve(users.COORDINATOR.token, conflictId, { strategy: "server" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((res.body.record as Loose).deletedAt).toEqual(expect.any(String));
    expect(res.body.media).toBeUndefined();
    expect(existsSync(objectPath(bytes))).toBe(false);
    await expectGoneForEveryone(photo, sha256(bytes));
  });

  it("restored after its bytes were removed: the record comes back, the resolution names the photo as gone", async () => {
    const a = await seedAssessment(users.ASSESSOR.token, IN.id, { data: { waterSource: "WELL" } });
    const bytes = randomBytes(9_000);
    const photo = await upload(users.ASSESSOR.token, "assessment", a.offlineId, bytes);
    await pushOne(users.COORDINATOR.token, mut.remove("assessment", a.offlineId, 1));
    expect(existsSync(objectPath(bytes))).toBe(false); // nothing could restore it at that moment

    // A device that was offline edits it from v1: a DELETION conflict, restored with `client`.
    const c = await pushOne(users.ASSESSOR.token, mut.update("assessment", a.offlineId, 1, { data: { notes: "still here" } }));
    expect(c).toMatchObject({ status: "conflict", kind: "DELETION" });
    const cursor = (await pullAll(users.ASSESSOR.token)).cursor;
    const res = await resolve(users.COORDINATOR.token, c.conflictId, { strategy: "client" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.record).toMatchObject({ deletedAt: null, data: { notes: "still here" } });
    expect(res.body.media).toEqual({ restored: [], gone: [photo] });

    await expectGoneForEveryone(photo, sha256(bytes));
    const delta = await pullAll(users.ASSESSOR.token, { cursor });
    expect(latestByRecord(delta.changes).get(`assessment:${a.id}`)).toMatchObject({ op: "upsert" });
    expect(mediaChanges(delta.changes, photo)).toEqual([]);
  });

  it("a restored entity brings back the photos whose bytes remain, with their records, to assigned and coordinator devices", async () => {
    const E = await newEntity({ name: "Restored camp" });
    await assign(users.ASSESSOR, E.id);
    const a = await seedAssessment(users.ASSESSOR.token, E.id);
    const lost = randomBytes(8_000);
    const shared = randomBytes(7_000);
    const lostPhoto = await upload(users.ASSESSOR.token, "assessment", a.offlineId, lost);
    const sharedPhoto = await upload(users.ASSESSOR.token, "assessment", a.offlineId, shared);
    const elsewhere = await seedAssessment(users.ASSESSOR.token, IN.id);
    await upload(users.ASSESSOR.token, "assessment", elsewhere.offlineId, shared); // keeps these bytes stored
    const entityOffline = await entityOfflineId(E.id);
    const first = await pullAll(users.ASSESSOR.token);
    const firstC = await pullAll(users.COORDINATOR.token);

    expect((await pushOne(users.COORDINATOR.token, mut.remove("entity", entityOffline, 1))).status).toBe("applied");
    const second = await pullAll(users.ASSESSOR.token, { cursor: first.cursor });
    expect(second.scope).not.toContain(E.id);
    // A coordinator's device drops E's records too (PROTOCOL §4: outside `scope.entityIds`).
    const secondC = await pullAll(users.COORDINATOR.token, { cursor: firstC.cursor });
    expect(secondC.scope).not.toContain(E.id);
    expect([existsSync(objectPath(lost)), existsSync(objectPath(shared))]).toEqual([false, true]);

    const c = await pushOne(C2.token, mut.update("entity", entityOffline, 1, { name: "Renamed camp" }));
    expect(c).toMatchObject({ status: "conflict", kind: "DELETION" });
    const res = await resolve(users.COORDINATOR.token, c.conflictId, { strategy: "client" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.media).toEqual({ restored: [sharedPhoto], gone: [lostPhoto] });

    for (const [who, cursor] of [
      ["ASSESSOR", second.cursor],
      ["COORDINATOR", secondC.cursor],
    ] as const) {
      const third = await pullAll(users[who].token, { cursor });
      expect(third.scope, who).toContain(E.id);
      const latest = latestByRecord(third.changes);
      expect(latest.get(`assessment:${a.id}`), who).toMatchObject({ op: "upsert" });
      expect(latest.get(`media:${sharedPhoto}`), who).toMatchObject({ op: "upsert" });
      expect(latest.get(`media:${lostPhoto}`)?.op, who).not.toBe("upsert");
    }
    expect((await mediaBytes(users.ASSESSOR.token, sharedPhoto)).equals(shared)).toBe(true);
    await expectGoneForEveryone(lostPhoto, sha256(lost));
  });
});

// ---- uploads racing a delete ----------------------------------------------------------------

describe("uploads racing a delete", () => {
  it("an upload of the same bytes finishing after a delete released them stores them again", async () => {
    const doomed = await seedAssessment(users.ASSESSOR.token, IN.id);
    const other = await seedAssessment(users.ASSESSOR.token, IN.id);
    const bytes = randomBytes(40_000);
    await upload(users.ASSESSOR.token, "assessment", doomed.offlineId, bytes);
    const url = await createUpload(users.ASSESSOR.token, "assessment", other.offlineId, bytes);
    expect((await patchUpload(users.ASSESSOR.token, url, bytes.subarray(0, 15_000))).status).toBe(204);

    await pushOne(users.ASSESSOR.token, mut.remove("assessment", doomed.offlineId, 1));
    expect(existsSync(objectPath(bytes))).toBe(false);

    const last = await patchUpload(users.ASSESSOR.token, url, bytes, 15_000);
    expect(last.status).toBe(204);
    expect(readFileSync(objectPath(bytes)).equals(bytes)).toBe(true);
    expect((await mediaBytes(users.COORDINATOR.token, last.mediaId as string)).equals(bytes)).toBe(true);
  });
});

describe("an upload finishing while its record is deleted", () => {
  it("never leaves a live photo of a deleted record: either refused, or recorded first and hidden with it", async () => {
    for (let round = 0; round < 8; round++) {
      const parent = await seedAssessment(users.ASSESSOR.token, IN.id);
      const bytes = randomBytes(50_000);
      const url = await createUpload(users.ASSESSOR.token, "assessment", parent.offlineId, bytes);
      expect((await patchUpload(users.ASSESSOR.token, url, bytes.subarray(0, 1))).status).toBe(204);
      const [last, del] = await Promise.all([
        patchUpload(users.ASSESSOR.token, url, bytes, 1),
        pushOne(users.COORDINATOR.token, mut.remove("assessment", parent.offlineId, 1)),
      ]);
      expect(del.status).toBe("applied");
      const rows = await prisma().media.findMany({ where: { parentId: parent.id } });
      if (last.status === 204) expect(rows.map((r) => r.deletedAt !== null)).toEqual([true]);
      else expect({ status: last.status, rows: rows.length }).toEqual({ status: 404, rows: 0 });
      expect(existsSync(objectPath(bytes)), `round ${round}`).toBe(false);
    }
  });
});

describe("bytes left behind by a crash between a delete's commit and their removal", () => {
  it("the sweep removes them, and keeps what a live record or a pending conflict still holds", async () => {
    // applyMutation is the engine without the push route's post-commit step: what a crash leaves.
    const leftBehind = await seedAssessment(users.ASSESSOR.token, IN.id);
    const bytes = randomBytes(6_000);
    const photo = await upload(users.ASSESSOR.token, "assessment", leftBehind.offlineId, bytes);
    const held = await deletedWithPendingConflict();
    const result = await applyMutation(
      prisma(),
      { user: users.ASSESSOR.user, deviceId: null, scope: [IN.id] },
      mut.remove("assessment", leftBehind.offlineId, 1) as Mutation,
    );
    expect(result.status).toBe("applied");
    await expectGoneForEveryone(photo, sha256(bytes)); // hidden at commit, whatever happens to the bytes
    expect(existsSync(objectPath(bytes))).toBe(true);

    expect(await releaseMediaBytes(null)).toBe(1);
    expect(existsSync(objectPath(bytes))).toBe(false);
    expect(existsSync(objectPath(held.bytes))).toBe(true);
    expect(await releaseMediaBytes(null)).toBe(0); // nothing left to do: idempotent
  });
});

// ---- the device ------------------------------------------------------------------------------

describe("the device that took the photo", () => {
  const opened: { device: Device; queue: MediaQueue }[] = [];
  afterEach(async () => {
    for (const { device, queue } of opened.splice(0)) {
      await queue.stop();
      device.kill();
      await device.db.delete().catch(() => undefined);
    }
  });

  it("drops its local media row and the blob it kept after pulling the record's deletion", async () => {
    const app = createAppFetch();
    const device = await openDevice({ token: users.ASSESSOR.token, fetch: app });
    const queue = new MediaQueue(device.db, {
      endpoint,
      headers: () => ({ Authorization: `Bearer ${users.ASSESSOR.token}` }),
      pollIntervalMs: 0,
      locks: null,
    });
    opened.push({ device, queue });
    expect((await device.sync()).status).toBe("idle");

    const row = await createRecord(device.db, "assessment", { entityId: IN.id, assessmentType: "WASH", status: "DRAFT", data: {} });
    const bytes = randomBytes(25_000);
    const photo = await captureMedia(
      device.db,
      {
        parentType: "assessment",
        parentOfflineId: row.offlineId,
        file: new Blob([new Uint8Array(bytes)], { type: "image/jpeg" }),
        filename: "p.jpg",
      },
      { keepOriginal: true },
    );
    expect((await device.sync()).status).toBe("idle");
    await queue.drain();
    expect((await device.sync()).status).toBe("idle");
    const local = await device.db.media.get(photo.offlineId);
    expect(local?.uploadState).toBe(UPLOAD_STATES.UPLOADED);
    expect(local?.blob).toBeInstanceOf(Blob);
    const serverId = local?.id as string;
    expect((await mediaBytes(users.ASSESSOR.token, serverId)).equals(bytes)).toBe(true);

    // Deleted elsewhere (a coordinator), then the device pulls.
    const server = await prisma().assessment.findUniqueOrThrow({ where: { offlineId: row.offlineId } });
    expect((await pushOne(users.COORDINATOR.token, mut.remove("assessment", row.offlineId, server.version))).status).toBe("applied");
    expect((await device.sync()).status).toBe("idle");

    expect(await device.db.assessments.get(row.offlineId)).toBeUndefined();
    expect(await device.db.media.get(photo.offlineId)).toBeUndefined();
    expect(await device.db.media.where("parentOfflineId").equals(row.offlineId).count()).toBe(0);
    expect((await getMedia(users.ASSESSOR.token, serverId)).status).toBe(404);
    expect(existsSync(objectPath(bytes))).toBe(false);
  });
});
