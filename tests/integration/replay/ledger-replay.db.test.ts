import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { unassignUser } from "@/lib/server/admin";
import { assign, mut, newEntity, pushOne, quickUser, type Signed, seedAssessment } from "../../fixtures/sync";
import { useTestDb } from "../../fixtures/test-db";

// A resent mutationId is answered about the record its ledger row names, and only to a caller who
// may see that record now (it used to answer about whatever record the resend named, unchecked).

const db = useTestDb();
const prisma = () => db.current.prisma;

let C: Signed;
let A: Signed;
let IN: { id: string };
let OUT: { id: string };

beforeAll(async () => {
  C = await quickUser(prisma(), "COORDINATOR");
  A = await quickUser(prisma(), "ASSESSOR");
  IN = await newEntity();
  OUT = await newEntity();
  await assign(A, IN.id);
});

describe("ledger replay and scope", () => {
  // PROTOCOL §2: "ASSESSOR/RESPONDER see and write only records of entities they hold an active
  // assignment for (403 FORBIDDEN / mutation `rejected` FORBIDDEN)."
  // PROTOCOL §3: "`duplicate` — this `mutationId` was already processed … `id`, `version` and
  // `record` are the record's current ones" — the record that mutation processed, not another.
  it("resending one's own mutationId with another record's offlineId does not reveal an out-of-scope record", async () => {
    const secret = await seedAssessment(C.token, OUT.id, { data: { waterSource: "SURFACE", notes: "confidential" } });
    const mine = mut.createAssessment(IN.id);
    expect((await pushOne(A.token, mine)).status).toBe("applied");

    // Same mutationId (A's own, so the ledger's userId check passes), offlineId of the secret record.
    const probe = { ...mine, offlineId: secret.offlineId };
    const r = await pushOne(A.token, probe);
    expect(r.record?.data?.notes).toBeUndefined();
    expect(r.id).not.toBe(secret.id);
  });

  // Same promise: after an assignment ends the user no longer sees the entity's records.
  it("replaying one's own create after the assignment ended does not hand back the record's current state", async () => {
    const E = await newEntity();
    await assign(A, E.id);
    const m = mut.createAssessment(E.id, { data: { waterSource: "WELL" } });
    const first = await pushOne(A.token, m);
    expect(first.status).toBe("applied");
    await unassignUser({ userId: A.user.id, entityId: E.id });
    // A coordinator adds a confidential note after A lost access.
    const upd = await pushOne(C.token, mut.update("assessment", m.offlineId, 1, { data: { notes: "added after unassign" } }));
    expect(upd.status).toBe("applied");

    const r = await pushOne(A.token, m, { deviceId: randomUUID() });
    expect(r.record?.data?.notes).toBeUndefined();
    // Applied is the truth (a `rejected` answer would park an edit the server holds): the answer
    // is the version A's create produced, which A wrote and was answered with the first time.
    expect(r).toMatchObject({ status: "duplicate", version: 1, appliedVersion: 1, record: { version: 1, data: { waterSource: "WELL" } } });
  });

  // Found by the fault simulation (npm run test:sim -- --seed 8 --devices 20 --ops 213): a 502 after
  // the server applied an edit, then the assignment ended, then the device resent it.
  it("replaying one's own applied edit after the assignment ended answers duplicate at the version it produced", async () => {
    const E = await newEntity();
    await assign(A, E.id);
    const create = mut.createAssessment(E.id, { data: { waterSource: "WELL" } });
    expect((await pushOne(A.token, create)).status).toBe("applied");
    const edit = mut.update("assessment", create.offlineId, 1, { data: { waterSource: "BOREHOLE" } });
    expect(await pushOne(A.token, edit)).toMatchObject({ status: "applied", version: 2 });
    await unassignUser({ userId: A.user.id, entityId: E.id });
    expect((await pushOne(C.token, mut.update("assessment", create.offlineId, 2, { data: { notes: "later" } }))).status).toBe("applied");

    const r = await pushOne(A.token, edit);
    expect(r).toMatchObject({
      status: "duplicate",
      version: 2,
      appliedVersion: 2,
      record: { version: 2, data: { waterSource: "BOREHOLE" } },
    });
    expect(r.record?.data?.notes).toBeUndefined();
    // A new edit of the record is still refused: the replay answers only about what A already did.
    const next = await pushOne(A.token, mut.update("assessment", create.offlineId, 2, { data: { waterSource: "WELL" } }));
    expect(next).toMatchObject({ status: "rejected", error: { code: "FORBIDDEN" } });
  });
});
