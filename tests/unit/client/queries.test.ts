import { describe, expect, it } from "vitest";
import { countPending, getRecord, listAssessments, listResponses } from "@/lib/client/db/queries";
import { createRecord, deleteRecord, updateRecord } from "@/lib/client/outbox/local-writes";
import { assessmentInput, ENTITY_A, ENTITY_B, freshDb } from "./helpers/test-db";

describe("UI queries (behind the useLiveQuery hooks)", () => {
  it("lists an entity's assessments newest first, hiding local deletes", async () => {
    const db = await freshDb();
    const clock = (iso: string) => ({ now: () => new Date(iso) });
    const first = await createRecord(db, "assessment", assessmentInput(), clock("2026-03-01T10:00:00.000Z"));
    const second = await createRecord(db, "assessment", assessmentInput(), clock("2026-03-01T11:00:00.000Z"));
    await createRecord(db, "assessment", assessmentInput({ entityId: ENTITY_B }), clock("2026-03-01T12:00:00.000Z"));
    expect((await listAssessments(db, ENTITY_A)).map((r) => r.offlineId)).toEqual([second.offlineId, first.offlineId]);

    await updateRecord(db, "assessment", first.offlineId, { data: { latrines: 1 } }, clock("2026-03-01T13:00:00.000Z"));
    expect((await listAssessments(db, ENTITY_A)).map((r) => r.offlineId)).toEqual([first.offlineId, second.offlineId]);

    // Sent once, so the delete must wait for the server: the row stays, hidden.
    await db.outbox.where("offlineId").equals(second.offlineId).modify({ attempts: 1 });
    await deleteRecord(db, "assessment", second.offlineId);
    expect(await db.assessments.get(second.offlineId)).toMatchObject({ localDeleted: true });
    expect((await listAssessments(db, ENTITY_A)).map((r) => r.offlineId)).toEqual([first.offlineId]);
    expect(await getRecord(db, "assessment", second.offlineId)).toBeUndefined();
    expect(await getRecord(db, "assessment", first.offlineId)).toMatchObject({ data: { latrines: 1 } });
    expect(await countPending(db)).toBe(4);
  });

  it("lists an entity's responses", async () => {
    const db = await freshDb();
    const r = await createRecord(db, "response", {
      entityId: ENTITY_A,
      assessmentOfflineId: "a",
      responseType: "NFI",
      status: "PLANNED",
      data: {},
    });
    expect((await listResponses(db, ENTITY_A)).map((x) => x.offlineId)).toEqual([r.offlineId]);
    expect(await listResponses(db, ENTITY_B)).toEqual([]);
  });
});
