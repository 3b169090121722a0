import { describe, expect, it } from "vitest";
import type { FieldSyncDb } from "@/lib/client/db/field-sync-db";
import type { OutboxEntry } from "@/lib/client/db/types";
import { completeBatch } from "@/lib/client/outbox/complete-batch";
import { createRecord, updateRecord } from "@/lib/client/outbox/local-writes";
import { nextBatch } from "@/lib/client/outbox/next-batch";
import { discardParked, retryParked } from "@/lib/client/outbox/parked";
import type { PushResult } from "@/lib/protocol";
import { assessmentInput, freshDb, serverAssessment } from "./helpers/test-db";

const answer = (r: Record<string, unknown>) => r as unknown as PushResult;

function accepted(entry: OutboxEntry, status: "applied" | "merged" | "duplicate", record: Record<string, unknown>) {
  return answer({ mutationId: entry.mutationId, offlineId: entry.offlineId, status, id: record.id, version: record.version, record });
}

/** A record created locally, sent and applied by the server at version 1. */
async function syncedAssessment(db: FieldSyncDb) {
  const { offlineId } = await createRecord(db, "assessment", assessmentInput());
  const [entry] = await nextBatch(db);
  const record = serverAssessment(offlineId, 1);
  await completeBatch(db, [entry], [accepted(entry, "applied", record)]);
  return { offlineId, record };
}

