import { describe, expect, it } from "vitest";
import type { FieldSyncDb } from "@/lib/client/db/field-sync-db";
import { completeBatch } from "@/lib/client/outbox/complete-batch";
import { createRecord, updateRecord } from "@/lib/client/outbox/local-writes";
import { nextBatch } from "@/lib/client/outbox/next-batch";
import { applyPullPage } from "@/lib/client/sync/pull-apply";
import type { PullResponse, PushResult } from "@/lib/protocol";
import { assessmentInput, ENTITY_A, ENTITY_B, freshDb, serverAssessment } from "./helpers/test-db";

function page(changes: Record<string, unknown>[], extra: Partial<Record<string, unknown>> = {}): PullResponse {
  return {
    changes,
    cursor: "c-1",
    hasMore: false,
    scope: { entityIds: [ENTITY_A] },
    serverTime: "2026-01-01T00:00:00.000Z",
    ...extra,
  } as unknown as PullResponse;
}

const upsert = (record: ReturnType<typeof serverAssessment>) => ({
  type: "assessment",
  op: "upsert",
  id: record.id,
  offlineId: record.offlineId,
  version: record.version,
  record,
});

const OID = "30000000-0000-4000-8000-000000000001";

/** A record this device created, which the server applied at version 1. */
async function synced(db: FieldSyncDb) {
  const { offlineId } = await createRecord(db, "assessment", assessmentInput());
  const [entry] = await nextBatch(db);
  const record = serverAssessment(offlineId, 1);
  await completeBatch(
    db,
    [entry],
    [{ mutationId: entry.mutationId, offlineId, status: "applied", id: record.id, version: 1, record } as unknown as PushResult],
  );
  return { offlineId, record };
}

