import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as assignmentsRoute } from "@/app/api/admin/assignments/route";
import { PATCH as patchEntityRoute } from "@/app/api/admin/entities/[id]/route";
import { PATCH as patchUserRoute } from "@/app/api/admin/users/[id]/route";
import { GET as usersRoute } from "@/app/api/admin/users/route";
import { POST as verifyAssessmentRoute } from "@/app/api/assessments/[id]/verify/route";
import { GET as meRoute } from "@/app/api/auth/me/route";
import { GET as activityRoute } from "@/app/api/dashboard/activity/route";
import { GET as countsRoute } from "@/app/api/dashboard/counts/route";
import { GET as devicesRoute } from "@/app/api/sync/devices/route";
import { GET as rejectionsRoute } from "@/app/api/sync/rejections/route";
import { GET as verificationRoute } from "@/app/api/verification/route";
import { planConflictResolution } from "@/lib/domain";
import {
  activityResponseSchema,
  type ConflictDetail,
  dashboardCountsSchema,
  devicesResponseSchema,
  rejectionListResponseSchema,
  verificationListResponseSchema,
} from "@/lib/protocol";
import { call } from "../../fixtures/api";
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
  pushOne,
  quickUser,
  resolve,
  type Signed,
  seedAssessment,
  seedResponse,
} from "../../fixtures/sync";
import { useTestDb } from "../../fixtures/test-db";

// The coordinator dashboard's server side (README "Dashboard"): queue filters, resolutions that
// equal their preview, verification semantics, the verification queue, sync health and admin edits.

const db = useTestDb();
const prisma = () => db.current.prisma;

let C: Signed;
let ADMIN: Signed;
let A1: Signed;
let A2: Signed;
let R1: Signed;
let R2: Signed;
let E: { id: string };
let F: { id: string };

beforeAll(async () => {
  const p = prisma();
  [C, ADMIN, A1, A2, R1, R2] = await Promise.all([
    quickUser(p, "COORDINATOR", "Desk Coordinator"),
    quickUser(p, "ADMIN", "Desk Admin"),
    quickUser(p, "ASSESSOR", "Amina Assessor"),
    quickUser(p, "ASSESSOR", "Bello Assessor"),
    quickUser(p, "RESPONDER", "Chidi Responder"),
    quickUser(p, "RESPONDER", "Dayo Responder"),
  ]);
  E = await newEntity({ name: "Dashboard Camp" });
  F = await newEntity({ name: "Filter Village" });
  for (const u of [A1, A2, R1, R2]) await assign(u, E.id, F.id);
});

const get = (handler: Parameters<typeof call>[0], path: string, token = C.token) => call(handler, { path, token });

/** A1 sets latrines 5 (v2); A2 from v1 sends latrines 7 and boreholes 3 → PENDING conflict. */
async function washConflict(entityId = E.id, options: { assessmentType?: string; data?: Record<string, unknown> } = {}) {
  const a = await seedAssessment(A1.token, entityId, { assessmentType: options.assessmentType, data: options.data });
  const first = options.assessmentType === "HEALTH" ? { choleraCases: 5 } : { latrines: 5 };
  const second = options.assessmentType === "HEALTH" ? { choleraCases: 7 } : { latrines: 7, functionalBoreholes: 3 };
  await pushOne(A1.token, mut.update("assessment", a.offlineId, 1, { data: first }));
  const r = await pushOne(A2.token, mut.update("assessment", a.offlineId, 1, { data: second }));
  expect(r.status).toBe("conflict");
  return { a, id: r.conflictId as string };
}

async function detail(id: string): Promise<ConflictDetail> {
  const res = await conflictDetail(C.token, id);
  expect(res.status).toBe(200);
  return res.body as unknown as ConflictDetail;
}

/** What the resolver previews for a request, computed with the shared code from the API's detail. */
function preview(d: ConflictDetail, body: { strategy: "server" | "client" | "merge" | "custom"; data?: Record<string, unknown> }) {
  return planConflictResolution(d, { strategy: body.strategy, custom: body.data });
}

