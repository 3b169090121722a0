import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as resolveRoute } from "@/app/api/conflicts/[id]/resolve/route";
import { GET as conflictDetailRoute } from "@/app/api/conflicts/[id]/route";
import { GET as conflictsRoute } from "@/app/api/conflicts/route";
import { call } from "../../fixtures/api";
import { conflictMakers, conflictWorld } from "../../fixtures/conflict-world";
import {
  conflictDetail,
  expectError,
  historyOf,
  type Loose,
  listConflicts,
  mut,
  pushOne,
  resolve,
  type Signed,
  seedAssessment,
} from "../../fixtures/sync";
import { useTestDb } from "../../fixtures/test-db";

// PROTOCOL §5: the conflict API — listing, detail and who may use it.

const db = useTestDb();
const prisma = () => db.current.prisma;
const { versionsOf } = historyOf(prisma);

let C: Signed;
let A1: Signed;
let A2: Signed;
let R1: Signed;
let R2: Signed;
let E: { id: string };

beforeAll(async () => {
  ({ C, A1, A2, R1, R2, E } = await conflictWorld(prisma()));
});

const { makeConflict } = conflictMakers(() => ({ A1, A2, R1, R2, E }));

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
