import { beforeAll, describe, expect, it } from "vitest";
import { POST as verifyAssessmentRoute } from "@/app/api/assessments/[id]/verify/route";
import { POST as verifyResponseRoute } from "@/app/api/responses/[id]/verify/route";
import { GET as devicesRoute } from "@/app/api/sync/devices/route";
import type { Role } from "@/lib/protocol";
import { call } from "../../fixtures/api";
import {
  assign,
  conflictDetail,
  expectError,
  FULL_RESPONSE,
  FULL_WASH,
  listConflicts,
  mut,
  newEntity,
  pullAll,
  pushOne,
  quickUser,
  resolve,
  type Signed,
  seedAssessment,
  seedResponse,
  type WireMutation,
} from "../../fixtures/sync";
import { useTestDb } from "../../fixtures/test-db";

// Role × route × in/out-of-scope (PROTOCOL §2): who may write what through push, and that pull,
// the conflict API, devices and verify never cross a user's scope.

const db = useTestDb();
const prisma = () => db.current.prisma;

const ROLES: Role[] = ["ASSESSOR", "RESPONDER", "COORDINATOR", "ADMIN"];
const users = {} as Record<Role, Signed>;
/** Seeds records without being a matrix subject; also the "other" side of conflicts. */
let SEED: Signed;
let SEED2: Signed;
let OTHER_ASSESSOR: Signed;
let IN: { id: string };
let OUT: { id: string };

beforeAll(async () => {
  const p = prisma();
  for (const role of ROLES) users[role] = await quickUser(p, role, `Matrix ${role.toLowerCase()}`);
  SEED = await quickUser(p, "COORDINATOR", "Seeder");
  SEED2 = await quickUser(p, "COORDINATOR", "Second Seeder");
  OTHER_ASSESSOR = await quickUser(p, "ASSESSOR", "Other Assessor");
  IN = await newEntity({ name: "In Scope" });
  OUT = await newEntity({ name: "Out Of Scope" });
  await assign(users.ASSESSOR, IN.id);
  await assign(users.RESPONDER, IN.id);
  await assign(OTHER_ASSESSOR, IN.id);
});

const entityOfflineId = async (id: string) => (await prisma().entity.findUniqueOrThrow({ where: { id } })).offlineId;

type Scope = "in" | "out";
type Kind = "entity" | "assessment" | "response";
type Action = "create" | "update" | "delete";
type Outcome = "applied" | "FORBIDDEN";

/** Who may write a record type (PROTOCOL §1–2); scoped roles only inside their scope. */
function expectedPush(role: Role, kind: Kind, scope: Scope): Outcome {
  if (role === "COORDINATOR" || role === "ADMIN") return "applied";
  if (kind === "entity") return "FORBIDDEN";
  const writer = kind === "assessment" ? "ASSESSOR" : "RESPONDER";
  return role === writer && scope === "in" ? "applied" : "FORBIDDEN";
}

/** Builds the mutation of one cell against fresh records, and how to tell whether it was written. */
async function arrange(kind: Kind, action: Action, scope: Scope): Promise<{ m: WireMutation; written: () => Promise<boolean> }> {
  const entityId = scope === "in" ? IN.id : OUT.id;
  if (kind === "entity") {
    if (action === "create") {
      const m = mut.createEntity();
      return { m, written: async () => (await prisma().entity.count({ where: { offlineId: m.offlineId } })) === 1 };
    }
    // A fresh entity, assigned to the scoped users when "in", so other cells keep theirs.
    const e = await newEntity();
    if (scope === "in") {
      await assign(users.ASSESSOR, e.id);
      await assign(users.RESPONDER, e.id);
    }
    const offlineId = await entityOfflineId(e.id);
    const m = action === "update" ? mut.update("entity", offlineId, 1, { ward: "Changed" }) : mut.remove("entity", offlineId, 1);
    return { m, written: async () => (await prisma().entity.findUniqueOrThrow({ where: { id: e.id } })).version === 2 };
  }
  if (kind === "assessment") {
    if (action === "create") {
      const m = mut.createAssessment(entityId);
      return { m, written: async () => (await prisma().assessment.count({ where: { offlineId: m.offlineId } })) === 1 };
    }
    const a = await seedAssessment(SEED.token, entityId);
    const m =
      action === "update" ? mut.update("assessment", a.offlineId, 1, { data: { latrines: 2 } }) : mut.remove("assessment", a.offlineId, 1);
    return { m, written: async () => (await prisma().assessment.findUniqueOrThrow({ where: { id: a.id } })).version === 2 };
  }
  const parent = await seedAssessment(SEED.token, entityId);
  if (action === "create") {
    const m = mut.createResponse({ assessmentOfflineId: parent.offlineId, entityId });
    return { m, written: async () => (await prisma().response.count({ where: { offlineId: m.offlineId } })) === 1 };
  }
  const r = await seedResponse(SEED.token, { assessmentOfflineId: parent.offlineId, entityId });
  const m =
    action === "update" ? mut.update("response", r.offlineId, 1, { data: { beneficiaries: 3 } }) : mut.remove("response", r.offlineId, 1);
  return { m, written: async () => (await prisma().response.findUniqueOrThrow({ where: { id: r.id } })).version === 2 };
}

