import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PushResult, RecordType } from "@/lib/protocol";
import { type Db, setDb } from "@/lib/server/db/client";
import { applyBatch } from "@/lib/server/sync/push";
import {
  FIXED_LABELS,
  firstDifference,
  GHOST_ID,
  mutationIdOf,
  namesOf,
  normalise,
  normalisedState,
  normaliseResults,
  OFFLINE,
  resetTwinWorld,
  TWIN_ENTITIES,
  type TwinUser,
  twinContext,
} from "../../fixtures/push-twins";
import { FULL_RESPONSE, FULL_WASH } from "../../fixtures/sync";
import { createTestDb, type TestDb } from "../../fixtures/test-db";

/**
 * Property (issue 12): the set-based push engine and the per-mutation engine give the same answers
 * and leave the same database. Two databases get the same world (tests/fixtures/push-twins.ts);
 * each run pushes the same random sequence of batches (1..40 mutations each, by assessors,
 * responders and a coordinator) to database A with `engine: "set"` and to database B with
 * `engine: "per-mutation"`, and after every batch compares, normalised (server ids named by offline
 * id or mutation id, server times present/absent): the push results; every Entity, Assessment and
 * Response row; RecordVersion, ProcessedMutation, Conflict and RejectedMutation rows; the media
 * rows' hidden state; and the relative order of change numbers across all of them.
 *
 * Mutations are generated symbolically ("update a3 from an older base") and made concrete per
 * database just before each batch: base versions from database B's state (so both get the same
 * numbers), server ids (a response naming its assessment by id, an entity created by a push) from
 * each database's own. Half the batches are "mixed" (every kind of refusal, replay and reused id),
 * half "clean" (only mutations valid on their own, so that many batches go through without a single
 * rejection: the set engine's fast path). Each run starts from the same reset world on both.
 *
 * A failure names the batch, the first differing path and the batch as sent (JSON, ids named);
 * fast-check shrinks the scenario first and prints it. FUZZ_SEED replays a run (the seed is printed
 * first), FUZZ_RUNS sets the number of runs (default 20). The summary line at the end counts what
 * the runs produced (shrinking attempts included, after a failure).
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 20);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`set-vs-per-mutation: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}`);

// ---- symbolic mutations ----------------------------------------------------------------------------

type EntityName = "E" | "AUTO" | "OTHER" | "N1" | "N2" | "GHOST";
/** Relative to the record's version before the batch: equal, one back, 1, one ahead, 0 (invalid for an edit). */
type Base = "current" | "older" | "oldest" | "ahead" | "zero";
type Json = Record<string, unknown>;
type Op =
  | { op: "createAssessment"; rec: string; entity: EntityName; form: string; status: string; data: Json; mediaCount?: number }
  | {
      op: "createResponse";
      rec: string;
      of: string;
      /** How it names its assessment; "mismatch": by offline id and by the id of another assessment. */
      ref: "offlineId" | "id" | "both" | "mismatch";
      /** "same": the assessment's entity; otherwise that entity (a mismatch unless it is the same). */
      entity: "same" | EntityName;
      status: string;
      data: Json;
      mediaCount?: number;
    }
  | { op: "createEntity"; rec: string; autoApprove: boolean }
  | { op: "update"; type: RecordType; rec: string; base: Base; data: Json; mediaCount?: number }
  | { op: "delete"; type: RecordType; rec: string; base: Base }
  /** One of MALFORMED: refused by the protocol's own parsing. */
  | { op: "malformed"; variant: number }
  /** Sends again, byte for byte, the mutation sent `back` mutations ago (this batch or an earlier one; `mine`: by this batch's user, not refused). */
  | { op: "replay"; back: number; mine: boolean }
  /** `inner` with the mutationId of the mutation sent `back` mutations ago. */
  | { op: "reuseId"; back: number; inner: Op };
interface Batch {
  by: TwinUser;
  flavour: "mixed" | "clean";
  ops: Op[];
}