describe("completeBatch", () => {
  it("applied: adopts the server record and version; the entry leaves the outbox", async () => {
    const db = await freshDb();
    const { offlineId, record } = await syncedAssessment(db);
    expect(await db.outbox.count()).toBe(0);
    const row = await db.assessments.get(offlineId);
    expect(row).toMatchObject({
      ...record,
      serverVersion: 1,
      serverRecord: record,
      pendingPaths: {},
      syncState: "synced",
    });
    expect(row?.localDeleted).toBeUndefined();
  });

  it("applied with newer unsent edits behind: rebases them (base updated, pending kept on top)", async () => {
    const db = await freshDb();
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    const [create] = await nextBatch(db);
    await updateRecord(db, "assessment", offlineId, { data: { latrines: 9 } });
    // The server set fields of its own (id, version, verificationStatus…).
    const record = serverAssessment(offlineId, 1);
    await completeBatch(db, [create], [accepted(create, "applied", record)]);

    const [behind] = await db.outbox.toArray();
    expect(behind).toMatchObject({ action: "update", baseVersion: 1, state: "queued" });
    const row = await db.assessments.get(offlineId);
    expect(row).toMatchObject({
      id: record.id,
      verificationStatus: "DRAFT",
      data: { waterSource: "BOREHOLE", latrines: 9 },
      serverVersion: 1,
      serverRecord: record,
      pendingPaths: { "data.latrines": 9 },
      syncState: "pending",
    });
  });

  it("merged: takes the server's merge result (others' changes) and keeps local edits on top", async () => {
    const db = await freshDb();
    const { offlineId } = await syncedAssessment(db);
    await updateRecord(db, "assessment", offlineId, { data: { latrines: 4 } });
    const [update] = await nextBatch(db);
    await updateRecord(db, "assessment", offlineId, { data: { notes: "later" } });
    const merged = serverAssessment(offlineId, 3, { data: { waterSource: "WELL", latrines: 4 } });
    await completeBatch(db, [update], [accepted(update, "merged", merged)]);

    const row = await db.assessments.get(offlineId);
    expect(row).toMatchObject({
      data: { waterSource: "WELL", latrines: 4, notes: "later" },
      serverVersion: 3,
      pendingPaths: { "data.notes": "later" },
      syncState: "pending",
    });
    expect((await db.outbox.toArray())[0]).toMatchObject({ baseVersion: 3 });
  });

  it("duplicate: a resend of an applied mutation settles the entry with the current record", async () => {
    const db = await freshDb();
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    const [create] = await nextBatch(db);
    const current = serverAssessment(offlineId, 2, { status: "SUBMITTED" });
    await completeBatch(db, [create], [accepted(create, "duplicate", current)]);
    expect(await db.outbox.count()).toBe(0);
    expect(await db.assessments.get(offlineId)).toMatchObject({ status: "SUBMITTED", serverVersion: 2, syncState: "synced" });
  });

  it("conflict: the edit stays visible with syncState 'conflict' and a local conflict copy", async () => {
    const db = await freshDb();
    const { offlineId, record } = await syncedAssessment(db);
    await updateRecord(db, "assessment", offlineId, { data: { latrines: 12 } });
    const [update] = await nextBatch(db);
    const conflictId = crypto.randomUUID();
    await completeBatch(
      db,
      [update],
      [
        answer({
          mutationId: update.mutationId,
          offlineId,
          status: "conflict",
          id: record.id,
          version: 3,
          conflictId,
          conflictingFields: ["data.latrines"],
        }),
      ],
    );
    expect(await db.outbox.count()).toBe(0);
    expect(await db.conflicts.get(conflictId)).toMatchObject({
      conflictId,
      offlineId,
      type: "assessment",
      status: "PENDING",
      conflictingFields: ["data.latrines"],
      mutationId: update.mutationId,
      baseVersion: 1,
      serverVersion: 3,
      data: { data: { latrines: 12 } },
    });
    expect(await db.assessments.get(offlineId)).toMatchObject({
      data: { latrines: 12 },
      syncState: "conflict",
      conflictId,
      pendingPaths: { "data.latrines": 12 },
      // No record in the answer: the base stays what we knew.
      serverVersion: 1,
    });
  });

  it("rejected: moves the entry to parked with the error, the record shows 'parked'; nothing dropped", async () => {
    const db = await freshDb();
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    const [create] = await nextBatch(db);
    await completeBatch(
      db,
      [create],
      [answer({ mutationId: create.mutationId, offlineId, status: "rejected", error: { code: "FORBIDDEN", message: "no" } })],
    );
    expect(await db.outbox.count()).toBe(0);
    const [parked] = await db.parked.toArray();
    expect(parked).toMatchObject({
      seq: create.seq,
      mutationId: create.mutationId,
      action: "create",
      data: assessmentInput(),
      error: { code: "FORBIDDEN", message: "no" },
    });
    expect(await db.assessments.get(offlineId)).toMatchObject({ syncState: "parked", data: { waterSource: "BOREHOLE" } });
  });

  it("handles a mixed batch in one go, matching answers by mutationId", async () => {
    const db = await freshDb();
    const a = await createRecord(db, "assessment", assessmentInput());
    await createRecord(db, "assessment", assessmentInput());
    const c = await createRecord(db, "assessment", assessmentInput());
    const batch = await nextBatch(db);
    const [ea, eb, ec] = batch;
    const summary = await completeBatch(db, batch, [
      answer({ mutationId: ec.mutationId, offlineId: c.offlineId, status: "rejected", error: { code: "VALIDATION_FAILED", message: "x" } }),
      accepted(ea, "applied", serverAssessment(a.offlineId, 1)),
      // no answer for b
    ]);
    expect(summary).toEqual({ accepted: 1, conflicts: 0, parked: 1, unanswered: 1 });
    expect((await db.assessments.get(a.offlineId))?.syncState).toBe("synced");
    expect((await db.assessments.get(c.offlineId))?.syncState).toBe("parked");
    expect(await db.outbox.toArray()).toEqual([{ ...eb, state: "queued" }]);
  });

  it("ignores an answer for an entry already settled (a stale or repeated answer)", async () => {
    const db = await freshDb();
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    const [create] = await nextBatch(db);
    const record = serverAssessment(offlineId, 1);
    await completeBatch(db, [create], [accepted(create, "applied", record)]);
    await updateRecord(db, "assessment", offlineId, { data: { latrines: 2 } });
    const summary = await completeBatch(db, [create], [accepted(create, "applied", record)]);
    expect(summary).toEqual({ accepted: 0, conflicts: 0, parked: 0, unanswered: 0 });
    expect(await db.outbox.count()).toBe(1);
  });

  it("an applied delete removes the row", async () => {
    const db = await freshDb();
    const { offlineId } = await syncedAssessment(db);
    const { deleteRecord } = await import("@/lib/client/outbox/local-writes");
    await deleteRecord(db, "assessment", offlineId);
    expect(await db.assessments.get(offlineId)).toMatchObject({ localDeleted: true });
    const [del] = await nextBatch(db);
    expect(del.action).toBe("delete");
    await completeBatch(db, [del], [accepted(del, "applied", serverAssessment(offlineId, 2, { deletedAt: "2026-01-02T00:00:00.000Z" }))]);
    expect(await db.assessments.get(offlineId)).toBeUndefined();
  });
});