const cells: { role: Role; kind: Kind; action: Action; scope: Scope | "-"; outcome: Outcome }[] = [];
for (const role of ROLES) {
  cells.push({ role, kind: "entity", action: "create", scope: "-", outcome: expectedPush(role, "entity", "in") });
  for (const kind of ["entity", "assessment", "response"] as const) {
    for (const action of ["create", "update", "delete"] as const) {
      if (kind === "entity" && action === "create") continue;
      for (const scope of ["in", "out"] as const) cells.push({ role, kind, action, scope, outcome: expectedPush(role, kind, scope) });
    }
  }
}

describe("push: role × record type × action × scope", () => {
  for (const cell of cells) {
    it(`${cell.role} ${cell.action} ${cell.kind} ${cell.scope === "-" ? "" : `(${cell.scope} of scope) `}→ ${cell.outcome}`, async () => {
      const { m, written } = await arrange(cell.kind, cell.action, cell.scope === "-" ? "in" : cell.scope);
      const r = await pushOne(users[cell.role].token, m);
      if (cell.outcome === "applied") {
        expect(r).toMatchObject({
          status: "applied",
          mutationId: m.mutationId,
          offlineId: m.offlineId,
          version: cell.action === "create" ? 1 : 2,
        });
        const author = cell.kind === "assessment" ? "assessorId" : cell.kind === "response" ? "responderId" : null;
        if (author && cell.action === "create") expect(r.record[author]).toBe(users[cell.role].user.id);
        if (cell.action === "delete") expect(r.record.deletedAt).toEqual(expect.any(String));
        expect(await written()).toBe(true);
      } else {
        expect(r).toMatchObject({ status: "rejected", mutationId: m.mutationId, error: { code: "FORBIDDEN" } });
        expect(r.record).toBeUndefined();
        expect(r.id).toBeUndefined();
        expect(await written()).toBe(false);
      }
    });
  }
});

