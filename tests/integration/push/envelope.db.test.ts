import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as pushRoute } from "@/app/api/sync/push/route";
import { MAX_PUSH_BYTES } from "@/lib/protocol";
import { call } from "../../fixtures/api";
import { pushWorld } from "../../fixtures/push-world";
import { expectError, type Loose, mut, push, type Signed } from "../../fixtures/sync";
import { useTestDb } from "../../fixtures/test-db";

// PROTOCOL §3 (push): the envelope — shape, authentication, batch and body size limits, gzip.
// A refused envelope applies nothing.

const db = useTestDb();
const prisma = () => db.current.prisma;

let A1: Signed;
let E: { id: string };

beforeAll(async () => {
  ({ A1, E } = await pushWorld(prisma()));
});

describe("push envelope (§3)", () => {
  const envelopeRows: {
    name: string;
    body: () => { body?: unknown; rawBody?: string | Uint8Array; headers?: Record<string, string> };
    status: number;
    code: string;
    issues?: boolean;
  }[] = [
    { name: "body is an array", body: () => ({ body: [] }), status: 400, code: "VALIDATION_FAILED", issues: true },
    {
      name: "no deviceId",
      body: () => ({ body: { mutations: [mut.createAssessment(E.id)] } }),
      status: 400,
      code: "VALIDATION_FAILED",
      issues: true,
    },
    {
      name: "deviceId not a uuid",
      body: () => ({ body: { deviceId: "phone-1", mutations: [mut.createAssessment(E.id)] } }),
      status: 400,
      code: "VALIDATION_FAILED",
      issues: true,
    },
    { name: "no mutations", body: () => ({ body: { deviceId: randomUUID() } }), status: 400, code: "VALIDATION_FAILED", issues: true },
    {
      name: "empty mutations",
      body: () => ({ body: { deviceId: randomUUID(), mutations: [] } }),
      status: 400,
      code: "VALIDATION_FAILED",
      issues: true,
    },
    {
      name: "mutations not an array",
      body: () => ({ body: { deviceId: randomUUID(), mutations: {} } }),
      status: 400,
      code: "VALIDATION_FAILED",
      issues: true,
    },
    {
      name: "bad clientState",
      body: () => ({ body: { deviceId: randomUUID(), clientState: { pendingCount: -1 }, mutations: [mut.createAssessment(E.id)] } }),
      status: 400,
      code: "VALIDATION_FAILED",
      issues: true,
    },
    {
      name: "malformed JSON",
      body: () => ({ rawBody: '{"deviceId": ', headers: { "content-type": "application/json" } }),
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "empty body",
      body: () => ({ rawBody: "", headers: { "content-type": "application/json" } }),
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "not gzip though it says so",
      body: () => ({ rawBody: '{"a":1}', headers: { "content-type": "application/json", "content-encoding": "gzip" } }),
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "201 mutations",
      body: () => ({ body: { deviceId: randomUUID(), mutations: Array.from({ length: 201 }, () => mut.createAssessment(E.id)) } }),
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
    },
    {
      name: "a body over 2 MiB",
      body: () => ({
        rawBody: JSON.stringify({ deviceId: randomUUID(), mutations: [{ pad: "x".repeat(MAX_PUSH_BYTES) }] }),
        headers: { "content-type": "application/json" },
      }),
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
    },
    {
      name: "a gzip bomb: small compressed, over 2 MiB decompressed",
      body: () => {
        const compressed = new Uint8Array(
          gzipSync(JSON.stringify({ deviceId: randomUUID(), mutations: [{ pad: "x".repeat(8 * MAX_PUSH_BYTES) }] })),
        );
        expect(compressed.byteLength).toBeLessThan(100_000);
        return { rawBody: compressed, headers: { "content-type": "application/json", "content-encoding": "gzip" } };
      },
      status: 413,
      code: "PAYLOAD_TOO_LARGE",
    },
  ];

  for (const row of envelopeRows) {
    it(`${row.status} ${row.code}: ${row.name}`, async () => {
      const before = await prisma().assessment.count();
      const res = await call(pushRoute, { path: "/api/sync/push", token: A1.token, method: "POST", ...row.body() });
      expectError(res, row.status, row.code);
      if (row.issues)
        expect(res.body.error?.issues).toEqual(expect.arrayContaining([expect.objectContaining({ message: expect.any(String) })]));
      // A refused envelope applies nothing.
      expect(await prisma().assessment.count()).toBe(before);
    });
  }

  it.each([
    ["no token", {}],
    ["an unknown token", { headers: { authorization: "Bearer not-a-session" } }],
  ])("401 UNAUTHENTICATED with %s", async (_name, extra) => {
    const m = mut.createAssessment(E.id);
    const res = await call(pushRoute, { path: "/api/sync/push", body: { deviceId: randomUUID(), mutations: [m] }, ...extra });
    expectError(res, 401, "UNAUTHENTICATED");
    expect(await prisma().assessment.count({ where: { offlineId: m.offlineId } })).toBe(0);
  });

  it("accepts exactly 200 mutations", async () => {
    const mutations = Array.from({ length: 200 }, () => ({ mutationId: randomUUID(), type: "widget" }));
    const res = await push(A1.token, mutations);
    expect(res.status).toBe(200);
    expect(res.results.every((r) => r.status === "rejected" && r.error.code === "VALIDATION_FAILED")).toBe(true);
  });

  it("accepts a gzip-compressed body", async () => {
    const m = mut.createAssessment(E.id, { data: { waterSource: "TANKER", notes: "n".repeat(2000) } });
    const res = await call(pushRoute, {
      path: "/api/sync/push",
      token: A1.token,
      gzip: true,
      body: { deviceId: randomUUID(), mutations: [m] },
    });
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.status).toBe(200);
    expect((res.body.results as Loose[])[0]).toMatchObject({
      status: "applied",
      offlineId: m.offlineId,
      record: { data: { waterSource: "TANKER" } },
    });
  });

  it("accepts a gzip body that is under 2 MiB compressed and decompressed", async () => {
    const m = mut.createAssessment(E.id, { data: { notes: "a".repeat(1500) } });
    const padded = { deviceId: randomUUID(), mutations: [m], pad: "p".repeat(MAX_PUSH_BYTES - 50_000) };
    const res = await call(pushRoute, { path: "/api/sync/push", token: A1.token, gzip: true, body: padded });
    expect(res.status).toBe(200);
    expect((res.body.results as Loose[])[0]).toMatchObject({ status: "applied" });
  });
});