/** Mutations the protocol's own parsing refuses (mutation id, type, action, offline id, base version, shape, unstorable text). */
const MALFORMED: ((mutationId: string) => unknown)[] = [
  () => ({ mutationId: "not-a-uuid", type: "assessment", action: "create", offlineId: OFFLINE.assessment.a5, baseVersion: 0, data: {} }),
  (mutationId) => ({
    mutationId,
    type: "assessment",
    action: "create",
    offlineId: OFFLINE.assessment.a5,
    baseVersion: 0,
    data: { entityId: TWIN_ENTITIES.E.id, assessmentType: "WASH", colour: "red" },
  }),
  (mutationId) => ({ mutationId, type: "banana", action: "create", offlineId: OFFLINE.assessment.a3, baseVersion: 0, data: {} }),
  (mutationId) => ({
    mutationId,
    type: "assessment",
    action: "update",
    offlineId: OFFLINE.assessment.a0,
    baseVersion: -1,
    data: { data: {} },
  }),
  () => null,
  () => "an assessment",
  (mutationId) => ({
    mutationId,
    type: "assessment",
    action: "update",
    offlineId: OFFLINE.assessment.a0,
    baseVersion: 2,
    data: { data: { notes: "a\u0000b" } },
  }),
  (mutationId) => ({ mutationId, type: "response", action: "delete", baseVersion: 1 }),
  (mutationId) => ({ mutationId, type: "response", action: "remove", offlineId: OFFLINE.response.r0, baseVersion: 1 }),
];

/** Picks by weight; an alternative of weight 0 is left out (the valid-only flavour drops the invalid ones). */
const weighted = <T>(...pairs: [number, fc.Arbitrary<T>][]) =>
  fc.oneof(...pairs.filter(([weight]) => weight > 0).map(([weight, arbitrary]) => ({ weight, arbitrary })));

/** Small value domains, so edits of one field by two users collide often. */
const washAnswers = {
  waterSource: fc.constantFrom("WELL", "TANKER", "BOREHOLE"),
  latrines: fc.integer({ min: 0, max: 3 }),
  functionalBoreholes: fc.constantFrom(1, 2),
  openDefecationObserved: fc.boolean(),
  notes: fc.constantFrom("a", "b"),
};
const washPatch = fc.record({ ...washAnswers, notes: fc.constantFrom("a", "b", null) }, { requiredKeys: [] });
const responsePatch = fc.record(
  { beneficiaries: fc.constantFrom(5, 10, 20), notes: fc.constantFrom("a", "b", null) },
  { requiredKeys: [] },
);

/**
 * The symbolic ops a user sends: "mixed" has some of everything that gets a mutation refused;
 * "clean" only what is valid on its own (it may still be refused for the state it meets: a record
 * deleted earlier, an assessment not created yet), so that whole batches go through without a
 * rejection — the set-based engine's fast path.
 */
