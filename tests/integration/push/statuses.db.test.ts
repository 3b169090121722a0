import { beforeAll, describe, expect, it } from "vitest";
import { pushWorld } from "../../fixtures/push-world";
import {
  FULL_RESPONSE,
  historyOf,
  type Loose,
  latestByRecord,
  mut,
  pullAll,
  push,
  pushOne,
  type Signed,
  seedAssessment,
  seedResponse,
} from "../../fixtures/sync";
import { useTestDb } from "../../fixtures/test-db";

// PROTOCOL §3 (push): every result status a mutation can earn (applied, merged, duplicate,
// conflict), exactly-once on retry, and the offlineId namespace of each record type.

const db = useTestDb();
const prisma = () => db.current.prisma;
const { versionsOf, conflictsOf } = historyOf(prisma);

let A1: Signed;
let A2: Signed;
let R1: Signed;
let R2: Signed;
let C1: Signed;
let E: { id: string };

beforeAll(async () => {
  ({ A1, A2, R1, R2, C1, E } = await pushWorld(prisma()));
});

const dbAssessment = (offlineId: string) => prisma().assessment.findUniqueOrThrow({ where: { offlineId } });

// ---- applied / merged / duplicate / conflict ----------------------------------------------------

interface StatusRow {
  name: string;
  status: "applied" | "merged" | "duplicate" | "conflict";
  /** Arranges, pushes and asserts the body and the database; returns the result checked against `status`. */
  run: () => Promise<Loose>;
}

