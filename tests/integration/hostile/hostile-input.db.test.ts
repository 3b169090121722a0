import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_CODES, toStorableText } from "@/lib/protocol";
import { assignUser, createEntity } from "@/lib/server/admin";
import { resetEnvForTests } from "@/lib/server/env";
import { resetMediaUploadsForTests } from "@/lib/server/media/tus-uploads";
import { makeUser } from "../../fixtures/api";
import { APP_ORIGIN, createAppFetch } from "../../fixtures/app-fetch";
import { useTestDb } from "../../fixtures/test-db";
import {
  type Credential,
  credential,
  extraHeaders,
  type HostileRequest,
  headerValue,
  hostileBody,
  hostileJson,
  hostileString,
  mangled,
  pathSegment,
  queryString,
  rawBodies,
} from "./arbitraries";
import { changedTables, fingerprint, installWriteCounters, type WriteCounts, writeCounts, writtenTables } from "./db-snapshot";

/**
 * Hostile input against every route family (issue 11 §1), through the app's real route handlers
 * and proxy.ts in-process (tests/fixtures/app-fetch.ts), on PGlite or on Postgres.
 *
 * For every generated request:
 * - never a 5xx;
 * - every error (non-2xx) body is `{error:{code,message,issues?}}` with a known code and nothing
 *   that looks like a stack frame or a file path;
 * - the database changed only where a request the server accepted may write (row-level write
 *   counters on every table read before and after each request, and a fingerprint of every table's
 *   contents around each family to show the counters miss nothing — db-snapshot.ts): a refused
 *   request writes nothing, except the failed-login log; a push answered 200 logs exactly one row per rejected mutation, and a
 *   mutation refused for its shape is logged as toStorableText of what was sent.
 *
 * FUZZ_RUNS (default 300) sets the cases per route family; FUZZ_SEED replays a run — the seed is
 * printed first, and fast-check prints seed and path of a failing case.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`hostile-input: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} (cases per route family)`);

const db = useTestDb();
const app = createAppFetch();
const mediaDir = mkdtempSync(path.join(os.tmpdir(), "fieldsync-hostile-media-"));

type Actor = Awaited<ReturnType<typeof makeUser>>;
interface World {
  actors: Record<"admin" | "coordinator" | "assessor" | "responder", Actor>;
  entityId: string;
  assessmentId: string;
  assessmentOfflineId: string;
  responseId: string;
  conflictId: string;
  /** Ids the path generators pick from, so some requests name things that exist. */
  ids: string[];
}
let world: World;

async function send(token: string, body: unknown) {
  const res = await app(`${APP_ORIGIN}/api/sync/push`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { results: { status: string; id: string; version: number; conflictId?: string }[] }).results;
}

