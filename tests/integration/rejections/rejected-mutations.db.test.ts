import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { pushWorld } from "../../fixtures/push-world";
import {
  expectRejected,
  FULL_WASH,
  mut,
  push,
  pushOne,
  type Signed,
  seedAssessment,
  seedResponse,
  type WireMutation,
} from "../../fixtures/sync";
import { useTestDb } from "../../fixtures/test-db";

// PROTOCOL §3 (push): every error code a mutation can earn; a rejected mutation is answered,
// logged whole and never blocks the mutations behind it.

const db = useTestDb();
const prisma = () => db.current.prisma;

let A1: Signed;
let AOUT: Signed;
let R1: Signed;
let ROUT: Signed;
let C1: Signed;
let E: { id: string };
let AUTO: { id: string };
let OTHER: { id: string };
let HOME: { id: string };
let homeAssessment: { offlineId: string };
let eAssessment: { offlineId: string };

beforeAll(async () => {
  ({ A1, AOUT, R1, ROUT, C1, E, AUTO, OTHER, HOME, homeAssessment, eAssessment } = await pushWorld(prisma()));
});

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
    // Records never move between entities (engine/decide.ts decideRecordChange), in or out of scope.
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

describe("a response's assessment reference", () => {
  // PROTOCOL §1: "a response names its assessment by `assessmentOfflineId` (or `assessmentId`)";
  // lib/protocol/push.ts: "(at least one; both must agree)" — a create naming two different
  // assessments is rejected VALIDATION_FAILED. An update naming two different assessments must not
  // silently attach the response to one of them (the other id is dropped without a word).
  it("an update whose assessmentId and assessmentOfflineId name different assessments is rejected", async () => {
    const a = await seedAssessment(A1.token, E.id);
    const b = await seedAssessment(A1.token, E.id);
    const c = await seedAssessment(A1.token, E.id);
    const r = await seedResponse(R1.token, { assessmentOfflineId: a.offlineId, entityId: E.id });

    // The create path refuses the same contradiction:
    const create = await pushOne(R1.token, mut.createResponse({ assessmentId: b.id, assessmentOfflineId: c.offlineId, entityId: E.id }));
    expect(create).toMatchObject({ status: "rejected", error: { code: "VALIDATION_FAILED" } });

    const u = await pushOne(R1.token, mut.update("response", r.offlineId, 1, { assessmentId: b.id, assessmentOfflineId: c.offlineId }));
    expect(u).toMatchObject({ status: "rejected", error: { code: "VALIDATION_FAILED" } });
    expect((await prisma().response.findUniqueOrThrow({ where: { id: r.id } })).assessmentId).toBe(a.id);
  });
});

describe("form answer keys", () => {
  // PROTOCOL §1: "`data` holds the answers of a form, keyed by question id …; unknown keys are
  // rejected". README: "silently dropping a field a user typed would lose data".
  it("an answer keyed `__proto__` is rejected, not silently dropped", async () => {
    const m = mut.createAssessment(E.id, { data: JSON.parse('{"waterSource":"WELL","__proto__":{"latrines":3}}') });
    const r = await pushOne(A1.token, m);
    expect(r).toMatchObject({ status: "rejected", error: { code: "VALIDATION_FAILED" } });
  });
});
