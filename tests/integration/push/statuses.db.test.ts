import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as devicesRoute } from "@/app/api/sync/devices/route";
import { POST as pushRoute } from "@/app/api/sync/push/route";
import { devicesResponseSchema, MAX_PUSH_BYTES } from "@/lib/protocol";
import { call } from "../fixtures/api";
import {
  assign,
  expectError,
  expectRejected,
  FULL_RESPONSE,
  FULL_WASH,
  type Loose,
  mut,
  newEntity,
  pullAll,
  push,
  pushOne,
  quickUser,
  type Signed,
  seedAssessment,
  seedResponse,
  type WireMutation,
} from "../fixtures/sync";
import { useTestDb } from "../fixtures/test-db";

// PROTOCOL §3 (push) with the §5 policies it applies: every result status, every error code a
// mutation or an envelope can earn, exactly-once, in-order atomic batches and the devices feed.

const db = useTestDb();
const prisma = () => db.current.prisma;

let A1: Signed; // assessor on E and AUTO
let A2: Signed; // assessor on E and AUTO
let AOUT: Signed; // assessor on HOME only
let R1: Signed; // responder on E and AUTO
let R2: Signed; // responder on E and AUTO
let ROUT: Signed; // responder on HOME only
let C1: Signed;
let C2: Signed;
let E: { id: string }; // autoApprove off
let AUTO: { id: string }; // autoApprove on
let OTHER: { id: string }; // nobody is assigned
let HOME: { id: string }; // the out-of-scope users' own entity
let homeAssessment: { offlineId: string };
let eAssessment: { offlineId: string };

beforeAll(async () => {
  const p = prisma();
  [A1, A2, AOUT, R1, R2, ROUT, C1, C2] = await Promise.all([
    quickUser(p, "ASSESSOR", "Assessor One"),
    quickUser(p, "ASSESSOR", "Assessor Two"),
    quickUser(p, "ASSESSOR", "Assessor Out"),
    quickUser(p, "RESPONDER", "Responder One"),
    quickUser(p, "RESPONDER", "Responder Two"),
    quickUser(p, "RESPONDER", "Responder Out"),
    quickUser(p, "COORDINATOR", "Coordinator One"),
    quickUser(p, "COORDINATOR", "Coordinator Two"),
  ]);
  E = await newEntity({ name: "Camp E" });
  AUTO = await newEntity({ name: "Camp Auto", autoApprove: true });
  OTHER = await newEntity({ name: "Camp Other" });
  HOME = await newEntity({ name: "Camp Home" });
  for (const u of [A1, A2, R1, R2]) await assign(u, E.id, AUTO.id);
  await assign(AOUT, HOME.id);
  await assign(ROUT, HOME.id);
  homeAssessment = await seedAssessment(C1.token, HOME.id);
  eAssessment = await seedAssessment(C1.token, E.id);
});

const versionsOf = (recordId: string) => prisma().recordVersion.findMany({ where: { recordId }, orderBy: { version: "asc" } });
const conflictsOf = (mutationId: string) => prisma().conflict.findMany({ where: { mutationId } });
const dbAssessment = (offlineId: string) => prisma().assessment.findUniqueOrThrow({ where: { offlineId } });

/** A mutation the actor may certainly apply: proves that a rejection before it did not block it. */
function validFor(actor: Signed): WireMutation {
  switch (actor.user.role) {
    case "ASSESSOR":
      return mut.createAssessment(actor === AOUT ? HOME.id : E.id);
    case "RESPONDER":
      return actor === ROUT
        ? mut.createResponse({ assessmentOfflineId: homeAssessment.offlineId, entityId: HOME.id })
        : mut.createResponse({ assessmentOfflineId: eAssessment.offlineId, entityId: E.id });
    default:
      return mut.createEntity();
  }
}

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

// ---- rejected -------------------------------------------------------------------------------------

interface RejectRow {
  name: string;
  code: "VALIDATION_FAILED" | "FORBIDDEN" | "NOT_FOUND" | "ENTITY_MISMATCH" | "VERSION_AHEAD";
  actor: () => Signed;
  mutation: () => Promise<Record<string, unknown>> | Record<string, unknown>;
}

