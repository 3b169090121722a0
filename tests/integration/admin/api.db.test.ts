import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as assignRoute, DELETE as unassignRoute } from "@/app/api/admin/assignments/route";
import { POST as createEntityRoute } from "@/app/api/admin/entities/route";
import { POST as createUserRoute, GET as listUsersRoute } from "@/app/api/admin/users/route";
import { POST as loginRoute } from "@/app/api/auth/login/route";
import { GET as listEntitiesRoute } from "@/app/api/entities/route";
import { POST as push } from "@/app/api/sync/push/route";
import type { Role } from "@/lib/protocol";
import { assignUser, createEntity } from "@/lib/server/admin";
import { call, makeUser } from "@/tests/fixtures/api";
import { useTestDb } from "@/tests/fixtures/test-db";

// PROTOCOL.md §2: the admin API (ADMIN only) and the scoped entity list; ending an assignment to a deleted entity.

const db = useTestDb();

type Result = Awaited<ReturnType<typeof call>>;
type Handler = Parameters<typeof call>[0];
type Signed = Awaited<ReturnType<typeof makeUser>>;

function expectError(res: Result, status: number, code: string, options: { issues?: boolean } = {}) {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(Object.keys(res.body ?? {})).toEqual(["error"]);
  const error = res.body.error as { code: string; message: string; issues?: unknown };
  expect(typeof error.message).toBe("string");
  expect(error.message.length).toBeGreaterThan(0);
  expect(Object.keys(error).sort()).toEqual(options.issues ? ["code", "issues", "message"] : ["code", "message"]);
  if (options.issues) expect((error.issues as unknown[]).length).toBeGreaterThan(0);
}