beforeAll(async () => {
  process.env.MEDIA_DIR = mediaDir;
  resetEnvForTests();
  resetMediaUploadsForTests();
  const prisma = db.current.prisma;
  await installWriteCounters(prisma);
  const admin = await makeUser(prisma, "ADMIN");
  const coordinator = await makeUser(prisma, "COORDINATOR");
  const assessor = await makeUser(prisma, "ASSESSOR");
  const responder = await makeUser(prisma, "RESPONDER");
  const entity = await createEntity({
    name: "Hostile camp",
    type: "CAMP",
    lga: "Jere",
    ward: "Mashamari",
    latitude: 11.85,
    longitude: 13.16,
    autoApprove: false,
    createdById: admin.user.id,
  });
  for (const actor of [assessor, responder]) await assignUser({ userId: actor.user.id, entityId: entity.id });
  const assessmentOfflineId = crypto.randomUUID();
  const mutation = (data: Record<string, unknown>, action: "create" | "update", baseVersion: number) => ({
    mutationId: crypto.randomUUID(),
    type: "assessment",
    action,
    offlineId: assessmentOfflineId,
    baseVersion,
    data,
  });
  const [created] = await send(assessor.token, {
    deviceId: crypto.randomUUID(),
    mutations: [mutation({ entityId: entity.id, assessmentType: "WASH", status: "DRAFT", data: { latrines: 1 } }, "create", 0)],
  });
  expect(created, JSON.stringify(created)).toMatchObject({ status: "applied" });
  await send(assessor.token, { deviceId: crypto.randomUUID(), mutations: [mutation({ data: { latrines: 2 } }, "update", 1)] });
  const [conflict] = await send(coordinator.token, {
    deviceId: crypto.randomUUID(),
    mutations: [mutation({ data: { latrines: 3 } }, "update", 1)],
  });
  expect(conflict, JSON.stringify(conflict)).toMatchObject({ status: "conflict" });
  const [response] = await send(coordinator.token, {
    deviceId: crypto.randomUUID(),
    mutations: [
      {
        mutationId: crypto.randomUUID(),
        type: "response",
        action: "create",
        offlineId: crypto.randomUUID(),
        baseVersion: 0,
        data: {
          assessmentOfflineId,
          entityId: entity.id,
          responseType: "NFI",
          status: "DELIVERED",
          data: { items: [{ name: "Tarp", quantity: 2, unit: "pcs" }], beneficiaries: 4 },
        },
      },
    ],
  });
  expect(response, JSON.stringify(response)).toMatchObject({ status: "applied" });
  world = {
    actors: { admin, coordinator, assessor, responder },
    entityId: entity.id,
    assessmentId: created.id,
    assessmentOfflineId,
    responseId: response.id,
    conflictId: conflict.conflictId as string,
    ids: [entity.id, created.id, assessmentOfflineId, response.id, conflict.conflictId as string, assessor.user.id, responder.user.id],
  };
});

afterAll(() => {
  rmSync(mediaDir, { recursive: true, force: true });
});

// ---- sending and checking -----------------------------------------------------------------------

function authHeaders(who: Credential, method: string): Record<string, string> {
  switch (who) {
    case "none":
      return {};
    case "garbage":
      return { authorization: "Bearer not-a-token" };
    case "cookie":
      return { cookie: `fs_session=${world.actors.admin.token}`, origin: APP_ORIGIN };
    case "cookie-foreign":
      return { cookie: `fs_session=${world.actors.admin.token}`, ...(method === "GET" ? {} : { origin: "http://evil.test" }) };
    default:
      return { authorization: `Bearer ${world.actors[who].token}` };
  }
}

const KNOWN_CODES = new Set<string>(Object.values(ERROR_CODES));
/** Stack frames ("at f (file:1:2)"), source paths, module folders: none may reach a client. */
const LEAK = /\bat .*:\d+:\d+|\.(?:ts|js|mjs|tsx):\d+|\/work\/|node_modules|prisma\.|Error:|invalid input syntax|22P05/;

function describeRequest(r: HostileRequest): string {
  const body = r.body === undefined ? "" : typeof r.body === "string" ? r.body : `<${r.body.length} bytes>`;
  return `${r.method} ${r.target} as ${r.credential} ${JSON.stringify(r.headers)} ${JSON.stringify(body.slice(0, 300))}${body.length > 300 ? `…(${body.length})` : ""}`;
}

interface Sent {
  status: number;
  text: string;
  json: unknown;
}