/** Resolves through the API and checks the stored record against the preview. */
async function resolveAndCompare(id: string, body: { strategy: "server" | "client" | "merge" | "custom"; data?: Record<string, unknown> }) {
  const d = await detail(id);
  const plan = preview(d, body);
  if (!plan.ok) throw new Error(`preview failed: ${plan.message}`);
  const res = await resolve(C.token, id, { ...body, expectedVersion: d.current?.version });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const table = d.type === "assessment" ? prisma().assessment : prisma().response;
  const stored = (await (table as typeof prisma.prototype).findUniqueOrThrow({ where: { id: d.recordId } })) as Loose;
  expect(stored.data).toEqual((plan.record as Loose).data);
  expect(stored.status).toBe((plan.record as Loose).status);
  expect(stored.deletedAt !== null).toBe(plan.deleted);
  expect(stored.version).toBe(plan.action === "none" ? d.current?.version : (d.current?.version ?? 0) + 1);
  return { plan, stored, res };
}

describe("GET /api/conflicts filters", () => {
  it("filters by record type, form, entity, submitter, kind and several statuses, and pages", async () => {
    const wash = await washConflict(E.id);
    const health = await washConflict(F.id, {
      assessmentType: "HEALTH",
      data: { functionalFacilities: 1, staffOnDuty: 2, choleraCases: 0, malariaCases: 0 },
    });
    // A deletion conflict: A2 edits an assessment A1 deleted.
    const gone = await seedAssessment(A1.token, F.id);
    await pushOne(A1.token, mut.remove("assessment", gone.offlineId, 1));
    const del = await pushOne(A2.token, mut.update("assessment", gone.offlineId, 1, { data: { latrines: 1 } }));
    expect(del.status).toBe("conflict");

    const ids = async (q: string) => ((await listConflicts(C.token, q)).body.conflicts as Loose[]).map((c) => c.id);
    expect(await ids(`?status=PENDING&entityId=${E.id}&limit=200`)).toContain(wash.id);
    expect(await ids(`?status=PENDING&entityId=${E.id}&limit=200`)).not.toContain(health.id);
    expect(await ids("?form=HEALTH&limit=200")).toEqual(expect.arrayContaining([health.id]));
    expect(await ids("?form=HEALTH&limit=200")).not.toContain(wash.id);
    expect(await ids("?kind=DELETION&limit=200")).toContain(del.conflictId);
    expect(await ids("?kind=DELETION&limit=200")).not.toContain(wash.id);
    expect(await ids(`?submittedById=${A1.user.id}&limit=200`)).toEqual([]);
    expect(await ids(`?submittedById=${A2.user.id}&type=assessment&limit=200`)).toEqual(expect.arrayContaining([wash.id, health.id]));
    expect(await ids("?type=response&limit=200")).not.toContain(wash.id);

    await resolve(C.token, wash.id, { strategy: "server" });
    const audit = (await listConflicts(C.token, "?status=RESOLVED,AUTO_RESOLVED&limit=200")).body.conflicts as Loose[];
    const decided = audit.find((c) => c.id === wash.id);
    expect(decided).toMatchObject({ status: "RESOLVED", resolution: { strategy: "server", resolvedBy: { id: C.user.id } } });
    expect(audit.every((c) => c.status !== "PENDING")).toBe(true);

    // Paging with filters keeps the filter and never repeats.
    const first = await listConflicts(C.token, `?submittedById=${A2.user.id}&limit=1`);
    const second = await listConflicts(C.token, `?submittedById=${A2.user.id}&limit=1&cursor=${first.body.nextCursor}`);
    expect((second.body.conflicts as Loose[])[0].id).not.toBe((first.body.conflicts as Loose[])[0].id);
    expect((second.body.conflicts as Loose[])[0].submittedBy.id).toBe(A2.user.id);
  });

  it("refuses an unknown filter value with 400", async () => {
    expectError(await listConflicts(C.token, "?kind=SIDEWAYS"), 400, "VALIDATION_FAILED");
    expectError(await listConflicts(C.token, "?form=GARDEN"), 400, "VALIDATION_FAILED");
  });
});