function opsOf(role: "assessor" | "responder" | "coordinator", flavour: "mixed" | "clean"): fc.Arbitrary<Op> {
  const mixed = flavour === "mixed";
  const bad = mixed ? 1 : 0;
  const mediaCount = { mediaCount: fc.integer({ min: 0, max: 5 }) };
  // a0, a1 (E, AUTO) and a2 (OTHER) are seeded, a3 and a4 may be created, ax never is; likewise r0
  // (on a0), r1, r2, rx. A clean batch edits mostly seeded records: one it names before anyone
  // created it is refused (NOT_FOUND).
  const assessment = weighted(
    [7, fc.constantFrom("a0", "a1")],
    [mixed ? 7 : 1, fc.constant("a3")],
    [mixed ? 2 : 1, fc.constant("a4")],
    [bad, fc.constantFrom("a2", "ax")],
  );
  const response = weighted([4, fc.constant("r0")], [mixed ? 5 : 1, fc.constant("r1")], [bad, fc.constantFrom("r2", "rx")]);
  // E, AUTO, OTHER are seeded, N1 and N2 may be created, Nx never is. Deleting E or AUTO leaves little for the rest of a run: rarer.
  const entity = weighted([3, fc.constantFrom("E", "AUTO")], [2 * bad, fc.constantFrom("N1", "N2")], [bad, fc.constantFrom("OTHER", "Nx")]);
  const deletedEntity = weighted([3, fc.constantFrom("N1", "N2")], [bad, fc.constantFrom("E", "AUTO", "OTHER", "Nx")]);
  const entityRef = weighted<EntityName>([5, fc.constant("E")], [4, fc.constant("AUTO")], [bad, fc.constantFrom("OTHER", "N1", "GHOST")]);
  const base = weighted<Base>(
    [5, fc.constant("current")],
    [3, fc.constant("older")],
    [1, fc.constant("oldest")],
    [bad, fc.constantFrom("ahead", "zero")],
  );
  const records: Record<RecordType, fc.Arbitrary<string>> = { assessment, response, entity };

  const createAssessment = fc
    .record(
      {
        rec: weighted([4, fc.constantFrom("a3", "a4")], [1, fc.constant("a0")], [bad, fc.constant("a2")]),
        entity: entityRef,
        body: weighted<{ form: string; status: string; data: Json }>(
          [5, fc.record(washAnswers, { requiredKeys: [] }).map((data) => ({ form: "WASH", status: "DRAFT", data }))],
          [2, washAnswers.latrines.map((latrines) => ({ form: "WASH", status: "SUBMITTED", data: { ...FULL_WASH, latrines } }))],
          // WASH edits of a HEALTH assessment are refused: mixed batches only.
          [bad, fc.constant({ form: "HEALTH", status: "DRAFT", data: {} })],
          [
            bad,
            fc.constantFrom(
              { form: "WASH", status: "SUBMITTED", data: { latrines: 1 } },
              { form: "WASH", status: "DRAFT", data: { latrines: -1 } },
              { form: "WASH", status: "DRAFT", data: { bogus: true } },
            ),
          ],
        ),
        ...mediaCount,
      },
      { requiredKeys: ["rec", "entity", "body"] },
    )
    .map(({ body, ...rest }): Op => ({ op: "createAssessment", ...rest, ...body }));

  const createResponse = fc
    .record(
      {
        rec: weighted([4, fc.constantFrom("r1", "r2")], [1, fc.constant("r0")]),
        of: assessment,
        ref: weighted<"offlineId" | "id" | "both" | "mismatch">(
          [4, fc.constant("offlineId")],
          [2, fc.constant("id")],
          [1, fc.constant("both")],
          [bad, fc.constant("mismatch")],
        ),
        entity: weighted<"same" | EntityName>([8, fc.constant("same")], [bad, fc.constantFrom("E", "AUTO")]),
        body: weighted<{ status: string; data: Json }>(
          [5, fc.constantFrom(5, 10, 20).map((beneficiaries) => ({ status: "PLANNED", data: { beneficiaries } }))],
          [2, fc.constant({ status: "DELIVERED", data: { ...FULL_RESPONSE } })],
          [bad, fc.constantFrom({ status: "DELIVERED", data: { beneficiaries: 5 } }, { status: "PLANNED", data: { items: "rice" } })],
        ),
        ...mediaCount,
      },
      { requiredKeys: ["rec", "of", "ref", "entity", "body"] },
    )
    .map(({ body, ...rest }): Op => ({ op: "createResponse", ...rest, ...body }));

  const createEntity = fc
    .record({ rec: fc.constantFrom("N1", "N2"), autoApprove: fc.boolean() })
    .map((r): Op => ({ op: "createEntity", ...r }));

  // `entityId` names an entity and `assessmentOfflineId` an assessment (resolved per database).
  const patches: Record<RecordType, fc.Arbitrary<Json>> = {
    assessment: weighted<Json>(
      [6, washPatch.map((data) => ({ data }))],
      [1, fc.record({ status: fc.constant("DRAFT"), data: washPatch }, { requiredKeys: ["status"] })],
      [1, fc.constant({ status: "SUBMITTED", data: FULL_WASH })],
      [
        bad,
        fc.constantFrom<Json>(
          { data: { latrines: -2 } },
          { data: { bogus: 1 } },
          { entityId: "AUTO" },
          { entityId: "E" },
          { assessmentType: "HEALTH" },
          { status: "SUBMITTED", data: { latrines: null } },
        ),
      ],
    ),
    response: weighted<Json>(
      [5, responsePatch.map((data) => ({ data }))],
      [2, fc.constant({ status: "DELIVERED", data: { items: FULL_RESPONSE.items } })],
      [1, fc.constant({ status: "PLANNED" })],
      [bad, fc.constantFrom<Json>({ status: "DELIVERED" }, { data: { beneficiaries: -1 } })],
      [bad, fc.constantFrom("a0", "a1", "a3").map((a) => ({ assessmentOfflineId: a }))],
    ),
    entity: weighted<Json>(
      [3, fc.boolean().map((autoApprove) => ({ autoApprove }))],
      [2, fc.record({ name: fc.constantFrom("Camp X", "Camp Y"), ward: fc.constantFrom("Ward 1", "Ward 2") }, { requiredKeys: ["name"] })],
      [bad, fc.constant({ latitude: 123 })],
    ),
  };
  const update = (type: RecordType) =>
    fc
      .record(
        { rec: records[type], base, data: patches[type], ...(type === "entity" ? {} : mediaCount) },
        { requiredKeys: ["rec", "base", "data"] },
      )
      .map((r): Op => ({ op: "update", type, ...r }));
  const remove = (type: RecordType) =>
    fc.record({ rec: type === "entity" ? deletedEntity : records[type], base }).map((r): Op => ({ op: "delete", type, ...r }));
  const malformed = fc.nat({ max: MALFORMED.length - 1 }).map((variant): Op => ({ op: "malformed", variant }));
  // Mixed batches resend anything (another user's mutationId is refused, and so is again a refused
  // mutation); clean ones only their own user's mutations that were not refused.
  const replay = fc.record({ back: fc.nat({ max: 40 }), mine: fc.constant(!mixed) }).map((r): Op => ({ op: "replay", ...r }));
  const reuseId = (inner: fc.Arbitrary<Op>) => fc.record({ back: fc.nat({ max: 40 }), inner }).map((r): Op => ({ op: "reuseId", ...r }));

  // A field worker writes records of one type; the other type and entities are not theirs (FORBIDDEN).
  const fieldWorker = (type: "assessment" | "response", create: fc.Arbitrary<Op>, notTheirs: fc.Arbitrary<Op>) =>
    weighted<Op>(
      [5, create],
      [6, update(type)],
      [1, remove(type)],
      [2, replay],
      [bad, notTheirs],
      [bad, malformed],
      [bad, reuseId(fc.oneof(create, update(type)))],
    );
  switch (role) {
    case "assessor":
      return fieldWorker("assessment", createAssessment, fc.oneof(createResponse, update("entity")));
    case "responder":
      return fieldWorker("response", createResponse, fc.oneof(createAssessment, update("assessment")));
    default:
      return weighted<Op>(
        [4, createAssessment],
        [4, createResponse],
        [2, createEntity],
        [6, update("assessment")],
        [4, update("response")],
        [6, update("entity")],
        [1, remove("assessment")],
        [1, remove("response")],
        [bad, remove("entity")],
        [2, replay],
        [2 * bad, malformed],
        [2 * bad, reuseId(fc.oneof(update("assessment"), remove("response")))],
      );
  }
}

