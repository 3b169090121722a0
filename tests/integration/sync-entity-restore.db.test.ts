import { beforeAll, describe, expect, it } from "vitest";
import { assign, type Loose, mut, newEntity, pullAll, pushOne, quickUser, resolve, type Signed, seedAssessment } from "../fixtures/sync";
import { useTestDb } from "../fixtures/test-db";

// PROTOCOL §4 scope changes that do not come from an assignment.

const db = useTestDb();
const prisma = () => db.current.prisma;

let C1: Signed;
let C2: Signed;
let A: Signed;

beforeAll(async () => {
  [C1, C2, A] = await Promise.all([
    quickUser(prisma(), "COORDINATOR"),
    quickUser(prisma(), "COORDINATOR"),
    quickUser(prisma(), "ASSESSOR"),
  ]);
});

describe("an entity that leaves and re-enters the scope", () => {
  // PROTOCOL §4: "`scope.entityIds` lists the entities the user may see now … When an assignment
  // ends, the ids disappear from it; the client drops local records outside the scope". When the
  // entity comes back into the scope, the device must get its records again — as it does after a
  // re-assignment ("re-assign: the next pull with the old cursor backfills the entity's older records").
  it("an entity restored by a DELETION-conflict resolution backfills its records to assigned devices", async () => {
    const E = await newEntity();
    await assign(A, E.id);
    const entityOffline = (await prisma().entity.findUniqueOrThrow({ where: { id: E.id } })).offlineId;
    const a = await seedAssessment(A.token, E.id, { data: { waterSource: "WELL", notes: "kept" } });

    const first = await pullAll(A.token);
    expect(first.scope).toContain(E.id);
    expect(first.changes.some((c: Loose) => c.id === a.id)).toBe(true);

    // C1 deletes the entity; the device pulls and (per §4) drops E and its records.
    expect((await pushOne(C1.token, mut.remove("entity", entityOffline, 1))).status).toBe("applied");
    const second = await pullAll(A.token, { cursor: first.cursor });
    expect(second.scope).not.toContain(E.id);

    // C2 renamed it offline from v1: a DELETION conflict; the coordinator restores it with `client`.
    const c = await pushOne(C2.token, mut.update("entity", entityOffline, 1, { name: "Renamed camp" }));
    expect(c).toMatchObject({ status: "conflict", kind: "DELETION" });
    const res = await resolve(C1.token, c.conflictId, { strategy: "client" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await prisma().entity.findUniqueOrThrow({ where: { id: E.id } })).deletedAt).toBeNull();

    const third = await pullAll(A.token, { cursor: second.cursor });
    expect(third.scope).toContain(E.id);
    // The assessment it dropped must come back (it is unchanged, so only a backfill can deliver it).
    expect(third.changes.filter((ch: Loose) => ch.type === "assessment").map((ch: Loose) => ch.id)).toContain(a.id);
  });
});
