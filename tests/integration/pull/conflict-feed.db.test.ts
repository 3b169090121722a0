import { beforeAll, describe, expect, it } from "vitest";
import { pullChecks } from "../../fixtures/pull";
import { assign, mut, pullAll, pushOne, quickUser, resolve, type Signed, seedAssessment } from "../../fixtures/sync";
import { useTestDb } from "../../fixtures/test-db";

// PROTOCOL §4/§5: conflicts reach, through pull, the user who submitted them — PENDING, then
// RESOLVED or AUTO_RESOLVED with the new record version.

const db = useTestDb();
const prisma = () => db.current.prisma;
const { world, keysOf } = pullChecks(prisma);

let C: Signed;

beforeAll(async () => {
  C = await quickUser(prisma(), "COORDINATOR", "Pull Coordinator");
});

describe("conflicts arrive through pull for the user who submitted them", () => {
  it("PENDING when submitted, again RESOLVED after a coordinator resolves it, with the new record version", async () => {
    const w = await world(1);
    const E1 = w.ids[0];
    const other = await quickUser(prisma(), "ASSESSOR", "Second Assessor");
    await assign(other, E1);
    const a = await seedAssessment(w.assessor.token, E1);
    await pushOne(w.assessor.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 5 } }));
    const before = await pullAll(other.token);
    const m = mut.update("assessment", a.offlineId, 1, { data: { latrines: 7 } });
    const conflict = await pushOne(other.token, m);
    expect(conflict.status).toBe("conflict");

    const p1 = await pullAll(other.token, { cursor: before.cursor });
    expect(p1.changes).toEqual([
      {
        type: "conflict",
        op: "upsert",
        id: conflict.conflictId,
        record: {
          id: conflict.conflictId,
          type: "assessment",
          recordId: a.id,
          recordOfflineId: a.offlineId,
          status: "PENDING",
          kind: "UPDATE",
          conflictingFields: ["data.latrines"],
          resolution: null,
          mutationId: m.mutationId,
        },
      },
    ]);
    // Not the first assessor's conflict: they see nothing of it.
    expect((await pullAll(w.assessor.token)).changes.some((c) => c.type === "conflict")).toBe(false);

    const resolved = await resolve(C.token, conflict.conflictId, { strategy: "client" });
    expect(resolved.status).toBe(200);
    const p2 = await pullAll(other.token, { cursor: p1.cursor });
    expect(keysOf(p2.changes)).toEqual([`assessment:${a.id}`, `conflict:${conflict.conflictId}`]);
    expect(p2.changes[0]).toMatchObject({ op: "upsert", version: 3, record: { data: { waterSource: "BOREHOLE", latrines: 7 } } });
    expect(p2.changes[1].record).toMatchObject({
      status: "RESOLVED",
      resolution: { strategy: "client", resolvedBy: { id: C.user.id, name: "Pull Coordinator" }, resultVersion: 3 },
    });
  });

  it("policy decisions (AUTO_RESOLVED) arrive too", async () => {
    const w = await world(1);
    const a = await seedAssessment(w.assessor.token, w.ids[0]);
    await pushOne(w.assessor.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 5 } }));
    const before = await pullAll(w.assessor.token);
    const merged = await pushOne(w.assessor.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 6 } }));
    expect(merged).toMatchObject({ status: "merged", method: "SAME_USER_LAST_WRITE" });
    const p = await pullAll(w.assessor.token, { cursor: before.cursor });
    expect(keysOf(p.changes)).toEqual([`assessment:${a.id}`, `conflict:${merged.conflictId}`]);
    expect(p.changes[1].record).toMatchObject({
      status: "AUTO_RESOLVED",
      resolution: { method: "SAME_USER_LAST_WRITE", strategy: null, resultVersion: 3 },
    });
  });
});