const ROLE_OF = { A1: "assessor", A2: "assessor", R1: "responder", R2: "responder", C1: "coordinator" } as const;
const BATCH_WEIGHTS: [number, TwinUser][] = [
  [3, "A1"],
  [2, "A2"],
  [2, "R1"],
  [1, "R2"],
  [2, "C1"],
];
const batchArb: fc.Arbitrary<Batch> = weighted<Batch>(
  ...BATCH_WEIGHTS.flatMap(([weight, by]) =>
    (["mixed", "clean"] as const).map((flavour): [number, fc.Arbitrary<Batch>] => [
      weight,
      fc.array(opsOf(ROLE_OF[by], flavour), { minLength: 1, maxLength: 40, size: "medium" }).map((ops) => ({ by, flavour, ops })),
    ]),
  ),
);
const scenarioArb = fc.array(batchArb, { minLength: 1, maxLength: 4 });

// ---- making them concrete, per database --------------------------------------------------------------

/** What a database holds before a batch: server ids, versions and assessments' entities, by record name ("assessment:a3"). */
interface View {
  ids: Map<string, string>;
  versions: Map<string, number>;
  entityOf: Map<string, string>;
}

async function viewOf(db: Db): Promise<View> {
  const view: View = { ids: new Map(), versions: new Map(), entityOf: new Map() };
  const add = (type: RecordType, r: { id: string; offlineId: string; version: number }) => {
    const key = `${type}:${FIXED_LABELS.get(r.offlineId) ?? r.offlineId}`;
    view.ids.set(key, r.id);
    view.versions.set(key, r.version);
  };
  for (const r of await db.entity.findMany()) add("entity", r);
  for (const r of await db.response.findMany()) add("response", r);
  for (const r of await db.assessment.findMany()) {
    add("assessment", r);
    view.entityOf.set(`assessment:${FIXED_LABELS.get(r.offlineId)}`, r.entityId);
  }
  return view;
}

