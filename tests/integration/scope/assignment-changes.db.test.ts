import { beforeAll, describe, expect, it } from "vitest";
import { unassignUser } from "@/lib/server/admin";
import { pullChecks } from "../../fixtures/pull";
import {
  assign,
  type Loose,
  latestByRecord,
  mut,
  newEntity,
  pullAll,
  pullPage,
  pushOne,
  quickUser,
  resolve,
  type Signed,
  seedAssessment,
  seedResponse,
} from "../../fixtures/sync";
import { useTestDb } from "../../fixtures/test-db";

// PROTOCOL §4: how a pull follows scope changes — assignments that end, restart or begin, and an
// entity that leaves the scope and comes back.

const db = useTestDb();
const prisma = () => db.current.prisma;
const { world, seqsOf, expectStrictlyIncreasing, keysOf, expectedState, expectMatchesState } = pullChecks(prisma);

let C: Signed;

beforeAll(async () => {
  C = await quickUser(prisma(), "COORDINATOR", "Pull Coordinator");
});

describe("scope changes", () => {
  it("unassign: the entity leaves scope.entityIds on the next pull, and no delete changes are sent", async () => {
    const w = await world(2);
    const [E1, E2] = w.ids;
    const keep = await seedAssessment(w.assessor.token, E1);
    const leave = await seedAssessment(w.assessor.token, E2);
    const first = await pullAll(w.assessor.token);
    expect([...first.scope].sort()).toEqual([...w.ids].sort());

    await unassignUser({ userId: w.assessor.user.id, entityId: E2 });
    // Changes in the entity that left must not reach the device; changes in the other one must.
    await pushOne(C.token, mut.update("assessment", leave.offlineId, 1, { data: { latrines: 4 } }));
    const createdThere = await seedAssessment(C.token, E2);
    await pushOne(C.token, mut.remove("assessment", createdThere.offlineId, 1));
    await pushOne(C.token, mut.update("assessment", keep.offlineId, 1, { data: { latrines: 5 } }));

    const next = await pullAll(w.assessor.token, { cursor: first.cursor });
    expect(next.scope).toEqual([E1]);
    expect(next.changes.filter((c) => c.op === "delete")).toEqual([]);
    expect(keysOf(next.changes)).toEqual([`assessment:${keep.id}`]);
    // Writes to the entity are refused as well.
    const w2 = await pushOne(w.assessor.token, mut.update("assessment", leave.offlineId, 2, { data: { latrines: 1 } }));
    expect(w2).toMatchObject({ status: "rejected", error: { code: "FORBIDDEN" } });
  });

  it("re-assign: the next pull with the old cursor backfills the entity's older records", async () => {
    const w = await world(2);
    const [E1, E2] = w.ids;
    const old = await seedAssessment(w.assessor.token, E2);
    await unassignUser({ userId: w.assessor.user.id, entityId: E2 });
    const whileAway = await pullAll(w.assessor.token);
    expect(whileAway.scope).toEqual([E1]);
    expect(keysOf(whileAway.changes)).toEqual([`entity:${E1}`]);
    // Changed while the assessor was away, before and after the cursor they hold.
    await pushOne(C.token, mut.update("assessment", old.offlineId, 1, { data: { latrines: 9 } }));
    const mid = await seedAssessment(C.token, E2);
    const cursorBefore = (await pullAll(w.assessor.token, { cursor: whileAway.cursor })).cursor;
    const late = await seedAssessment(C.token, E2);

    await assign(w.assessor, E2);
    const back = await pullAll(w.assessor.token, { cursor: cursorBefore, limit: 1 });
    expect([...back.scope].sort()).toEqual([...w.ids].sort());
    const keys = new Set(keysOf(back.changes));
    for (const key of [`entity:${E2}`, `assessment:${old.id}`, `assessment:${mid.id}`, `assessment:${late.id}`])
      expect(keys.has(key), key).toBe(true);
    expect(latestByRecord(back.changes).get(`assessment:${old.id}`)).toMatchObject({ version: 2, record: { data: { latrines: 9 } } });
    expectMatchesState(back.changes, await expectedState([E2]));
    // Then back to normal paging: nothing more.
    const after = await pullPage(w.assessor.token, { cursor: back.cursor });
    expect(after.page).toMatchObject({ changes: [], hasMore: false });
  });

  it("a new assignment backfills an entity whose records all predate the cursor", async () => {
    const w = await world(1);
    const fresh = await newEntity();
    const older = [await seedAssessment(C.token, fresh.id), await seedAssessment(C.token, fresh.id)];
    const resp = await seedResponse(C.token, { assessmentOfflineId: older[0].offlineId, entityId: fresh.id });
    const first = await pullAll(w.assessor.token);
    expect(keysOf(first.changes)).toEqual([`entity:${w.ids[0]}`]);

    await assign(w.assessor, fresh.id);
    const next = await pullAll(w.assessor.token, { cursor: first.cursor, limit: 2 });
    expect(keysOf(next.changes).sort()).toEqual(
      [`entity:${fresh.id}`, `assessment:${older[0].id}`, `assessment:${older[1].id}`, `response:${resp.id}`].sort(),
    );
    expectStrictlyIncreasing(await seqsOf(next.changes));
    expect([...next.scope].sort()).toEqual([w.ids[0], fresh.id].sort());
  });

  // A record that could change entity would leave stale copies on devices scoped to the old one
  // (pull filters by the record's entity now). The engine refuses such moves, so nothing leaves a
  // scope by moving: the device's copy stays correct.
  it("a record cannot be moved to an entity outside the scope, so no device keeps a stale copy", async () => {
    const w = await world(1);
    const elsewhere = await newEntity();
    const a = await seedAssessment(w.assessor.token, w.ids[0]);
    const first = await pullAll(w.assessor.token);
    const moved = await pushOne(C.token, mut.update("assessment", a.offlineId, 1, { entityId: elsewhere.id }));
    expect(moved).toMatchObject({ status: "rejected", error: { code: "VALIDATION_FAILED" } });
    const next = await pullAll(w.assessor.token, { cursor: first.cursor });
    expect(next.scope).toEqual(w.ids);
    expect(next.changes).toEqual([]);
  });

  // The cursor once carried the whole scope and outgrew the 1024-character limit at ~18 entities;
  // it now holds only change numbers (cursor.ts), whatever the scope's size.
  it("a user assigned to 25 entities can pull again with the cursor the server gave them", async () => {
    const w = await world(25);
    const first = await pullAll(w.assessor.token);
    expect(first.scope.length).toBe(25);
    const res = await pullPage(w.assessor.token, { cursor: first.cursor });
    expect(res.status, `the server issued a cursor of ${first.cursor.length} characters: ${JSON.stringify(res.body)}`).toBe(200);
    expect(res.page.changes).toEqual([]);
  });
});

