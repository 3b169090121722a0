import { beforeAll, describe, expect, it } from "vitest";
import { encodeCursor } from "@/lib/server/sync/cursor";
import { pullChecks } from "../../fixtures/pull";
import {
  assign,
  expectError,
  FULL_WASH,
  type Loose,
  latestByRecord,
  mut,
  newEntity,
  pullAll,
  pullPage,
  pushOne,
  quickUser,
  type Signed,
  seedAssessment,
  seedResponse,
} from "../../fixtures/sync";
import { useTestDb } from "../../fixtures/test-db";

// PROTOCOL §4 (pull): the first pull, cursor paging, limits and deletes. (Scope changes live in
// scope/assignment-changes, the conflict feed in pull/conflict-feed, the cursor-never-skips proof
// under held-open writers in pull/cursor.)

const db = useTestDb();
const prisma = () => db.current.prisma;
const { world, seqsOf, expectStrictlyIncreasing, keysOf, expectedState, expectMatchesState } = pullChecks(prisma);

let C: Signed;
let R: Signed;

beforeAll(async () => {
  C = await quickUser(prisma(), "COORDINATOR", "Pull Coordinator");
  R = await quickUser(prisma(), "RESPONDER", "Pull Responder");
});

describe("the first pull (no cursor)", () => {
  it("returns the current version of everything in scope, each record once, nothing outside it", async () => {
    const w = await world(2);
    const [E1, E2] = w.ids;
    const outside = await newEntity();
    await assign(R, E1);
    const a1 = await seedAssessment(w.assessor.token, E1);
    await pushOne(w.assessor.token, mut.update("assessment", a1.offlineId, 1, { data: { latrines: 3 } }));
    await pushOne(w.assessor.token, mut.update("assessment", a1.offlineId, 2, { status: "SUBMITTED", data: FULL_WASH }));
    const a2 = await seedAssessment(w.assessor.token, E2);
    const resp = await seedResponse(R.token, { assessmentOfflineId: a1.offlineId, entityId: E1 });
    const gone = await seedAssessment(w.assessor.token, E1);
    await pushOne(w.assessor.token, mut.remove("assessment", gone.offlineId, 1));
    await seedAssessment(C.token, outside.id);

    const res = await pullPage(w.assessor.token);
    expect(res.status).toBe(200);
    const page = res.page;
    expect(page.hasMore).toBe(false);
    expect([...page.scope.entityIds].sort()).toEqual([...w.ids].sort());
    expect(Date.parse(page.serverTime)).not.toBeNaN();
    expect(keysOf(page.changes).sort()).toEqual(
      [`entity:${E1}`, `entity:${E2}`, `assessment:${a1.id}`, `assessment:${a2.id}`, `assessment:${gone.id}`, `response:${resp.id}`].sort(),
    );
    const byKey = latestByRecord(page.changes as Loose[]);
    expect(byKey.get(`assessment:${a1.id}`)).toMatchObject({
      op: "upsert",
      offlineId: a1.offlineId,
      version: 3,
      record: { version: 3, status: "SUBMITTED", data: FULL_WASH, entityId: E1 },
    });
    expect(byKey.get(`response:${resp.id}`)).toMatchObject({
      op: "upsert",
      version: 1,
      record: { assessmentOfflineId: a1.offlineId, entityId: E1 },
    });
    // Deleted records come as op delete: ids and version only.
    expect(byKey.get(`assessment:${gone.id}`)).toEqual({
      type: "assessment",
      op: "delete",
      id: gone.id,
      offlineId: gone.offlineId,
      version: 2,
    });
    expectMatchesState(page.changes, await expectedState(w.ids));
    expectStrictlyIncreasing(await seqsOf(page.changes));
  });

  it("a coordinator sees every entity and every record", async () => {
    const w = await world(1);
    const other = await newEntity();
    const mine = await seedAssessment(w.assessor.token, w.ids[0]);
    const theirs = await seedAssessment(C.token, other.id);
    const { changes, scope } = await pullAll(C.token, { limit: 500 });
    const keys = new Set(keysOf(changes));
    for (const key of [`entity:${w.ids[0]}`, `entity:${other.id}`, `assessment:${mine.id}`, `assessment:${theirs.id}`])
      expect(keys.has(key)).toBe(true);
    const live = await prisma().entity.findMany({ where: { deletedAt: null }, select: { id: true } });
    expect([...scope].sort()).toEqual(live.map((e) => e.id).sort());
    expectMatchesState(changes, await expectedState(live.map((e) => e.id)));
  });

  it("an assessor with no assignment gets an empty scope and no records", async () => {
    const lonely = await quickUser(prisma(), "ASSESSOR");
    const res = await pullPage(lonely.token);
    expect(res.status).toBe(200);
    expect(res.page).toMatchObject({ changes: [], hasMore: false, scope: { entityIds: [] } });
  });
});