const offlineIdOf = (type: RecordType, rec: string) =>
  type === "entity"
    ? (TWIN_ENTITIES[rec as keyof typeof TWIN_ENTITIES]?.id ?? OFFLINE.entity[rec as keyof typeof OFFLINE.entity])
    : OFFLINE[type][rec];

interface Resolving {
  mutationId: string;
  clientTime?: string;
  /** This database's state (for server ids) and the reference database's (for base versions). */
  own: View;
  reference: View;
  /** Entities of assessments created earlier in this batch. */
  planned: Map<string, string>;
  /** Every mutation sent to this database in this run so far. */
  sent: { by: TwinUser; mutation: unknown; refused?: boolean }[];
  by: TwinUser;
}

function entityIdOf(name: string, own: View): string {
  if (name in TWIN_ENTITIES) return TWIN_ENTITIES[name as keyof typeof TWIN_ENTITIES].id;
  return own.ids.get(`entity:${name}`) ?? GHOST_ID;
}

function baseVersion(b: Base, type: RecordType, rec: string, reference: View): number {
  const before = reference.versions.get(`${type}:${rec}`) ?? 1;
  return { current: before, older: Math.max(1, before - 1), oldest: 1, ahead: before + 1, zero: 0 }[b];
}

function resolvePatch(type: RecordType, data: Json, own: View): Json {
  const out = structuredClone(data);
  if (typeof out.entityId === "string") out.entityId = entityIdOf(out.entityId, own);
  if (type === "response" && typeof out.assessmentOfflineId === "string")
    out.assessmentOfflineId = OFFLINE.assessment[out.assessmentOfflineId];
  return out;
}