async function sendHostile(r: HostileRequest): Promise<Sent> {
  const headers = new Headers({ ...r.headers, ...authHeaders(r.credential, r.method) });
  const canHaveBody = r.method !== "GET" && r.method !== "HEAD";
  const res = await app(`${APP_ORIGIN}${r.target}`, {
    method: r.method,
    headers,
    body: canHaveBody ? (r.body as BodyInit | undefined) : undefined,
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {}
  const where = describeRequest(r);
  if (res.status >= 500) throw new Error(`${res.status} for ${where}: ${text.slice(0, 500)}`);
  if (LEAK.test(text)) throw new Error(`the answer leaks internals for ${where}: ${text.slice(0, 500)}`);
  if (res.status >= 400 && r.method !== "HEAD") {
    const error = (json as { error?: Record<string, unknown> } | null)?.error;
    const shaped =
      json !== null &&
      Object.keys(json as object).join() === "error" &&
      typeof error?.code === "string" &&
      KNOWN_CODES.has(error.code) &&
      typeof error.message === "string" &&
      Object.keys(error).every((k) => ["code", "message", "issues"].includes(k));
    if (!shaped) throw new Error(`${res.status} without {error:{code,message}} for ${where}: ${text.slice(0, 500)}`);
  }
  return { status: res.status, text, json };
}

/** Tables a request may write when the server accepted it (2xx); a refused one writes none. */
type Writes = (r: HostileRequest, status: number) => readonly string[];

const RECORD_TABLES = ["Entity", "Assessment", "Response", "Media", "RecordVersion", "ChangeCounter"];
const NONE: Writes = () => [];

let current: WriteCounts | null = null;

/** Sends one request and checks the answer and what it wrote; returns the answer for more checks. */
async function probe(r: HostileRequest, writes: Writes): Promise<{ sent: Sent; written: Map<string, number> }> {
  const prisma = db.current.prisma;
  const before = current ?? (await writeCounts(prisma));
  current = null; // if the request throws, the next probe reads the counters afresh
  const sent = await sendHostile(r);
  const after = await writeCounts(prisma);
  current = after;
  const written = writtenTables(before, after);
  const allowed = new Set(sent.status < 300 ? writes(r, sent.status) : r.target.startsWith("/api/auth/login") ? ["LoginFailure"] : []);
  const unexpected = [...written.keys()].filter((t) => !allowed.has(t));
  if (unexpected.length > 0)
    throw new Error(
      `${sent.status} wrote to ${unexpected.join(", ")} (allowed: ${[...allowed].join(", ") || "none"}) for ${describeRequest(r)}`,
    );
  return { sent, written };
}

/** Extra checks around one request: `send` probes it and returns the answer. */
type Around = (r: HostileRequest, send: () => Promise<Sent>) => Promise<void>;

function runFamily(name: string, requests: fc.Arbitrary<HostileRequest>, writes: Writes, around?: Around) {
  it(`${name}: never a 5xx, errors in shape, only valid writes (${RUNS} cases)`, { timeout: Math.max(600_000, RUNS * 1000) }, async () => {
    const prisma = db.current.prisma;
    const statuses = new Map<number, number>();
    const send = async (r: HostileRequest) => {
      const { sent } = await probe(r, writes);
      statuses.set(sent.status, (statuses.get(sent.status) ?? 0) + 1);
      return sent;
    };
    const [countsBefore, contentsBefore] = [await writeCounts(prisma), await fingerprint(prisma)];
    await fc.assert(
      fc.asyncProperty(requests, async (r) => {
        if (around) await around(r, () => send(r));
        else await send(r);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // The counters saw every change: a table whose contents changed had its counter move.
    const written = writtenTables(countsBefore, await writeCounts(prisma));
    const changed = changedTables(contentsBefore, await fingerprint(prisma));
    expect(
      changed.filter((t) => !written.has(t)),
      "tables changed without a counted write",
    ).toEqual([]);
    console.log(
      `hostile-input ${name}: statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([x], [y]) => x - y)))}; rows written ${JSON.stringify(Object.fromEntries(written))}`,
    );
  });
}

// ---- request generators -------------------------------------------------------------------------

const withMethod = (methods: readonly string[], preferred: string) =>
  fc.oneof({ weight: 5, arbitrary: fc.constant(preferred) }, { weight: 1, arbitrary: fc.constantFrom(...methods) });
const ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

/** A request with a JSON-ish body to `target`, mostly as `method`. */
function bodyRequest(method: string, target: fc.Arbitrary<string>, valid: fc.Arbitrary<Record<string, unknown>>, who = credential) {
  return fc.record({
    method: withMethod(ALL_METHODS, method),
    target,
    credential: who,
    headers: fc.oneof(
      { weight: 3, arbitrary: fc.constant({ "content-type": "application/json" }) },
      { weight: 1, arbitrary: extraHeaders },
    ),
    body: valid.chain((v) => hostileBody(v)),
  }) satisfies fc.Arbitrary<HostileRequest>;
}

/** A request without a body (reads), with hostile query strings and headers. */
function readRequest(target: fc.Arbitrary<string>, who = credential) {
  return fc.record({
    method: withMethod(ALL_METHODS, "GET"),
    target,
    credential: who,
    headers: fc.oneof(fc.constant({}), extraHeaders),
    body: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  }) satisfies fc.Arbitrary<HostileRequest>;
}

const ids = () => world.ids;
const seg = () => pathSegment(ids());

function validMutation(): fc.Arbitrary<Record<string, unknown>> {
  const answers = mangled({ latrines: 3, notes: "ok", waterSource: "WELL" });
  const createData = answers.chain((data) =>
    mangled({ entityId: world.entityId, assessmentType: "WASH", status: "DRAFT", data: data as Record<string, unknown> }),
  );
  const create = fc
    .tuple(fc.uuid(), fc.uuid(), createData)
    .chain(([mutationId, offlineId, data]) =>
      mangled({ mutationId, type: "assessment", action: "create", offlineId, baseVersion: 0, data, clientTime: new Date().toISOString() }),
    );
  const update = fc
    .tuple(fc.uuid(), answers, fc.integer({ min: -1, max: 5 }))
    .chain(([mutationId, data, baseVersion]) =>
      mangled({ mutationId, type: "assessment", action: "update", offlineId: world.assessmentOfflineId, baseVersion, data: { data } }),
    );
  const del = fc
    .tuple(fc.uuid(), fc.uuid(), fc.constantFrom("entity", "assessment", "response", "media", "__proto__"))
    .map(([mutationId, offlineId, type]) => ({ mutationId, type, action: "delete", offlineId, baseVersion: 1 }));
  // Plausible edits with hostile text where text is allowed: the ones that must be applied (or refused) whole.
  const plausible = fc
    .tuple(fc.uuid(), fc.uuid(), hostileString, fc.nat({ max: 50 }), fc.constantFrom("DRAFT", "SUBMITTED"))
    .map(([mutationId, offlineId, notes, latrines, status]) => ({
      mutationId,
      type: "assessment",
      action: "create",
      offlineId,
      baseVersion: 0,
      data: { entityId: world.entityId, assessmentType: "WASH", status, data: { notes: notes.slice(0, 2000), latrines } },
    }));
  const edit = fc.tuple(fc.uuid(), hostileString, fc.integer({ min: 1, max: 4 })).map(([mutationId, notes, baseVersion]) => ({
    mutationId,
    type: "assessment",
    action: "update",
    offlineId: world.assessmentOfflineId,
    baseVersion,
    data: { data: { notes: notes.slice(0, 2000) } },
  }));
  return fc.oneof(
    { weight: 3, arbitrary: plausible },
    { weight: 1, arbitrary: edit },
    { weight: 2, arbitrary: create },
    { weight: 1, arbitrary: update },
    { weight: 1, arbitrary: del },
  );
}

const pushEnvelope = () =>
  fc
    .tuple(
      fc.uuid(),
      mangled({ pendingCount: 1, appVersion: "1.0.0", sentAt: new Date().toISOString(), storageUsedBytes: 10 }),
      fc.array(fc.oneof({ weight: 3, arbitrary: validMutation() }, { weight: 1, arbitrary: hostileJson }), { minLength: 1, maxLength: 4 }),
    )
    .chain(([deviceId, clientState, mutations]) => mangled({ deviceId, clientState, mutations }));

/** The push family sends mostly envelopes that pass (so the mutations are judged one by one). */
const pushRequests = () =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        method: fc.constant("POST"),
        target: fc.constant("/api/sync/push"),
        credential: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom<Credential>("assessor", "coordinator") },
          { weight: 1, arbitrary: credential },
        ),
        headers: fc.constant({ "content-type": "application/json" }),
        body: fc
          .tuple(fc.uuid(), fc.oneof(fc.constant(undefined), mangled({ pendingCount: 1, appVersion: "1.0.0" })))
          .chain(([deviceId, clientState]) =>
            fc
              .array(fc.oneof({ weight: 4, arbitrary: validMutation() }, { weight: 1, arbitrary: hostileJson }), {
                minLength: 1,
                maxLength: 4,
              })
              .map((mutations) => JSON.stringify({ deviceId, clientState, mutations })),
          ),
      }),
    },
    { weight: 2, arbitrary: bodyRequest("POST", fc.constant("/api/sync/push"), pushEnvelope()) },
  );