describe("parked mutations", () => {
  async function parkedUpdate(db: FieldSyncDb) {
    const { offlineId, record } = await syncedAssessment(db);
    await updateRecord(db, "assessment", offlineId, { status: "SUBMITTED", data: { latrines: 5 } });
    const [update] = await nextBatch(db);
    await completeBatch(
      db,
      [update],
      [answer({ mutationId: update.mutationId, offlineId, status: "rejected", error: { code: "FORBIDDEN", message: "x" } })],
    );
    return { offlineId, record, update };
  }

  it("retryParked re-queues it with its seq and a new mutationId", async () => {
    const db = await freshDb();
    const { offlineId, update } = await parkedUpdate(db);
    expect(await retryParked(db, update.seq)).toBe(true);
    expect(await db.parked.count()).toBe(0);
    const [entry] = await db.outbox.toArray();
    expect(entry).toMatchObject({ seq: update.seq, action: "update", baseVersion: 1, state: "queued", attempts: 0, data: update.data });
    expect(entry.mutationId).not.toBe(update.mutationId);
    expect(entry).not.toHaveProperty("error");
    expect((await db.assessments.get(offlineId))?.syncState).toBe("pending");
    expect(await retryParked(db, 999)).toBe(false);
  });

  it("discardParked reverts the record to the last server state", async () => {
    const db = await freshDb();
    const { offlineId, record, update } = await parkedUpdate(db);
    expect((await db.assessments.get(offlineId))?.status).toBe("SUBMITTED");
    const row = await discardParked(db, update.seq);
    expect(row).toMatchObject({ ...record, syncState: "synced", pendingPaths: {} });
    expect(await db.assessments.get(offlineId)).toEqual(row);
    expect(await db.parked.count()).toBe(0);
  });

  it("discardParked keeps other local edits of the record on top of the server state", async () => {
    const db = await freshDb();
    const { offlineId, update } = await parkedUpdate(db);
    await updateRecord(db, "assessment", offlineId, { data: { notes: "keep me" } });
    const row = await discardParked(db, update.seq);
    expect(row).toMatchObject({ status: "DRAFT", data: { waterSource: "BOREHOLE", notes: "keep me" }, syncState: "pending" });
    expect(row?.data).not.toHaveProperty("latrines");
  });

  it("discarding a parked create of a record the server never had removes the record and its edits", async () => {
    const db = await freshDb();
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    const [create] = await nextBatch(db);
    await updateRecord(db, "assessment", offlineId, { data: { latrines: 1 } });
    await completeBatch(
      db,
      [create],
      [answer({ mutationId: create.mutationId, offlineId, status: "rejected", error: { code: "FORBIDDEN", message: "x" } })],
    );
    expect(await db.outbox.count()).toBe(1);
    expect(await discardParked(db, create.seq)).toBeUndefined();
    expect(await db.assessments.get(offlineId)).toBeUndefined();
    expect(await db.outbox.count()).toBe(0);
  });
});