describe("paging with a cursor", () => {
  it("limit=2 until hasMore is false returns each record once, at its latest version, in change order", async () => {
    const w = await world(1);
    const E1 = w.ids[0];
    const seeded = [];
    for (let i = 0; i < 7; i++) seeded.push(await seedAssessment(w.assessor.token, E1, { data: { latrines: i } }));
    // Touch a few again so their change numbers move past the others.
    await pushOne(w.assessor.token, mut.update("assessment", seeded[0].offlineId, 1, { data: { latrines: 100 } }));
    await pushOne(w.assessor.token, mut.update("assessment", seeded[3].offlineId, 1, { data: { latrines: 103 } }));

    const single = await pullPage(w.assessor.token);
    const paged = await pullAll(w.assessor.token, { limit: 2 });
    expect(paged.pages).toBeGreaterThanOrEqual(4);
    expect(new Set(keysOf(paged.changes)).size).toBe(paged.changes.length);
    expect(keysOf(paged.changes)).toEqual(keysOf(single.page.changes));
    expectMatchesState(paged.changes, await expectedState(w.ids));
    expectStrictlyIncreasing(await seqsOf(paged.changes));
    // The touched records come last, in the order they were touched.
    expect(keysOf(paged.changes).slice(-2)).toEqual([`assessment:${seeded[0].id}`, `assessment:${seeded[3].id}`]);
  });

  it("with a cursor: exactly the changes committed after it, then nothing", async () => {
    const w = await world(1);
    const E1 = w.ids[0];
    const a = await seedAssessment(w.assessor.token, E1);
    const b = await seedAssessment(w.assessor.token, E1);
    const first = await pullAll(w.assessor.token);
    const created = await seedAssessment(w.assessor.token, E1);
    await pushOne(w.assessor.token, mut.update("assessment", a.offlineId, 1, { data: { latrines: 8 } }));
    await pushOne(w.assessor.token, mut.remove("assessment", b.offlineId, 1));

    const res = await pullPage(w.assessor.token, { cursor: first.cursor });
    expect(res.status).toBe(200);
    expect(res.page.hasMore).toBe(false);
    expect(res.page.changes).toEqual([
      {
        type: "assessment",
        op: "upsert",
        id: created.id,
        offlineId: created.offlineId,
        version: 1,
        record: expect.objectContaining({ id: created.id, version: 1 }),
      },
      {
        type: "assessment",
        op: "upsert",
        id: a.id,
        offlineId: a.offlineId,
        version: 2,
        record: expect.objectContaining({ version: 2, data: { waterSource: "BOREHOLE", latrines: 8 } }),
      },
      { type: "assessment", op: "delete", id: b.id, offlineId: b.offlineId, version: 2 },
    ]);
    const after = await pullPage(w.assessor.token, { cursor: res.page.cursor });
    expect(after.page).toMatchObject({ changes: [], hasMore: false });
    // An empty page keeps the cursor usable.
    const again = await pullPage(w.assessor.token, { cursor: after.page.cursor });
    expect(again.page.changes).toEqual([]);
  });

  it("a record changed while a device pages appears again later at its newer version", async () => {
    const w = await world(1);
    const seeded = [];
    for (let i = 0; i < 5; i++) seeded.push(await seedAssessment(w.assessor.token, w.ids[0]));
    const p1 = await pullPage(w.assessor.token, { limit: 2 });
    const firstId = p1.page.changes.find((c) => c.type === "assessment")?.id;
    const touched = seeded.find((s) => s.id === firstId);
    if (!touched) throw new Error("the first page holds no assessment");
    await pushOne(w.assessor.token, mut.update("assessment", touched.offlineId, 1, { data: { latrines: 77 } }));
    const rest = await pullAll(w.assessor.token, { cursor: p1.page.cursor, limit: 2 });
    const all = [...p1.page.changes, ...rest.changes] as Loose[];
    expect(all.filter((c) => c.id === touched.id).map((c) => c.version)).toEqual([1, 2]);
    expectMatchesState(all, await expectedState(w.ids));
  });
});

