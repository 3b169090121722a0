import { describe, expect, it } from "vitest";
import type { FieldSyncDb } from "@/lib/client/db/field-sync-db";
import type { OutboxEntry } from "@/lib/client/db/types";
import { createRecord, deleteRecord, LocalWriteError, updateRecord } from "@/lib/client/outbox/local-writes";
import { nextBatch, releaseBatch, toMutation } from "@/lib/client/outbox/next-batch";
import { assessmentInput, ENTITY_A, freshDb } from "./helpers/test-db";

const outbox = (db: FieldSyncDb) => db.outbox.orderBy("seq").toArray();

/** Pretends the server has the record at `version` (as completeBatch or pull would leave it). */
async function markSynced(db: FieldSyncDb, offlineId: string, version: number) {
  await db.outbox.where("offlineId").equals(offlineId).delete();
  const row = await db.assessments.get(offlineId);
  if (!row) throw new Error("no row");
  const { serverVersion: _v, pendingPaths: _p, syncState: _s, serverRecord: _r, ...fields } = row;
  const record = { ...fields, id: `id-${offlineId}`, version };
  await db.assessments.put({ ...record, serverRecord: record, serverVersion: version, pendingPaths: {}, syncState: "synced" });
}

describe("createRecord", () => {
  it("writes the row and its create entry in one go, visible at once", async () => {
    const db = await freshDb();
    const row = await createRecord(db, "assessment", assessmentInput());
    expect(row).toMatchObject({
      entityId: ENTITY_A,
      status: "DRAFT",
      data: { waterSource: "BOREHOLE" },
      serverVersion: 0,
      syncState: "pending",
    });
    expect(row.pendingPaths).toEqual({
      entityId: ENTITY_A,
      assessmentType: "WASH",
      status: "DRAFT",
      "data.waterSource": "BOREHOLE",
    });
    expect(await db.assessments.get(row.offlineId)).toEqual(row);
    const [entry] = await outbox(db);
    expect(entry).toMatchObject({
      type: "assessment",
      action: "create",
      offlineId: row.offlineId,
      baseVersion: 0,
      priority: "NORMAL",
      rank: 1,
      state: "queued",
      attempts: 0,
      data: assessmentInput(),
    });
    expect(toMutation(entry)).toEqual({
      mutationId: entry.mutationId,
      type: "assessment",
      action: "create",
      offlineId: row.offlineId,
      baseVersion: 0,
      priority: "NORMAL",
      clientTime: entry.clientTime,
      data: assessmentInput(),
    });
  });

  it("refuses an offlineId that exists and leaves nothing half-written", async () => {
    const db = await freshDb();
    const row = await createRecord(db, "assessment", assessmentInput());
    await expect(createRecord(db, "assessment", assessmentInput(), { offlineId: row.offlineId })).rejects.toMatchObject({
      name: "LocalWriteError",
      code: "ALREADY_EXISTS",
    });
    expect(await db.outbox.count()).toBe(1);
  });

  it("gives HIGH to a submitted assessment and a delivered response; the caller may override", async () => {
    const db = await freshDb();
    await createRecord(db, "assessment", assessmentInput({ status: "SUBMITTED" }));
    await createRecord(db, "response", {
      entityId: ENTITY_A,
      assessmentOfflineId: "x",
      responseType: "NFI",
      status: "DELIVERED",
      data: {},
    });
    await createRecord(db, "response", { entityId: ENTITY_A, assessmentOfflineId: "x", responseType: "NFI", status: "PLANNED", data: {} });
    await createRecord(db, "assessment", assessmentInput(), { priority: "LOW" });
    expect((await outbox(db)).map((e) => e.priority)).toEqual(["HIGH", "HIGH", "NORMAL", "LOW"]);
  });
});

