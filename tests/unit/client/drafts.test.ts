import { describe, expect, it } from "vitest";
import { type LocalMedia, UPLOAD_STATES, type UploadState } from "@/lib/client/db/types";
import { commitDraft, DraftSaver, deleteDraft, discardDraft, draftKeys, loadDraft, saveDraft } from "@/lib/client/forms/drafts";
import { removeMedia } from "@/lib/client/media/remove-media";
import { createRecord } from "@/lib/client/outbox/local-writes";
import { assessmentInput, ENTITY_A, freshDb } from "./helpers/test-db";

const NEW_KEY = draftKeys.newAssessment(ENTITY_A, "WASH");

function photo(offlineId: string, parentOfflineId: string, uploadState: UploadState = UPLOAD_STATES.PENDING): LocalMedia {
  return { offlineId, parentOfflineId, uploadState, blob: new Blob(["jpeg"], { type: "image/jpeg" }) };
}

/** Timers under the test's control: `tick()` runs what is due. */
function manualTimers() {
  let next = 1;
  const due = new Map<number, () => void>();
  return {
    setTimer: (fn: () => void) => {
      const id = next++;
      due.set(id, fn);
      return id as unknown as ReturnType<typeof setTimeout>;
    },
    clearTimer: (id: ReturnType<typeof setTimeout>) => void due.delete(id as unknown as number),
    tick: () => {
      const fns = [...due.values()];
      due.clear();
      for (const fn of fns) fn();
    },
    get scheduled() {
      return due.size;
    },
  };
}

describe("draft keys", () => {
  it("name the form a draft belongs to", () => {
    expect(draftKeys.newAssessment("e1", "WASH")).toBe("new-assessment:e1:WASH");
    expect(draftKeys.assessment("a1")).toBe("assessment:a1");
    expect(draftKeys.newResponse("a1")).toBe("new-response:a1");
    expect(draftKeys.response("r1")).toBe("response:r1");
  });
});

describe("drafts table", () => {
  it("saves, reloads (a new connection, as after a reload) and deletes a draft", async () => {
    const db = await freshDb();
    await saveDraft(db, { key: NEW_KEY, offlineId: "a-1", values: { latrines: "4" }, meta: { x: 1 } }, new Date("2026-01-02T03:04:05Z"));
    db.close();
    await db.open();
    expect(await loadDraft(db, NEW_KEY)).toEqual({
      key: NEW_KEY,
      offlineId: "a-1",
      values: { latrines: "4" },
      meta: { x: 1 },
      updatedAt: "2026-01-02T03:04:05.000Z",
    });
    await deleteDraft(db, NEW_KEY);
    expect(await loadDraft(db, NEW_KEY)).toBeUndefined();
  });

  it("commitDraft creates the record and deletes the draft in one transaction", async () => {
    const db = await freshDb();
    await saveDraft(db, { key: NEW_KEY, offlineId: "a-1", values: {} });
    await commitDraft(db, NEW_KEY, () => createRecord(db, "assessment", assessmentInput(), { offlineId: "a-1" }));
    expect(await db.assessments.get("a-1")).toMatchObject({ offlineId: "a-1", syncState: "pending" });
    expect(await db.outbox.count()).toBe(1);
    expect(await loadDraft(db, NEW_KEY)).toBeUndefined();
  });

  it("commitDraft keeps the draft when the write fails", async () => {
    const db = await freshDb();
    await createRecord(db, "assessment", assessmentInput(), { offlineId: "a-1" });
    await saveDraft(db, { key: NEW_KEY, offlineId: "a-1", values: { latrines: "4" } });
    await expect(
      commitDraft(db, NEW_KEY, () => createRecord(db, "assessment", assessmentInput(), { offlineId: "a-1" })),
    ).rejects.toMatchObject({
      code: "ALREADY_EXISTS",
    });
    expect(await loadDraft(db, NEW_KEY)).toMatchObject({ values: { latrines: "4" } });
  });

  it("discarding a new record's draft deletes the photos taken for it, and only those", async () => {
    const db = await freshDb();
    await saveDraft(db, { key: NEW_KEY, offlineId: "a-new", values: {} });
    await db.media.bulkPut([photo("m1", "a-new"), photo("m2", "a-new"), photo("m3", "someone-else")]);
    await db.uploadState.put({ offlineId: "m1", offset: 0, size: 4, updatedAt: "2026-01-01T00:00:00Z" });
    expect(await discardDraft(db, NEW_KEY)).toBe(2);
    expect(await loadDraft(db, NEW_KEY)).toBeUndefined();
    expect((await db.media.toArray()).map((m) => m.offlineId)).toEqual(["m3"]);
    expect(await db.uploadState.count()).toBe(0);
  });

  it("discarding an edit of an existing record keeps the record's photos", async () => {
    const db = await freshDb();
    await createRecord(db, "assessment", assessmentInput(), { offlineId: "a-1" });
    await saveDraft(db, { key: draftKeys.assessment("a-1"), offlineId: "a-1", values: {} });
    await db.media.put(photo("m1", "a-1"));
    expect(await discardDraft(db, draftKeys.assessment("a-1"))).toBe(0);
    expect(await db.media.count()).toBe(1);
    expect(await discardDraft(db, "no-such-draft")).toBe(0);
  });
});