const statusRows: StatusRow[] = [
  {
    name: "create assessment",
    status: "applied",
    run: async () => {
      const m = mut.createAssessment(E.id, { data: { waterSource: "WELL", latrines: 3 } });
      const r = await pushOne(A1.token, m);
      expect(r).toMatchObject({ mutationId: m.mutationId, offlineId: m.offlineId, version: 1 });
      expect(r.record).toMatchObject({
        id: r.id,
        offlineId: m.offlineId,
        entityId: E.id,
        assessorId: A1.user.id,
        assessmentType: "WASH",
        status: "DRAFT",
        data: { waterSource: "WELL", latrines: 3 },
        version: 1,
        verificationStatus: "DRAFT",
        deletedAt: null,
      });
      const versions = await versionsOf(r.id);
      expect(versions.map((v) => [v.version, v.mutationId, v.changedById])).toEqual([[1, m.mutationId, A1.user.id]]);
      expect(versions[0].snapshot).toEqual(r.record);
      return r;
    },
  },
  {
    name: "create response naming its assessment by offlineId",
    status: "applied",
    run: async () => {
      const a = await seedAssessment(A1.token, E.id);
      const m = mut.createResponse({ assessmentOfflineId: a.offlineId, entityId: E.id }, { data: { beneficiaries: 40 } });
      const r = await pushOne(R1.token, m);
      expect(r).toMatchObject({ offlineId: m.offlineId, version: 1 });
      expect(r.record).toMatchObject({
        assessmentId: a.id,
        assessmentOfflineId: a.offlineId,
        entityId: E.id,
        responderId: R1.user.id,
        responseType: "FOOD_DISTRIBUTION",
        status: "PLANNED",
        data: { beneficiaries: 40 },
        verificationStatus: "DRAFT",
        version: 1,
      });
      expect((await versionsOf(r.id)).map((v) => v.version)).toEqual([1]);
      return r;
    },
  },
  {
    name: "create response naming its assessment by id",
    status: "applied",
    run: async () => {
      const a = await seedAssessment(A1.token, E.id);
      const r = await pushOne(R1.token, mut.createResponse({ assessmentId: a.id, entityId: E.id }));
      expect(r.record).toMatchObject({ assessmentId: a.id, assessmentOfflineId: a.offlineId, version: 1 });
      return r;
    },
  },
  {
    name: "create entity (coordinator)",
    status: "applied",
    run: async () => {
      const m = mut.createEntity({ name: "Pushed Camp", autoApprove: true });
      const r = await pushOne(C1.token, m);
      expect(r.record).toMatchObject({
        offlineId: m.offlineId,
        name: "Pushed Camp",
        type: "COMMUNITY",
        lga: "Jere",
        autoApprove: true,
        version: 1,
        deletedAt: null,
      });
      expect((await versionsOf(r.id)).map((v) => v.version)).toEqual([1]);
      return r;
    },
  },
  {
    name: "update assessment at the server's version",
    status: "applied",
    run: async () => {
      const a = await seedAssessment(A1.token, E.id);
      const m = mut.update("assessment", a.offlineId, 1, { data: { latrines: 12, waterSource: null } });
      const r = await pushOne(A1.token, m);
      expect(r).toMatchObject({ id: a.id, version: 2 });
      // null clears an answer; the other answers stay.
      expect(r.record).toMatchObject({ version: 2, data: { latrines: 12 } });
      expect(r.record.data).not.toHaveProperty("waterSource");
      expect((await versionsOf(a.id)).map((v) => [v.version, v.mutationId])).toEqual([
        [1, expect.any(String)],
        [2, m.mutationId],
      ]);
      return r;
    },
  },
  {
    name: "update response",
    status: "applied",
    run: async () => {
      const a = await seedAssessment(A1.token, E.id);
      const resp = await seedResponse(R1.token, { assessmentOfflineId: a.offlineId, entityId: E.id });
      const r = await pushOne(R1.token, mut.update("response", resp.offlineId, 1, { status: "DELIVERED", data: FULL_RESPONSE }));
      expect(r.record).toMatchObject({ version: 2, status: "DELIVERED", data: FULL_RESPONSE, verificationStatus: "PENDING" });
      return r;
    },
  },
  {
    name: "update entity (coordinator)",
    status: "applied",
    run: async () => {
      const m = mut.createEntity();
      await pushOne(C1.token, m);
      const r = await pushOne(C1.token, mut.update("entity", m.offlineId, 1, { ward: "Gwange", latitude: 10.5 }));
      expect(r.record).toMatchObject({ version: 2, ward: "Gwange", latitude: 10.5 });
      return r;
    },
  },
  {
    name: "delete assessment",
    status: "applied",
    run: async () => {
      const a = await seedAssessment(A1.token, E.id);
      const r = await pushOne(A1.token, mut.remove("assessment", a.offlineId, 1));
      expect(r).toMatchObject({ id: a.id, version: 2 });
      expect(r.record.deletedAt).toEqual(expect.any(String));
      expect((await dbAssessment(a.offlineId)).deletedAt).not.toBeNull();
      expect((await versionsOf(a.id)).map((v) => v.version)).toEqual([1, 2]);
      return r;
    },
  },
  {
    name: "disjoint edits from two users merge; the version rises",
    status: "merged",
    run: async () => {
      const a = await seedAssessment(A1.token, E.id);
      await pushOne(A1.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 5 } }));
      const m = mut.update("assessment", a.offlineId, 1, { data: { functionalBoreholes: 3 } });
      const r = await pushOne(A2.token, m);
      expect(r).toMatchObject({ id: a.id, version: 3 });
      expect(r.record.data).toEqual({ waterSource: "BOREHOLE", latrines: 5, functionalBoreholes: 3 });
      // A clean merge is not a conflict and is not logged as one.
      expect(r.conflictId).toBeUndefined();
      expect(await conflictsOf(m.mutationId)).toEqual([]);
      expect((await versionsOf(a.id)).map((v) => v.version)).toEqual([1, 2, 3]);
      return r;
    },
  },
  {
    name: "a merge that changes nothing (same change on both sides) keeps the version",
    status: "merged",
    run: async () => {
      const a = await seedAssessment(A1.token, E.id);
      await pushOne(A1.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 5 } }));
      const m = mut.update("assessment", a.offlineId, 1, { data: { latrines: 5 } });
      const r = await pushOne(A2.token, m);
      expect(r).toMatchObject({ id: a.id, version: 2 });
      expect(r.record).toMatchObject({ version: 2, data: { waterSource: "BOREHOLE", latrines: 5 } });
      expect(await conflictsOf(m.mutationId)).toEqual([]);
      expect((await versionsOf(a.id)).map((v) => v.version)).toEqual([1, 2]);
      return r;
    },
  },
  {
    name: "the same mutationId retried",
    status: "duplicate",
    run: async () => {
      const m = mut.createAssessment(E.id);
      const first = await pushOne(A1.token, m);
      const r = await pushOne(A1.token, m);
      expect(r).toMatchObject({ mutationId: m.mutationId, offlineId: m.offlineId, id: first.id, version: 1, record: first.record });
      expect(await prisma().assessment.count({ where: { offlineId: m.offlineId } })).toBe(1);
      expect((await versionsOf(first.id)).length).toBe(1);
      return r;
    },
  },
  {
    name: "a retried update after the record moved on answers the current version",
    status: "duplicate",
    run: async () => {
      const a = await seedAssessment(A1.token, E.id);
      const u = mut.update("assessment", a.offlineId, 1, { data: { latrines: 1 } });
      await pushOne(A1.token, u);
      await pushOne(A2.token, mut.update("assessment", a.offlineId, 2, { data: { latrines: 2 } }));
      const r = await pushOne(A1.token, u);
      expect(r).toMatchObject({ id: a.id, version: 3 });
      expect(r.record.data.latrines).toBe(2);
      expect((await versionsOf(a.id)).length).toBe(3);
      return r;
    },
  },
  {
    name: "the same mutation twice in one batch: the second answers duplicate",
    status: "duplicate",
    run: async () => {
      const m = mut.createAssessment(E.id);
      const res = await push(A1.token, [m, m]);
      expect(res.results.map((r) => [r.status, r.id, r.version])).toEqual([
        ["applied", res.results[0].id, 1],
        ["duplicate", res.results[0].id, 1],
      ]);
      return res.results[1];
    },
  },
  {
    name: "create naming an existing offlineId under a new mutationId",
    status: "duplicate",
    run: async () => {
      const a = await seedAssessment(A1.token, E.id, { data: { waterSource: "WELL" } });
      const m = mut.createAssessment(E.id, { offlineId: a.offlineId, data: { waterSource: "TANKER" } });
      const r = await pushOne(A2.token, m);
      expect(r).toMatchObject({ mutationId: m.mutationId, id: a.id, version: 1 });
      // Nothing written: the first create's data and author stand.
      expect(r.record).toMatchObject({ assessorId: A1.user.id, data: { waterSource: "WELL" } });
      expect((await versionsOf(a.id)).length).toBe(1);
      return r;
    },
  },
  {
    name: "delete of a deleted record",
    status: "duplicate",
    run: async () => {
      const a = await seedAssessment(A1.token, E.id);
      await pushOne(A1.token, mut.remove("assessment", a.offlineId, 1));
      const r = await pushOne(A2.token, mut.remove("assessment", a.offlineId, 1));
      expect(r).toMatchObject({ id: a.id, version: 2 });
      expect(r.record.deletedAt).toEqual(expect.any(String));
      expect((await versionsOf(a.id)).length).toBe(2);
      return r;
    },
  },
  {
    name: "assessment: two users change one field to different values",
    status: "conflict",
    run: async () => {
      const a = await seedAssessment(A1.token, E.id);
      await pushOne(A1.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 5 } }));
      const m = mut.update("assessment", a.offlineId, 1, { data: { latrines: 7, functionalBoreholes: 4 } });
      const r = await pushOne(A2.token, m);
      expect(r).toMatchObject({
        mutationId: m.mutationId,
        offlineId: a.offlineId,
        id: a.id,
        version: 2,
        conflictingFields: ["data.latrines"],
        kind: "UPDATE",
      });
      expect(r.record).toBeUndefined();
      // Not applied at all, not even the non-conflicting field.
      const row = await dbAssessment(a.offlineId);
      expect({ version: row.version, data: row.data }).toEqual({ version: 2, data: { waterSource: "BOREHOLE", latrines: 5 } });
      const [c] = await conflictsOf(m.mutationId);
      expect(c).toMatchObject({
        id: r.conflictId,
        status: "PENDING",
        kind: "UPDATE",
        recordId: a.id,
        baseVersion: 1,
        serverVersion: 2,
        submittedById: A2.user.id,
        conflictingFields: ["data.latrines"],
      });
      expect((c.client as Loose).data).toEqual({ waterSource: "BOREHOLE", latrines: 7, functionalBoreholes: 4 });
      return r;
    },
  },
  {
    name: "response: neither side sets DELIVERED",
    status: "conflict",
    run: async () => {
      const a = await seedAssessment(A1.token, E.id);
      const resp = await seedResponse(R1.token, { assessmentOfflineId: a.offlineId, entityId: E.id });
      await pushOne(R1.token, mut.update("response", resp.offlineId, 1, { data: { beneficiaries: 20 } }));
      const r = await pushOne(R2.token, mut.update("response", resp.offlineId, 1, { data: { beneficiaries: 30 } }));
      expect(r).toMatchObject({ id: resp.id, version: 2, conflictingFields: ["data.beneficiaries"], kind: "UPDATE" });
      expect((await prisma().response.findUniqueOrThrow({ where: { id: resp.id } })).data).toEqual({ beneficiaries: 20 });
      return r;
    },
  },
  {
    name: "response: both sides set DELIVERED with different answers",
    status: "conflict",
    run: async () => {
      const a = await seedAssessment(A1.token, E.id);
      const resp = await seedResponse(R1.token, { assessmentOfflineId: a.offlineId, entityId: E.id });
      await pushOne(
        R1.token,
        mut.update("response", resp.offlineId, 1, { status: "DELIVERED", data: { ...FULL_RESPONSE, beneficiaries: 20 } }),
      );
      const r = await pushOne(
        R2.token,
        mut.update("response", resp.offlineId, 1, { status: "DELIVERED", data: { ...FULL_RESPONSE, beneficiaries: 30 } }),
      );
      expect(r).toMatchObject({ version: 2, conflictingFields: ["data.beneficiaries"] });
      return r;
    },
  },
  {
    name: "update of a record deleted on the server",
    status: "conflict",
    run: async () => {
      const a = await seedAssessment(A1.token, E.id);
      await pushOne(A1.token, mut.remove("assessment", a.offlineId, 1));
      const m = mut.update("assessment", a.offlineId, 1, { data: { latrines: 9 } });
      const r = await pushOne(A2.token, m);
      expect(r).toMatchObject({ id: a.id, version: 2, kind: "DELETION", conflictingFields: ["data.latrines"] });
      const [c] = await conflictsOf(m.mutationId);
      expect(c).toMatchObject({ id: r.conflictId, kind: "DELETION", status: "PENDING" });
      expect((await dbAssessment(a.offlineId)).deletedAt).not.toBeNull();
      return r;
    },
  },
];