const without = (m: WireMutation, key: string) => {
  const { [key]: _dropped, ...rest } = m;
  return rest;
};

const rejectRows: RejectRow[] = [
  // VALIDATION_FAILED: the mutation's own schema, then the forms.
  { name: "no mutationId", code: "VALIDATION_FAILED", actor: () => A1, mutation: () => without(mut.createAssessment(E.id), "mutationId") },
  { name: "unknown type", code: "VALIDATION_FAILED", actor: () => A1, mutation: () => ({ ...mut.createAssessment(E.id), type: "widget" }) },
  {
    name: "unknown action",
    code: "VALIDATION_FAILED",
    actor: () => A1,
    mutation: () => ({ ...mut.createAssessment(E.id), action: "upsert" }),
  },
  {
    name: "offlineId is not a uuid",
    code: "VALIDATION_FAILED",
    actor: () => A1,
    mutation: () => ({ ...mut.createAssessment(E.id), offlineId: "local-1" }),
  },
  { name: "a mutation that is not an object", code: "VALIDATION_FAILED", actor: () => A1, mutation: () => "assessment" as never },
  {
    name: "unknown assessmentType",
    code: "VALIDATION_FAILED",
    actor: () => A1,
    mutation: () => mut.createAssessment(E.id, { assessmentType: "NUTRITION" }),
  },
  {
    name: "negative latrines on create",
    code: "VALIDATION_FAILED",
    actor: () => A1,
    mutation: () => mut.createAssessment(E.id, { data: { latrines: -1 } }),
  },
  {
    name: "an answer of the wrong type",
    code: "VALIDATION_FAILED",
    actor: () => A1,
    mutation: () => mut.createAssessment(E.id, { data: { latrines: "ten" } }),
  },
  {
    name: "unknown data key",
    code: "VALIDATION_FAILED",
    actor: () => A1,
    mutation: () => mut.createAssessment(E.id, { data: { waterSource: "WELL", colour: "red" } }),
  },
  {
    name: "unknown record field",
    code: "VALIDATION_FAILED",
    actor: () => A1,
    mutation: () => mut.createAssessment(E.id, { extra: { weather: "rainy" } }),
  },
  {
    name: "SUBMITTED missing required answers",
    code: "VALIDATION_FAILED",
    actor: () => A1,
    mutation: () => mut.createAssessment(E.id, { status: "SUBMITTED", data: { waterSource: "WELL" } }),
  },
  {
    name: "negative latrines on update",
    code: "VALIDATION_FAILED",
    actor: () => A1,
    mutation: async () => mut.update("assessment", (await seedAssessment(A1.token, E.id)).offlineId, 1, { data: { latrines: -3 } }),
  },
  {
    name: "update to SUBMITTED leaving required answers missing",
    code: "VALIDATION_FAILED",
    actor: () => A1,
    mutation: async () => mut.update("assessment", (await seedAssessment(A1.token, E.id)).offlineId, 1, { status: "SUBMITTED" }),
  },
  {
    name: "update clearing a required answer of a SUBMITTED record",
    code: "VALIDATION_FAILED",
    actor: () => A1,
    mutation: async () =>
      mut.update("assessment", (await seedAssessment(A1.token, E.id, { status: "SUBMITTED", data: FULL_WASH })).offlineId, 1, {
        data: { latrines: null },
      }),
  },
  {
    name: "update with baseVersion 0",
    code: "VALIDATION_FAILED",
    actor: () => A1,
    mutation: async () => mut.update("assessment", (await seedAssessment(A1.token, E.id)).offlineId, 0, { data: { latrines: 1 } }),
  },
  {
    name: "response DELIVERED without items",
    code: "VALIDATION_FAILED",
    actor: () => R1,
    mutation: async () =>
      mut.createResponse(
        { assessmentOfflineId: (await seedAssessment(A1.token, E.id)).offlineId, entityId: E.id },
        { status: "DELIVERED", data: { beneficiaries: 5 } },
      ),
  },
  // FORBIDDEN: role and scope.
  { name: "out-of-scope assessor creates on an entity", code: "FORBIDDEN", actor: () => AOUT, mutation: () => mut.createAssessment(E.id) },
  {
    name: "assessor creates on an entity nobody assigned to them",
    code: "FORBIDDEN",
    actor: () => A1,
    mutation: () => mut.createAssessment(OTHER.id),
  },
  {
    name: "out-of-scope assessor updates a record",
    code: "FORBIDDEN",
    actor: () => AOUT,
    mutation: async () => mut.update("assessment", (await seedAssessment(A1.token, E.id)).offlineId, 1, { data: { latrines: 1 } }),
  },
  {
    name: "out-of-scope assessor deletes a record",
    code: "FORBIDDEN",
    actor: () => AOUT,
    mutation: async () => mut.remove("assessment", (await seedAssessment(A1.token, E.id)).offlineId, 1),
  },
  {
    name: "out-of-scope assessor re-creates an existing offlineId (no duplicate answer leaks the record)",
    code: "FORBIDDEN",
    actor: () => AOUT,
    mutation: async () => mut.createAssessment(HOME.id, { offlineId: (await seedAssessment(A1.token, E.id)).offlineId }),
  },
  {
    // Records never move between entities (apply-mutation.ts writeRecordChange), in or out of scope.
    name: "assessor moves an assessment to an entity outside their scope",
    code: "VALIDATION_FAILED",
    actor: () => A1,
    mutation: async () => mut.update("assessment", (await seedAssessment(A1.token, E.id)).offlineId, 1, { entityId: OTHER.id }),
  },
  { name: "responder creates an assessment", code: "FORBIDDEN", actor: () => R1, mutation: () => mut.createAssessment(E.id) },
  {
    name: "responder updates an assessment",
    code: "FORBIDDEN",
    actor: () => R1,
    mutation: async () => mut.update("assessment", (await seedAssessment(A1.token, E.id)).offlineId, 1, { data: { latrines: 1 } }),
  },
  {
    name: "assessor creates a response",
    code: "FORBIDDEN",
    actor: () => A1,
    mutation: async () => mut.createResponse({ assessmentOfflineId: (await seedAssessment(A1.token, E.id)).offlineId, entityId: E.id }),
  },
  {
    name: "out-of-scope responder creates a response on an existing assessment",
    code: "FORBIDDEN",
    actor: () => ROUT,
    mutation: async () => mut.createResponse({ assessmentOfflineId: (await seedAssessment(A1.token, E.id)).offlineId, entityId: E.id }),
  },
  { name: "assessor creates an entity", code: "FORBIDDEN", actor: () => A1, mutation: () => mut.createEntity() },
  {
    name: "assessor updates an entity (even one assigned to them)",
    code: "FORBIDDEN",
    actor: () => A1,
    mutation: async () =>
      mut.update("entity", (await prisma().entity.findUniqueOrThrow({ where: { id: E.id } })).offlineId, 1, { name: "Renamed" }),
  },
  { name: "responder creates an entity", code: "FORBIDDEN", actor: () => R1, mutation: () => mut.createEntity() },
  // NOT_FOUND
  {
    name: "update of an unknown offlineId",
    code: "NOT_FOUND",
    actor: () => A1,
    mutation: () => mut.update("assessment", randomUUID(), 1, { data: { latrines: 1 } }),
  },
  { name: "delete of an unknown offlineId", code: "NOT_FOUND", actor: () => A1, mutation: () => mut.remove("assessment", randomUUID(), 1) },
  {
    name: "response naming an unknown assessment",
    code: "NOT_FOUND",
    actor: () => R1,
    mutation: () => mut.createResponse({ assessmentOfflineId: randomUUID(), entityId: E.id }),
  },
  { name: "assessment on an unknown entity", code: "NOT_FOUND", actor: () => C1, mutation: () => mut.createAssessment(randomUUID()) },
  {
    name: "assessment on a deleted entity",
    code: "NOT_FOUND",
    actor: () => C1,
    mutation: async () => {
      const e = mut.createEntity();
      await pushOne(C1.token, e);
      await pushOne(C1.token, mut.remove("entity", e.offlineId, 1));
      return mut.createAssessment((await prisma().entity.findUniqueOrThrow({ where: { offlineId: e.offlineId } })).id);
    },
  },
  {
    name: "response whose assessmentId and assessmentOfflineId name different assessments",
    code: "VALIDATION_FAILED",
    actor: () => R1,
    mutation: async () => {
      const one = await seedAssessment(A1.token, E.id);
      const two = await seedAssessment(A1.token, E.id);
      return mut.createResponse({ assessmentId: one.id, assessmentOfflineId: two.offlineId, entityId: E.id });
    },
  },
  // ENTITY_MISMATCH
  {
    name: "response whose entityId differs from its assessment's",
    code: "ENTITY_MISMATCH",
    actor: () => R1,
    mutation: async () => mut.createResponse({ assessmentOfflineId: (await seedAssessment(A1.token, E.id)).offlineId, entityId: AUTO.id }),
  },
  {
    name: "response update re-pointing it to an assessment of another entity",
    code: "ENTITY_MISMATCH",
    actor: () => R1,
    mutation: async () => {
      const a = await seedAssessment(A1.token, E.id);
      const other = await seedAssessment(A1.token, AUTO.id);
      const resp = await seedResponse(R1.token, { assessmentOfflineId: a.offlineId, entityId: E.id });
      return mut.update("response", resp.offlineId, 1, { assessmentOfflineId: other.offlineId });
    },
  },
  // VERSION_AHEAD
  {
    name: "update with baseVersion above the server's",
    code: "VERSION_AHEAD",
    actor: () => A1,
    mutation: async () => mut.update("assessment", (await seedAssessment(A1.token, E.id)).offlineId, 5, { data: { latrines: 1 } }),
  },
  {
    name: "delete with baseVersion above the server's",
    code: "VERSION_AHEAD",
    actor: () => A1,
    mutation: async () => mut.remove("assessment", (await seedAssessment(A1.token, E.id)).offlineId, 2),
  },
];