describe("resolutions store exactly what the shared preview computes", () => {
  it("per-field custom values (one client value, one typed) on an assessment", async () => {
    const a = await seedAssessment(A1.token, E.id);
    await pushOne(A1.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 5, notes: "server" } }));
    const r = await pushOne(
      A2.token,
      mut.update("assessment", a.offlineId, 1, { data: { latrines: 7, notes: "client", functionalBoreholes: 2 } }),
    );
    expect(r.conflictingFields).toEqual(["data.latrines", "data.notes"]);
    const { stored } = await resolveAndCompare(r.conflictId, {
      strategy: "custom",
      data: { "data.latrines": 7, "data.notes": "typed by the coordinator" },
    });
    expect(stored.data).toMatchObject({ latrines: 7, notes: "typed by the coordinator", functionalBoreholes: 2 });
  });

  it("a custom value at a nested path (response items, an array of rows)", async () => {
    const a = await seedAssessment(A1.token, E.id);
    const resp = await seedResponse(R1.token, { assessmentOfflineId: a.offlineId, entityId: E.id }, { data: { ...FULL_RESPONSE } });
    await pushOne(R1.token, mut.update("response", resp.offlineId, 1, { data: { items: [{ name: "Rice", quantity: 60, unit: "kg" }] } }));
    const c = await pushOne(
      R2.token,
      mut.update("response", resp.offlineId, 1, { data: { items: [{ name: "Rice", quantity: 40, unit: "kg" }], beneficiaries: 99 } }),
    );
    expect(c.status).toBe("conflict");
    const items = [
      { name: "Rice", quantity: 45, unit: "kg" },
      { name: "Oil", quantity: 10, unit: "L" },
    ];
    const { stored } = await resolveAndCompare(c.conflictId, { strategy: "custom", data: { "data.items": items } });
    expect(stored.data).toEqual({ items, beneficiaries: 99 });

    // An invalid nested value is refused by the preview and the server alike.
    const again = await seedResponse(R1.token, { assessmentOfflineId: a.offlineId, entityId: E.id }, { data: { ...FULL_RESPONSE } });
    await pushOne(R1.token, mut.update("response", again.offlineId, 1, { data: { beneficiaries: 1 } }));
    const c2 = await pushOne(R2.token, mut.update("response", again.offlineId, 1, { data: { beneficiaries: 2 } }));
    const bad = { strategy: "custom" as const, data: { "data.beneficiaries": -4 } };
    const plan = preview(await detail(c2.conflictId), bad);
    expect(plan.ok).toBe(false);
    expectError(await resolve(C.token, c2.conflictId, bad), 400, "VALIDATION_FAILED");
  });

  it("take client after the record moved on applies the client's changes onto the current record", async () => {
    const a = await seedAssessment(A1.token, E.id, { data: { waterSource: "BOREHOLE", latrines: 1, functionalBoreholes: 1 } });
    await pushOne(A1.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 5 } }));
    // A2 sends its whole form: latrines changed, boreholes sent unchanged (1).
    const c = await pushOne(
      A2.token,
      mut.update("assessment", a.offlineId, 1, { data: { latrines: 7, functionalBoreholes: 1, waterSource: "BOREHOLE" } }),
    );
    expect(c.status).toBe("conflict");
    // The record moves on after detection: A1 changes boreholes to 4 (v3).
    const moved = await pushOne(A1.token, mut.update("assessment", a.offlineId, 2, { data: { functionalBoreholes: 4 } }));
    expect(moved.version).toBe(3);

    // The snapshot the coordinator would have seen first is stale: 409 with a clear message.
    const stale = await resolve(C.token, c.conflictId, { strategy: "client", expectedVersion: 2 });
    expectError(stale, 409, "STALE_RESOLUTION");
    expect(stale.body.error?.message).toMatch(/version 3/);

    const { stored } = await resolveAndCompare(c.conflictId, { strategy: "client" });
    // latrines from the client; boreholes keeps the newer 4 (not the client's stale 1).
    expect(stored.data).toMatchObject({ latrines: 7, functionalBoreholes: 4 });
  });

  it("deletion conflicts: restore with the edit (client), leave deleted (server), delete a stale delete (client)", async () => {
    const a = await seedAssessment(A1.token, E.id);
    await pushOne(A1.token, mut.remove("assessment", a.offlineId, 1));
    const c = await pushOne(A2.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 3 } }));
    const restored = await resolveAndCompare(c.conflictId, { strategy: "client" });
    expect(restored.plan).toMatchObject({ action: "restore", deleted: false });

    const b = await seedAssessment(A1.token, E.id);
    await pushOne(A1.token, mut.remove("assessment", b.offlineId, 1));
    const c2 = await pushOne(A2.token, mut.update("assessment", b.offlineId, 1, { data: { latrines: 3 } }));
    const kept = await resolveAndCompare(c2.conflictId, { strategy: "server" });
    expect(kept.plan).toMatchObject({ action: "none", deleted: true });

    const s = await seedAssessment(A1.token, E.id);
    await pushOne(A1.token, mut.update("assessment", s.offlineId, 1, { data: { latrines: 9 } }));
    const c3 = await pushOne(A2.token, mut.remove("assessment", s.offlineId, 1));
    expect(c3).toMatchObject({ status: "conflict", kind: "DELETION" });
    const deleted = await resolveAndCompare(c3.conflictId, { strategy: "client" });
    expect(deleted.plan).toMatchObject({ action: "delete", deleted: true });
  });

  it("resolving twice is refused with 409 CONFLICT_ALREADY_RESOLVED and a plain message", async () => {
    const { id } = await washConflict();
    expect((await resolve(C.token, id, { strategy: "merge" })).status).toBe(200);
    const again = await resolve(C.token, id, { strategy: "client" });
    expectError(again, 409, "CONFLICT_ALREADY_RESOLVED");
    expect(again.body.error?.message).toMatch(/already resolved/);
  });
});

