import { beforeAll, describe, expect, it } from "vitest";
import { FULL_WASH, mut, newEntity, push, quickUser, type Signed } from "../fixtures/sync";
import { useTestDb } from "../fixtures/test-db";

// Within one push batch the WriteBuffer caches entities, but an entity
// mutation earlier in the same batch can change or delete that entity.

const db = useTestDb();
const prisma = () => db.current.prisma;

let C: Signed;

beforeAll(async () => {
  C = await quickUser(prisma(), "COORDINATOR");
});

describe("a later mutation sees the earlier entity mutations of its batch", () => {
  // PROTOCOL §3: "Mutations are applied **in order** and each is **atomic** … and a later one sees
  // the earlier ones."  A create on a deleted entity is refused (NOT_FOUND), as in its own push.
  it("an assessment create after the entity's delete in the same batch is refused", async () => {
    const E = await newEntity();
    const entityOffline = (await prisma().entity.findUniqueOrThrow({ where: { id: E.id } })).offlineId;
    const first = mut.createAssessment(E.id);
    const del = mut.remove("entity", entityOffline, 1);
    const after = mut.createAssessment(E.id);
    const res = await push(C.token, [first, del, after]);
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
    const res = await push(C.token, [first, on, submitted]);
    expect(res.results.map((r) => r.status)).toEqual(["applied", "applied", "applied"]);
    expect(res.results[2].record.verificationStatus).toBe("AUTO_VERIFIED");
  });
});