/** The wire mutation for one symbolic op, for one database. */
function resolve(op: Op, r: Resolving): unknown {
  const common = { mutationId: r.mutationId, ...(r.clientTime ? { clientTime: r.clientTime } : {}) };
  const count = (o: { mediaCount?: number }) => (o.mediaCount === undefined ? {} : { mediaCount: o.mediaCount });
  const earlier = (back: number, mine = false) => {
    const from = mine ? r.sent.filter((s) => s.by === r.by && !s.refused) : r.sent;
    return from.length ? from[from.length - 1 - (back % from.length)].mutation : undefined;
  };
  const wire = (type: RecordType, action: string, offlineId: string, baseVersion: number, rest: Json = {}) => ({
    ...common,
    type,
    action,
    offlineId,
    baseVersion,
    ...rest,
  });
  switch (op.op) {
    case "createAssessment": {
      const entityId = entityIdOf(op.entity, r.own);
      r.planned.set(op.rec, entityId);
      return wire("assessment", "create", OFFLINE.assessment[op.rec], 0, {
        data: { entityId, assessmentType: op.form, status: op.status, data: structuredClone(op.data) },
        ...count(op),
      });
    }
    case "createResponse": {
      const assessmentId = r.own.ids.get(`assessment:${op.of}`) ?? GHOST_ID;
      const other = r.own.ids.get(`assessment:${op.of === "a1" ? "a0" : "a1"}`) ?? GHOST_ID;
      const ref = {
        offlineId: { assessmentOfflineId: OFFLINE.assessment[op.of] },
        id: { assessmentId },
        both: { assessmentOfflineId: OFFLINE.assessment[op.of], assessmentId },
        mismatch: { assessmentOfflineId: OFFLINE.assessment[op.of], assessmentId: other },
      }[op.ref];
      const entityId =
        op.entity === "same"
          ? (r.planned.get(op.of) ?? r.own.entityOf.get(`assessment:${op.of}`) ?? TWIN_ENTITIES.E.id)
          : entityIdOf(op.entity, r.own);
      return wire("response", "create", OFFLINE.response[op.rec], 0, {
        data: { ...ref, entityId, responseType: "FOOD_DISTRIBUTION", status: op.status, data: structuredClone(op.data) },
        ...count(op),
      });
    }
    case "createEntity":
      return wire("entity", "create", OFFLINE.entity[op.rec as keyof typeof OFFLINE.entity], 0, {
        data: {
          name: `Site ${op.rec}`,
          type: "COMMUNITY",
          lga: "Jere",
          ward: "Mashamari",
          latitude: 11.9,
          longitude: 13.2,
          autoApprove: op.autoApprove,
        },
      });
    case "update":
      return wire(op.type, "update", offlineIdOf(op.type, op.rec), baseVersion(op.base, op.type, op.rec, r.reference), {
        data: resolvePatch(op.type, op.data, r.own),
        ...count(op),
      });
    case "delete":
      return wire(op.type, "delete", offlineIdOf(op.type, op.rec), baseVersion(op.base, op.type, op.rec, r.reference));
    case "malformed":
      return MALFORMED[op.variant % MALFORMED.length](r.mutationId);
    case "replay": {
      const again = earlier(op.back, op.mine);
      // Nothing sent yet: a create of a seeded record (answered duplicate) stands in.
      if (again === undefined)
        return resolve({ op: "createAssessment", rec: "a0", entity: "E", form: "WASH", status: "DRAFT", data: {} }, r);
      return structuredClone(again);
    }
    case "reuseId": {
      const donor = earlier(op.back) as { mutationId?: unknown } | null | undefined;
      const mutationId = typeof donor?.mutationId === "string" ? donor.mutationId : r.mutationId;
      return resolve(op.inner, { ...r, mutationId });
    }
  }
}

// ---- the two databases -------------------------------------------------------------------------------

let A: TestDb & { drop(): Promise<void> };
let B: TestDb & { drop(): Promise<void> };

beforeAll(async () => {
  A = await createTestDb({ poolSize: 4 });
  B = await createTestDb({ poolSize: 4 });
});

afterAll(async () => {
  // createTestDb installed B as the process's database; each drop closes the installed one.
  if (A) {
    setDb(A.prisma, A.opened);
    await A.drop();
  }
  if (B) {
    setDb(B.prisma, B.opened);
    await B.drop();
  }
});

// ---- what the runs produced ------------------------------------------------------------------------

const stats = { runs: 0, batches: 0, cleanBatches: 0, mutations: 0, largestBatch: 0, statuses: new Map<string, number>(), hiddenMedia: 0 };
const bump = (key: string) => stats.statuses.set(key, (stats.statuses.get(key) ?? 0) + 1);

function count(results: readonly PushResult[]) {
  for (const r of results) {
    const x = r as PushResult & { conflictId?: string; kind?: string; error?: { code: string } };
    bump(r.status);
    if (r.status === "merged" && x.conflictId) bump("merged, auto-resolved");
    if (r.status === "conflict") bump(`conflict ${x.kind ?? "UPDATE"}`);
    if (r.status === "rejected") bump(`rejected ${x.error?.code}`);
  }
}

function summary(): string {
  const s = (key: string) => stats.statuses.get(key) ?? 0;
  const sub = (prefix: string) =>
    [...stats.statuses]
      .filter(([k]) => k.startsWith(`${prefix} `))
      .sort(([, a], [, b]) => b - a)
      .map(([k, n]) => `${k.slice(prefix.length + 1)} ${n}`)
      .join(", ");
  return (
    `set-vs-per-mutation: FUZZ_SEED=${SEED} runs=${stats.runs} batches=${stats.batches} (${stats.cleanBatches} without a rejection) mutations=${stats.mutations} ` +
    `(largest batch ${stats.largestBatch}) — applied ${s("applied")}, merged ${s("merged")} (auto-resolved ${s("merged, auto-resolved")}), ` +
    `duplicate ${s("duplicate")}, conflict ${s("conflict")} (${sub("conflict")}), rejected ${s("rejected")} (${sub("rejected")}); ` +
    `media hidden ${stats.hiddenMedia}`
  );
}