describe("applyPullPage", () => {
  it("inserts unknown records and stores the cursor", async () => {
    const db = await freshDb();
    const record = serverAssessment(OID, 2);
    const summary = await applyPullPage(db, page([upsert(record)]));
    expect(summary).toMatchObject({ upserted: 1, deleted: 0, evicted: 0 });
    expect(await db.assessments.get(OID)).toMatchObject({
      ...record,
      serverVersion: 2,
      serverRecord: record,
      pendingPaths: {},
      syncState: "synced",
    });
    expect(await db.meta.get("cursor")).toEqual({ key: "cursor", value: "c-1" });
  });

  it("replaces a synced record with the newer version", async () => {
    const db = await freshDb();
    const { offlineId } = await synced(db);
    const v2 = serverAssessment(offlineId, 2, { status: "SUBMITTED", data: { latrines: 3 } });
    await applyPullPage(db, page([upsert(v2)]));
    const row = await db.assessments.get(offlineId);
    expect(row).toMatchObject({ status: "SUBMITTED", data: { latrines: 3 }, serverVersion: 2, syncState: "synced" });
    expect(row?.data).not.toHaveProperty("waterSource");
  });

  it("never overwrites unsent changes: rebases them on the new server version", async () => {
    const db = await freshDb();
    const { offlineId } = await synced(db);
    await updateRecord(db, "assessment", offlineId, { data: { latrines: 12 } });
    const v2 = serverAssessment(offlineId, 2, { status: "SUBMITTED", data: { waterSource: "WELL", latrines: 1 } });
    await applyPullPage(db, page([upsert(v2)]));

    const row = await db.assessments.get(offlineId);
    expect(row).toMatchObject({
      status: "SUBMITTED",
      data: { waterSource: "WELL", latrines: 12 },
      serverVersion: 2,
      serverRecord: v2,
      pendingPaths: { "data.latrines": 12 },
      syncState: "pending",
    });
    // The queued edit keeps the version it was made against, so the server can merge or detect a conflict.
    expect((await db.outbox.toArray())[0]).toMatchObject({ baseVersion: 1, data: { data: { latrines: 12 } } });
  });

  it("rebases an unsent create that the server already has (pulled before the answer arrived)", async () => {
    const db = await freshDb();
    const { offlineId } = await createRecord(db, "assessment", assessmentInput({ data: { latrines: 2 } }));
    const server = serverAssessment(offlineId, 1, { data: { latrines: 2 } });
    await applyPullPage(db, page([upsert(server)]));
    expect(await db.assessments.get(offlineId)).toMatchObject({ id: server.id, serverVersion: 1, syncState: "pending" });
    expect(await db.outbox.count()).toBe(1);
  });

  it("ignores a change older than the version held", async () => {
    const db = await freshDb();
    const v3 = serverAssessment(OID, 3, { status: "SUBMITTED" });
    await applyPullPage(db, page([upsert(v3)]));
    const summary = await applyPullPage(db, page([upsert(serverAssessment(OID, 2))]));
    expect(summary.skipped).toBe(1);
    expect(await db.assessments.get(OID)).toMatchObject({ status: "SUBMITTED", serverVersion: 3 });
  });

  it("deletes synced records; keeps one with unsent changes (marked serverDeleted)", async () => {
    const db = await freshDb();
    const a = await synced(db);
    const b = await synced(db);
    await updateRecord(db, "assessment", b.offlineId, { data: { latrines: 5 } });
    await applyPullPage(
      db,
      page([
        { type: "assessment", op: "delete", id: a.record.id, offlineId: a.offlineId, version: 2 },
        { type: "assessment", op: "delete", id: b.record.id, offlineId: b.offlineId, version: 2 },
      ]),
    );
    expect(await db.assessments.get(a.offlineId)).toBeUndefined();
    expect(await db.assessments.get(b.offlineId)).toMatchObject({
      serverDeleted: true,
      serverVersion: 2,
      data: { latrines: 5 },
      syncState: "pending",
    });
  });

  it("finds a record by server id when the change carries no offlineId", async () => {
    const db = await freshDb();
    const { offlineId, record } = await synced(db);
    await applyPullPage(db, page([{ type: "assessment", op: "delete", id: record.id, version: 2 }]));
    expect(await db.assessments.get(offlineId)).toBeUndefined();
  });

  it("a resolved conflict clears the record's conflict state and shows the server version", async () => {
    const db = await freshDb();
    const { offlineId, record } = await synced(db);
    await updateRecord(db, "assessment", offlineId, { data: { latrines: 12 } });
    const [update] = await nextBatch(db);
    const conflictId = crypto.randomUUID();
    await completeBatch(
      db,
      [update],
      [
        {
          mutationId: update.mutationId,
          offlineId,
          status: "conflict",
          id: record.id,
          version: 2,
          conflictId,
          conflictingFields: ["data.latrines"],
        } as unknown as PushResult,
      ],
    );
    // Still PENDING on the server: nothing changes locally.
    const pending = {
      id: conflictId,
      type: "assessment",
      recordId: record.id,
      recordOfflineId: offlineId,
      status: "PENDING",
      kind: "UPDATE",
      conflictingFields: ["data.latrines"],
      mutationId: update.mutationId,
    };
    await applyPullPage(db, page([{ type: "conflict", op: "upsert", id: conflictId, record: pending }]));
    expect(await db.assessments.get(offlineId)).toMatchObject({ syncState: "conflict", data: { latrines: 12 } });

    // A coordinator kept the server's value: a new version and the conflict RESOLVED.
    const v3 = serverAssessment(offlineId, 3, { data: { waterSource: "BOREHOLE", latrines: 7 } });
    await applyPullPage(
      db,
      page([
        { type: "conflict", op: "upsert", id: conflictId, record: { ...pending, status: "RESOLVED", resolution: { strategy: "server" } } },
        upsert(v3),
      ]),
    );
    const row = await db.assessments.get(offlineId);
    expect(row).toMatchObject({ data: { latrines: 7 }, serverVersion: 3, syncState: "synced", pendingPaths: {} });
    expect(row?.conflictId).toBeUndefined();
    expect(await db.conflicts.get(conflictId)).toMatchObject({ status: "RESOLVED" });
  });

  it("evicts records outside the scope unless they carry unsent changes", async () => {
    const db = await freshDb();
    const inScope = serverAssessment(OID, 1);
    const outA = serverAssessment("30000000-0000-4000-8000-000000000002", 1, { entityId: ENTITY_B });
    const outB = serverAssessment("30000000-0000-4000-8000-000000000003", 1, { entityId: ENTITY_B });
    await applyPullPage(db, page([upsert(inScope), upsert(outA), upsert(outB)], { scope: { entityIds: [ENTITY_A, ENTITY_B] } }));
    await db.entities.put({ offlineId: "ent-b", id: ENTITY_B, name: "Camp B", serverVersion: 1, pendingPaths: {}, syncState: "synced" });
    await db.media.bulkPut([
      { offlineId: "m-uploaded", parentOfflineId: outA.offlineId, uploadState: "uploaded" },
      { offlineId: "m-local", parentOfflineId: outA.offlineId, uploadState: "pending", blob: new Blob(["x"]) },
    ]);
    await updateRecord(db, "assessment", outB.offlineId, { data: { latrines: 1 } });

    const summary = await applyPullPage(db, page([], { cursor: "c-2" }));
    expect(summary.evicted).toBe(3);
    expect(await db.assessments.get(inScope.offlineId)).toBeDefined();
    expect(await db.assessments.get(outA.offlineId)).toBeUndefined();
    expect(await db.assessments.get(outB.offlineId)).toMatchObject({ syncState: "pending" });
    expect(await db.entities.get("ent-b")).toBeUndefined();
    expect(await db.media.get("m-uploaded")).toBeUndefined();
    expect(await db.media.get("m-local")).toBeDefined();
    expect((await db.meta.get("cursor"))?.value).toBe("c-2");
  });

  it("upserts media metadata without losing local bytes", async () => {
    const db = await freshDb();
    await db.media.put({ offlineId: "m1", parentOfflineId: OID, uploadState: "uploading", blob: new Blob(["bytes"]) });
    await applyPullPage(
      db,
      page([
        {
          type: "media",
          op: "upsert",
          id: "40000000-0000-4000-8000-000000000001",
          offlineId: "m1",
          record: { offlineId: "m1", parentOfflineId: OID, entityId: ENTITY_A, filename: "a.jpg", url: "/api/media/x" },
        },
      ]),
    );
    const row = await db.media.get("m1");
    expect(row).toMatchObject({ filename: "a.jpg", url: "/api/media/x", uploadState: "uploaded" });
    expect(await row?.blob?.text()).toBe("bytes");
  });

  it("applies a page atomically: a failure mid-page leaves records and cursor untouched", async () => {
    const db = await freshDb();
    await db.meta.put({ key: "cursor", value: "c-0" });
    const bad = {
      type: "assessment",
      op: "upsert",
      id: "x",
      offlineId: "x",
      version: 1,
      record: { offlineId: "x", entityId: { not: "indexable" }, updatedAt: Symbol("nope") },
    };
    await expect(applyPullPage(db, page([upsert(serverAssessment(OID, 1)), bad]))).rejects.toThrow();
    expect(await db.assessments.get(OID)).toBeUndefined();
    expect((await db.meta.get("cursor"))?.value).toBe("c-0");
  });
});

describe("scope", () => {
  it("an empty scope evicts every synced record", async () => {
    const db = await freshDb();
    await applyPullPage(db, page([upsert(serverAssessment(OID, 1))]));
    await applyPullPage(db, page([], { scope: { entityIds: [] } }));
    expect(await db.assessments.count()).toBe(0);
  });
});
