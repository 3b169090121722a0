import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as verifyAssessmentRoute } from "@/app/api/assessments/[id]/verify/route";
import { POST as resolveRoute } from "@/app/api/conflicts/[id]/resolve/route";
import { GET as conflictDetailRoute } from "@/app/api/conflicts/[id]/route";
import { GET as conflictsRoute } from "@/app/api/conflicts/route";
import { POST as verifyResponseRoute } from "@/app/api/responses/[id]/verify/route";
import { resolveConflictResponseSchema, verifyResponseSchema } from "@/lib/protocol";
import { call } from "../fixtures/api";
import {
  assign,
  conflictDetail,
  expectError,
  FULL_RESPONSE,
  FULL_WASH,
  type Loose,
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
} from "../fixtures/sync";
import { useTestDb } from "../fixtures/test-db";

// PROTOCOL §5: the conflict API (list, detail, resolve) and the verify endpoints.

const db = useTestDb();
const prisma = () => db.current.prisma;

let C: Signed;
let ADMIN: Signed;
let A1: Signed;
let A2: Signed;
let R1: Signed;
let R2: Signed;
let E: { id: string };

beforeAll(async () => {
  const p = prisma();
  [C, ADMIN, A1, A2, R1, R2] = await Promise.all([
    quickUser(p, "COORDINATOR", "Resolver Coordinator"),
    quickUser(p, "ADMIN", "Resolver Admin"),
    quickUser(p, "ASSESSOR", "First Assessor"),
    quickUser(p, "ASSESSOR", "Second Assessor"),
    quickUser(p, "RESPONDER", "First Responder"),
    quickUser(p, "RESPONDER", "Second Responder"),
  ]);
  E = await newEntity({ name: "Conflict Camp" });
  for (const u of [A1, A2, R1, R2]) await assign(u, E.id);
});

/**
 * A PENDING assessment conflict: A1 set latrines 5 (v2); A2, from v1, sent latrines 7 plus a
 * non-conflicting functionalBoreholes 3.
 */
async function makeConflict(options: { deviceId?: string } = {}) {
  const a = await seedAssessment(A1.token, E.id);
  await pushOne(A1.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 5 } }));
  const m = mut.update("assessment", a.offlineId, 1, { data: { latrines: 7, functionalBoreholes: 3 } });
  const r = await pushOne(A2.token, m, { deviceId: options.deviceId });
  expect(r.status).toBe("conflict");
  return { a, id: r.conflictId as string, mutation: m };
}

const dbAssessment = (id: string) => prisma().assessment.findUniqueOrThrow({ where: { id } });
const versionsOf = (recordId: string) => prisma().recordVersion.findMany({ where: { recordId }, orderBy: { version: "asc" } });

