import { beforeAll, describe, expect, it } from "vitest";
import { pushWorld } from "../../fixtures/push-world";
import { FULL_WASH, historyOf, mut, newEntity, push, pushOne, type Signed, seedAssessment } from "../../fixtures/sync";
import { useTestDb } from "../../fixtures/test-db";

// PROTOCOL §3: a batch applies in order, each mutation atomic, a later one seeing the earlier ones
// (entity mutations included); every version of a record keeps its snapshot.

const db = useTestDb();
const prisma = () => db.current.prisma;
const { versionsOf } = historyOf(prisma);

let A1: Signed;
let A2: Signed;
let C1: Signed;
let E: { id: string };

beforeAll(async () => {
  ({ A1, A2, C1, E } = await pushWorld(prisma()));
});

describe("a batch applies in order; every version has a snapshot", () => {
  it("a later mutation sees the earlier ones: create → update → response → delete in one push", async () => {
    const a = mut.createAssessment(E.id);
    const resp = mut.createResponse({ assessmentOfflineId: a.offlineId, entityId: E.id });
    const mutations = [
      a,
      mut.update("assessment", a.offlineId, 1, { status: "SUBMITTED", data: FULL_WASH }),
      resp,
      mut.update("response", resp.offlineId, 1, { data: { beneficiaries: 99 } }),
      mut.remove("response", resp.offlineId, 2),
    ];
    const res = await push(C1.token, mutations);
    expect(res.results.map((r) => [r.mutationId, r.status, r.version])).toEqual(
      mutations.map((m, i) => [m.mutationId, "applied", [1, 2, 1, 2, 3][i]]),
    );
    expect(res.results[1].record).toMatchObject({ status: "SUBMITTED", verificationStatus: "PENDING" });
    expect(res.results[2].record).toMatchObject({ assessmentId: res.results[0].id });
    // Retrying the whole batch writes nothing.
    const again = await push(C1.token, mutations);
    expect(again.results.map((r) => [r.status, r.version])).toEqual([
      ["duplicate", 2],
      ["duplicate", 2],
      ["duplicate", 3],
      ["duplicate", 3],
      ["duplicate", 3],
    ]);
    expect((await versionsOf(res.results[0].id)).map((v) => v.version)).toEqual([1, 2]);
    expect((await versionsOf(res.results[2].id)).map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it("every version of a record has exactly one RecordVersion whose snapshot is that version", async () => {
    const a = await seedAssessment(A1.token, E.id);
    await pushOne(A1.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 1 } })); // 2 applied
    await pushOne(A2.token, mut.update("assessment", a.offlineId, 1, { data: { functionalBoreholes: 2 } })); // 3 merged
    await pushOne(A2.token, mut.update("assessment", a.offlineId, 3, { data: { functionalBoreholes: 2 } })); // no change
    await pushOne(A1.token, mut.update("assessment", a.offlineId, 3, { status: "SUBMITTED", data: FULL_WASH })); // 4
    const last = await pushOne(A1.token, mut.remove("assessment", a.offlineId, 4)); // 5
    expect(last.version).toBe(5);
    const versions = await versionsOf(a.id);
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5]);
    for (const v of versions) expect((v.snapshot as { version: number }).version).toBe(v.version);
    expect(versions[4].snapshot).toEqual(last.record);
  });
});

// Within one push batch the engine reads each entity once (engine/state.ts), but an entity
// mutation earlier in the same batch can change or delete that entity.
describe("a later mutation sees the earlier entity mutations of its batch", () => {
  // PROTOCOL §3: "Mutations are applied **in order** and each is **atomic** … and a later one sees
  // the earlier ones."  A create on a deleted entity is refused (NOT_FOUND), as in its own push.
  it("an assessment create after the entity's delete in the same batch is refused", async () => {
    const E = await newEntity();
    const entityOffline = (await prisma().entity.findUniqueOrThrow({ where: { id: E.id } })).offlineId;
    const first = mut.createAssessment(E.id);
    const del = mut.remove("entity", entityOffline, 1);
    const after = mut.createAssessment(E.id);
    const res = await push(C1.token, [first, del, after]);
    expect(res.status).toBe(200);
    expect(res.results.map((r) => r.status)).toEqual(["applied", "applied", "rejected"]);
    expect(await prisma().assessment.count({ where: { offlineId: after.offlineId } })).toBe(0);
  });

  // PROTOCOL §1: "A SUBMITTED assessment … becomes AUTO_VERIFIED when its entity has `autoApprove`
  // on, else PENDING" — and §3 "a later one sees the earlier ones".
  it("an assessment submitted after autoApprove was switched on earlier in the batch is AUTO_VERIFIED", async () => {
    const E = await newEntity({ autoApprove: false });
    const entityOffline = (await prisma().entity.findUniqueOrThrow({ where: { id: E.id } })).offlineId;
    const first = mut.createAssessment(E.id);
    const on = mut.update("entity", entityOffline, 1, { autoApprove: true });
    const submitted = mut.createAssessment(E.id, { status: "SUBMITTED", data: { ...FULL_WASH } });
    const res = await push(C1.token, [first, on, submitted]);
    expect(res.results.map((r) => r.status)).toEqual(["applied", "applied", "applied"]);
    expect(res.results[2].record.verificationStatus).toBe("AUTO_VERIFIED");
  });
});