/** After a push answered 200: one rejection-log row per rejected result, malformed ones stored safely. */
async function checkRejectionLog(r: HostileRequest, sent: Sent, logBefore: bigint) {
  if (r.target !== "/api/sync/push" || sent.status !== 200) return;
  const results = (sent.json as { results: { status: string; mutationId: string | null; error?: { message: string } }[] }).results;
  const rows = await db.current.prisma.rejectedMutation.findMany({ where: { id: { gt: logBefore } }, orderBy: { id: "asc" } });
  const rejected = results.filter((x) => x.status === "rejected");
  expect(rows.length, describeRequest(r)).toBe(rejected.length);
  expect(rows.map((row) => row.mutationId)).toEqual(rejected.map((x) => x.mutationId));
  const sentMutations = (JSON.parse(r.body as string) as { mutations: unknown[] }).mutations;
  let row = 0;
  for (const [i, result] of results.entries()) {
    if (result.status !== "rejected") continue;
    // Refused for its shape: the log keeps what was sent, made storable.
    if (result.error?.message === "The mutation does not match the protocol")
      expect(roundNumbers(rows[row].payload), describeRequest(r)).toEqual(roundNumbers(toStorableText(sentMutations[i])));
    row++;
  }
}

/**
 * Numbers to 12 significant digits: a jsonb number read back can differ from the double sent in
 * its last bit (1.8950052505619988e+149 came back as 1.895005250561999e+149).
 */
