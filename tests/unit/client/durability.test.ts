import { describe, expect, it } from "vitest";
import { createRecord } from "@/lib/client/outbox/local-writes";
import { canSignOut, checkQuota, exportUnsent, requestPersistentStorage } from "@/lib/client/sync/durability";
import { assessmentInput, freshDb } from "./helpers/test-db";

describe("requestPersistentStorage", () => {
  it("asks only when not yet persistent, and reports the answer", async () => {
    let asked = 0;
    const storage = (persisted: boolean, grant: boolean) => ({
      persisted: async () => persisted,
      persist: async () => {
        asked++;
        return grant;
      },
    });
    expect(await requestPersistentStorage(storage(true, false))).toBe(true);
    expect(asked).toBe(0);
    expect(await requestPersistentStorage(storage(false, true))).toBe(true);
    expect(await requestPersistentStorage(storage(false, false))).toBe(false);
    expect(asked).toBe(2);
    expect(await requestPersistentStorage(undefined)).toBe(false);
  });
});

describe("checkQuota", () => {
  it("warns above 80% use", async () => {
    const estimate = (usage: number, quota: number) => ({ estimate: async () => ({ usage, quota }) });
    expect(await checkQuota(estimate(80, 100))).toEqual({ usage: 80, quota: 100, ratio: 0.8, warn: false });
    expect(await checkQuota(estimate(81, 100))).toMatchObject({ warn: true });
    expect(await checkQuota(estimate(10, 100), 0.05)).toMatchObject({ warn: true });
    expect(await checkQuota({ estimate: async () => ({}) })).toBeUndefined();
    expect(await checkQuota(undefined)).toBeUndefined();
  });
});

describe("canSignOut", () => {
  it("is false while anything captured here exists nowhere else", async () => {
    const db = await freshDb();
    expect(await canSignOut(db)).toBe(true);

    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    expect(await canSignOut(db)).toBe(false);
    await db.outbox.clear();
    expect(await canSignOut(db)).toBe(true);

    await db.media.put({ offlineId: "m1", parentOfflineId: offlineId, uploadState: "pending", blob: new Blob(["x"]) });
    expect(await canSignOut(db)).toBe(false);
    await db.media.update("m1", { uploadState: "uploaded" });
    expect(await canSignOut(db)).toBe(true);

    await db.parked.put({
      seq: 99,
      mutationId: "p",
      type: "assessment",
      action: "update",
      offlineId,
      baseVersion: 1,
      priority: "NORMAL",
      rank: 1,
      clientTime: "2026-01-01T00:00:00.000Z",
      state: "queued",
      attempts: 1,
      error: { code: "FORBIDDEN", message: "x" },
      parkedAt: "2026-01-01T00:00:00.000Z",
    });
    expect(await canSignOut(db)).toBe(false);
  });
});

describe("exportUnsent", () => {
  it("exports outbox, parked, pending records and unsent media (with bytes) as one JSON Blob", async () => {
    const db = await freshDb();
    await db.meta.put({ key: "deviceId", value: "dev-1" });
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    await db.assessments.put({ offlineId: "synced-1", serverVersion: 1, pendingPaths: {}, syncState: "synced" });
    await db.media.bulkPut([
      {
        offlineId: "m1",
        parentOfflineId: offlineId,
        uploadState: "pending",
        filename: "a.jpg",
        blob: new Blob(["hello"], { type: "image/jpeg" }),
      },
      { offlineId: "m2", parentOfflineId: offlineId, uploadState: "uploaded" },
    ]);
    const blob = await exportUnsent(db, () => new Date("2026-03-01T00:00:00.000Z"));
    expect(blob.type).toBe("application/json");
    const parsed = JSON.parse(await blob.text());
    expect(parsed).toMatchObject({
      format: "fieldsync-unsent",
      version: 1,
      exportedAt: "2026-03-01T00:00:00.000Z",
      deviceId: "dev-1",
      outbox: [{ offlineId, action: "create" }],
      parked: [],
      records: { assessments: [{ offlineId, syncState: "pending" }], entities: [], responses: [] },
      media: [{ offlineId: "m1", filename: "a.jpg", blobType: "image/jpeg", bytesBase64: btoa("hello") }],
    });
    expect(parsed.records.assessments).toHaveLength(1);
    expect(parsed.media).toHaveLength(1);
  });
});
