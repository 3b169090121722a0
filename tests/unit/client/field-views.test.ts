import { describe, expect, it } from "vitest";
import type { FieldSyncDb } from "@/lib/client/db/field-sync-db";
import { listAssessmentsForResponse, listEntitySummaries } from "@/lib/client/db/summaries";
import type { LocalAssessment, LocalEntity } from "@/lib/client/db/types";
import { readUnsentSummary } from "@/lib/client/hooks/use-unsent-summary";
import { DISCARD_OUTCOMES, discardQueued } from "@/lib/client/outbox/discard-queued";
import { createRecord, updateRecord } from "@/lib/client/outbox/local-writes";
import { nextBatch, releaseBatch, toMutation } from "@/lib/client/outbox/next-batch";
import { readOutbox } from "@/lib/client/outbox/outbox-view";
import { exportUnsent } from "@/lib/client/sync/durability";
import { assessmentInput, ENTITY_A, ENTITY_B, freshDb, serverAssessment } from "./helpers/test-db";

async function putEntity(db: FieldSyncDb, id: string, name: string, lga = "Jere") {
  const record = { id, offlineId: id, name, type: "CAMP", lga, ward: "W", latitude: 0, longitude: 0, autoApprove: false, version: 1 };
  await db.entities.put({ ...record, serverRecord: record, serverVersion: 1, pendingPaths: {}, syncState: "synced" } as LocalEntity);
}

/** A record the server has, as pull leaves it. */
async function putSyncedAssessment(db: FieldSyncDb, offlineId: string, overrides: Record<string, unknown> = {}) {
  const record = serverAssessment(offlineId, 1, overrides);
  await db.assessments.put({ ...record, serverRecord: record, serverVersion: 1, pendingPaths: {}, syncState: "synced" } as LocalAssessment);
}

async function putPhoto(db: FieldSyncDb, offlineId: string, parentOfflineId: string, uploadState: "pending" | "uploaded" = "pending") {
  await db.media.put({
    offlineId,
    parentOfflineId,
    parentType: "assessment",
    uploadState,
    filename: `${offlineId}.jpg`,
    blob: new Blob(["x"]),
  });
}

describe("home lists", () => {
  it("summarise each entity's newest assessment per type and what still waits", async () => {
    const db = await freshDb();
    await putEntity(db, ENTITY_A, "Bakassi Camp");
    await putEntity(db, ENTITY_B, "Muna Garage", "Maiduguri");
    await putSyncedAssessment(db, "00000000-0000-4000-8000-0000000000a1", {
      updatedAt: "2026-01-01T00:00:00.000Z",
      verificationStatus: "REJECTED",
    });
    await putSyncedAssessment(db, "00000000-0000-4000-8000-0000000000a2", { updatedAt: "2026-02-01T00:00:00.000Z" });
    const local = await createRecord(db, "assessment", assessmentInput({ assessmentType: "HEALTH", data: {} }));

    const [bakassi, muna] = await listEntitySummaries(db);
    expect(bakassi.entity.name).toBe("Bakassi Camp");
    expect(bakassi.latestByType.WASH?.offlineId).toBe("00000000-0000-4000-8000-0000000000a2");
    expect(bakassi.latestByType.HEALTH?.offlineId).toBe(local.offlineId);
    expect(bakassi).toMatchObject({ unsent: 1, attention: 0, rejected: 1 });
    expect(muna).toMatchObject({ unsent: 0, attention: 0, rejected: 0, latestByType: {} });
  });

  it("put submitted assessments that still need a delivery first, for responders", async () => {
    const db = await freshDb();
    await putEntity(db, ENTITY_A, "Bakassi Camp");
    const served = "00000000-0000-4000-8000-0000000000b1";
    const waiting = "00000000-0000-4000-8000-0000000000b2";
    await putSyncedAssessment(db, served, { status: "SUBMITTED", updatedAt: "2026-01-01T00:00:00.000Z" });
    await putSyncedAssessment(db, waiting, { status: "SUBMITTED", updatedAt: "2026-01-02T00:00:00.000Z" });
    await putSyncedAssessment(db, "00000000-0000-4000-8000-0000000000b3", { status: "DRAFT" });
    await createRecord(db, "response", {
      assessmentOfflineId: served,
      entityId: ENTITY_A,
      responseType: "NFI",
      status: "DELIVERED",
      data: { items: [{ name: "Blanket", quantity: 1, unit: "pcs" }], beneficiaries: 1 },
    });
    const rows = await listAssessmentsForResponse(db);
    expect(rows.map((r) => [r.assessment.offlineId, r.needsResponse])).toEqual([
      [waiting, true],
      [served, false],
    ]);
    expect(rows[0].entity?.name).toBe("Bakassi Camp");
  });
});

