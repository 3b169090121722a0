import { beforeAll, describe, expect, it } from "vitest";
import { assign, mut, newEntity, pushOne, quickUser, type Signed, seedAssessment, seedResponse } from "../fixtures/sync";
import { useTestDb } from "../fixtures/test-db";

// push edge cases (PROTOCOL §1, §3).

const db = useTestDb();
const prisma = () => db.current.prisma;

let A: Signed;
let R: Signed;
let E: { id: string };

beforeAll(async () => {
  [A, R] = await Promise.all([quickUser(prisma(), "ASSESSOR"), quickUser(prisma(), "RESPONDER")]);
  E = await newEntity();
  await assign(A, E.id);
  await assign(R, E.id);
});

describe("a response's assessment reference", () => {
  // PROTOCOL §1: "a response names its assessment by `assessmentOfflineId` (or `assessmentId`)";
  // lib/protocol/push.ts: "(at least one; both must agree)" — a create naming two different
  // assessments is rejected VALIDATION_FAILED. An update naming two different assessments must not
  // silently attach the response to one of them (the other id is dropped without a word).
  it("an update whose assessmentId and assessmentOfflineId name different assessments is rejected", async () => {
    const a = await seedAssessment(A.token, E.id);
    const b = await seedAssessment(A.token, E.id);
    const c = await seedAssessment(A.token, E.id);
    const r = await seedResponse(R.token, { assessmentOfflineId: a.offlineId, entityId: E.id });

    // The create path refuses the same contradiction:
    const create = await pushOne(R.token, mut.createResponse({ assessmentId: b.id, assessmentOfflineId: c.offlineId, entityId: E.id }));
    expect(create).toMatchObject({ status: "rejected", error: { code: "VALIDATION_FAILED" } });

    const u = await pushOne(R.token, mut.update("response", r.offlineId, 1, { assessmentId: b.id, assessmentOfflineId: c.offlineId }));
    expect(u).toMatchObject({ status: "rejected", error: { code: "VALIDATION_FAILED" } });
    expect((await prisma().response.findUniqueOrThrow({ where: { id: r.id } })).assessmentId).toBe(a.id);
  });
});

describe("form answer keys", () => {
  // PROTOCOL §1: "`data` holds the answers of a form, keyed by question id …; unknown keys are
  // rejected". README: "silently dropping a field a user typed would lose data".
  it("an answer keyed `__proto__` is rejected, not silently dropped", async () => {
    const m = mut.createAssessment(E.id, { data: JSON.parse('{"waterSource":"WELL","__proto__":{"latrines":3}}') });
    const r = await pushOne(A.token, m);
    expect(r).toMatchObject({ status: "rejected", error: { code: "VALIDATION_FAILED" } });
  });
});
