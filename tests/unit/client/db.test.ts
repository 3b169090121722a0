import Dexie from "dexie";
import { describe, expect, it } from "vitest";
import { FieldSyncDb, openFieldSyncDb, SCHEMA_V1 } from "@/lib/client/db/field-sync-db";
import { nextBatch } from "@/lib/client/outbox/next-batch";
import { freshDb } from "./helpers/test-db";

describe("FieldSyncDb", () => {
  it("opens at version 3 with every table", async () => {
    const db = await freshDb();
    expect(db.verno).toBe(3);
    expect(db.tables.map((t) => t.name).sort()).toEqual(
      ["assessments", "conflicts", "drafts", "entities", "media", "meta", "outbox", "parked", "responses", "uploadState"].sort(),
    );
    expect(db.outbox.schema.indexes.map((i) => i.name).sort()).toEqual(["[rank+seq]", "mutationId", "offlineId", "state"].sort());
  });

  it("keeps media bytes as a Blob", async () => {
    const db = await freshDb();
    await db.media.put({
      offlineId: "m1",
      parentOfflineId: "a1",
      uploadState: "pending",
      blob: new Blob(["photo-bytes"], { type: "image/jpeg" }),
    });
    const row = await db.media.get("m1");
    expect(row?.blob).toBeInstanceOf(Blob);
    expect(await row?.blob?.text()).toBe("photo-bytes");
    expect(await db.media.where("uploadState").equals("pending").count()).toBe(1);
  });

  it("upgrades a version-1 database: backfills outbox rank and keeps every row", async () => {
    const name = `upgrade-${crypto.randomUUID()}`;
    const v1 = new Dexie(name);
    v1.version(1).stores(SCHEMA_V1);
    await v1.open();
    const base = {
      type: "assessment",
      action: "create",
      baseVersion: 0,
      clientTime: "2026-01-01T00:00:00.000Z",
      state: "queued",
      attempts: 0,
      data: {},
    };
    await v1.table("outbox").bulkAdd([
      { ...base, mutationId: "m-normal", offlineId: "o1", priority: "NORMAL" },
      { ...base, mutationId: "m-low", offlineId: "o2", priority: "LOW" },
      { ...base, mutationId: "m-high", offlineId: "o3", priority: "HIGH" },
      { ...base, mutationId: "m-none", offlineId: "o4" },
    ]);
    await v1.table("assessments").put({ offlineId: "o1", entityId: "e", updatedAt: "x", syncState: "pending" });
    // In v1 the priority index sorted the wire strings: LOW came before NORMAL.
    const v1Order = await v1.table("outbox").orderBy("[priority+seq]").toArray();
    expect(v1Order.map((e: { mutationId: string }) => e.mutationId)).toEqual(["m-high", "m-low", "m-normal"]);
    v1.close();

    const db = await openFieldSyncDb(name);
    try {
      expect(db.verno).toBe(3);
      const entries = await db.outbox.orderBy("[rank+seq]").toArray();
      expect(entries.map((e) => [e.mutationId, e.rank, e.priority])).toEqual([
        ["m-high", 0, "HIGH"],
        ["m-normal", 1, "NORMAL"],
        ["m-none", 1, "NORMAL"],
        ["m-low", 2, "LOW"],
      ]);
      expect(await db.outbox.where("mutationId").equals("m-low").count()).toBe(1);
      expect(await db.assessments.get("o1")).toMatchObject({ entityId: "e" });
      const batch = await nextBatch(db, 10);
      expect(batch.map((e) => e.mutationId)).toEqual(["m-high", "m-normal", "m-none", "m-low"]);
    } finally {
      db.close();
      await db.delete();
    }
  });

  it("returns entries left 'inflight' to 'queued' when opened (crash recovery)", async () => {
    const name = `crash-${crypto.randomUUID()}`;
    const before = new FieldSyncDb(name);
    await before.outbox.add({
      mutationId: crypto.randomUUID(),
      type: "assessment",
      action: "create",
      offlineId: "o1",
      baseVersion: 0,
      priority: "NORMAL",
      rank: 1,
      clientTime: "2026-01-01T00:00:00.000Z",
      state: "inflight",
      attempts: 1,
    });
    before.close();

    const db = await openFieldSyncDb(name);
    try {
      const [entry] = await db.outbox.toArray();
      expect(entry.state).toBe("queued");
      expect(entry.attempts).toBe(1);
    } finally {
      db.close();
      await db.delete();
    }
  });
});