describe("rejected mutations (§3): answered, logged, and never blocking the queue", () => {
  for (const row of rejectRows) {
    it(`${row.code}: ${row.name}`, async () => {
      const actor = row.actor();
      const poison = await row.mutation();
      const after = validFor(actor);
      const deviceId = randomUUID();
      const before = await prisma().rejectedMutation.count();
      const res = await push(actor.token, [poison, after], { deviceId });
      expect(res.status).toBe(200);
      const [rejected, applied] = res.results;
      const sent = typeof poison === "object" ? (poison as Record<string, unknown>) : {};
      expectRejected(rejected, { mutationId: sent.mutationId }, row.code);
      if (row.code === "VALIDATION_FAILED" && typeof sent.mutationId !== "string") expect(rejected.mutationId).toBeNull();
      expect(applied).toMatchObject({ status: "applied", mutationId: after.mutationId, version: 1 });
      // Logged whole: who, what, why.
      expect(await prisma().rejectedMutation.count()).toBe(before + 1);
      const log = await prisma().rejectedMutation.findFirstOrThrow({ where: { userId: actor.user.id, deviceId }, orderBy: { id: "desc" } });
      expect(log).toMatchObject({ errorCode: row.code, mutationId: typeof sent.mutationId === "string" ? sent.mutationId : null });
      // The payload is kept whole (parsed mutations with their defaults filled in).
      if (typeof poison === "object") expect(log.payload).toMatchObject(poison);
      else expect(log.payload).toEqual(poison);
      expect(log.errorMessage.length).toBeGreaterThan(0);
    });
  }

  it("a rejection writes nothing: no record, no version, no ledger row", async () => {
    const m = mut.createAssessment(E.id, { status: "SUBMITTED", data: { waterSource: "WELL" } });
    const r = await pushOne(A1.token, m);
    expectRejected(r, m, "VALIDATION_FAILED");
    expect(await prisma().assessment.count({ where: { offlineId: m.offlineId } })).toBe(0);
    expect(await prisma().processedMutation.count({ where: { mutationId: m.mutationId } })).toBe(0);
    expect(r.error.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: ["data", "functionalBoreholes"] })]));
  });

  it("a batch with rejections in the middle still applies every valid mutation, in order", async () => {
    const a = mut.createAssessment(E.id);
    const mutations = [
      a,
      { garbage: true },
      mut.update("assessment", a.offlineId, 1, { data: { latrines: -1 } }),
      mut.update("assessment", a.offlineId, 1, { data: { latrines: 4 } }),
      mut.createAssessment(OTHER.id),
      mut.remove("assessment", a.offlineId, 2),
    ];
    const res = await push(A1.token, mutations);
    expect(res.results.map((r) => r.status)).toEqual(["applied", "rejected", "rejected", "applied", "rejected", "applied"]);
    expect(res.results.map((r) => r.error?.code ?? null)).toEqual([
      null,
      "VALIDATION_FAILED",
      "VALIDATION_FAILED",
      null,
      "FORBIDDEN",
      null,
    ]);
    expect(res.results.map((r) => r.version ?? null)).toEqual([1, null, null, 2, null, 3]);
  });

  // §1 "a response's entityId must equal its assessment's entityId": records never move between
  // entities (a move would split an assessment from its responses and strand copies on devices
  // scoped to the old entity), so the move is refused and the invariant holds.
  it("moving an assessment that has responses to another entity is refused", async () => {
    const a = await seedAssessment(A1.token, E.id);
    const resp = await seedResponse(R1.token, { assessmentOfflineId: a.offlineId, entityId: E.id });
    const m = mut.update("assessment", a.offlineId, 1, { entityId: AUTO.id });
    const r = await pushOne(A1.token, m);
    const response = await prisma().response.findUniqueOrThrow({ where: { id: resp.id }, include: { assessment: true } });
    // Whatever the engine decides, the invariant must hold afterwards…
    expect(response.entityId).toBe(response.assessment.entityId);
    // …and the move is refused.
    expectRejected(r, m, "VALIDATION_FAILED");
  });

  // Regression (was a bug, fixed): a string holding U+0000 passes the protocol and form schemas, but Postgres cannot store it
  // (jsonb: 22P05 "unsupported Unicode escape sequence"; text refuses NUL too). applyMutation does
  // classify the failed INSERT as a rejection — but recordRejection then logs the raw payload into
  // RejectedMutation.payload (jsonb), that INSERT fails the same way (Prisma P2039) inside the catch
  // block, and the error escapes: the whole push answers 500 and the device's outbox retries the same
  // poison batch forever. Expected: `rejected` VALIDATION_FAILED, logged (payload sanitised), and the
  // next mutation applied.
  it("a form answer containing U+0000 is rejected, not a 500 that blocks the device", async () => {
    const poison = mut.createAssessment(E.id, { data: { waterSource: "WELL", notes: "pump\u0000broken" } });
    const after = mut.createAssessment(E.id);
    const res = await push(A1.token, [poison, after]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expectRejected(res.results[0], poison, "VALIDATION_FAILED");
    expect(res.results[1]).toMatchObject({ status: "applied" });
  });

  // Regression (was a bug, fixed): same root cause (recordRejection's payload INSERT), reached from a text column.
  it("an entity name containing U+0000 is rejected, not a 500", async () => {
    const poison = mut.createEntity({ name: "Camp\u0000X" });
    const after = mut.createEntity();
    const res = await push(C1.token, [poison, after]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expectRejected(res.results[0], poison, "VALIDATION_FAILED");
    expect(res.results[1]).toMatchObject({ status: "applied" });
  });

  // Regression (was a bug, fixed): same root cause, from push.ts: a schema-invalid mutation is logged with its raw payload,
  // and a U+0000 anywhere in it makes the RejectedMutation INSERT throw → 500.
  it("a schema-invalid mutation whose payload contains U+0000 is still rejected and logged", async () => {
    const poison = { mutationId: randomUUID(), type: "widget", note: "x\u0000y" };
    const after = mut.createAssessment(E.id);
    const res = await push(A1.token, [poison, after]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expectRejected(res.results[0], poison, "VALIDATION_FAILED");
    expect(res.results[1]).toMatchObject({ status: "applied" });
  });
});

// ---- envelope -------------------------------------------------------------------------------------

describe("push envelope (§3)", () => {
  const envelopeRows: {
    name: string;
    body: () => { body?: unknown; rawBody?: string | Uint8Array; headers?: Record<string, string> };
    status: number;
    code: string;
    issues?: boolean;
  }[] = [
    { name: "body is an array", body: () => ({ body: [] }), status: 400, code: "VALIDATION_FAILED", issues: true },
    {
      name: "no deviceId",
      body: () => ({ body: { mutations: [mut.createAssessment(E.id)] } }),
      status: 400,
      code: "VALIDATION_FAILED",
      issues: true,
    },
    {
      name: "deviceId not a uuid",
      body: () => ({ body: { deviceId: "phone-1", mutations: [mut.createAssessment(E.id)] } }),
      status: 400,
      code: "VALIDATION_FAILED",
      issues: true,
    },
    { name: "no mutations", body: () => ({ body: { deviceId: randomUUID() } }), status: 400, code: "VALIDATION_FAILED", issues: true },
    {
      name: "empty mutations",
      body: () => ({ body: { deviceId: randomUUID(), mutations: [] } }),
      status: 400,
      code: "VALIDATION_FAILED",
      issues: true,
    },
    {
      name: "mutations not an array",
      body: () => ({ body: { deviceId: randomUUID(), mutations: {} } }),
      status: 400,
      code: "VALIDATION_FAILED",
      issues: true,
    },
    {
      name: "bad clientState",
      body: () => ({ body: { deviceId: randomUUID(), clientState: { pendingCount: -1 }, mutations: [mut.createAssessment(E.id)] } }),
      status: 400,
      code: "VALIDATION_FAILED",
      issues: true,
    },
    {
      name: "malformed JSON",
      body: () => ({ rawBody: '{"deviceId": ', headers: { "content-type": "application/json" } }),
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "empty body",
      body: () => ({ rawBody: "", headers: { "content-type": "application/json" } }),
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "not gzip though it says so",
      body: () => ({ rawBody: '{"a":1}', headers: { "content-type": "application/json", "content-encoding": "gzip" } }),
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "201 mutations",
      body: () => ({ body: { deviceId: randomUUID(), mutations: Array.from({ length: 201 }, () => mut.createAssessment(E.id)) } }),
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
    },
    {
      name: "a body over 2 MiB",
      body: () => ({
        rawBody: JSON.stringify({ deviceId: randomUUID(), mutations: [{ pad: "x".repeat(MAX_PUSH_BYTES) }] }),
        headers: { "content-type": "application/json" },
      }),
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
    },
    {
      name: "a gzip bomb: small compressed, over 2 MiB decompressed",
      body: () => {
        const compressed = new Uint8Array(
          gzipSync(JSON.stringify({ deviceId: randomUUID(), mutations: [{ pad: "x".repeat(8 * MAX_PUSH_BYTES) }] })),
        );
        expect(compressed.byteLength).toBeLessThan(100_000);
        return { rawBody: compressed, headers: { "content-type": "application/json", "content-encoding": "gzip" } };
      },
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
    },
  ];

  for (const row of envelopeRows) {
    it(`${row.status} ${row.code}: ${row.name}`, async () => {
      const before = await prisma().assessment.count();
      const res = await call(pushRoute, { path: "/api/sync/push", token: A1.token, method: "POST", ...row.body() });
      expectError(res, row.status, row.code);
      if (row.issues)
        expect(res.body.error?.issues).toEqual(expect.arrayContaining([expect.objectContaining({ message: expect.any(String) })]));
      // A refused envelope applies nothing.
      expect(await prisma().assessment.count()).toBe(before);
    });
  }

  it.each([
    ["no token", {}],
    ["an unknown token", { headers: { authorization: "Bearer not-a-session" } }],
  ])("401 UNAUTHENTICATED with %s", async (_name, extra) => {
    const m = mut.createAssessment(E.id);
    const res = await call(pushRoute, { path: "/api/sync/push", body: { deviceId: randomUUID(), mutations: [m] }, ...extra });
    expectError(res, 401, "UNAUTHENTICATED");
    expect(await prisma().assessment.count({ where: { offlineId: m.offlineId } })).toBe(0);
  });

  it("accepts exactly 200 mutations", async () => {
    const mutations = Array.from({ length: 200 }, () => ({ mutationId: randomUUID(), type: "widget" }));
    const res = await push(A1.token, mutations);
    expect(res.status).toBe(200);
    expect(res.results.every((r) => r.status === "rejected" && r.error.code === "VALIDATION_FAILED")).toBe(true);
  });

  it("accepts a gzip-compressed body", async () => {
    const m = mut.createAssessment(E.id, { data: { waterSource: "TANKER", notes: "n".repeat(2000) } });
    const res = await call(pushRoute, {
      path: "/api/sync/push",
      token: A1.token,
      gzip: true,
      body: { deviceId: randomUUID(), mutations: [m] },
    });
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.status).toBe(200);
    expect((res.body.results as Loose[])[0]).toMatchObject({
      status: "applied",
      offlineId: m.offlineId,
      record: { data: { waterSource: "TANKER" } },
    });
  });

  it("accepts a gzip body that is under 2 MiB compressed and decompressed", async () => {
    const m = mut.createAssessment(E.id, { data: { notes: "a".repeat(1500) } });
    const padded = { deviceId: randomUUID(), mutations: [m], pad: "p".repeat(MAX_PUSH_BYTES - 50_000) };
    const res = await call(pushRoute, { path: "/api/sync/push", token: A1.token, gzip: true, body: padded });
    expect(res.status).toBe(200);
    expect((res.body.results as Loose[])[0]).toMatchObject({ status: "applied" });
  });
});