describe("GET /api/conflicts", () => {
  it("lists newest first, filters by status and pages with nextCursor", async () => {
    const made = [await makeConflict(), await makeConflict(), await makeConflict(), await makeConflict()];
    // One resolved, one policy decision.
    expect((await resolve(C.token, made[0].id, { strategy: "server" })).status).toBe(200);
    const a = await seedAssessment(A1.token, E.id);
    await pushOne(A1.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 1 } }));
    const auto = await pushOne(A1.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 2 } }));
    expect(auto.status).toBe("merged");

    for (const status of ["PENDING", "RESOLVED", "AUTO_RESOLVED", undefined] as const) {
      const seen: Loose[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const q = new URLSearchParams({ limit: "2", ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) });
        const res = await listConflicts(C.token, `?${q}`);
        expect(res.status).toBe(200);
        const page = res.body.conflicts as Loose[];
        expect(page.length).toBeLessThanOrEqual(2);
        seen.push(...page);
        cursor = res.body.nextCursor as string | null;
        pages++;
      } while (cursor && pages < 100);
      const expected = await prisma().conflict.findMany({
        where: status ? { status } : {},
        orderBy: [{ detectedAt: "desc" }, { id: "desc" }],
      });
      expect(seen.map((c) => c.id)).toEqual(expected.map((c) => c.id));
      for (let i = 1; i < seen.length; i++)
        expect(Date.parse(seen[i - 1].detectedAt)).toBeGreaterThanOrEqual(Date.parse(seen[i].detectedAt));
      if (status) expect(seen.every((c) => c.status === status)).toBe(true);
    }

    const pending = await listConflicts(C.token, "?status=PENDING&limit=200");
    const summary = (pending.body.conflicts as Loose[]).find((c) => c.id === made[3].id);
    expect(summary).toEqual({
      id: made[3].id,
      type: "assessment",
      recordId: made[3].a.id,
      recordOfflineId: made[3].a.offlineId,
      kind: "UPDATE",
      status: "PENDING",
      conflictingFields: ["data.latrines"],
      submittedBy: { id: A2.user.id, name: "Second Assessor" },
      deviceId: expect.any(String),
      detectedAt: expect.any(String),
      entity: { id: E.id, name: "Conflict Camp" },
      form: "WASH",
      resolution: null,
    });
    const newest = (pending.body.conflicts as Loose[]).map((c) => c.id);
    expect(newest.indexOf(made[3].id)).toBeLessThan(newest.indexOf(made[1].id));
    expect(newest).not.toContain(made[0].id);
  });

  it.each([
    ["an unknown status", "?status=OPEN"],
    ["a garbage cursor", "?cursor=%%%"],
    ["a limit that is not a number", "?limit=lots"],
  ])("400 VALIDATION_FAILED for %s", async (_name, query) => {
    expectError(await listConflicts(C.token, query), 400, "VALIDATION_FAILED");
  });
});

describe("GET /api/conflicts/:id", () => {
  it("has base, server, client, patch, conflictingFields, baseVersion and serverVersion", async () => {
    const deviceId = randomUUID();
    const { a, id, mutation } = await makeConflict({ deviceId });
    const res = await conflictDetail(C.token, id);
    expect(res.status).toBe(200);
    const d = res.body as Loose;
    expect(d).toMatchObject({
      id,
      type: "assessment",
      recordId: a.id,
      recordOfflineId: a.offlineId,
      kind: "UPDATE",
      status: "PENDING",
      conflictingFields: ["data.latrines"],
      submittedBy: { id: A2.user.id, name: "Second Assessor" },
      deviceId,
      mutationId: mutation.mutationId,
      baseVersion: 1,
      serverVersion: 2,
      patch: { data: { latrines: 7, functionalBoreholes: 3 } },
      resolution: null,
    });
    expect(d.base).toMatchObject({ id: a.id, version: 1, data: { waterSource: "BOREHOLE" } });
    expect(d.server).toMatchObject({ id: a.id, version: 2, data: { waterSource: "BOREHOLE", latrines: 5 } });
    expect(d.client).toMatchObject({ id: a.id, data: { waterSource: "BOREHOLE", latrines: 7, functionalBoreholes: 3 } });
    // base is exactly the stored snapshot of version 1.
    expect(d.base).toEqual((await versionsOf(a.id))[0].snapshot);
  });

  it("404 NOT_FOUND for an unknown id, 400 for a non-uuid id", async () => {
    expectError(await conflictDetail(C.token, randomUUID()), 404, "NOT_FOUND");
    expectError(await conflictDetail(C.token, "42"), 400, "VALIDATION_FAILED");
  });
});