describe("verification is not a data edit (same-user merge rule)", () => {
  it.each(["VERIFIED", "REJECTED"] as const)(
    "after %s, the assessor's edit from an older base still merges as the same user",
    async (decision) => {
      const a = await seedAssessment(A1.token, E.id, { status: "SUBMITTED", data: { ...FULL_WASH } });
      // The assessor edits twice from the same base (two queued edits, the second based on v1).
      await pushOne(A1.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 11 } }));
      const v = await call(verifyAssessmentRoute, {
        path: `/api/assessments/${a.id}/verify`,
        token: C.token,
        params: { id: a.id },
        body: { decision, note: "checked" },
      });
      expect(v.status).toBe(200);
      const row = await prisma().assessment.findUniqueOrThrow({ where: { id: a.id } });
      expect(row.lastModifiedById).toBe(A1.user.id);
      expect(row.verificationStatus).toBe(decision);
      const r = await pushOne(A1.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 12 } }));
      expect(r).toMatchObject({ status: "merged", method: "SAME_USER_LAST_WRITE" });
      expect(r.record.data.latrines).toBe(12);
    },
  );

  it("control: another user's edit from the old base still goes to a human", async () => {
    const a = await seedAssessment(A1.token, E.id, { status: "SUBMITTED", data: { ...FULL_WASH } });
    await pushOne(A1.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 11 } }));
    await call(verifyAssessmentRoute, {
      path: `/api/assessments/${a.id}/verify`,
      token: C.token,
      params: { id: a.id },
      body: { decision: "VERIFIED" },
    });
    expect((await pushOne(A2.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 12 } }))).status).toBe("conflict");
  });
});

