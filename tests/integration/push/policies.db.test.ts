import { beforeAll, describe, expect, it } from "vitest";
import { pushWorld } from "../../fixtures/push-world";
import { FULL_RESPONSE, historyOf, mut, pushOne, type Signed, seedAssessment, seedResponse } from "../../fixtures/sync";
import { useTestDb } from "../../fixtures/test-db";

// PROTOCOL §5: the policies a push applies to conflicting fields (merged, logged AUTO_RESOLVED).

const db = useTestDb();
const prisma = () => db.current.prisma;
const { versionsOf, conflictsOf } = historyOf(prisma);

let A1: Signed;
let R1: Signed;
let R2: Signed;
let C1: Signed;
let C2: Signed;
let E: { id: string };

beforeAll(async () => {
  ({ A1, R1, R2, C1, C2, E } = await pushWorld(prisma()));
});

describe("policies decide conflicting fields and log AUTO_RESOLVED", () => {
  async function expectAutoResolved(mutationId: string, method: string, fields: string[], resultVersion: number) {
    const rows = await conflictsOf(mutationId);
    expect(rows.length).toBe(1);
    expect(rows[0]).toMatchObject({ status: "AUTO_RESOLVED", method, conflictingFields: fields, kind: "UPDATE" });
    expect(rows[0].resolution).toMatchObject({ method, strategy: null, resultVersion });
    expect(rows[0].base).toBeTruthy();
    expect(rows[0].server).toBeTruthy();
    expect(rows[0].client).toBeTruthy();
    return rows[0];
  }

  it("response: the client's DELIVERED wins → merged, DELIVERED_WINS_CLIENT", async () => {
    const a = await seedAssessment(A1.token, E.id);
    const resp = await seedResponse(R1.token, { assessmentOfflineId: a.offlineId, entityId: E.id });
    await pushOne(R2.token, mut.update("response", resp.offlineId, 1, { data: { beneficiaries: 20 } }));
    const m = mut.update("response", resp.offlineId, 1, { status: "DELIVERED", data: { ...FULL_RESPONSE, beneficiaries: 30 } });
    const r = await pushOne(R1.token, m);
    expect(r).toMatchObject({ status: "merged", version: 3, method: "DELIVERED_WINS_CLIENT", conflictingFields: ["data.beneficiaries"] });
    expect(r.record).toMatchObject({ status: "DELIVERED", data: { ...FULL_RESPONSE, beneficiaries: 30 }, verificationStatus: "PENDING" });
    const row = await expectAutoResolved(m.mutationId, "DELIVERED_WINS_CLIENT", ["data.beneficiaries"], 3);
    expect(r.conflictId).toBe(row.id);
  });

  it("response: the server's DELIVERED wins → merged, DELIVERED_WINS_SERVER; the client's other fields apply", async () => {
    const a = await seedAssessment(A1.token, E.id);
    const resp = await seedResponse(R1.token, { assessmentOfflineId: a.offlineId, entityId: E.id });
    await pushOne(
      R2.token,
      mut.update("response", resp.offlineId, 1, { status: "DELIVERED", data: { ...FULL_RESPONSE, beneficiaries: 20 } }),
    );
    const m = mut.update("response", resp.offlineId, 1, { data: { beneficiaries: 30, notes: "late" } });
    const r = await pushOne(R1.token, m);
    expect(r).toMatchObject({ status: "merged", version: 3, method: "DELIVERED_WINS_SERVER", conflictingFields: ["data.beneficiaries"] });
    expect(r.record).toMatchObject({ status: "DELIVERED", data: { ...FULL_RESPONSE, beneficiaries: 20, notes: "late" } });
    await expectAutoResolved(m.mutationId, "DELIVERED_WINS_SERVER", ["data.beneficiaries"], 3);
  });

  it("response: server's DELIVERED wins and nothing else changes → merged, version unchanged, still logged", async () => {
    const a = await seedAssessment(A1.token, E.id);
    const resp = await seedResponse(R1.token, { assessmentOfflineId: a.offlineId, entityId: E.id });
    await pushOne(
      R2.token,
      mut.update("response", resp.offlineId, 1, { status: "DELIVERED", data: { ...FULL_RESPONSE, beneficiaries: 20 } }),
    );
    const m = mut.update("response", resp.offlineId, 1, { data: { beneficiaries: 30 } });
    const r = await pushOne(R1.token, m);
    expect(r).toMatchObject({ status: "merged", version: 2, record: { version: 2, data: { beneficiaries: 20 } } });
    await expectAutoResolved(m.mutationId, "DELIVERED_WINS_SERVER", ["data.beneficiaries"], 2);
    expect((await versionsOf(resp.id)).length).toBe(2);
  });

  it("entity: the server wins the conflicting field, the rest of the patch applies → SERVER_WINS", async () => {
    const create = mut.createEntity({ name: "Original" });
    await pushOne(C1.token, create);
    await pushOne(C2.token, mut.update("entity", create.offlineId, 1, { name: "Renamed by C2" }));
    const m = mut.update("entity", create.offlineId, 1, { name: "Renamed by C1", lga: "Konduga" });
    const r = await pushOne(C1.token, m);
    expect(r).toMatchObject({ status: "merged", version: 3, method: "SERVER_WINS", conflictingFields: ["name"] });
    expect(r.record).toMatchObject({ name: "Renamed by C2", lga: "Konduga", version: 3 });
    await expectAutoResolved(m.mutationId, "SERVER_WINS", ["name"], 3);
  });

  it("assessment: the same user's later edit wins → merged, SAME_USER_LAST_WRITE", async () => {
    const a = await seedAssessment(A1.token, E.id);
    await pushOne(A1.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 5 } }));
    const m = mut.update("assessment", a.offlineId, 1, { data: { latrines: 7 } });
    const r = await pushOne(A1.token, m);
    expect(r).toMatchObject({ status: "merged", version: 3, method: "SAME_USER_LAST_WRITE", conflictingFields: ["data.latrines"] });
    expect(r.record.data).toEqual({ waterSource: "BOREHOLE", latrines: 7 });
    await expectAutoResolved(m.mutationId, "SAME_USER_LAST_WRITE", ["data.latrines"], 3);
  });
});