describe("POST /api/conflicts/:id/resolve", () => {
  const strategyRows: { strategy: string; body?: Record<string, unknown>; data: Record<string, unknown>; version: number }[] = [
    { strategy: "server", data: { waterSource: "BOREHOLE", latrines: 5 }, version: 2 },
    { strategy: "client", data: { waterSource: "BOREHOLE", latrines: 7, functionalBoreholes: 3 }, version: 3 },
    { strategy: "merge", data: { waterSource: "BOREHOLE", latrines: 5, functionalBoreholes: 3 }, version: 3 },
    {
      strategy: "custom",
      body: { data: { "data.latrines": 9 } },
      data: { waterSource: "BOREHOLE", latrines: 9, functionalBoreholes: 3 },
      version: 3,
    },
    {
      strategy: "custom",
      body: { data: { "data.latrines": null } },
      data: { waterSource: "BOREHOLE", functionalBoreholes: 3 },
      version: 3,
    },
  ];
  for (const row of strategyRows) {
    it(`${row.strategy}${row.body ? ` ${JSON.stringify(row.body.data)}` : ""} → version ${row.version}, data ${JSON.stringify(row.data)}`, async () => {
      const { a, id } = await makeConflict();
      const before = await pullAll(A2.token);
      const res = await resolve(C.token, id, { strategy: row.strategy, ...row.body, expectedVersion: 2 });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(resolveConflictResponseSchema.safeParse(res.body).success).toBe(true);
      const body = res.body as Loose;
      expect(body.record).toMatchObject({ id: a.id, version: row.version, data: row.data });
      expect(body.conflict).toMatchObject({
        id,
        status: "RESOLVED",
        resolution: {
          strategy: row.strategy,
          resolvedBy: { id: C.user.id, name: "Resolver Coordinator" },
          resultVersion: row.version === 2 ? null : row.version,
        },
      });
      const stored = await dbAssessment(a.id);
      expect({ version: stored.version, data: stored.data }).toEqual({ version: row.version, data: row.data });
      expect((await versionsOf(a.id)).map((v) => v.version)).toEqual(Array.from({ length: row.version }, (_, i) => i + 1));
      const row_ = await prisma().conflict.findUniqueOrThrow({ where: { id } });
      expect({ status: row_.status, resolvedById: row_.resolvedById, method: row_.method }).toEqual({
        status: "RESOLVED",
        resolvedById: C.user.id,
        method: row.strategy,
      });
      expect(row_.resolvedAt).not.toBeNull();
      // The devices pull the outcome: a new version when the record changed, and the conflict's fate.
      const after = await pullAll(A2.token, { cursor: before.cursor });
      expect(after.changes.map((c) => `${c.type}:${c.id}`)).toEqual([...(row.version > 2 ? [`assessment:${a.id}`] : []), `conflict:${id}`]);
    });
  }

  it("an ADMIN may resolve too", async () => {
    const { id } = await makeConflict();
    const res = await resolve(ADMIN.token, id, { strategy: "merge" });
    expect(res.status).toBe(200);
    expect(res.body.conflict).toMatchObject({ status: "RESOLVED", resolution: { resolvedBy: { id: ADMIN.user.id } } });
  });

  const invalidRows: { name: string; body: unknown }[] = [
    { name: "custom missing a conflicting field", body: { strategy: "custom", data: {} } },
    {
      name: "custom naming a field that is not conflicting",
      body: { strategy: "custom", data: { "data.latrines": 9, "data.functionalBoreholes": 1 } },
    },
    { name: "custom with an invalid value (negative)", body: { strategy: "custom", data: { "data.latrines": -1 } } },
    { name: "custom with an invalid value (wrong type)", body: { strategy: "custom", data: { "data.latrines": "many" } } },
    { name: "custom without data", body: { strategy: "custom" } },
    { name: "an unknown strategy", body: { strategy: "coinflip" } },
    { name: "no strategy", body: {} },
    { name: "expectedVersion not a version", body: { strategy: "server", expectedVersion: 0 } },
    { name: "a path that is not a field path", body: { strategy: "custom", data: { "data.latrines.x": 9 } } },
  ];
  for (const row of invalidRows) {
    it(`400 VALIDATION_FAILED: ${row.name}; the conflict stays PENDING`, async () => {
      const { a, id } = await makeConflict();
      const res = await resolve(C.token, id, row.body);
      expectError(res, 400, "VALIDATION_FAILED");
      expect((await prisma().conflict.findUniqueOrThrow({ where: { id } })).status).toBe("PENDING");
      expect((await dbAssessment(a.id)).version).toBe(2);
    });
  }

  it("400 for malformed JSON", async () => {
    const { id } = await makeConflict();
    const res = await call(resolveRoute, {
      path: `/api/conflicts/${id}/resolve`,
      token: C.token,
      params: { id },
      method: "POST",
      rawBody: "{",
      headers: { "content-type": "application/json" },
    });
    expectError(res, 400, "VALIDATION_FAILED");
  });

  it("409 CONFLICT_ALREADY_RESOLVED on a second resolution, and for a policy decision", async () => {
    const { a, id } = await makeConflict();
    expect((await resolve(C.token, id, { strategy: "client" })).status).toBe(200);
    const second = await resolve(C.token, id, { strategy: "server" });
    expectError(second, 409, "CONFLICT_ALREADY_RESOLVED");
    expect((await dbAssessment(a.id)).version).toBe(3);

    const b = await seedAssessment(A1.token, E.id);
    await pushOne(A1.token, mut.update("assessment", b.offlineId, 1, { data: { latrines: 1 } }));
    const auto = await pushOne(A1.token, mut.update("assessment", b.offlineId, 1, { data: { latrines: 2 } }));
    expectError(await resolve(C.token, auto.conflictId, { strategy: "server" }), 409, "CONFLICT_ALREADY_RESOLVED");
  });

  it("409 STALE_RESOLUTION when the record moved on since the coordinator looked", async () => {
    const { a, id } = await makeConflict();
    await pushOne(A1.token, mut.update("assessment", a.offlineId, 2, { data: { notes: "moved on" } }));
    const res = await resolve(C.token, id, { strategy: "client", expectedVersion: 2 });
    expectError(res, 409, "STALE_RESOLUTION");
    expect((await prisma().conflict.findUniqueOrThrow({ where: { id } })).status).toBe("PENDING");
    // With the current version it goes through, keeping the later change.
    const ok = await resolve(C.token, id, { strategy: "client", expectedVersion: 3 });
    expect(ok.status).toBe(200);
    expect(ok.body.record).toMatchObject({
      version: 4,
      data: { waterSource: "BOREHOLE", latrines: 7, functionalBoreholes: 3, notes: "moved on" },
    });
  });

  it("404 NOT_FOUND for an unknown conflict, 400 for a non-uuid id", async () => {
    expectError(await resolve(C.token, randomUUID(), { strategy: "server" }), 404, "NOT_FOUND");
    expectError(await resolve(C.token, "not-a-uuid", { strategy: "server" }), 400, "VALIDATION_FAILED");
  });

  it("a DELETION conflict: client restores the record with the edit; server keeps it deleted", async () => {
    const rows: { strategy: string; deleted: boolean; version: number }[] = [
      { strategy: "client", deleted: false, version: 3 },
      { strategy: "server", deleted: true, version: 2 },
    ];
    for (const row of rows) {
      const a = await seedAssessment(A1.token, E.id);
      await pushOne(A1.token, mut.remove("assessment", a.offlineId, 1));
      const c = await pushOne(A2.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 4 } }));
      expect(c).toMatchObject({ status: "conflict", kind: "DELETION" });
      const detail = await conflictDetail(C.token, c.conflictId);
      expect(detail.body).toMatchObject({ kind: "DELETION", baseVersion: 1, serverVersion: 2, server: { deletedAt: expect.any(String) } });
      const res = await resolve(C.token, c.conflictId, { strategy: row.strategy });
      expect(res.status).toBe(200);
      const stored = await dbAssessment(a.id);
      expect({ strategy: row.strategy, deleted: stored.deletedAt !== null, version: stored.version }).toEqual({
        strategy: row.strategy,
        deleted: row.deleted,
        version: row.version,
      });
      if (!row.deleted) expect(stored.data).toEqual({ waterSource: "BOREHOLE", latrines: 4 });
    }
  });

  it("a stale delete (DELETION with no patch): client deletes, server keeps the record", async () => {
    for (const [strategy, deleted] of [
      ["client", true],
      ["server", false],
    ] as const) {
      const a = await seedAssessment(A1.token, E.id);
      await pushOne(A1.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 5 } }));
      const c = await pushOne(A2.token, mut.remove("assessment", a.offlineId, 1));
      expect(c).toMatchObject({ status: "conflict", kind: "DELETION", conflictingFields: ["data.latrines"] });
      expect((await resolve(C.token, c.conflictId, { strategy })).status).toBe(200);
      expect({ strategy, deleted: (await dbAssessment(a.id)).deletedAt !== null }).toEqual({ strategy, deleted });
    }
  });

  // Regression (was a bug, fixed): conflicts.ts resolveConflict, branch `conflict.kind === "DELETION" && !conflict.patch` (a
  // stale delete): only strategy "client" does anything; "custom" validates the coordinator's values
  // (all conflicting fields must be given) and then silently discards them, answering 200 with the
  // record unchanged and resolution.resultVersion null. Per §5 custom is "as merge, and data gives a
  // value for every conflicting field": the record (kept, as with merge) should get those values in a
  // new version. Fix: in that branch, write `outcome.paths` for "custom" (and "merge") as the UPDATE
  // branch does.
  it("a stale delete resolved with custom values writes those values", async () => {
    const a = await seedAssessment(A1.token, E.id);
    await pushOne(A1.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 5 } }));
    const c = await pushOne(A2.token, mut.remove("assessment", a.offlineId, 1));
    const res = await resolve(C.token, c.conflictId, { strategy: "custom", data: { "data.latrines": 9 } });
    expect(res.status).toBe(200);
    expect(res.body.record).toMatchObject({ version: 3, data: { waterSource: "BOREHOLE", latrines: 9 }, deletedAt: null });
  });

  it("a response conflict resolves with the response form", async () => {
    const a = await seedAssessment(A1.token, E.id);
    const resp = await seedResponse(R1.token, { assessmentOfflineId: a.offlineId, entityId: E.id });
    await pushOne(R1.token, mut.update("response", resp.offlineId, 1, { data: { beneficiaries: 20 } }));
    const c = await pushOne(R2.token, mut.update("response", resp.offlineId, 1, { data: { beneficiaries: 30 } }));
    expect(c.status).toBe("conflict");
    expectError(await resolve(C.token, c.conflictId, { strategy: "custom", data: { "data.beneficiaries": -5 } }), 400, "VALIDATION_FAILED");
    const res = await resolve(C.token, c.conflictId, { strategy: "custom", data: { "data.beneficiaries": 25 } });
    expect(res.status).toBe(200);
    expect(res.body.record).toMatchObject({ id: resp.id, version: 3, data: { beneficiaries: 25 } });
  });
});