describe("GET /api/verification", () => {
  it("lists PENDING records with photos received of expected, counts per entity, and what changed since a rejection", async () => {
    const entity = await newEntity({ name: "Queue Ward" });
    await assign(A1, entity.id);
    const m = { ...mut.createAssessment(entity.id, { status: "SUBMITTED", data: { ...FULL_WASH } }), mediaCount: 5 };
    const created = await pushOne(A1.token, m);
    for (let i = 0; i < 3; i++) {
      await prisma().media.create({
        data: {
          id: randomUUID(),
          offlineId: randomUUID(),
          parentType: "assessment",
          parentId: created.id,
          parentOfflineId: m.offlineId,
          entityId: entity.id,
          filename: `photo-${i}.jpg`,
          mimeType: "image/jpeg",
          size: BigInt(100),
          sha256: "a".repeat(64),
          storageKey: `k-${randomUUID()}`,
          uploadedById: A1.user.id,
        },
      });
    }
    const q = await get(verificationRoute, `/api/verification?entityId=${entity.id}`);
    expect(q.status).toBe(200);
    expect(verificationListResponseSchema.safeParse(q.body).success).toBe(true);
    const [item] = q.body.items as Loose[];
    expect(item).toMatchObject({
      type: "assessment",
      form: "WASH",
      entity: { name: "Queue Ward" },
      photos: { received: 3, expected: 5 },
      sinceRejection: null,
    });
    expect(item.submittedBy.name).toBe("Amina Assessor");
    expect((q.body.countsByEntity as Loose[]).find((c) => c.entity.id === entity.id)?.pending).toBe(1);

    // Rejected, corrected on the device, back in the queue with what changed.
    await call(verifyAssessmentRoute, {
      path: `/api/assessments/${created.id}/verify`,
      token: C.token,
      params: { id: created.id },
      body: { decision: "REJECTED", note: "Latrine count looks wrong" },
    });
    expect(((await get(verificationRoute, `/api/verification?entityId=${entity.id}`)).body.items as Loose[]).length).toBe(0);
    await pushOne(A1.token, mut.update("assessment", m.offlineId, 2, { data: { latrines: 4 } }));
    const back = ((await get(verificationRoute, `/api/verification?entityId=${entity.id}`)).body.items as Loose[])[0];
    expect(back.sinceRejection).toMatchObject({
      note: "Latrine count looks wrong",
      rejectedBy: { id: C.user.id },
      changes: [{ path: "data.latrines", before: FULL_WASH.latrines, after: 4 }],
    });
  });

  it("pages both record types in one order", async () => {
    const entity = await newEntity({ name: "Paging Ward" });
    await assign(A1, entity.id);
    await assign(R1, entity.id);
    const a = await seedAssessment(A1.token, entity.id, { status: "SUBMITTED", data: { ...FULL_WASH } });
    await seedResponse(
      R1.token,
      { assessmentOfflineId: a.offlineId, entityId: entity.id },
      { status: "DELIVERED", data: { ...FULL_RESPONSE } },
    );
    const p1 = await get(verificationRoute, `/api/verification?entityId=${entity.id}&limit=1`);
    const p2 = await get(verificationRoute, `/api/verification?entityId=${entity.id}&limit=1&cursor=${p1.body.nextCursor}`);
    expect([(p1.body.items as Loose[])[0].type, (p2.body.items as Loose[])[0].type]).toEqual(["assessment", "response"]);
    expect(p2.body.nextCursor).toBeNull();
  });
});

describe("sync health", () => {
  it("stores the clientState extensions and the clock skew; lists rejections; counts and activity", async () => {
    const deviceId = randomUUID();
    const sentAt = new Date(Date.now() + 120_000).toISOString();
    const a = mut.createAssessment(E.id);
    await pushOne(A1.token, a, {
      deviceId,
      clientState: {
        pendingCount: 4,
        appVersion: "1.2.3",
        storageUsedBytes: 1000,
        storageQuotaBytes: 5000,
        oldestUnsentAt: "2026-01-01T00:00:00.000Z",
        sentAt,
      } as never,
    });
    await pushOne(A1.token, mut.update("assessment", randomUUID(), 1, { data: { latrines: 1 } }), { deviceId });
    const devices = await get(devicesRoute, "/api/sync/devices");
    expect(devicesResponseSchema.safeParse(devices.body).success).toBe(true);
    const d = (devices.body.devices as Loose[]).find((x) => x.deviceId === deviceId);
    expect(d).toMatchObject({
      pendingCount: 4,
      appVersion: "1.2.3",
      storageUsedBytes: 1000,
      storageQuotaBytes: 5000,
      oldestUnsentAt: "2026-01-01T00:00:00.000Z",
      rejectedCount: 1,
    });
    expect(d?.clockSkewMs).toBeGreaterThan(100_000);
    expect(d?.clockSkewMs).toBeLessThan(130_000);

    const log = await get(rejectionsRoute, `/api/sync/rejections?deviceId=${deviceId}`);
    expect(rejectionListResponseSchema.safeParse(log.body).success).toBe(true);
    expect(log.body.rejections).toEqual([
      expect.objectContaining({ errorCode: "NOT_FOUND", user: { id: A1.user.id, name: "Amina Assessor" } }),
    ]);

    const counts = await get(countsRoute, "/api/dashboard/counts");
    expect(dashboardCountsSchema.parse(counts.body).pendingConflicts).toBe(await prisma().conflict.count({ where: { status: "PENDING" } }));

    const activity = await get(activityRoute, "/api/dashboard/activity?days=7");
    const days = activityResponseSchema.parse(activity.body).days;
    expect(days).toHaveLength(7);
    expect(days[6].date).toBe(new Date().toISOString().slice(0, 10));
    expect(days[6].submissions).toBeGreaterThan(0);
    expect(days[6].conflicts).toBeGreaterThan(0);
  });

  it("a mutation clientTime ahead of the server is a lower bound of the skew", async () => {
    const deviceId = randomUUID();
    await pushOne(A1.token, { ...mut.createAssessment(E.id), clientTime: new Date(Date.now() + 3_600_000).toISOString() }, { deviceId });
    const d = ((await get(devicesRoute, "/api/sync/devices")).body.devices as Loose[]).find((x) => x.deviceId === deviceId);
    expect(d?.clockSkewMs).toBeGreaterThan(3_500_000);
  });
});