afterAll(() => console.log(summary()));

// ---- the property --------------------------------------------------------------------------------------

async function runScenario(batches: Batch[]): Promise<void> {
  await resetTwinWorld(A.prisma);
  await resetTwinWorld(B.prisma);
  const sent = { A: [] as Resolving["sent"], B: [] as Resolving["sent"] };
  let n = 0;
  stats.runs++;
  for (const [i, batch] of batches.entries()) {
    const views = { A: await viewOf(A.prisma), B: await viewOf(B.prisma) };
    const planned = { A: new Map<string, string>(), B: new Map<string, string>() };
    const raw = { A: [] as unknown[], B: [] as unknown[] };
    for (const op of batch.ops) {
      n++;
      const mutationId = mutationIdOf(n);
      const clientTime = n % 3 ? new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString() : undefined;
      for (const side of ["A", "B"] as const) {
        const m = resolve(op, {
          mutationId,
          clientTime,
          own: views[side],
          reference: views.B,
          planned: planned[side],
          sent: sent[side],
          by: batch.by,
        });
        raw[side].push(m);
        sent[side].push({ by: batch.by, mutation: m });
      }
    }
    const failure = async (what: string) =>
      new Error(
        `batch ${i + 1} of ${batches.length} (pushed by ${batch.by}): ${what}\n` +
          `the batch as sent to the per-mutation database (ids named):\n${JSON.stringify(normalise(raw.B, await namesOf(B.prisma)), null, 1)}`,
      );
    const push = async (side: "A" | "B", engine: "set" | "per-mutation") => {
      const db = side === "A" ? A.prisma : B.prisma;
      try {
        return await applyBatch(
          db,
          await twinContext(db, batch.by),
          raw[side].map((m) => ({ raw: m })),
          { engine },
        );
      } catch (error) {
        // Every mutation here is answered, never a failed push: either engine throwing is a finding.
        throw await failure(`the ${engine} engine threw ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    };
    const results = { A: await push("A", "set"), B: await push("B", "per-mutation") };
    for (const side of ["A", "B"] as const)
      results[side].forEach((r, k) => {
        sent[side][sent[side].length - results[side].length + k].refused = r.status === "rejected";
      });
    const names = { A: await namesOf(A.prisma), B: await namesOf(B.prisma) };
    const check = async (part: string, a: unknown, b: unknown) => {
      const d = firstDifference(a, b);
      if (!d) return;
      const json = (v: unknown) => JSON.stringify(v) ?? "undefined";
      throw await failure(`${part} differ at ${d.path}\n  set:          ${json(d.a)}\n  per-mutation: ${json(d.b)}`);
    };
    await check("push results", normaliseResults(results.A, names.A), normaliseResults(results.B, names.B));
    const state = { A: await normalisedState(A.prisma), B: await normalisedState(B.prisma) };
    for (const part of Object.keys(state.B) as (keyof typeof state.B)[]) await check(part, state.A[part], state.B[part]);
    count(results.B);
    stats.batches++;
    if (results.B.every((r) => r.status !== "rejected")) stats.cleanBatches++;
    stats.mutations += batch.ops.length;
    stats.largestBatch = Math.max(stats.largestBatch, batch.ops.length);
    if (i === batches.length - 1) stats.hiddenMedia += state.B.media.filter((m) => m.deletedAt !== null).length;
  }
}

describe("property: the set-based and the per-mutation push engines give the same results and the same database", () => {
  it(`holds for random sequences of batches (fast-check, ${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (batches) => runScenario(batches)),
      { numRuns: RUNS, seed: SEED },
    );
    // The runs exercised what they are for (with enough of them to be sure to).
    if (RUNS >= 10)
      for (const status of ["applied", "merged", "duplicate", "conflict", "rejected"])
        expect(stats.statuses.get(status), status).toBeGreaterThan(0);
  }, 900_000);
});