let seq = 0;
const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${++seq}@test.fieldsync.org`;

const entityBody = (name = `Site ${++seq}`) => ({
  name,
  type: "CAMP",
  lga: "Maiduguri",
  ward: "Bolori I",
  latitude: 11.83,
  longitude: 13.15,
  autoApprove: false,
});

const users: Partial<Record<Role, Signed>> = {};
const ROLES: Role[] = ["ASSESSOR", "RESPONDER", "COORDINATOR", "ADMIN"];
const as = (role: Role) => users[role] as Signed;

async function createEntityAsAdmin(name?: string): Promise<{ id: string; name: string }> {
  const res = await call(createEntityRoute, { method: "POST", token: as("ADMIN").token, body: entityBody(name) });
  expect(res.status).toBe(201);
  return res.body.entity as { id: string; name: string };
}

async function assign(userId: string, entityId: string) {
  const res = await call(assignRoute, { method: "POST", token: as("ADMIN").token, body: { userId, entityId } });
  expect(res.status).toBe(201);
  return res;
}

async function entityIdsSeenBy(token: string): Promise<string[]> {
  const res = await call(listEntitiesRoute, { token });
  expect(res.status).toBe(200);
  return (res.body.entities as { id: string }[]).map((e) => e.id).sort();
}

beforeAll(async () => {
  for (const role of ROLES) users[role] = await makeUser(db.current.prisma, role);
});

describe("role rules: only ADMIN may use the admin API", () => {
  // Each endpoint gets a valid body, so a 403 can only come from the role check.
  const endpoints: { name: string; handler: Handler; method: string; body: () => Promise<unknown> | unknown; ok: number }[] = [
    {
      name: "POST /api/admin/users",
      handler: createUserRoute,
      method: "POST",
      body: () => ({ email: uniqueEmail("matrix"), name: "Matrix User", role: "ASSESSOR", password: "long enough pw" }),
      ok: 201,
    },
    { name: "GET /api/admin/users", handler: listUsersRoute, method: "GET", body: () => undefined, ok: 200 },
    { name: "POST /api/admin/entities", handler: createEntityRoute, method: "POST", body: () => entityBody(), ok: 201 },
    {
      name: "POST /api/admin/assignments",
      handler: assignRoute,
      method: "POST",
      body: async () => ({ userId: as("ASSESSOR").user.id, entityId: (await createEntityAsAdmin()).id }),
      ok: 201,
    },
    {
      name: "DELETE /api/admin/assignments",
      handler: unassignRoute,
      method: "DELETE",
      body: async () => {
        const entity = await createEntityAsAdmin();
        await assign(as("RESPONDER").user.id, entity.id);
        return { userId: as("RESPONDER").user.id, entityId: entity.id };
      },
      ok: 204,
    },
  ];
  const expected: Record<Role, "ok" | 403> = { ASSESSOR: 403, RESPONDER: 403, COORDINATOR: 403, ADMIN: "ok" };
  const table = ROLES.flatMap((role) => endpoints.map((e) => ({ ...e, role, expect: expected[role] === "ok" ? e.ok : 403 })));

  it.each(table)("$role × $name → $expect", async ({ role, handler, method, body, expect: status }) => {
    const payload = await body();
    const usersBefore = await db.current.prisma.user.count();
    const entitiesBefore = await db.current.prisma.entity.count();
    const activeBefore = await db.current.prisma.assignment.count({ where: { active: true } });
    const res = await call(handler, { method, token: as(role).token, body: payload });
    if (status === 403) {
      expectError(res, 403, "FORBIDDEN");
      // Nothing was written by a refused call.
      expect(await db.current.prisma.user.count()).toBe(usersBefore);
      expect(await db.current.prisma.entity.count()).toBe(entitiesBefore);
      expect(await db.current.prisma.assignment.count({ where: { active: true } })).toBe(activeBefore);
    } else {
      expect(res.status).toBe(status);
    }
  });

  it.each(endpoints)("anonymous × $name → 401 UNAUTHENTICATED", async ({ handler, method, body }) => {
    expectError(await call(handler, { method, body: await body() }), 401, "UNAUTHENTICATED");
  });

  it.each(ROLES)("%s × GET /api/entities → 200", async (role) => {
    expect((await call(listEntitiesRoute, { token: as(role).token })).status).toBe(200);
  });
});

describe("POST /api/admin/users", () => {
  it("creates a user (201, no password hash in the answer) who can then sign in", async () => {
    const email = uniqueEmail("new");
    const res = await call(createUserRoute, {
      method: "POST",
      token: as("ADMIN").token,
      body: { email, name: "  Nkechi New ", role: "RESPONDER", password: "a long password" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ user: { id: expect.any(String), email, name: "Nkechi New", role: "RESPONDER" } });

    const listed = await call(listUsersRoute, { token: as("ADMIN").token });
    expect(listed.status).toBe(200);
    const list = listed.body.users as Record<string, unknown>[];
    expect(list).toContainEqual({ id: (res.body.user as { id: string }).id, email, name: "Nkechi New", role: "RESPONDER", active: true });
    for (const u of list) expect(Object.keys(u).sort()).toEqual(["active", "email", "id", "name", "role"]);

    const login = await call(loginRoute, {
      method: "POST",
      body: { email, password: "a long password" },
      headers: { "x-forwarded-for": "203.0.113.7" },
    });
    expect(login.status).toBe(200);
    expect((login.body.user as { role: string }).role).toBe("RESPONDER");
  });

  it("stores the email lower-cased", async () => {
    const email = uniqueEmail("MiXeD");
    const res = await call(createUserRoute, {
      method: "POST",
      token: as("ADMIN").token,
      body: { email, name: "Mixed", role: "ASSESSOR", password: "a long password" },
    });
    expect(res.status).toBe(201);
    expect((res.body.user as { email: string }).email).toBe(email.toLowerCase());
  });

  it("refuses an email already taken with 409 ALREADY_EXISTS, in any letter case", async () => {
    const email = uniqueEmail("dup");
    const body = { email, name: "First", role: "ASSESSOR", password: "a long password" };
    expect((await call(createUserRoute, { method: "POST", token: as("ADMIN").token, body })).status).toBe(201);
    expectError(
      await call(createUserRoute, { method: "POST", token: as("ADMIN").token, body: { ...body, name: "Second" } }),
      409,
      "ALREADY_EXISTS",
    );
    expectError(
      await call(createUserRoute, { method: "POST", token: as("ADMIN").token, body: { ...body, email: email.toUpperCase() } }),
      409,
      "ALREADY_EXISTS",
    );
    expect(await db.current.prisma.user.count({ where: { email } })).toBe(1);
  });

  const valid = { email: "valid@test.fieldsync.org", name: "Valid", role: "ASSESSOR", password: "a long password" };
  const invalid: { name: string; body: unknown; field: string }[] = [
    { name: "email not an email", body: { ...valid, email: "not-an-email" }, field: "email" },
    { name: "email missing", body: { ...valid, email: undefined }, field: "email" },
    { name: "password shorter than 8", body: { ...valid, password: "short" }, field: "password" },
    { name: "unknown role", body: { ...valid, role: "SUPERUSER" }, field: "role" },
    { name: "lower-case role", body: { ...valid, role: "admin" }, field: "role" },
    { name: "blank name", body: { ...valid, name: "   " }, field: "name" },
  ];
  it.each(invalid)("$name → 400 VALIDATION_FAILED naming $field", async ({ body, field }) => {
    const res = await call(createUserRoute, { method: "POST", token: as("ADMIN").token, body });
    expectError(res, 400, "VALIDATION_FAILED", { issues: true });
    expect(((res.body.error?.issues ?? []) as { path: string[] }[]).map((i) => i.path.join("."))).toContain(field);
  });

  it("malformed JSON → 400 VALIDATION_FAILED", async () => {
    const res = await call(createUserRoute, {
      method: "POST",
      token: as("ADMIN").token,
      rawBody: "{email:",
      headers: { "content-type": "application/json" },
    });
    expectError(res, 400, "VALIDATION_FAILED");
  });
});

describe("POST /api/admin/entities", () => {
  it("creates an entity at version 1 with its first snapshot (201)", async () => {
    const res = await call(createEntityRoute, {
      method: "POST",
      token: as("ADMIN").token,
      body: { ...entityBody("Gwange Clinic"), type: "FACILITY", autoApprove: true },
    });
    expect(res.status).toBe(201);
    const entity = res.body.entity as Record<string, unknown>;
    expect(entity).toMatchObject({
      name: "Gwange Clinic",
      type: "FACILITY",
      lga: "Maiduguri",
      ward: "Bolori I",
      autoApprove: true,
      version: 1,
      deletedAt: null,
    });
    expect(entity.offlineId).toBe(entity.id);
    const snapshots = await db.current.prisma.recordVersion.findMany({ where: { recordType: "entity", recordId: entity.id as string } });
    expect(snapshots.map((s) => s.version)).toEqual([1]);
  });

  it("defaults autoApprove to false", async () => {
    const { autoApprove: _, ...body } = entityBody();
    const res = await call(createEntityRoute, { method: "POST", token: as("ADMIN").token, body });
    expect(res.status).toBe(201);
    expect((res.body.entity as { autoApprove: boolean }).autoApprove).toBe(false);
  });

  const invalid: { name: string; patch: Record<string, unknown>; field: string }[] = [
    { name: "unknown type", patch: { type: "VILLAGE" }, field: "type" },
    { name: "latitude above 90", patch: { latitude: 91 }, field: "latitude" },
    { name: "longitude below -180", patch: { longitude: -181 }, field: "longitude" },
    { name: "latitude as a string", patch: { latitude: "11.8" }, field: "latitude" },
    { name: "name missing", patch: { name: undefined }, field: "name" },
    { name: "blank lga", patch: { lga: " " }, field: "lga" },
  ];
  it.each(invalid)("$name → 400 VALIDATION_FAILED naming $field", async ({ patch, field }) => {
    const before = await db.current.prisma.entity.count();
    const res = await call(createEntityRoute, { method: "POST", token: as("ADMIN").token, body: { ...entityBody(), ...patch } });
    expectError(res, 400, "VALIDATION_FAILED", { issues: true });
    expect(((res.body.error?.issues ?? []) as { path: string[] }[]).map((i) => i.path.join("."))).toContain(field);
    expect(await db.current.prisma.entity.count()).toBe(before);
  });
});

describe("assignments", () => {
  const routes = [
    { name: "POST", handler: assignRoute, method: "POST" },
    { name: "DELETE", handler: unassignRoute, method: "DELETE" },
  ];

  const notFound = routes.flatMap((r) => [
    { ...r, what: "unknown user", body: async () => ({ userId: randomUUID(), entityId: (await createEntityAsAdmin()).id }) },
    { ...r, what: "unknown entity", body: async () => ({ userId: as("ASSESSOR").user.id, entityId: randomUUID() }) },
  ]);
  it.each(notFound)("$name to an $what → 404 NOT_FOUND", async ({ handler, method, body }) => {
    expectError(await call(handler, { method, token: as("ADMIN").token, body: await body() }), 404, "NOT_FOUND");
  });

  const invalid = routes.flatMap((r) => [
    { ...r, what: "userId not a uuid", body: () => ({ userId: "42", entityId: randomUUID() }) },
    { ...r, what: "entityId missing", body: () => ({ userId: randomUUID() }) },
    { ...r, what: "an empty object", body: () => ({}) },
  ]);
  it.each(invalid)("$name with $what → 400 VALIDATION_FAILED", async ({ handler, method, body }) => {
    expectError(await call(handler, { method, token: as("ADMIN").token, body: body() }), 400, "VALIDATION_FAILED", { issues: true });
  });

  it("POST answers 201 {assignment}; a repeated POST keeps one row", async () => {
    const entity = await createEntityAsAdmin();
    const userId = as("ASSESSOR").user.id;
    const first = await assign(userId, entity.id);
    expect(first.body.assignment).toEqual({
      id: expect.any(String),
      userId,
      entityId: entity.id,
      active: true,
      createdAt: expect.any(String),
    });
    const again = await assign(userId, entity.id);
    expect((again.body.assignment as { id: string }).id).toBe((first.body.assignment as { id: string }).id);
    expect(await db.current.prisma.assignment.count({ where: { userId, entityId: entity.id } })).toBe(1);
  });

  it("DELETE ends the assignment: 204, the row stays inactive, the assessor no longer lists the entity; POST reactivates it", async () => {
    const assessor = await makeUser(db.current.prisma, "ASSESSOR");
    const [kept, ended] = [await createEntityAsAdmin(), await createEntityAsAdmin()];
    await assign(assessor.user.id, kept.id);
    await assign(assessor.user.id, ended.id);
    expect(await entityIdsSeenBy(assessor.token)).toEqual([kept.id, ended.id].sort());

    const res = await call(unassignRoute, {
      method: "DELETE",
      token: as("ADMIN").token,
      body: { userId: assessor.user.id, entityId: ended.id },
    });
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();
    const row = await db.current.prisma.assignment.findUnique({
      where: { userId_entityId: { userId: assessor.user.id, entityId: ended.id } },
    });
    expect(row?.active).toBe(false);
    expect(await entityIdsSeenBy(assessor.token)).toEqual([kept.id]);

    // Ending it again is harmless.
    expect(
      (await call(unassignRoute, { method: "DELETE", token: as("ADMIN").token, body: { userId: assessor.user.id, entityId: ended.id } }))
        .status,
    ).toBe(204);

    await assign(assessor.user.id, ended.id);
    expect(await entityIdsSeenBy(assessor.token)).toEqual([kept.id, ended.id].sort());
  });
});

describe("GET /api/entities scope", () => {
  it("lists only actively assigned entities to assessors and responders, all to coordinators and admins", async () => {
    const assessor = await makeUser(db.current.prisma, "ASSESSOR");
    const responder = await makeUser(db.current.prisma, "RESPONDER");
    const loner = await makeUser(db.current.prisma, "ASSESSOR");
    const [a, b, c] = [await createEntityAsAdmin(), await createEntityAsAdmin(), await createEntityAsAdmin()];
    await assign(assessor.user.id, a.id);
    await assign(assessor.user.id, b.id);
    await assign(responder.user.id, c.id);

    expect(await entityIdsSeenBy(assessor.token)).toEqual([a.id, b.id].sort());
    expect(await entityIdsSeenBy(responder.token)).toEqual([c.id]);
    expect(await entityIdsSeenBy(loner.token)).toEqual([]);

    const all = (await db.current.prisma.entity.findMany({ where: { deletedAt: null }, select: { id: true } })).map((e) => e.id).sort();
    expect(all.length).toBeGreaterThan(3);
    expect(await entityIdsSeenBy(as("COORDINATOR").token)).toEqual(all);
    expect(await entityIdsSeenBy(as("ADMIN").token)).toEqual(all);
  });

  it("answers entity records in the protocol's shape", async () => {
    const entity = await createEntityAsAdmin("Shape Check Camp");
    const res = await call(listEntitiesRoute, { token: as("COORDINATOR").token });
    const listed = (res.body.entities as Record<string, unknown>[]).find((e) => e.id === entity.id);
    expect(listed).toMatchObject({ id: entity.id, offlineId: entity.id, name: "Shape Check Camp", type: "CAMP", version: 1 });
    expect(Object.keys(listed ?? {})).not.toContain("changeSeq");
  });

  it("refuses anonymous callers", async () => {
    expectError(await call(listEntitiesRoute, {}), 401, "UNAUTHENTICATED");
  });
});

describe("unassigning from a deleted entity", () => {
  it("DELETE /api/admin/assignments ends the assignment even when the entity was deleted (204, inactive)", async () => {
    const prisma = db.current.prisma;
    const [admin, coordinator, assessor] = [
      await makeUser(prisma, "ADMIN"),
      await makeUser(prisma, "COORDINATOR"),
      await makeUser(prisma, "ASSESSOR"),
    ];
    const entity = await createEntity({
      name: "Camp D",
      type: "CAMP",
      lga: "Jere",
      ward: "Mashamari",
      latitude: 11.8,
      longitude: 13.1,
      autoApprove: false,
      createdById: null,
    });
    await assignUser({ userId: assessor.user.id, entityId: entity.id });
    const del = await call(push, {
      path: "/api/sync/push",
      token: coordinator.token,
      body: {
        deviceId: randomUUID(),
        mutations: [{ mutationId: randomUUID(), type: "entity", action: "delete", offlineId: entity.offlineId, baseVersion: 1 }],
      },
    });
    expect((del.body.results as { status: string }[])[0].status).toBe("applied");

    // PROTOCOL §2: "DELETE /api/admin/assignments {userId, entityId} → 204 (the assignment becomes inactive)".
    // The entity is soft-deleted and can come back (a DELETION conflict resolved with `client`
    // restores it); an admin who ends the assignment now must not see it revive with the entity.
    const res = await call(unassignRoute, {
      method: "DELETE",
      path: "/api/admin/assignments",
      token: admin.token,
      body: { userId: assessor.user.id, entityId: entity.id },
    });
    expect(res.status).toBe(204);
    const row = await prisma.assignment.findFirst({ where: { userId: assessor.user.id, entityId: entity.id } });
    expect(row?.active).toBe(false);
  });
});
