import { createHash, randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as mediaRoute from "@/app/api/media/[id]/route";
import * as uploadsRoute from "@/app/api/media/uploads/[[...path]]/route";
import { POST as push } from "@/app/api/sync/push/route";
import { assignUser, createEntity, unassignUser } from "@/lib/server/admin";
import { resetEnvForTests } from "@/lib/server/env";
import { resetMediaUploadsForTests } from "@/lib/server/media/tus-uploads";
import { call, makeUser } from "../../fixtures/api";
import { type HttpFixture, mediaRoutes, routeTable, startHttpServer } from "../../fixtures/http-server";
import { useTestDb } from "../../fixtures/test-db";
import { createTusUpload, patchTusUpload } from "../../fixtures/tus";

/** Media uploads whose circumstances change between creation and the final PATCH. */

const db = useTestDb();
const mediaDir = mkdtempSync(path.join(os.tmpdir(), "fieldsync-media-races-"));
let server: HttpFixture;
let endpoint: string;
type Actor = Awaited<ReturnType<typeof makeUser>>;
let assessor: Actor; // entity A
let outsider: Actor; // entity B
let entityAId: string;

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

async function pushOne(token: string, mutation: Record<string, unknown>) {
  const res = await call(push, { path: "/api/sync/push", token, body: { deviceId: randomUUID(), mutations: [mutation] } });
  return (res.body.results as { status: string }[])[0];
}

async function createAssessment(token: string, entityId: string): Promise<string> {
  const offlineId = randomUUID();
  const r = await pushOne(token, {
    mutationId: randomUUID(),
    type: "assessment",
    action: "create",
    offlineId,
    baseVersion: 0,
    data: { entityId, assessmentType: "WASH", status: "DRAFT", data: {} },
  });
  expect(r.status).toBe("applied");
  return offlineId;
}

function meta(bytes: Buffer, parentOfflineId: string, offlineId = randomUUID()): Record<string, string> {
  return { offlineId, parentType: "assessment", parentOfflineId, filename: "photo.jpg", mimeType: "image/jpeg", sha256: sha256(bytes) };
}

const create = (token: string, bytes: Buffer, metadata: Record<string, string>) => createTusUpload(endpoint, token, bytes, metadata);
const patch = patchTusUpload;

const objectPath = (sha: string) => path.join(mediaDir, "objects", sha.slice(0, 2), sha);

beforeAll(async () => {
  process.env.MEDIA_DIR = mediaDir;
  resetEnvForTests();
  resetMediaUploadsForTests();
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
  entityAId = entityA.id;
  assessor = await makeUser(db.current.prisma, "ASSESSOR");
  outsider = await makeUser(db.current.prisma, "ASSESSOR");
  await assignUser({ userId: assessor.user.id, entityId: entityA.id });
  await assignUser({ userId: outsider.user.id, entityId: entityB.id });
  server = await startHttpServer(routeTable(mediaRoutes({ uploads: uploadsRoute, media: mediaRoute })));
  endpoint = `${server.url}/api/media/uploads`;
});

afterAll(async () => {
  await server?.close();
  resetMediaUploadsForTests();
  rmSync(mediaDir, { recursive: true, force: true });
});

describe("same offlineId, two different files in flight", () => {
  it("does not answer the second file's upload with the first file's record (its bytes would be lost)", async () => {
    const parent = await createAssessment(assessor.token, entityAId);
    const offlineId = randomUUID();
    const file1 = randomBytes(40_000);
    const file2 = randomBytes(40_000);
    // Both created before either finishes: neither sees a record yet, so neither is refused.
    const url1 = await create(assessor.token, file1, meta(file1, parent, offlineId));
    const url2 = await create(assessor.token, file2, meta(file2, parent, offlineId));
    const first = await patch(assessor.token, url1, file1);
    expect(first.status).toBe(204);
    const second = await patch(assessor.token, url2, file2);
    // MEDIA.md: "The same offlineId again: same file → accepted …; a different file → 409".
    // PROTOCOL §6: idempotent on offlineId is for "the same file twice". A 2xx with X-Media-Id tells
    // the client its file2 is stored (it then drops the bytes) although the record holds file1.
    const record = await db.current.prisma.media.findUnique({ where: { offlineId } });
    expect(record?.sha256).toBe(sha256(file1));
    expect(second.status).toBe(409);
  });

  it("does not hand another user (other scope, other parent) the id of a record it may not see", async () => {
    const parentA = await createAssessment(assessor.token, entityAId);
    const entityB = (await db.current.prisma.assignment.findFirstOrThrow({ where: { userId: outsider.user.id } })).entityId;
    const parentB = await createAssessment(outsider.token, entityB);
    const offlineId = randomUUID();
    const mine = randomBytes(30_000);
    const theirs = randomBytes(30_000);
    const urlA = await create(assessor.token, mine, meta(mine, parentA, offlineId));
    const urlB = await create(outsider.token, theirs, meta(theirs, parentB, offlineId));
    expect((await patch(assessor.token, urlA, mine)).status).toBe(204);
    const outcome = await patch(outsider.token, urlB, theirs);
    // The outsider's photo of parent B never becomes a record, yet it is answered as a success.
    expect(outcome.status).not.toBeLessThan(300);
    expect(outcome.mediaId).toBeNull();
  });
});

describe("parent changes before the final PATCH", () => {
  it("refuses the upload when the parent was deleted mid-upload and leaves no unreferenced object behind", async () => {
    const parent = await createAssessment(assessor.token, entityAId);
    const bytes = randomBytes(60_000);
    const m = meta(bytes, parent);
    const url = await create(assessor.token, bytes, m);
    expect((await patch(assessor.token, url, bytes.subarray(0, 20_000))).status).toBe(204);
    const del = await pushOne(assessor.token, {
      mutationId: randomUUID(),
      type: "assessment",
      action: "delete",
      offlineId: parent,
      baseVersion: 1,
    });
    expect(del.status).toBe("applied");
    const last = await patch(assessor.token, url, bytes, 20_000);
    expect(last.status).toBe(404);
    expect(await db.current.prisma.media.count({ where: { offlineId: m.offlineId } })).toBe(0);
    // Resource leak: the bytes were promoted to objects/ before the record was refused.
    expect(existsSync(objectPath(m.sha256))).toBe(false);
  });

  it("refuses the upload when the assignment ended mid-upload and leaves no unreferenced object behind", async () => {
    const parent = await createAssessment(assessor.token, entityAId);
    const bytes = randomBytes(60_000);
    const m = meta(bytes, parent);
    const url = await create(assessor.token, bytes, m);
    await unassignUser({ userId: assessor.user.id, entityId: entityAId });
    try {
      const last = await patch(assessor.token, url, bytes);
      expect(last.status).toBe(403);
      expect(await db.current.prisma.media.count({ where: { offlineId: m.offlineId } })).toBe(0);
      expect(existsSync(objectPath(m.sha256))).toBe(false);
    } finally {
      await assignUser({ userId: assessor.user.id, entityId: entityAId });
    }
  });
});
