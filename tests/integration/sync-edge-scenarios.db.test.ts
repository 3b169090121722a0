import { beforeAll, describe, expect, it } from "vitest";
import { unassignUser } from "@/lib/server/admin";
import {
  assign,
  type Loose,
  latestByRecord,
  mut,
  newEntity,
  pullAll,
  pullPage,
  push,
  pushOne,
  quickUser,
  type Signed,
  seedAssessment,
} from "../fixtures/sync";
import { useTestDb } from "../fixtures/test-db";

// Records of two types sharing an offlineId, and paging across an assignment that ends and restarts.

const db = useTestDb();
const prisma = () => db.current.prisma;

let C: Signed;
let A: Signed;
let R: Signed;
let E: { id: string };

beforeAll(async () => {
  [C, A, R] = await Promise.all([quickUser(prisma(), "COORDINATOR"), quickUser(prisma(), "ASSESSOR"), quickUser(prisma(), "RESPONDER")]);
  E = await newEntity();
  await assign(A, E.id);
  await assign(R, E.id);
});

describe("independent records and interrupted assignments", () => {
  // PROTOCOL §1: every record has an offlineId (client-generated); a `create` naming an existing
  // offlineId is `duplicate` — of a record of the same type. An assessment and a response that
  // happen to share an offlineId are two records, edited and deleted independently.
  it("an assessment and a response with the same offlineId stay independent records", async () => {
    const a = await seedAssessment(A.token, E.id);
    const shared = a.offlineId;
    const r = await pushOne(R.token, mut.createResponse({ assessmentOfflineId: shared, entityId: E.id }, { offlineId: shared }));
    expect(r.status).toBe("applied");
    const res = await push(C.token, [
      mut.update("assessment", shared, 1, { data: { latrines: 3 } }),
      mut.update("response", shared, 1, { data: { beneficiaries: 44 } }),
      mut.remove("response", shared, 2),
    ]);
    expect(res.results.map((x) => x.status)).toEqual(["applied", "applied", "applied"]);
    const latest = latestByRecord((await pullAll(A.token)).changes);
    expect(latest.get(`assessment:${a.id}`)).toMatchObject({ op: "upsert", version: 2, record: { data: { latrines: 3 } } });
    expect(latest.get(`response:${r.id}`)).toMatchObject({ op: "delete", version: 3 });
  });

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
