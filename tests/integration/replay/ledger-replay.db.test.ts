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
    expect(r).toMatchObject({ status: "rejected", error: { code: "FORBIDDEN" } });
  });
});