describe("push result statuses (§3)", () => {
  for (const row of statusRows) {
    it(`${row.status}: ${row.name}`, async () => {
      const r = await row.run();
      expect(r.status).toBe(row.status);
    });
  }

  it("a retried conflicting mutation answers its conflict again and writes no second conflict row", async () => {
    const a = await seedAssessment(A1.token, E.id);
    await pushOne(A1.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 5 } }));
    const m = mut.update("assessment", a.offlineId, 1, { data: { latrines: 7 } });
    const first = await pushOne(A2.token, m);
    const again = await pushOne(A2.token, m);
    expect(again).toMatchObject({ status: "conflict", conflictId: first.conflictId, version: 2, conflictingFields: ["data.latrines"] });
    expect((await conflictsOf(m.mutationId)).length).toBe(1);
  });
});

describe("records of two types sharing an offlineId", () => {
  // PROTOCOL §1: every record has an offlineId (client-generated); a `create` naming an existing
  // offlineId is `duplicate` — of a record of the same type. An assessment and a response that
  // happen to share an offlineId are two records, edited and deleted independently.
  it("an assessment and a response with the same offlineId stay independent records", async () => {
    const a = await seedAssessment(A1.token, E.id);
    const shared = a.offlineId;
    const r = await pushOne(R1.token, mut.createResponse({ assessmentOfflineId: shared, entityId: E.id }, { offlineId: shared }));
    expect(r.status).toBe("applied");
    const res = await push(C1.token, [
      mut.update("assessment", shared, 1, { data: { latrines: 3 } }),
      mut.update("response", shared, 1, { data: { beneficiaries: 44 } }),
      mut.remove("response", shared, 2),
    ]);
    expect(res.results.map((x) => x.status)).toEqual(["applied", "applied", "applied"]);
    const latest = latestByRecord((await pullAll(A1.token)).changes);
    expect(latest.get(`assessment:${a.id}`)).toMatchObject({ op: "upsert", version: 2, record: { data: { latrines: 3 } } });
    expect(latest.get(`response:${r.id}`)).toMatchObject({ op: "delete", version: 3 });
  });
});