describe("conflict API roles", () => {
  it.each([
    ["ASSESSOR", () => A1],
    ["RESPONDER", () => R1],
  ])("403 FORBIDDEN for %s on list, detail and resolve; the conflict is untouched", async (_role, who) => {
    const { id } = await makeConflict();
    const u = who();
    expectError(await listConflicts(u.token), 403, "FORBIDDEN");
    expectError(await conflictDetail(u.token, id), 403, "FORBIDDEN");
    expectError(await resolve(u.token, id, { strategy: "client" }), 403, "FORBIDDEN");
    expect((await prisma().conflict.findUniqueOrThrow({ where: { id } })).status).toBe("PENDING");
  });

  it("401 without a token", async () => {
    const { id } = await makeConflict();
    expectError(await call(conflictsRoute, { path: "/api/conflicts" }), 401, "UNAUTHENTICATED");
    expectError(await call(conflictDetailRoute, { path: `/api/conflicts/${id}`, params: { id } }), 401, "UNAUTHENTICATED");
    expectError(
      await call(resolveRoute, { path: `/api/conflicts/${id}/resolve`, params: { id }, body: { strategy: "server" } }),
      401,
      "UNAUTHENTICATED",
    );
  });
});

// ---- verification ------------------------------------------------------------------------------

describe("POST /api/assessments/:id/verify and /api/responses/:id/verify", () => {
  const verify = (type: "assessment" | "response", token: string | undefined, id: string, body: unknown) =>
    call(type === "assessment" ? verifyAssessmentRoute : verifyResponseRoute, {
      path: `/api/${type}s/${id}/verify`,
      token,
      params: { id },
      body,
    });

  async function submittedAssessment() {
    return seedAssessment(A1.token, E.id, { status: "SUBMITTED", data: FULL_WASH });
  }
  async function deliveredResponse() {
    const a = await seedAssessment(A1.token, E.id);
    return seedResponse(R1.token, { assessmentOfflineId: a.offlineId, entityId: E.id }, { status: "DELIVERED", data: FULL_RESPONSE });
  }

  /** The version of the assessment or response with this id (null: none, or not a uuid). */
  async function versionAnywhere(id: string): Promise<number | null> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return null;
    const a = await prisma().assessment.findUnique({ where: { id } });
    const r = a ? null : await prisma().response.findUnique({ where: { id } });
    return a?.version ?? r?.version ?? null;
  }

  const okRows: { name: string; type: "assessment" | "response"; who: () => Signed; decision: "VERIFIED" | "REJECTED"; note?: string }[] = [
    {
      name: "coordinator verifies an assessment with a note",
      type: "assessment",
      who: () => C,
      decision: "VERIFIED",
      note: "Checked by phone",
    },
    { name: "coordinator rejects an assessment", type: "assessment", who: () => C, decision: "REJECTED", note: "Counts implausible" },
    { name: "admin verifies an assessment without a note", type: "assessment", who: () => ADMIN, decision: "VERIFIED" },
    { name: "coordinator verifies a response", type: "response", who: () => C, decision: "VERIFIED" },
    { name: "coordinator rejects a response", type: "response", who: () => C, decision: "REJECTED", note: "No waybill" },
  ];
  for (const row of okRows) {
    it(`200: ${row.name} → a new version that the author pulls`, async () => {
      const rec = row.type === "assessment" ? await submittedAssessment() : await deliveredResponse();
      const author = row.type === "assessment" ? A1 : R1;
      const before = await pullAll(author.token);
      const res = await verify(row.type, row.who().token, rec.id, { decision: row.decision, ...(row.note ? { note: row.note } : {}) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(verifyResponseSchema.safeParse(res.body).success).toBe(true);
      expect(res.body.record).toMatchObject({
        id: rec.id,
        version: 2,
        verificationStatus: row.decision,
        verifiedById: row.who().user.id,
        verifiedAt: expect.any(String),
        verificationNote: row.note ?? null,
        data: rec.record.data,
      });
      expect((await versionsOf(rec.id)).map((v) => v.version)).toEqual([1, 2]);
      const after = await pullAll(author.token, { cursor: before.cursor });
      expect(after.changes).toEqual([
        expect.objectContaining({
          type: row.type,
          id: rec.id,
          version: 2,
          record: expect.objectContaining({ verificationStatus: row.decision }),
        }),
      ]);
    });
  }

  it("the same decision again writes no version; a different note or decision does", async () => {
    const a = await submittedAssessment();
    const first = await verify("assessment", C.token, a.id, { decision: "VERIFIED", note: "ok" });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => verify("assessment", ADMIN.token, a.id, { decision: "VERIFIED", note: "ok" })),
    );
    for (const res of results) {
      expect(res.status).toBe(200);
      expect(res.body.record).toMatchObject({
        version: 2,
        verifiedById: C.user.id,
        verifiedAt: (first.body.record as { verifiedAt?: string } | undefined)?.verifiedAt,
      });
    }
    expect((await versionsOf(a.id)).map((v) => v.version)).toEqual([1, 2]);
    expect((await verify("assessment", C.token, a.id, { decision: "VERIFIED", note: "ok, phoned" })).body.record).toMatchObject({
      version: 3,
    });
    expect((await verify("assessment", C.token, a.id, { decision: "REJECTED", note: "ok, phoned" })).body.record).toMatchObject({
      version: 4,
    });
  });

  it("an edit after verification asks for verification again", async () => {
    const a = await submittedAssessment();
    await verify("assessment", C.token, a.id, { decision: "VERIFIED" });
    const r = await pushOne(A1.token, mut.update("assessment", a.offlineId, 2, { data: { latrines: 11 } }));
    expect(r).toMatchObject({
      status: "applied",
      version: 3,
      record: { verificationStatus: "PENDING", verifiedById: null, verificationNote: null },
    });
  });

  const errorRows: {
    name: string;
    type: "assessment" | "response";
    who: () => Signed | undefined;
    target: () => Promise<string>;
    body?: unknown;
    status: number;
    code: string;
  }[] = [
    {
      name: "assessor",
      type: "assessment",
      who: () => A1,
      target: async () => (await submittedAssessment()).id,
      status: 403,
      code: "FORBIDDEN",
    },
    {
      name: "responder on a response",
      type: "response",
      who: () => R1,
      target: async () => (await deliveredResponse()).id,
      status: 403,
      code: "FORBIDDEN",
    },
    {
      name: "no token",
      type: "assessment",
      who: () => undefined,
      target: async () => (await submittedAssessment()).id,
      status: 401,
      code: "UNAUTHENTICATED",
    },
    {
      name: "a DRAFT assessment",
      type: "assessment",
      who: () => C,
      target: async () => (await seedAssessment(A1.token, E.id)).id,
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "a PLANNED response",
      type: "response",
      who: () => C,
      target: async () =>
        (await seedResponse(R1.token, { assessmentOfflineId: (await seedAssessment(A1.token, E.id)).offlineId, entityId: E.id })).id,
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "an unknown decision",
      type: "assessment",
      who: () => C,
      target: async () => (await submittedAssessment()).id,
      body: { decision: "MAYBE" },
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "a note over 2000 characters",
      type: "assessment",
      who: () => C,
      target: async () => (await submittedAssessment()).id,
      body: { decision: "VERIFIED", note: "n".repeat(2001) },
      status: 400,
      code: "VALIDATION_FAILED",
    },
    { name: "an unknown id", type: "assessment", who: () => C, target: async () => randomUUID(), status: 404, code: "NOT_FOUND" },
    {
      name: "a response id on the assessment route",
      type: "assessment",
      who: () => C,
      target: async () => (await deliveredResponse()).id,
      status: 404,
      code: "NOT_FOUND",
    },
    { name: "a non-uuid id", type: "response", who: () => C, target: async () => "7", status: 400, code: "VALIDATION_FAILED" },
    {
      name: "a deleted assessment",
      type: "assessment",
      who: () => C,
      target: async () => {
        const a = await submittedAssessment();
        await pushOne(A1.token, mut.remove("assessment", a.offlineId, 1));
        return a.id;
      },
      status: 404,
      code: "NOT_FOUND",
    },
  ];
  for (const row of errorRows) {
    it(`${row.status} ${row.code}: ${row.type} verify by/for ${row.name}`, async () => {
      const id = await row.target();
      const before = await versionAnywhere(id);
      const res = await verify(row.type, row.who()?.token, id, row.body ?? { decision: "VERIFIED" });
      expectError(res, row.status, row.code);
      // Refused: no new version of whatever record the id names.
      expect(await versionAnywhere(id)).toBe(before);
    });
  }
});

