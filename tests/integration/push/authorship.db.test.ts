import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { pushWorld } from "../../fixtures/push-world";
import { FULL_RESPONSE, FULL_WASH, mut, pushOne, type Signed, seedAssessment } from "../../fixtures/sync";
import { useTestDb } from "../../fixtures/test-db";

// PROTOCOL §1: the server owns authorship, version and verification status; what a client sends
// for them is ignored, and the verification status follows the record status and autoApprove.

const db = useTestDb();
const prisma = () => db.current.prisma;

let A1: Signed;
let A2: Signed;
let R1: Signed;
let R2: Signed;
let C1: Signed;
let E: { id: string };
let AUTO: { id: string };

beforeAll(async () => {
  ({ A1, A2, R1, R2, C1, E, AUTO } = await pushWorld(prisma()));
});

describe("the server owns authorship, version and verification (§1)", () => {
  it("ignores assessorId/version/verificationStatus/id/timestamps sent on create", async () => {
    const spoofedId = randomUUID();
    const m = mut.createAssessment(E.id, {
      extra: {
        id: spoofedId,
        assessorId: A2.user.id,
        version: 42,
        verificationStatus: "VERIFIED",
        verifiedById: C1.user.id,
        createdAt: "2000-01-01T00:00:00Z",
        deletedAt: "2000-01-01T00:00:00Z",
      },
    });
    const r = await pushOne(A1.token, m);
    expect(r).toMatchObject({ status: "applied", version: 1 });
    expect(r.id).not.toBe(spoofedId);
    expect(r.record).toMatchObject({
      assessorId: A1.user.id,
      version: 1,
      verificationStatus: "DRAFT",
      verifiedById: null,
      deletedAt: null,
    });
    expect(r.record.createdAt.startsWith("2000")).toBe(false);
  });

  it("ignores responderId/verificationStatus sent on a response create, and on updates", async () => {
    const a = await seedAssessment(A1.token, E.id);
    const m = mut.createResponse(
      { assessmentOfflineId: a.offlineId, entityId: E.id },
      { extra: { responderId: R2.user.id, verificationStatus: "VERIFIED", version: 9 } },
    );
    const r = await pushOne(R1.token, m);
    expect(r.record).toMatchObject({ responderId: R1.user.id, verificationStatus: "DRAFT", version: 1 });
    const u = await pushOne(
      R1.token,
      mut.update("response", m.offlineId, 1, {
        responderId: R2.user.id,
        verificationStatus: "VERIFIED",
        version: 7,
        data: { beneficiaries: 11 },
      }),
    );
    expect(u).toMatchObject({ status: "applied", version: 2 });
    expect(u.record).toMatchObject({ responderId: R1.user.id, verificationStatus: "DRAFT", version: 2, data: { beneficiaries: 11 } });
  });

  const verificationRows: {
    name: string;
    entity: () => { id: string };
    status: string;
    data: Record<string, unknown>;
    expected: string;
  }[] = [
    { name: "DRAFT → DRAFT", entity: () => E, status: "DRAFT", data: { waterSource: "WELL" }, expected: "DRAFT" },
    { name: "SUBMITTED → PENDING", entity: () => E, status: "SUBMITTED", data: FULL_WASH, expected: "PENDING" },
    {
      name: "SUBMITTED on an autoApprove entity → AUTO_VERIFIED",
      entity: () => AUTO,
      status: "SUBMITTED",
      data: FULL_WASH,
      expected: "AUTO_VERIFIED",
    },
    { name: "DRAFT on an autoApprove entity → DRAFT", entity: () => AUTO, status: "DRAFT", data: {}, expected: "DRAFT" },
  ];
  for (const row of verificationRows) {
    it(`assessment create: ${row.name}`, async () => {
      const r = await pushOne(A1.token, mut.createAssessment(row.entity().id, { status: row.status, data: row.data }));
      expect(r).toMatchObject({ status: "applied", record: { status: row.status, verificationStatus: row.expected } });
    });
  }

  it("an update DRAFT → SUBMITTED becomes PENDING (AUTO_VERIFIED with autoApprove)", async () => {
    for (const [entity, expected] of [
      [E, "PENDING"],
      [AUTO, "AUTO_VERIFIED"],
    ] as const) {
      const a = await seedAssessment(A1.token, entity.id);
      const r = await pushOne(A1.token, mut.update("assessment", a.offlineId, 1, { status: "SUBMITTED", data: FULL_WASH }));
      expect(r).toMatchObject({ status: "applied", version: 2, record: { status: "SUBMITTED", verificationStatus: expected } });
    }
  });

  it("responses: PLANNED → DRAFT, DELIVERED → PENDING / AUTO_VERIFIED", async () => {
    const a = await seedAssessment(A1.token, E.id);
    const auto = await seedAssessment(A1.token, AUTO.id);
    const planned = await pushOne(R1.token, mut.createResponse({ assessmentOfflineId: a.offlineId, entityId: E.id }));
    const delivered = await pushOne(
      R1.token,
      mut.createResponse({ assessmentOfflineId: a.offlineId, entityId: E.id }, { status: "DELIVERED", data: FULL_RESPONSE }),
    );
    const autoDelivered = await pushOne(
      R1.token,
      mut.createResponse({ assessmentOfflineId: auto.offlineId, entityId: AUTO.id }, { status: "DELIVERED", data: FULL_RESPONSE }),
    );
    expect([planned, delivered, autoDelivered].map((r) => [r.status, r.record.verificationStatus])).toEqual([
      ["applied", "DRAFT"],
      ["applied", "PENDING"],
      ["applied", "AUTO_VERIFIED"],
    ]);
  });
});