describe("administration", () => {
  it("disables a user (their sessions end) and resets a password", async () => {
    const u = await quickUser(prisma(), "ASSESSOR", "To Disable");
    expect((await get(meRoute, "/api/auth/me", u.token)).status).toBe(200);
    const res = await call(patchUserRoute, {
      method: "PATCH",
      path: `/api/admin/users/${u.user.id}`,
      token: ADMIN.token,
      params: { id: u.user.id },
      body: { active: false },
    });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: u.user.id, active: false });
    expectError(await get(meRoute, "/api/auth/me", u.token), 401, "UNAUTHENTICATED");
    const listed = ((await get(usersRoute, "/api/admin/users", ADMIN.token)).body.users as Loose[]).find((x) => x.id === u.user.id);
    expect(listed?.active).toBe(false);

    const reset = await call(patchUserRoute, {
      method: "PATCH",
      path: `/api/admin/users/${u.user.id}`,
      token: ADMIN.token,
      params: { id: u.user.id },
      body: { password: "a new long password", active: true },
    });
    expect(reset.status).toBe(200);
    const row = await prisma().user.findUniqueOrThrow({ where: { id: u.user.id } });
    expect(row.passwordHash).toMatch(/^scrypt\$/);

    expectError(
      await call(patchUserRoute, {
        method: "PATCH",
        path: `/api/admin/users/${ADMIN.user.id}`,
        token: ADMIN.token,
        params: { id: ADMIN.user.id },
        body: { active: false },
      }),
      400,
      "VALIDATION_FAILED",
    );
  });

  it("edits an entity as a new version devices pull; lists assignments", async () => {
    const entity = await newEntity({ name: "Old Name" });
    const res = await call(patchEntityRoute, {
      method: "PATCH",
      path: `/api/admin/entities/${entity.id}`,
      token: ADMIN.token,
      params: { id: entity.id },
      body: { name: "New Name", autoApprove: true, expectedVersion: 1 },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.entity).toMatchObject({ name: "New Name", autoApprove: true, version: 2 });
    const stale = await call(patchEntityRoute, {
      method: "PATCH",
      path: `/api/admin/entities/${entity.id}`,
      token: ADMIN.token,
      params: { id: entity.id },
      body: { name: "Other", expectedVersion: 1 },
    });
    expect(stale.status).toBe(409);

    await assign(A2, entity.id);
    const list = await get(assignmentsRoute, `/api/admin/assignments?entityId=${entity.id}`, ADMIN.token);
    expect(list.body.assignments).toEqual([expect.objectContaining({ userId: A2.user.id, entityId: entity.id, active: true })]);
  });

  it("is ADMIN only; the dashboard APIs are COORDINATOR/ADMIN only", async () => {
    const id = A1.user.id;
    expectError(
      await call(patchUserRoute, { method: "PATCH", path: `/api/admin/users/${id}`, token: C.token, params: { id }, body: { name: "x" } }),
      403,
      "FORBIDDEN",
    );
    expectError(await get(assignmentsRoute, "/api/admin/assignments", C.token), 403, "FORBIDDEN");
    for (const u of [A1, R1]) {
      for (const [handler, path] of [
        [countsRoute, "/api/dashboard/counts"],
        [verificationRoute, "/api/verification"],
        [rejectionsRoute, "/api/sync/rejections"],
        [activityRoute, "/api/dashboard/activity"],
        [devicesRoute, "/api/sync/devices"],
      ] as const) {
        expectError(await get(handler, path, u.token), 403, "FORBIDDEN");
      }
    }
  });
});