describe("coalescing", () => {
  it("create + edits of an unsent record → one create with the final content", async () => {
    const db = await freshDb();
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    await updateRecord(db, "assessment", offlineId, { data: { latrines: 3 } });
    await updateRecord(db, "assessment", offlineId, { status: "SUBMITTED", data: { latrines: 12, waterSource: null } });
    const entries = await outbox(db);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: "create",
      priority: "HIGH",
      data: { entityId: ENTITY_A, assessmentType: "WASH", status: "SUBMITTED", data: { latrines: 12 } },
    });
    const row = await db.assessments.get(offlineId);
    expect(row).toMatchObject({ status: "SUBMITTED", data: { latrines: 12 }, syncState: "pending" });
  });

  it("updates of an unsent update → one update, merged paths, the original baseVersion", async () => {
    const db = await freshDb();
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    await markSynced(db, offlineId, 4);
    await updateRecord(db, "assessment", offlineId, { data: { latrines: 3 } });
    await markSyncedVersionOnly(db, offlineId, 5); // the base moved on (e.g. pull) while unsent
    await updateRecord(db, "assessment", offlineId, { status: "SUBMITTED", data: { latrines: 12, functionalBoreholes: 2 } });
    const entries = await outbox(db);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: "update",
      baseVersion: 4,
      priority: "HIGH",
      data: { status: "SUBMITTED", data: { latrines: 12, functionalBoreholes: 2 } },
    });
    expect((await db.assessments.get(offlineId))?.pendingPaths).toEqual({
      "data.latrines": 12,
      status: "SUBMITTED",
      "data.functionalBoreholes": 2,
    });
  });

  it("delete after an unsent create → both vanish, nothing to send", async () => {
    const db = await freshDb();
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    await updateRecord(db, "assessment", offlineId, { data: { latrines: 3 } });
    expect(await deleteRecord(db, "assessment", offlineId)).toBe(true);
    expect(await db.outbox.count()).toBe(0);
    expect(await db.assessments.get(offlineId)).toBeUndefined();
  });

  it("delete after an unsent update → the update becomes a delete with the same baseVersion", async () => {
    const db = await freshDb();
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    await markSynced(db, offlineId, 2);
    await updateRecord(db, "assessment", offlineId, { data: { latrines: 3 } });
    await deleteRecord(db, "assessment", offlineId);
    const entries = await outbox(db);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: "delete", baseVersion: 2 });
    expect(entries[0].data).toBeUndefined();
    expect(toMutation(entries[0])).not.toHaveProperty("data");
    expect(await db.assessments.get(offlineId)).toMatchObject({ localDeleted: true, syncState: "pending" });
    await expect(updateRecord(db, "assessment", offlineId, { status: "SUBMITTED" })).rejects.toMatchObject({
      code: "RECORD_DELETED",
    });
  });

  it("an inflight entry is never modified: later edits queue behind it", async () => {
    const db = await freshDb();
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    const [sent] = await nextBatch(db);
    await updateRecord(db, "assessment", offlineId, { data: { latrines: 7 } });
    await updateRecord(db, "assessment", offlineId, { status: "SUBMITTED" });
    const entries = await outbox(db);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toEqual(sent);
    expect(entries[1]).toMatchObject({
      action: "update",
      baseVersion: 0,
      state: "queued",
      data: { status: "SUBMITTED", data: { latrines: 7 } },
    });
    const row = await db.assessments.get(offlineId);
    expect(row).toMatchObject({ status: "SUBMITTED", data: { waterSource: "BOREHOLE", latrines: 7 } });
  });

  it("an entry sent once and released is still never modified (the server may have applied it)", async () => {
    const db = await freshDb();
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    const batch = await nextBatch(db);
    await releaseBatch(db, batch);
    await updateRecord(db, "assessment", offlineId, { data: { latrines: 7 } });
    const entries = await outbox(db);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ action: "create", state: "queued", attempts: 1, mutationId: batch[0].mutationId });
    expect(entries[0].data).toEqual(assessmentInput());
  });

  it("a delete behind an inflight create is queued, not collapsed", async () => {
    const db = await freshDb();
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    await nextBatch(db);
    await deleteRecord(db, "assessment", offlineId);
    expect((await outbox(db)).map((e) => [e.action, e.state])).toEqual([
      ["create", "inflight"],
      ["delete", "queued"],
    ]);
  });

  it("reports unknown records by code", async () => {
    const db = await freshDb();
    const error = await updateRecord(db, "assessment", "nope", { status: "SUBMITTED" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalWriteError);
    expect(error).toMatchObject({ code: "NOT_FOUND" });
    expect(await deleteRecord(db, "assessment", "nope")).toBe(false);
  });

  it("a notes-only edit of a draft is LOW, but never lowers an entry it joins", async () => {
    const db = await freshDb();
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    await markSynced(db, offlineId, 1);
    await updateRecord(db, "assessment", offlineId, { data: { notes: "muddy road" } });
    expect((await outbox(db))[0].priority).toBe("LOW");
    await updateRecord(db, "assessment", offlineId, { data: { latrines: 1 } });
    await updateRecord(db, "assessment", offlineId, { data: { notes: "dry now" } });
    expect((await outbox(db))[0]).toMatchObject({ priority: "NORMAL", rank: 1 });
  });
});