describe("pull: never a record of an out-of-scope entity", () => {
  beforeAll(async () => {
    // Make OUT (and IN) busy: edits, deletes, responses, and conflicts submitted by others.
    for (const entityId of [IN.id, OUT.id]) {
      const a = await seedAssessment(SEED.token, entityId, { status: "SUBMITTED", data: FULL_WASH });
      await pushOne(SEED.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 20 } }));
      const c = await pushOne(SEED2.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 30 } }));
      expect(c.status).toBe("conflict");
      const r = await seedResponse(
        SEED.token,
        { assessmentOfflineId: a.offlineId, entityId },
        { status: "DELIVERED", data: FULL_RESPONSE },
      );
      await pushOne(SEED.token, mut.remove("response", r.offlineId, 1));
    }
    // A conflict in scope, but submitted by another assessor: not the matrix assessor's to see.
    const a = await seedAssessment(users.ASSESSOR.token, IN.id);
    await pushOne(users.ASSESSOR.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 1 } }));
    expect((await pushOne(OTHER_ASSESSOR.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 2 } }))).status).toBe(
      "conflict",
    );
  });

  /** Every id that belongs to an entity outside `scope` (records, their conflicts), from the database. */
  async function idsOutside(scope: string[]) {
    const p = prisma();
    const outside = { id: { notIn: scope } };
    const entityOutside = { entityId: { notIn: scope } };
    return new Set([
      ...(await p.entity.findMany({ where: outside, select: { id: true } })).map((r) => `entity:${r.id}`),
      ...(await p.assessment.findMany({ where: entityOutside, select: { id: true } })).map((r) => `assessment:${r.id}`),
      ...(await p.response.findMany({ where: entityOutside, select: { id: true } })).map((r) => `response:${r.id}`),
    ]);
  }

  const pullRows: { role: Role; sees: "scope" | "all" }[] = [
    { role: "ASSESSOR", sees: "scope" },
    { role: "RESPONDER", sees: "scope" },
    { role: "COORDINATOR", sees: "all" },
    { role: "ADMIN", sees: "all" },
  ];
  for (const row of pullRows) {
    it(`${row.role} pulls ${row.sees === "scope" ? "only assigned entities" : "everything"} (paged, every change scanned)`, async () => {
      const user = users[row.role];
      const { changes, scope } = await pullAll(user.token, { limit: 7 });
      const keys = changes.map((c) => `${c.type}:${c.id}`);
      const assigned = (
        await prisma().assignment.findMany({ where: { userId: user.user.id, active: true }, select: { entityId: true } })
      ).map((a) => a.entityId);
      const live = (await prisma().entity.findMany({ where: { deletedAt: null }, select: { id: true } })).map((e) => e.id);
      if (row.sees === "scope") {
        expect([...scope].sort()).toEqual(assigned.filter((id) => live.includes(id)).sort());
        expect(scope).toContain(IN.id);
        expect(scope).not.toContain(OUT.id);
        const outside = await idsOutside(scope);
        expect(outside.size).toBeGreaterThan(0);
        expect(keys.filter((k) => outside.has(k))).toEqual([]);
        for (const c of changes) {
          if (c.op === "upsert" && (c.type === "assessment" || c.type === "response")) expect(scope).toContain(c.record.entityId);
          if (c.type === "entity") expect(scope).toContain(c.id);
        }
        // Conflicts: only the ones this user submitted.
        const conflictIds = changes.filter((c) => c.type === "conflict").map((c) => c.id);
        const mine = await prisma().conflict.findMany({ where: { id: { in: conflictIds } }, select: { submittedById: true } });
        expect(mine.every((c) => c.submittedById === user.user.id)).toBe(true);
      } else {
        expect([...scope].sort()).toEqual(live.sort());
        const everything = await idsOutside([]);
        const seen = new Set(keys);
        expect([...everything].filter((k) => !seen.has(k))).toEqual([]);
      }
    });
  }
});