describe("limit and cursor validation", () => {
  let big: Awaited<ReturnType<typeof world>>;
  const BULK = 2100;

  beforeAll(async () => {
    // 2100 assessments in one entity, numbered like real changes (bulk SQL: pushing them would be slow).
    big = await world(1);
    await prisma().$executeRawUnsafe(
      `WITH c AS (UPDATE "ChangeCounter" SET "value" = "value" + ${BULK} WHERE "id" = 1 RETURNING "value")
       INSERT INTO "Assessment" ("id", "offlineId", "entityId", "assessorId", "assessmentType", "status", "data", "version", "verificationStatus", "lastModifiedById", "changeSeq", "createdAt", "updatedAt")
       SELECT gen_random_uuid(), gen_random_uuid(), $1::uuid, $2::uuid, 'WASH', 'DRAFT', '{}'::jsonb, 1, 'DRAFT', $2::uuid, c."value" - ${BULK} + g, now(), now()
       FROM c, generate_series(1, ${BULK}) AS g`,
      big.ids[0],
      big.assessor.user.id,
    );
  });

  const limitRows: { limit: string; count: number; hasMore: boolean }[] = [
    { limit: "0", count: 1, hasMore: true },
    { limit: "-7", count: 1, hasMore: true },
    { limit: "1", count: 1, hasMore: true },
    { limit: "", count: 500, hasMore: true },
    { limit: "1999", count: 1999, hasMore: true },
    { limit: "2000", count: 2000, hasMore: true },
    { limit: "5000", count: 2000, hasMore: true },
  ];
  for (const row of limitRows) {
    it(`limit=${JSON.stringify(row.limit)} → ${row.count} changes`, async () => {
      const res = await pullPage(big.assessor.token, { limit: row.limit });
      expect(res.status).toBe(200);
      expect({ count: res.page.changes.length, hasMore: res.page.hasMore }).toEqual({ count: row.count, hasMore: row.hasMore });
    });
  }

  it("limit=5000 pages through all 2101 changes in two pulls", async () => {
    const p1 = await pullPage(big.assessor.token, { limit: 5000 });
    const p2 = await pullPage(big.assessor.token, { limit: 5000, cursor: p1.page.cursor });
    expect([p1.page.changes.length, p2.page.changes.length, p2.page.hasMore]).toEqual([2000, BULK + 1 - 2000, false]);
    expect(new Set(keysOf([...p1.page.changes, ...p2.page.changes])).size).toBe(BULK + 1);
  });

  const b64 = (s: string) => Buffer.from(s).toString("base64url");
  const badQueries: { name: string; query: Record<string, string> }[] = [
    { name: "a cursor that is not base64 JSON", query: { cursor: "%%%not-a-cursor" } },
    { name: "a cursor of plain text", query: { cursor: b64("hello") } },
    { name: "a cursor of another version", query: { cursor: b64(JSON.stringify({ v: 2, s: "1" })) } },
    { name: "a cursor with a negative position", query: { cursor: b64(JSON.stringify({ v: 1, s: "-1" })) } },
    { name: "a cursor with non-uuid entity ids", query: { cursor: b64(JSON.stringify({ v: 1, s: "1", e: ["x"] })) } },
    { name: "a cursor longer than any the server issues", query: { cursor: "A".repeat(5000) } },
    {
      name: "a cursor beyond this database's change counter (issued by another, or before a restore)",
      query: { cursor: encodeCursor({ seq: 10n ** 15n, assignmentSeq: 0n }) },
    },
    { name: "limit not a number", query: { limit: "ten" } },
    { name: "limit not an integer", query: { limit: "1.5" } },
    { name: "deviceId not a uuid", query: { deviceId: "phone" } },
  ];
  for (const row of badQueries) {
    it(`400 VALIDATION_FAILED: ${row.name}`, async () => {
      const res = await pullPage(big.assessor.token, row.query);
      expectError(res, 400, "VALIDATION_FAILED");
      // A refused cursor is named, so a device knows to drop it and pull from the start.
      if (row.query.cursor !== undefined) expect(res.body.error?.issues).toContainEqual(expect.objectContaining({ path: ["cursor"] }));
    });
  }

  it("401 without a token", async () => {
    const { call } = await import("../../fixtures/api");
    const { GET } = await import("@/app/api/sync/pull/route");
    expectError(await call(GET, { path: "/api/sync/pull" }), 401, "UNAUTHENTICATED");
  });
});