/** Moves only the base version, as a pull would while an update is still unsent. */
async function markSyncedVersionOnly(db: FieldSyncDb, offlineId: string, version: number) {
  await db.assessments.update(offlineId, { serverVersion: version });
}

describe("nextBatch", () => {
  async function seed(db: FieldSyncDb) {
    // seq order: draft A, submitted B, draft C, then an edit submitting A.
    const a = await createRecord(db, "assessment", assessmentInput());
    const b = await createRecord(db, "assessment", assessmentInput({ status: "SUBMITTED" }));
    const c = await createRecord(db, "assessment", assessmentInput());
    return { a: a.offlineId, b: b.offlineId, c: c.offlineId };
  }
  const ids = (batch: OutboxEntry[]) => batch.map((e) => e.offlineId);

  it("sends HIGH first across records, FIFO otherwise, and marks the batch inflight", async () => {
    const db = await freshDb();
    const { a, b, c } = await seed(db);
    const batch = await nextBatch(db);
    expect(ids(batch)).toEqual([b, a, c]);
    expect(batch.every((e) => e.state === "inflight" && e.attempts === 1)).toBe(true);
    expect(await db.outbox.where("state").equals("inflight").count()).toBe(3);
    expect(await nextBatch(db)).toEqual([]);
  });

  it("respects max", async () => {
    const db = await freshDb();
    const { a, b } = await seed(db);
    expect(ids(await nextBatch(db, 2))).toEqual([b, a]);
  });

  it("keeps each record FIFO: a HIGH edit behind a NORMAL entry lifts the entry, never jumps it", async () => {
    const db = await freshDb();
    const c = await createRecord(db, "assessment", assessmentInput());
    const a = await createRecord(db, "assessment", assessmentInput());
    // Both creates were sent once and came back unanswered: they can no longer absorb edits.
    await releaseBatch(db, await nextBatch(db));
    await updateRecord(db, "assessment", a.offlineId, { status: "SUBMITTED" });
    expect((await outbox(db)).map((e) => [e.offlineId, e.action, e.priority])).toEqual([
      [c.offlineId, "create", "NORMAL"],
      [a.offlineId, "create", "NORMAL"],
      [a.offlineId, "update", "HIGH"],
    ]);
    const batch = await nextBatch(db, 10);
    // A's create goes first (lifted by the HIGH update that waits for it), then C; A's update
    // stays behind: one entry per record per batch, the next only after the previous is answered.
    expect(batch.map((e) => [e.offlineId, e.action])).toEqual([
      [a.offlineId, "create"],
      [c.offlineId, "create"],
    ]);
    expect(await nextBatch(db, 10)).toEqual([]);
  });

  it("lifts a NORMAL entry of another record that a HIGH entry depends on (response → its assessment)", async () => {
    const db = await freshDb();
    const other = await createRecord(db, "assessment", assessmentInput());
    const assessment = await createRecord(db, "assessment", assessmentInput());
    const response = await createRecord(db, "response", {
      entityId: ENTITY_A,
      assessmentOfflineId: assessment.offlineId,
      responseType: "NFI",
      status: "DELIVERED",
      data: {},
    });
    const batch = await nextBatch(db);
    expect(ids(batch)).toEqual([assessment.offlineId, response.offlineId, other.offlineId]);
  });

  it("holds a response whose assessment's create is in flight elsewhere", async () => {
    const db = await freshDb();
    const assessment = await createRecord(db, "assessment", assessmentInput());
    await nextBatch(db);
    await createRecord(db, "response", {
      entityId: ENTITY_A,
      assessmentOfflineId: assessment.offlineId,
      responseType: "NFI",
      status: "DELIVERED",
      data: {},
    });
    expect(await nextBatch(db)).toEqual([]);
  });

  it("releaseBatch returns entries to queued, keeping mutationId and content", async () => {
    const db = await freshDb();
    await seed(db);
    const batch = await nextBatch(db);
    await releaseBatch(db, batch);
    const after = await outbox(db);
    expect(after.map((e) => e.state)).toEqual(["queued", "queued", "queued"]);
    expect(after.map((e) => e.mutationId).sort()).toEqual(batch.map((e) => e.mutationId).sort());
    const again = await nextBatch(db);
    expect(again.map((e) => e.attempts)).toEqual([2, 2, 2]);
  });
});