describe("outbox view", () => {
  it("groups queued changes, refused ones and unsent photos by record, refused first", async () => {
    const db = await freshDb();
    await putEntity(db, ENTITY_A, "Bakassi Camp");
    const a = await createRecord(db, "assessment", assessmentInput());
    const b = await createRecord(db, "assessment", assessmentInput({ assessmentType: "FOOD", data: {} }));
    await putPhoto(db, "p1", a.offlineId);
    await putPhoto(db, "p2", a.offlineId, "uploaded");
    // b's create was refused by the server.
    const entry = await db.outbox.where("offlineId").equals(b.offlineId).first();
    if (!entry) throw new Error("no entry");
    await db.outbox.delete(entry.seq);
    await db.parked.put({ ...entry, error: { code: "FORBIDDEN", message: "not assigned" }, parkedAt: "2026-01-01T00:00:00.000Z" });

    const items = await readOutbox(db);
    expect(items.map((i) => [i.offlineId, i.queued.length, i.parked.length, i.photos.map((p) => p.offlineId)])).toEqual([
      [b.offlineId, 0, 1, []],
      [a.offlineId, 1, 0, ["p1"]],
    ]);
    expect(items[1].entityName).toBe("Bakassi Camp");
    expect(await readUnsentSummary(db)).toMatchObject({ queued: 1, parked: 1, unsentPhotos: 1, conflicts: 0 });
  });

  it("exports one record's unsent data, with its photo bytes, and nothing else", async () => {
    const db = await freshDb();
    const a = await createRecord(db, "assessment", assessmentInput());
    const b = await createRecord(db, "assessment", assessmentInput({ assessmentType: "FOOD", data: {} }));
    await putPhoto(db, "pa", a.offlineId);
    await putPhoto(db, "pb", b.offlineId);
    const file = JSON.parse(await (await exportUnsent(db, undefined, { offlineId: a.offlineId })).text());
    expect(file.outbox.map((e: { offlineId: string }) => e.offlineId)).toEqual([a.offlineId]);
    expect(file.records.assessments.map((r: { offlineId: string }) => r.offlineId)).toEqual([a.offlineId]);
    expect(file.media).toEqual([expect.objectContaining({ offlineId: "pa", bytesBase64: btoa("x") })]);
    const all = JSON.parse(await (await exportUnsent(db)).text());
    expect(all.outbox).toHaveLength(2);
    expect(all.media).toHaveLength(2);
  });
});

describe("discardQueued", () => {
  it("drops a never-sent record whole, with its later edits and photos", async () => {
    const db = await freshDb();
    const a = await createRecord(db, "assessment", assessmentInput());
    await putPhoto(db, "p1", a.offlineId);
    const [create] = await db.outbox.toArray();
    expect(await discardQueued(db, create.seq)).toBe(DISCARD_OUTCOMES.DISCARDED);
    expect(await db.assessments.get(a.offlineId)).toBeUndefined();
    expect(await db.outbox.count()).toBe(0);
    expect(await db.media.count()).toBe(0);
  });

  it("drops only the unsent edit of a record the server has; the row returns to the server's values", async () => {
    const db = await freshDb();
    const id = "00000000-0000-4000-8000-0000000000c1";
    await putSyncedAssessment(db, id);
    await updateRecord(db, "assessment", id, { data: { waterSource: "WELL" } });
    const [edit] = await db.outbox.toArray();
    expect(await discardQueued(db, edit.seq)).toBe(DISCARD_OUTCOMES.DISCARDED);
    expect(await db.assessments.get(id)).toMatchObject({ syncState: "synced", data: { waterSource: "BOREHOLE" } });
  });

  it("refuses a change that has left the device, and an assessment a local response depends on", async () => {
    const db = await freshDb();
    const a = await createRecord(db, "assessment", assessmentInput({ status: "SUBMITTED" }));
    await createRecord(db, "response", {
      assessmentOfflineId: a.offlineId,
      entityId: ENTITY_A,
      responseType: "NFI",
      status: "PLANNED",
      data: {},
    });
    const [create] = await db.outbox.orderBy("seq").toArray();
    expect(await discardQueued(db, create.seq)).toBe(DISCARD_OUTCOMES.HAS_DEPENDENTS);
    await nextBatch(db, 10); // both are now in flight
    expect(await discardQueued(db, create.seq)).toBe(DISCARD_OUTCOMES.ALREADY_SENT);
    expect(await db.assessments.get(a.offlineId)).toBeDefined();
    expect(await discardQueued(db, 999_999)).toBe(DISCARD_OUTCOMES.NOT_FOUND);
  });
});

describe("readClientState", () => {
  it("reports storage, the oldest unsent edit and the device clock", async () => {
    const { readClientState } = await import("@/lib/client/sync/client-state");
    const db = await freshDb();
    const empty = await readClientState(
      db,
      { estimate: async () => ({ usage: 1000, quota: 5000 }) },
      () => new Date("2026-12-05T10:00:00.000Z"),
    );
    expect(empty).toEqual({ storageUsedBytes: 1000, storageQuotaBytes: 5000, oldestUnsentAt: null, sentAt: "2026-12-05T10:00:00.000Z" });
    await createRecord(db, "assessment", assessmentInput(), { now: () => new Date("2026-12-01T08:00:00.000Z") });
    await createRecord(db, "assessment", assessmentInput(), { now: () => new Date("2026-12-02T08:00:00.000Z") });
    expect(await readClientState(db, undefined)).toMatchObject({ oldestUnsentAt: "2026-12-01T08:00:00.000Z" });
  });
});

describe("mediaCount", () => {
  it("tells the server how many photos the record has when first sent, and resends the same", async () => {
    const db = await freshDb();
    const a = await createRecord(db, "assessment", assessmentInput());
    await putPhoto(db, "p1", a.offlineId);
    await putPhoto(db, "p2", a.offlineId);
    const [sent] = await nextBatch(db, 10);
    expect(toMutation(sent).mediaCount).toBe(2);
    await putPhoto(db, "p3", a.offlineId);
    await releaseBatch(db, [sent]);
    const [again] = await nextBatch(db, 10);
    expect(toMutation(again)).toEqual(toMutation(sent));
  });
});
