import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as verifyAssessmentRoute } from "@/app/api/assessments/[id]/verify/route";
import { POST as verifyResponseRoute } from "@/app/api/responses/[id]/verify/route";
import { verifyResponseSchema } from "@/lib/protocol";
import { call } from "../../fixtures/api";
import { conflictWorld } from "../../fixtures/conflict-world";
import {
  expectError,
  FULL_RESPONSE,
  FULL_WASH,
  historyOf,
  mut,
  pullAll,
  pushOne,
  type Signed,
  seedAssessment,
  seedResponse,
} from "../../fixtures/sync";
import { useTestDb } from "../../fixtures/test-db";

// PROTOCOL §5: the verify endpoints — who may verify or reject what, and the version it writes.

const db = useTestDb();
const prisma = () => db.current.prisma;
const { versionsOf } = historyOf(prisma);

let C: Signed;
let ADMIN: Signed;
let A1: Signed;
let R1: Signed;
let E: { id: string };

beforeAll(async () => {
  ({ C, ADMIN, A1, R1, E } = await conflictWorld(prisma()));
});

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