/** A response conflict on responseType: R1 moved it to NFI (v2), R2 from v1 to WASH_SUPPLIES. */
async function responseTypeConflict() {
  const a = await seedAssessment(A1.token, E.id);
  const r = await seedResponse(R1.token, { assessmentOfflineId: a.offlineId, entityId: E.id });
  expect((await pushOne(R1.token, mut.update("response", r.offlineId, 1, { responseType: "NFI" }))).status).toBe("applied");
  const c = await pushOne(R2.token, mut.update("response", r.offlineId, 1, { responseType: "WASH_SUPPLIES" }));
  expect(c.status).toBe("conflict");
  expect(c.conflictingFields).toEqual(["responseType"]);
  return { r, conflictId: c.conflictId as string };
}

describe("DELETION conflicts resolved after the record moved on", () => {
  // README Decisions: "A stale `delete` … is a `conflict` of kind DELETION … Resolution `client`
  // deletes". PROTOCOL §5 `client`: "every field in the client's patch takes the client's value" —
  // the client's side of a delete is "deleted". Resolving it must never bring the record back.
  it("a stale delete resolved `client` after someone else deleted the record leaves it deleted", async () => {
    const a = await seedAssessment(A1.token, E.id);
    expect((await pushOne(A1.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 4 } }))).status).toBe("applied");
    const stale = await pushOne(A2.token, mut.remove("assessment", a.offlineId, 1));
    expect(stale).toMatchObject({ status: "conflict", kind: "DELETION" });
    // A1 (who knows v2) deletes it too: an ordinary delete.
    expect((await pushOne(A1.token, mut.remove("assessment", a.offlineId, 2))).status).toBe("applied");

    const res = await resolve(C.token, stale.conflictId, { strategy: "client" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const row = await prisma().assessment.findUniqueOrThrow({ where: { id: a.id } });
    expect(row.deletedAt).not.toBeNull();
    const pulled = (await pullAll(A1.token)).changes.find((ch: Loose) => ch.id === a.id);
    expect(pulled?.op).toBe("delete");
  });
});