describe("DraftSaver", () => {
  it("writes once, after the last change of a burst", async () => {
    const db = await freshDb();
    const timers = manualTimers();
    const saver = new DraftSaver(db, timers);
    for (const n of ["1", "12", "123"]) saver.schedule({ key: "k", offlineId: "o", values: { latrines: n } });
    expect(timers.scheduled).toBe(1);
    expect(await loadDraft(db, "k")).toBeUndefined();
    timers.tick();
    await saver.flush();
    expect((await loadDraft(db, "k"))?.values).toEqual({ latrines: "123" });
  });

  it("keeps a copy of the values, not the live object the form goes on mutating", async () => {
    const db = await freshDb();
    const saver = new DraftSaver(db, manualTimers());
    const values = { items: [{ name: "Rice" }] };
    saver.schedule({ key: "k", offlineId: "o", values });
    values.items[0].name = "changed later";
    await saver.flush();
    expect((await loadDraft(db, "k"))?.values).toEqual({ items: [{ name: "Rice" }] });
  });

  it("cancel drops the pending change: a submitted form's draft does not come back", async () => {
    const db = await freshDb();
    const timers = manualTimers();
    const saver = new DraftSaver(db, timers);
    saver.schedule({ key: "k", offlineId: "o", values: { a: "1" } });
    expect(saver.hasPending).toBe(true);
    await saver.cancel();
    timers.tick();
    await saver.flush();
    expect(saver.hasPending).toBe(false);
    expect(await loadDraft(db, "k")).toBeUndefined();
  });

  it("uses a real 300 ms debounce by default", async () => {
    const db = await freshDb();
    const saver = new DraftSaver(db);
    saver.schedule({ key: "k", offlineId: "o", values: { a: "1" } });
    expect(await loadDraft(db, "k")).toBeUndefined();
    await new Promise((r) => setTimeout(r, 400));
    await saver.flush();
    expect((await loadDraft(db, "k"))?.values).toEqual({ a: "1" });
  });

  it("reports a failed write instead of throwing into the form", async () => {
    const db = await freshDb();
    const errors: unknown[] = [];
    const saver = new DraftSaver(db, { ...manualTimers(), onError: (e) => errors.push(e) });
    db.close();
    saver.schedule({ key: "k", offlineId: "o", values: {} });
    await saver.flush();
    expect(errors).toHaveLength(1);
  });
});

describe("removeMedia", () => {
  it("removes a photo not yet uploaded, with its resume state, after cancelling its upload", async () => {
    const db = await freshDb();
    await db.media.bulkPut([photo("m1", "a-1", UPLOAD_STATES.UPLOADING), photo("m2", "a-1", UPLOAD_STATES.UPLOADED)]);
    await db.uploadState.put({ offlineId: "m1", uploadUrl: "/u/1", offset: 2, size: 4, updatedAt: "2026-01-01T00:00:00Z" });
    const cancelled: string[] = [];
    const queue = { cancel: async (id: string) => void cancelled.push(id) };
    expect(await removeMedia(db, "m1", queue)).toBe(true);
    expect(cancelled).toEqual(["m1"]);
    expect(await db.media.get("m1")).toBeUndefined();
    expect(await db.uploadState.get("m1")).toBeUndefined();
    expect(await removeMedia(db, "m2", queue)).toBe(false);
    expect(await db.media.get("m2")).toBeDefined();
    expect(await removeMedia(db, "missing")).toBe(false);
  });
});