// ---- server-owned fields and verification status -------------------------------------------------

describe("the server owns authorship, version and verification (§1)", () => {
  it("ignores assessorId/version/verificationStatus/id/timestamps sent on create", async () => {
    const spoofedId = randomUUID();
    const m = mut.createAssessment(E.id, {
      extra: {
        id: spoofedId,
        assessorId: A2.user.id,
        version: 42,
        verificationStatus: "VERIFIED",
        verifiedById: C1.user.id,
        createdAt: "2000-01-01T00:00:00Z",
        deletedAt: "2000-01-01T00:00:00Z",
      },
    });
    const r = await pushOne(A1.token, m);
    expect(r).toMatchObject({ status: "applied", version: 1 });
    expect(r.id).not.toBe(spoofedId);
    expect(r.record).toMatchObject({
      assessorId: A1.user.id,
      version: 1,
      verificationStatus: "DRAFT",
      verifiedById: null,
      deletedAt: null,
    });
    expect(r.record.createdAt.startsWith("2000")).toBe(false);
  });

  it("ignores responderId/verificationStatus sent on a response create, and on updates", async () => {
    const a = await seedAssessment(A1.token, E.id);
    const m = mut.createResponse(
      { assessmentOfflineId: a.offlineId, entityId: E.id },
      { extra: { responderId: R2.user.id, verificationStatus: "VERIFIED", version: 9 } },
    );
    const r = await pushOne(R1.token, m);
    expect(r.record).toMatchObject({ responderId: R1.user.id, verificationStatus: "DRAFT", version: 1 });
    const u = await pushOne(
      R1.token,
      mut.update("response", m.offlineId, 1, {
        responderId: R2.user.id,
        verificationStatus: "VERIFIED",
        version: 7,
        data: { beneficiaries: 11 },
      }),
    );
    expect(u).toMatchObject({ status: "applied", version: 2 });
    expect(u.record).toMatchObject({ responderId: R1.user.id, verificationStatus: "DRAFT", version: 2, data: { beneficiaries: 11 } });
  });

  const verificationRows: {
    name: string;
    entity: () => { id: string };
    status: string;
    data: Record<string, unknown>;
    expected: string;
  }[] = [
    { name: "DRAFT → DRAFT", entity: () => E, status: "DRAFT", data: { waterSource: "WELL" }, expected: "DRAFT" },
    { name: "SUBMITTED → PENDING", entity: () => E, status: "SUBMITTED", data: FULL_WASH, expected: "PENDING" },
    {
      name: "SUBMITTED on an autoApprove entity → AUTO_VERIFIED",
      entity: () => AUTO,
      status: "SUBMITTED",
      data: FULL_WASH,
      expected: "AUTO_VERIFIED",
    },
    { name: "DRAFT on an autoApprove entity → DRAFT", entity: () => AUTO, status: "DRAFT", data: {}, expected: "DRAFT" },
  ];
  for (const row of verificationRows) {
    it(`assessment create: ${row.name}`, async () => {
      const r = await pushOne(A1.token, mut.createAssessment(row.entity().id, { status: row.status, data: row.data }));
      expect(r).toMatchObject({ status: "applied", record: { status: row.status, verificationStatus: row.expected } });
    });
  }

  it("an update DRAFT → SUBMITTED becomes PENDING (AUTO_VERIFIED with autoApprove)", async () => {
    for (const [entity, expected] of [
      [E, "PENDING"],
      [AUTO, "AUTO_VERIFIED"],
    ] as const) {
      const a = await seedAssessment(A1.token, entity.id);
      const r = await pushOne(A1.token, mut.update("assessment", a.offlineId, 1, { status: "SUBMITTED", data: FULL_WASH }));
      expect(r).toMatchObject({ status: "applied", version: 2, record: { status: "SUBMITTED", verificationStatus: expected } });
    }
  });

  it("responses: PLANNED → DRAFT, DELIVERED → PENDING / AUTO_VERIFIED", async () => {
    const a = await seedAssessment(A1.token, E.id);
    const auto = await seedAssessment(A1.token, AUTO.id);
    const planned = await pushOne(R1.token, mut.createResponse({ assessmentOfflineId: a.offlineId, entityId: E.id }));
    const delivered = await pushOne(
      R1.token,
      mut.createResponse({ assessmentOfflineId: a.offlineId, entityId: E.id }, { status: "DELIVERED", data: FULL_RESPONSE }),
    );
    const autoDelivered = await pushOne(
      R1.token,
      mut.createResponse({ assessmentOfflineId: auto.offlineId, entityId: AUTO.id }, { status: "DELIVERED", data: FULL_RESPONSE }),
    );
    expect([planned, delivered, autoDelivered].map((r) => [r.status, r.record.verificationStatus])).toEqual([
      ["applied", "DRAFT"],
      ["applied", "PENDING"],
      ["applied", "AUTO_VERIFIED"],
    ]);
  });
});