describe("UPDATE conflicts whose record was deleted before the resolution", () => {
  // PROTOCOL §5 `client`: "every field in the client's patch takes the client's value" and "A
  // resolution that changes the record writes a new version (which clients pull)". Written into a
  // record that stays deleted, nobody would ever see them: the record is restored with them.
  it("resolving `client` after the record was deleted does not silently bury the client's values", async () => {
    const a = await seedAssessment(A1.token, E.id);
    expect((await pushOne(A1.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 5 } }))).status).toBe("applied");
    const c = await pushOne(A2.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 7 } }));
    expect(c.status).toBe("conflict");
    expect((await pushOne(A1.token, mut.remove("assessment", a.offlineId, 2))).status).toBe("applied");

    // The coordinator kept the client's edit: the record comes back with it, as a new version.
    const res = await resolve(C.token, c.conflictId, { strategy: "client" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const row = await prisma().assessment.findUniqueOrThrow({ where: { id: a.id } });
    expect({ deleted: row.deletedAt !== null, latrines: (row.data as Loose).latrines, version: row.version }).toEqual({
      deleted: false,
      latrines: 7,
      version: 4,
    });
  });
});

describe("custom values are validated", () => {
  // PROTOCOL §5 `custom`: "`data` gives a value for every conflicting field … validated by the
  // type's form"; §3: "a 5xx never carries …" — an invalid value is the caller's error: 400.
  it("an unknown or null responseType in a custom resolution is 400 VALIDATION_FAILED, not a 500", async () => {
    for (const value of ["BOGUS", null]) {
      const { conflictId } = await responseTypeConflict();
      const res = await resolve(C.token, conflictId, { strategy: "custom", data: { responseType: value } });
      expect({ value, status: res.status, code: res.body?.error?.code }).toEqual({ value, status: 400, code: "VALIDATION_FAILED" });
      expect((await prisma().conflict.findUniqueOrThrow({ where: { id: conflictId } })).status).toBe("PENDING");
    }
  });
});