describe("an assignment interrupted between pages", () => {
  // PROTOCOL §4: "The cursor never skips a change"; scope changes between pages are covered by
  // the assignment watermark (README "The pull cursor").
  it("an assignment that ends and restarts between pages loses nothing", async () => {
    const X = await quickUser(prisma(), "ASSESSOR");
    const E1 = await newEntity();
    const E2 = await newEntity();
    await assign(X, E1.id, E2.id);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await seedAssessment(C.token, E1.id)).id);
    for (let i = 0; i < 4; i++) ids.push((await seedAssessment(C.token, E2.id)).id);
    const p1 = await pullPage(X.token, { limit: 3 });
    await unassignUser({ userId: X.user.id, entityId: E2.id });
    ids.push((await seedAssessment(C.token, E2.id)).id); // written while X is not assigned
    const p2 = await pullPage(X.token, { limit: 3, cursor: p1.page.cursor });
    await assign(X, E2.id);
    const rest = await pullAll(X.token, { limit: 3, cursor: p2.page.cursor });
    const got = new Set(
      [...p1.page.changes, ...p2.page.changes, ...rest.changes].filter((c: Loose) => c.type === "assessment").map((c: Loose) => c.id),
    );
    expect(ids.filter((id) => !got.has(id))).toEqual([]);
    expect(rest.scope).toContain(E2.id);
  });
});

// PROTOCOL §4 scope changes that do not come from an assignment.
describe("an entity that leaves and re-enters the scope", () => {
  let C1: Signed;
  let C2: Signed;
  let A: Signed;

  beforeAll(async () => {
    [C1, C2, A] = await Promise.all([
      quickUser(prisma(), "COORDINATOR"),
      quickUser(prisma(), "COORDINATOR"),
      quickUser(prisma(), "ASSESSOR"),
    ]);
  });

  // PROTOCOL §4: "`scope.entityIds` lists the entities the user may see now … When an assignment
  // ends, the ids disappear from it; the client drops local records outside the scope". When the
  // entity comes back into the scope, the device must get its records again — as it does after a
  // re-assignment ("re-assign: the next pull with the old cursor backfills the entity's older records").
  it("an entity restored by a DELETION-conflict resolution backfills its records to assigned devices", async () => {
    const E = await newEntity();
    await assign(A, E.id);
    const entityOffline = (await prisma().entity.findUniqueOrThrow({ where: { id: E.id } })).offlineId;
    const a = await seedAssessment(A.token, E.id, { data: { waterSource: "WELL", notes: "kept" } });

    const first = await pullAll(A.token);
    expect(first.scope).toContain(E.id);
    expect(first.changes.some((c: Loose) => c.id === a.id)).toBe(true);

    // C1 deletes the entity; the device pulls and (per §4) drops E and its records.
    expect((await pushOne(C1.token, mut.remove("entity", entityOffline, 1))).status).toBe("applied");
    const second = await pullAll(A.token, { cursor: first.cursor });
    expect(second.scope).not.toContain(E.id);

    // C2 renamed it offline from v1: a DELETION conflict; the coordinator restores it with `client`.
    const c = await pushOne(C2.token, mut.update("entity", entityOffline, 1, { name: "Renamed camp" }));
    expect(c).toMatchObject({ status: "conflict", kind: "DELETION" });
    const res = await resolve(C1.token, c.conflictId, { strategy: "client" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await prisma().entity.findUniqueOrThrow({ where: { id: E.id } })).deletedAt).toBeNull();

    const third = await pullAll(A.token, { cursor: second.cursor });
    expect(third.scope).toContain(E.id);
    // The assessment it dropped must come back (it is unchanged, so only a backfill can deliver it).
    expect(third.changes.filter((ch: Loose) => ch.type === "assessment").map((ch: Loose) => ch.id)).toContain(a.id);
  });
});