function roundNumbers(value: unknown): unknown {
  if (typeof value === "number") return Number(value.toPrecision(12));
  if (Array.isArray(value)) return value.map(roundNumbers);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundNumbers(v)]));
  return value;
}

async function lastRejectionId(): Promise<bigint> {
  const last = await db.current.prisma.rejectedMutation.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
  return last?.id ?? 0n;
}

// ---- the families -------------------------------------------------------------------------------

describe("hostile input never breaks the server", () => {
  it("push: the reported defects answer 200 with a logged rejection, or 400 for the envelope", async () => {
    const deviceId = crypto.randomUUID();
    const token = world.actors.assessor.token;
    const cases: { body: string; status: number; logged: number }[] = [
      { body: `{"deviceId":"${deviceId}","clientState":{"appVersion":"a\\u0000b"},"mutations":[{}]}`, status: 400, logged: 0 },
      { body: `{"deviceId":"${deviceId}","clientState":{"appVersion":"a\\ud800"},"mutations":[{}]}`, status: 400, logged: 0 },
      { body: `{"deviceId":"${deviceId}","mutations":[{"a\\u0000":1,"type":"x\\u0000"}]}`, status: 200, logged: 1 },
      { body: `{"deviceId":"${deviceId}","mutations":[{"type":"assessment","k\\udc00":{"\\ud800":"\\u0000"}}]}`, status: 200, logged: 1 },
      { body: `{"deviceId":"${deviceId}","mutations":[${"[".repeat(5000)}${"]".repeat(5000)}]}`, status: 400, logged: 0 },
      // Found by a 5,000-case run: a count past the integer column's range failed after the batch committed.
      { body: `{"deviceId":"${deviceId}","clientState":{"pendingCount":2147483648},"mutations":[{}]}`, status: 400, logged: 0 },
      {
        body: `{"deviceId":"${deviceId}","mutations":[{"mutationId":"${crypto.randomUUID()}","type":"assessment","action":"update","offlineId":"${crypto.randomUUID()}","baseVersion":2147483648,"data":{}}]}`,
        status: 200,
        logged: 1,
      },
    ];
    for (const c of cases) {
      const before = await lastRejectionId();
      const r: HostileRequest = { method: "POST", target: "/api/sync/push", credential: "assessor", headers: {}, body: c.body };
      const { sent } = await probe(r, () => ["RejectedMutation", "Device", "ProcessedMutation"]);
      expect(sent.status, c.body.slice(0, 80)).toBe(c.status);
      await checkRejectionLog(r, sent, before);
      expect(await db.current.prisma.rejectedMutation.count({ where: { id: { gt: before } } })).toBe(c.logged);
    }
    expect(token).toBeTruthy();
  });

  it("deep nesting and bad path escapes answer 400 on every body route", async () => {
    const deep = `{"a":${"[".repeat(5000)}${"]".repeat(5000)}}`;
    const targets = [
      ["POST", "/api/auth/login"],
      ["POST", "/api/admin/users"],
      ["POST", "/api/admin/entities"],
      ["POST", "/api/admin/assignments"],
      ["POST", `/api/conflicts/${world.conflictId}/resolve`],
      ["POST", `/api/assessments/${world.assessmentId}/verify`],
      ["POST", `/api/responses/${world.responseId}/verify`],
      ["PATCH", `/api/admin/users/${world.actors.assessor.user.id}`],
      ["PATCH", `/api/admin/entities/${world.entityId}`],
    ];
    for (const [method, target] of targets) {
      const { sent } = await probe({ method, target, credential: "admin", headers: {}, body: deep }, NONE);
      expect(sent.status, target).toBe(400);
      expect((sent.json as { error: { message: string } }).error.message).toMatch(/levels deep/);
    }
    for (const target of ["/api/media/%ED%A0%80", `/api/conflicts/%ED%A0%80%FF/resolve`, "/api/media/uploads/%E0%A4%A", "/api/nope/%FF"]) {
      const { sent } = await probe(
        { method: target.endsWith("resolve") ? "POST" : "GET", target, credential: "admin", headers: {}, body: "{}" },
        NONE,
      );
      expect(sent.status, target).toBe(400);
      expect((sent.json as { error: { code: string } }).error.code).toBe("VALIDATION_FAILED");
    }
  });

  describe("generated", () => {
    /** What the mutations of accepted pushes became (printed: the suite must reach "applied" too). */
    const pushOutcomes = new Map<string, number>();
    afterAll(() => console.log(`hostile-input push: mutation results ${JSON.stringify(Object.fromEntries(pushOutcomes))}`));

    runFamily(
      "push",
      fc.constant(null).chain(() => pushRequests()),
      () => [
        "Entity",
        "Assessment",
        "Response",
        "Media",
        "RecordVersion",
        "ProcessedMutation",
        "RejectedMutation",
        "Conflict",
        "Device",
        "ChangeCounter",
      ],
      async (r, send) => {
        const logBefore = await lastRejectionId();
        const sent = await send();
        await checkRejectionLog(r, sent, logBefore);
        for (const result of (sent.json as { results?: { status: string }[] } | null)?.results ?? [])
          pushOutcomes.set(result.status, (pushOutcomes.get(result.status) ?? 0) + 1);
      },
    );

    runFamily(
      "pull",
      fc.constant(null).chain(() => readRequest(queryString(["cursor", "limit", "deviceId"]).map((q) => `/api/sync/pull${q}`))),
      () => ["Device"],
    );

    runFamily(
      "conflicts: list, get, resolve",
      fc.constant(null).chain(() =>
        fc.oneof(
          readRequest(
            queryString(["status", "cursor", "type", "form", "entityId", "submittedById", "kind", "limit"]).map(
              (q) => `/api/conflicts${q}`,
            ),
          ),
          readRequest(seg().map((id) => `/api/conflicts/${id}`)),
          bodyRequest(
            "POST",
            fc.oneof(
              fc.constant(`/api/conflicts/${world.conflictId}/resolve`),
              seg().map((id) => `/api/conflicts/${id}/resolve`),
            ),
            mangled({ strategy: "custom", data: { "data.latrines": 9 }, expectedVersion: 2 }),
          ),
        ),
      ),
      () => ["Conflict", ...RECORD_TABLES],
    );

    runFamily(
      "verify: assessments and responses",
      fc.constant(null).chain(() =>
        bodyRequest(
          "POST",
          fc
            .tuple(fc.constantFrom("assessments", "responses"), fc.oneof(fc.constantFrom(world.assessmentId, world.responseId), seg()))
            .map(([kind, id]) => `/api/${kind}/${id}/verify`),
          hostileString.chain((note) => mangled({ decision: "REJECTED", note })),
        ),
      ),
      () => RECORD_TABLES,
    );

    runFamily(
      "admin: users, entities, assignments",
      fc.constant(null).chain(() => {
        const admin = fc.oneof({ weight: 5, arbitrary: fc.constant<Credential>("admin") }, { weight: 1, arbitrary: credential });
        // Never the acting admin's own id in a PATCH: disabling or re-passwording it ends the session the fuzzer uses.
        const others = pathSegment(ids().filter((id) => id !== world.actors.admin.user.id));
        return fc.oneof(
          readRequest(fc.constantFrom("/api/admin/users", "/api/entities"), admin),
          readRequest(
            queryString(["userId", "entityId", "active"]).map((q) => `/api/admin/assignments${q}`),
            admin,
          ),
          bodyRequest(
            "POST",
            fc.constant("/api/admin/users"),
            hostileString.map((s) => ({ email: `${s.slice(0, 20)}@x.test`, name: s, role: "ASSESSOR", password: "long enough password" })),
            admin,
          ),
          bodyRequest(
            "PATCH",
            others.map((id) => `/api/admin/users/${id}`),
            mangled({ name: "N", role: "RESPONDER", active: true }),
            admin,
          ),
          bodyRequest(
            "POST",
            fc.constant("/api/admin/entities"),
            mangled({ name: "E", type: "CAMP", lga: "L", ward: "W", latitude: 1, longitude: 2, autoApprove: false }),
            admin,
          ),
          bodyRequest(
            "PATCH",
            others.map((id) => `/api/admin/entities/${id}`),
            mangled({ name: "E2", expectedVersion: 1 }),
            admin,
          ),
          bodyRequest(
            "POST",
            fc.constant("/api/admin/assignments"),
            mangled({ userId: world.actors.responder.user.id, entityId: world.entityId }),
            admin,
          ),
          bodyRequest(
            "DELETE",
            fc.constant("/api/admin/assignments"),
            mangled({ userId: crypto.randomUUID(), entityId: world.entityId }),
            admin,
          ),
        );
      }),
      (r) => (r.target.startsWith("/api/admin/users") ? ["User", "Session"] : ["Assignment", ...RECORD_TABLES]),
    );

    runFamily(
      "auth: login, logout, me",
      fc.constant(null).chain(() =>
        fc.oneof(
          bodyRequest(
            "POST",
            fc.constant("/api/auth/login"),
            fc
              .tuple(fc.constantFrom(world.actors.assessor.email, "nobody@x.test"), hostileString)
              .chain(([email, password]) => mangled({ email, password })),
            fc.constant<Credential>("none"),
          ).chain((r) => headerValue.map((ip) => ({ ...r, headers: { ...r.headers, "x-forwarded-for": ip } }))),
          // Logout with anything but a real session: the fuzzer's own sessions must survive.
          readRequest(fc.constant("/api/auth/logout"), fc.constantFrom<Credential>("none", "garbage")).map((r) => ({
            ...r,
            method: "POST",
          })),
          readRequest(fc.constant("/api/auth/me")),
        ),
      ),
      (r) => (r.target === "/api/auth/login" ? ["Session", "LoginFailure"] : []),
    );

    runFamily(
      "dashboard, verification, devices, rejections",
      fc.constant(null).chain(() =>
        readRequest(
          fc.oneof(
            fc.constant("/api/dashboard/counts"),
            queryString(["days"]).map((q) => `/api/dashboard/activity${q}`),
            queryString(["entityId", "type", "form", "cursor", "limit"]).map((q) => `/api/verification${q}`),
            fc.constant("/api/sync/devices"),
            queryString(["deviceId", "userId", "code", "cursor", "limit"]).map((q) => `/api/sync/rejections${q}`),
          ),
        ),
      ),
      NONE,
    );

    runFamily(
      "media: GET and the tus endpoint",
      fc.constant(null).chain(() => {
        const uploadTarget = fc.oneof(
          fc.constant("/api/media/uploads"),
          seg().map((id) => `/api/media/uploads/${id}`),
        );
        const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
        const metadata = fc
          .record({
            offlineId: fc.oneof(fc.uuid(), hostileString),
            parentType: fc.constantFrom("assessment", "response", "entity", "\u0000"),
            parentOfflineId: fc.oneof(fc.constant(world.assessmentOfflineId), hostileString),
            filename: fc.oneof(fc.constant("a.jpg"), hostileString),
            mimeType: fc.constantFrom("image/jpeg", "text/html", "image/png\u0000", ""),
            sha256: fc.oneof(fc.constant("a".repeat(64)), hostileString),
          })
          .chain((m) =>
            fc.oneof(
              fc.constant(
                Object.entries(m)
                  .map(([k, v]) => `${k} ${b64(v)}`)
                  .join(","),
              ),
              headerValue,
              fc.constant("offlineId,,, ,filename !!!notbase64"),
            ),
          );
        const tusHeaders = fc.record(
          {
            "tus-resumable": fc.constantFrom("1.0.0", "0.2.2", ""),
            "upload-length": headerValue,
            "upload-offset": headerValue,
            "upload-metadata": metadata,
            "upload-defer-length": fc.constantFrom("1", "0"),
            "upload-concat": fc.constantFrom("partial", "final;/api/media/uploads/x /api/media/uploads/y", "bogus"),
            "content-type": fc.constantFrom("application/offset+octet-stream", "application/json", "text/plain"),
            "x-http-method-override": fc.constantFrom("DELETE", "PATCH", "GET"),
          },
          { requiredKeys: [] },
        );
        return fc.oneof(
          readRequest(seg().map((id) => `/api/media/${id}`)),
          fc.record({
            method: fc.constantFrom("POST", "HEAD", "PATCH", "DELETE", "OPTIONS", "GET", "PUT"),
            target: uploadTarget,
            credential,
            headers: tusHeaders,
            body: fc.option(fc.oneof(fc.uint8Array({ maxLength: 256 }), rawBodies({})), { nil: undefined }),
          }),
        );
      }),
      // tus keeps its uploads as files; only a verified completion writes a media record.
      () => ["Media", "ChangeCounter"],
    );
  });
});
