import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as resolveRoute } from "@/app/api/conflicts/[id]/resolve/route";
import { resolveConflictResponseSchema } from "@/lib/protocol";
import { call } from "../../fixtures/api";
import { conflictMakers, conflictWorld } from "../../fixtures/conflict-world";
import {
  conflictDetail,
  expectError,
  historyOf,
  type Loose,
  mut,
  pullAll,
  pushOne,
  resolve,
  type Signed,
  seedAssessment,
  seedResponse,
} from "../../fixtures/sync";
import { useTestDb } from "../../fixtures/test-db";

// PROTOCOL §5: resolving a conflict (server, client, custom; UPDATE and DELETION kinds), including
// after the record moved on or was deleted.

const db = useTestDb();
const prisma = () => db.current.prisma;
const { versionsOf } = historyOf(prisma);

let C: Signed;
let ADMIN: Signed;
let A1: Signed;
let A2: Signed;
let R1: Signed;
let R2: Signed;
let E: { id: string };

beforeAll(async () => {
  ({ C, ADMIN, A1, A2, R1, R2, E } = await conflictWorld(prisma()));
});

const { makeConflict, responseTypeConflict } = conflictMakers(() => ({ A1, A2, R1, R2, E }));

const dbAssessment = (id: string) => prisma().assessment.findUniqueOrThrow({ where: { id } });

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