// ---- policies (§5) ---------------------------------------------------------------------------------

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

// ---- order, atomicity, history -------------------------------------------------------------------

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

// ---- devices (§7) -----------------------------------------------------------------------------------

describe("deviceId and clientState feed GET /api/sync/devices", () => {
  it("a coordinator sees pendingCount, appVersion, lastPushAt and lastPullAt; others get 403", async () => {
    const deviceId = randomUUID();
    const before = Date.now();
    await push(A1.token, [mut.createAssessment(E.id)], { deviceId, clientState: { pendingCount: 3, appVersion: "1.4.0" } });
    let res = await call(devicesRoute, { path: "/api/sync/devices", token: C1.token });
    expect(res.status).toBe(200);
    expect(devicesResponseSchema.safeParse(res.body).success).toBe(true);
    let device: Loose = (res.body.devices as Loose[]).find((d) => d.deviceId === deviceId) ?? {};
    expect(device).toMatchObject({
      user: { id: A1.user.id, name: "Assessor One", email: A1.user.email },
      pendingCount: 3,
      appVersion: "1.4.0",
      lastPullAt: null,
    });
    expect(Date.parse(device.lastPushAt)).toBeGreaterThanOrEqual(before - 1000);

    // A later push without clientState keeps the last known values; a pull stamps lastPullAt.
    await push(A1.token, [mut.createAssessment(E.id)], { deviceId, clientState: { pendingCount: 0 } });
    await pullAll(A1.token, { deviceId });
    res = await call(devicesRoute, { path: "/api/sync/devices", token: C1.token });
    device = (res.body.devices as Loose[]).find((d) => d.deviceId === deviceId) ?? {};
    expect(device).toMatchObject({ pendingCount: 0, appVersion: "1.4.0" });
    expect(device.lastPullAt).toEqual(expect.any(String));

    for (const who of [A1, R1]) expectError(await call(devicesRoute, { path: "/api/sync/devices", token: who.token }), 403, "FORBIDDEN");
    expectError(await call(devicesRoute, { path: "/api/sync/devices" }), 401, "UNAUTHENTICATED");
  });
});