describe("conflict API, devices and verify by role and scope", () => {
  /** A PENDING conflict on a record of `entityId`. */
  async function pendingConflict(entityId: string) {
    const a = await seedAssessment(SEED.token, entityId);
    await pushOne(SEED.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 1 } }));
    const c = await pushOne(SEED2.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 2 } }));
    return c.conflictId as string;
  }
  async function submitted(entityId: string) {
    return (await seedAssessment(SEED.token, entityId, { status: "SUBMITTED", data: FULL_WASH })).id;
  }
  async function delivered(entityId: string) {
    const a = await seedAssessment(SEED.token, entityId);
    return (await seedResponse(SEED.token, { assessmentOfflineId: a.offlineId, entityId }, { status: "DELIVERED", data: FULL_RESPONSE }))
      .id;
  }

  const allowed = (role: Role) => role === "COORDINATOR" || role === "ADMIN";
  const routes: {
    name: string;
    run: (token: string, entityId: string) => Promise<Awaited<ReturnType<typeof call>>>;
    ok: (res: Awaited<ReturnType<typeof call>>) => void;
  }[] = [
    { name: "GET /api/conflicts", run: (t) => listConflicts(t), ok: (res) => expect(Array.isArray(res.body.conflicts)).toBe(true) },
    {
      name: "GET /api/conflicts/:id",
      run: async (t, e) => conflictDetail(t, await pendingConflict(e)),
      ok: (res) => expect(res.body).toMatchObject({ status: "PENDING" }),
    },
    {
      name: "POST /api/conflicts/:id/resolve",
      run: async (t, e) => resolve(t, await pendingConflict(e), { strategy: "merge" }),
      ok: (res) => expect(res.body.conflict).toMatchObject({ status: "RESOLVED" }),
    },
    {
      name: "GET /api/sync/devices",
      run: (t) => call(devicesRoute, { path: "/api/sync/devices", token: t }),
      ok: (res) => expect(Array.isArray(res.body.devices)).toBe(true),
    },
    {
      name: "POST /api/assessments/:id/verify",
      run: async (t, e) => {
        const id = await submitted(e);
        return call(verifyAssessmentRoute, {
          path: `/api/assessments/${id}/verify`,
          token: t,
          params: { id },
          body: { decision: "VERIFIED" },
        });
      },
      ok: (res) => expect(res.body.record).toMatchObject({ verificationStatus: "VERIFIED", version: 2 }),
    },
    {
      name: "POST /api/responses/:id/verify",
      run: async (t, e) => {
        const id = await delivered(e);
        return call(verifyResponseRoute, { path: `/api/responses/${id}/verify`, token: t, params: { id }, body: { decision: "REJECTED" } });
      },
      ok: (res) => expect(res.body.record).toMatchObject({ verificationStatus: "REJECTED", version: 2 }),
    },
  ];

  for (const route of routes) {
    for (const role of ROLES) {
      for (const scope of ["in", "out"] as const) {
        const status = allowed(role) ? 200 : 403;
        it(`${route.name} as ${role} (${scope} of scope) → ${status}`, async () => {
          const res = await route.run(users[role].token, scope === "in" ? IN.id : OUT.id);
          if (status === 200) {
            expect(res.status, JSON.stringify(res.body)).toBe(200);
            route.ok(res);
          } else {
            expectError(res, 403, "FORBIDDEN");
          }
        });
      }
    }
  }
});

describe("no cross-scope read through the ledger", () => {
  // Regression (was a bug, fixed): the engine's replay (now engine/decide.ts replayProcessed) answered any mutationId found in the ledger
  // with `duplicate` and the record's full current state, without checking who is asking. A user who
  // replays (or guesses, or inherits on a shared device) another user's mutationId reads a record of
  // an entity outside their scope. Expected: the replay is refused (rejected FORBIDDEN) unless the
  // record is in the caller's scope (or the ledger row's userId is the caller). Fix: in replayProcessed,
  // assertInScope(ctx.scope, entityIdOf(type, row)) before answering.
  it("replaying a mutationId of an out-of-scope record does not reveal the record", async () => {
    const m = mut.createAssessment(OUT.id, { data: { waterSource: "SURFACE", notes: "confidential" } });
    expect((await pushOne(SEED.token, m)).status).toBe("applied");
    const r = await pushOne(users.ASSESSOR.token, m);
    expect(r.record).toBeUndefined();
    expect(r).toMatchObject({ status: "rejected", error: { code: "FORBIDDEN" } });
  });

  it("a create naming an out-of-scope record's offlineId is refused, not answered as duplicate", async () => {
    const a = await seedAssessment(SEED.token, OUT.id);
    const r = await pushOne(users.ASSESSOR.token, mut.createAssessment(IN.id, { offlineId: a.offlineId }));
    expect(r).toMatchObject({ status: "rejected", error: { code: "FORBIDDEN" } });
    expect(r.record).toBeUndefined();
  });

  it("a response naming an out-of-scope assessment is refused without its record", async () => {
    const a = await seedAssessment(SEED.token, OUT.id);
    const r = await pushOne(users.RESPONDER.token, mut.createResponse({ assessmentId: a.id, entityId: OUT.id }));
    expect(r).toMatchObject({ status: "rejected", error: { code: "FORBIDDEN" } });
    expect(r.record).toBeUndefined();
    expect(await prisma().response.count({ where: { assessmentId: a.id } })).toBe(0);
  });
});
