/**
 * Fault injection between the browser sync client and the REAL sync engine
 * (tests/fixtures/faults.ts around tests/fixtures/app-fetch.ts). Whatever fails — the request,
 * the response, the server, the device itself — every mutation is applied exactly once on the
 * server and nothing is lost on the device: the outbox drains and every record ends synced at the
 * server's version.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FieldSyncDb } from "@/lib/client/db/field-sync-db";
import type { AnyLocalRow } from "@/lib/client/db/types";
import { createRecord, updateRecord } from "@/lib/client/outbox/local-writes";
import { discardParked, retryParked } from "@/lib/client/outbox/parked";
import { recordFields } from "@/lib/client/outbox/rebuild-record";
import type { MachineState } from "@/lib/client/sync/machine";
import { BACKOFF_CAP_MS } from "@/lib/client/sync/retry-policy";
import { assignUser, createEntity } from "@/lib/server/admin";
import { toAssessmentRecord } from "@/lib/server/sync/serialize";
import { makeUser } from "../../fixtures/api";
import { APP_ORIGIN, type AppFetch, createAppFetch, type Device, openDevice } from "../../fixtures/app-fetch";
import { type Fault, FaultyFetch } from "../../fixtures/faults";
import { useTestDb } from "../../fixtures/test-db";

const testDb = useTestDb();
let app: AppFetch;
beforeAll(() => {
  app = createAppFetch();
});

const opened: Device[] = [];
afterEach(async () => {
  for (const d of opened.splice(0)) {
    d.kill();
    await d.db.delete().catch(() => undefined);
  }
});

const WASH = (data: Record<string, unknown> = {}) => ({ waterSource: "BOREHOLE", ...data });
const FULL_WASH = { waterSource: "WELL", functionalBoreholes: 1, latrines: 6, openDefecationObserved: false };

let sites = 0;
function newEntity() {
  return createEntity({
    name: `Fault camp ${++sites}`,
    type: "CAMP",
    lga: "Jere",
    ward: "Mashamari",
    latitude: 11.9,
    longitude: 13.2,
    autoApprove: false,
    createdById: null,
  });
}

function newAssessment(db: FieldSyncDb, entityId: string, data: Record<string, unknown> = WASH(), extra: Record<string, unknown> = {}) {
  return createRecord(db, "assessment", { entityId, assessmentType: "WASH", status: "DRAFT", data, ...extra });
}

interface Setup {
  entityId: string;
  userId: string;
  token: string;
  email: string;
  password: string;
  net: FaultyFetch;
  device: Device;
  /** Synced before the faults start (version 1 on the server). */
  baseline: AnyLocalRow;
}

async function setup(options: { dbName?: string } = {}): Promise<Setup> {
  const entity = await newEntity();
  const { user, token, email, password } = await makeUser(testDb.current.prisma, "ASSESSOR");
  await assignUser({ userId: user.id, entityId: entity.id });
  const net = new FaultyFetch(app);
  const device = await openDevice({ token, fetch: net.fetch, dbName: options.dbName });
  opened.push(device);
  const baseline = await newAssessment(device.db, entity.id);
  expect(await device.sync()).toEqual({ status: "idle" });
  return { entityId: entity.id, userId: user.id, token, email, password, net, device, baseline };
}

/** Offline work to push through the fault: two creates (one HIGH: submitted) and an edit. */
async function offlineWork(s: Setup, db: FieldSyncDb = s.device.db) {
  const draft = await newAssessment(db, s.entityId, WASH({ latrines: 1 }));
  const submitted = await newAssessment(db, s.entityId, FULL_WASH, { status: "SUBMITTED" });
  await updateRecord(db, "assessment", s.baseline.offlineId, { data: { latrines: 4 } });
  return { creates: [draft.offlineId, submitted.offlineId], updated: s.baseline.offlineId };
}

/** Manual syncs until one ends idle (a manual trigger cuts any backoff short); the states seen. */
async function syncUntilIdle(d: Device, maxPasses = 6): Promise<MachineState[]> {
  const states: MachineState[] = [];
  for (let i = 0; i < maxPasses; i++) {
    const state = await d.sync();
    states.push(state);
    if (state.status === "idle") return states;
  }
  throw new Error(`no clean pass in ${maxPasses}: ${JSON.stringify(states)}`);
}

/** Resolves once the client's loop has stopped (for passes started by timers, not by the test). */
function settled(d: Device): Promise<MachineState> {
  return new Promise((resolve) => {
    const check = () => {
      const state = d.client.getState();
      if (state.status !== "syncing") {
        unsubscribe();
        // The loop refreshes counts after its last transition; let it finish.
        setTimeout(() => resolve(d.client.getState()), 20);
      }
    };
    const unsubscribe = d.client.subscribe(check);
  });
}

/**
 * Exactly once, nothing lost: per record one row on the server with one snapshot per version and
 * one ledger row per distinct mutation; every mutationId the server was handed is in the ledger;
 * on the device an empty outbox and parked list, every record synced at the server's version with
 * exactly the server's fields.
 */
async function expectExactlyOnce(s: Setup, work: { creates: string[]; updated: string }, device: Device = s.device) {
  const prisma = testDb.current.prisma;
  const expectedVersions = new Map<string, number[]>([
    [s.baseline.offlineId, [1, 2]],
    ...work.creates.map((id) => [id, [1]] as [string, number[]]),
  ]);
  for (const [offlineId, versions] of expectedVersions) {
    const rows = await prisma.assessment.findMany({ where: { offlineId } });
    expect(rows, `assessment rows for ${offlineId}`).toHaveLength(1);
    expect(rows[0].version).toBe(versions.at(-1));
    const history = await prisma.recordVersion.findMany({ where: { recordId: rows[0].id }, orderBy: { version: "asc" } });
    expect(
      history.map((h) => h.version),
      `versions of ${offlineId}`,
    ).toEqual(versions);
  }
  expect(await prisma.assessment.count({ where: { entityId: s.entityId } })).toBe(expectedVersions.size);

  const ledger = await prisma.processedMutation.findMany({ where: { userId: s.userId } });
  const perRecord = new Map<string, number>();
  for (const l of ledger) perRecord.set(l.offlineId, (perRecord.get(l.offlineId) ?? 0) + 1);
  expect(Object.fromEntries(perRecord)).toEqual(Object.fromEntries([...expectedVersions].map(([id, versions]) => [id, versions.length])));
  expect(new Set(ledger.map((l) => l.mutationId))).toEqual(new Set(s.net.servedMutationIds()));

  expect({ outbox: await device.db.outbox.count(), parked: await device.db.parked.count() }).toEqual({ outbox: 0, parked: 0 });
  for (const offlineId of expectedVersions.keys()) {
    const server = toAssessmentRecord(await prisma.assessment.findUniqueOrThrow({ where: { offlineId } }));
    const local = await device.db.assessments.get(offlineId);
    expect(local, `local ${offlineId}`).toBeDefined();
    expect({ syncState: local?.syncState, serverVersion: local?.serverVersion }).toEqual({
      syncState: "synced",
      serverVersion: server.version,
    });
    expect(recordFields(local as AnyLocalRow)).toEqual({ ...server });
  }
}

/** The queue after a failed attempt: every entry still there, back to queued, same mutationIds. */
async function expectQueueIntact(d: Device, sentMutationIds: readonly string[]) {
  const entries = await d.db.outbox.orderBy("seq").toArray();
  expect(entries.map((e) => e.state)).toEqual(entries.map(() => "queued"));
  expect(new Set(entries.map((e) => e.mutationId))).toEqual(new Set(sentMutationIds));
}

const lastPush = (net: FaultyFetch) => net.log.filter((e) => e.path === "/api/sync/push").at(-1);

describe("fault injection: each mutation applied exactly once, nothing lost", () => {
  const retried: { name: string; fault: Fault; serverSawFirst: boolean; code: string }[] = [
    { name: "a dropped request (the server never saw it)", fault: { kind: "drop-request" }, serverSawFirst: false, code: "NETWORK_ERROR" },
    {
      name: "a dropped response (the server applied it; the retry is answered duplicate)",
      fault: { kind: "drop-response" },
      serverSawFirst: true,
      code: "NETWORK_ERROR",
    },
    { name: "a 500, then success", fault: { kind: "status", status: 500 }, serverSawFirst: false, code: "INTERNAL" },
    {
      name: "a 502 from a proxy after the server applied it",
      fault: { kind: "status", status: 502, code: "BAD_GATEWAY", afterServer: true },
      serverSawFirst: true,
      code: "BAD_GATEWAY",
    },
  ];

  it.each(retried)("$name", async ({ fault, serverSawFirst, code }) => {
    const s = await setup();
    const work = await offlineWork(s);
    s.net.inject("push", fault);

    const first = await s.device.sync();
    expect(first).toMatchObject({ status: "backoff", attempt: 1, error: { code } });
    const failedPush = lastPush(s.net);
    expect(failedPush?.reachedServer).toBe(serverSawFirst);
    expect(failedPush?.mutationIds).toHaveLength(3);
    // Applied on the server or not, the device still holds every mutation, unchanged.
    await expectQueueIntact(s.device, failedPush?.mutationIds ?? []);
    expect(await testDb.current.prisma.assessment.count({ where: { offlineId: { in: work.creates } } })).toBe(serverSawFirst ? 2 : 0);

    await syncUntilIdle(s.device);
    const retry = lastPush(s.net);
    expect(retry?.mutationIds).toEqual(failedPush?.mutationIds);
    expect(retry?.pushResults).toEqual(serverSawFirst ? ["duplicate", "duplicate", "duplicate"] : ["applied", "applied", "applied"]);
    await expectExactlyOnce(s, work);
  });

  it("429 with Retry-After: the client waits at least that long on its own clock before resending", async () => {
    const s = await setup();
    const work = await offlineWork(s);
    s.net.inject("push", { kind: "rate-limit", retryAfterSeconds: 120 });
    const pushesBefore = s.net.served("push").length;

    const startedAt = s.device.clock.now();
    s.device.client.start(); // app start: attaches the timers and syncs once
    const backoff = await settled(s.device);
    expect(backoff).toMatchObject({ status: "backoff", error: { code: "RATE_LIMITED" } });
    if (backoff.status !== "backoff") throw new Error("unreachable");
    expect(backoff.until - startedAt).toBeGreaterThanOrEqual(120_000);
    expect(backoff.until - startedAt).toBeLessThanOrEqual(BACKOFF_CAP_MS);
    expect(s.device.clock.requestedDelays.at(-1)).toBeGreaterThanOrEqual(120_000);

    // Opportunistic triggers respect the wait; so does the clock short of it.
    s.device.client.dispatch({ type: "TRIGGER", source: "timer" });
    s.device.client.dispatch({ type: "TRIGGER", source: "visible" });
    s.device.clock.advance(119_999);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.device.client.getState().status).toBe("backoff");
    expect(s.net.served("push").length).toBe(pushesBefore);

    s.device.clock.advance(backoff.until - s.device.clock.now());
    expect(await settled(s.device)).toEqual({ status: "idle" });
    expect(s.net.served("push").length).toBe(pushesBefore + 1);
    expect(lastPush(s.net)?.pushResults).toEqual(["applied", "applied", "applied"]);
    await expectExactlyOnce(s, work);
  });

  it("a slow response: edits and sync requests made while the batch is in flight are neither lost nor sent twice", async () => {
    const s = await setup();
    const work = await offlineWork(s);
    let duringFlight: { created: string; outboxDuring: number } | null = null;
    s.net.inject("push", {
      kind: "delay",
      ms: 150,
      onDelay: async () => {
        // The server has applied the batch; its answer is on the way. The user keeps working.
        await updateRecord(s.device.db, "assessment", s.baseline.offlineId, { data: { functionalBoreholes: 3 } });
        const created = await newAssessment(s.device.db, s.entityId, WASH({ latrines: 9 }));
        void s.device.client.syncOnce("manual"); // a second "Sync now" while one is running
        duringFlight = { created: created.offlineId, outboxDuring: await s.device.db.outbox.count() };
      },
    });

    expect(await s.device.sync()).toEqual({ status: "idle" });
    expect(duringFlight).not.toBeNull();
    const { created, outboxDuring } = duringFlight as unknown as { created: string; outboxDuring: number };
    // The edit did not fold into the in-flight update: it queued behind it.
    expect(outboxDuring).toBe(5);
    const pushes = s.net.served("push").slice(-2);
    expect(pushes.map((p) => p.pushResults)).toEqual([
      ["applied", "applied", "applied"],
      ["applied", "applied"],
    ]);

    const prisma = testDb.current.prisma;
    const baseline = await prisma.assessment.findUniqueOrThrow({ where: { offlineId: s.baseline.offlineId } });
    expect(baseline.version).toBe(3);
    expect(baseline.data).toEqual({ waterSource: "BOREHOLE", latrines: 4, functionalBoreholes: 3 });
    expect(await prisma.recordVersion.count({ where: { recordId: baseline.id } })).toBe(3);
    expect(await prisma.assessment.count({ where: { offlineId: created } })).toBe(1);
    expect(new Set((await prisma.processedMutation.findMany({ where: { userId: s.userId } })).map((l) => l.mutationId))).toEqual(
      new Set(s.net.servedMutationIds()),
    );
    expect(await s.device.db.outbox.count()).toBe(0);
    expect(await s.device.db.assessments.get(s.baseline.offlineId)).toMatchObject({ syncState: "synced", serverVersion: 3, version: 3 });
    for (const id of [...work.creates, created]) {
      expect(await s.device.db.assessments.get(id)).toMatchObject({ syncState: "synced", serverVersion: 1 });
    }
  });

  it("a crash mid-batch: the server applied the push, the device died before recording the answer; reopened, it resends and is answered duplicate", async () => {
    const dbName = `crash-${crypto.randomUUID()}`;
    const s = await setup({ dbName });
    const work = await offlineWork(s);
    s.net.inject("push", { kind: "crash", onCrash: () => s.device.kill() });

    // The dying client's pass ends in a local error (its database is gone), never in completeBatch.
    const dying = await s.device.sync();
    expect(dying).toMatchObject({ status: "error", error: { code: "LOCAL_ERROR" } });
    const crashed = lastPush(s.net);
    expect(crashed?.reachedServer).toBe(true);
    expect(await testDb.current.prisma.assessment.count({ where: { offlineId: { in: work.creates } } })).toBe(2);

    // A new process opens the same database: the batch left 'inflight' goes back to the queue.
    const reopened = await openDevice({ dbName, token: s.token, fetch: s.net.fetch });
    opened.push(reopened);
    await expectQueueIntact(reopened, crashed?.mutationIds ?? []);
    expect((await reopened.db.outbox.toArray()).map((e) => e.attempts)).toEqual([1, 1, 1]);

    expect(await reopened.sync()).toEqual({ status: "idle" });
    expect(lastPush(s.net)?.mutationIds).toEqual(crashed?.mutationIds);
    expect(lastPush(s.net)?.pushResults).toEqual(["duplicate", "duplicate", "duplicate"]);
    await expectExactlyOnce(s, work, reopened);
  });

  it("a crash while a pull is answered: an edit saved just before survives, and syncs exactly once", async () => {
    const dbName = `crash-pull-${crypto.randomUUID()}`;
    const s = await setup({ dbName });
    const a = s.baseline;
    await updateRecord(s.device.db, "assessment", a.offlineId, { data: { latrines: 2 } });
    s.net.inject("pull", {
      kind: "crash",
      onCrash: async () => {
        await updateRecord(s.device.db, "assessment", a.offlineId, { data: { notes: "saved just before the crash" } });
        s.device.kill();
      },
    });
    expect((await s.device.sync()).status).not.toBe("idle");

    const reopened = await openDevice({ token: s.token, fetch: s.net.fetch, dbName });
    opened.push(reopened);
    expect(await reopened.db.assessments.get(a.offlineId)).toMatchObject({
      syncState: "pending",
      data: { latrines: 2, notes: "saved just before the crash" },
    });
    expect(await reopened.sync()).toEqual({ status: "idle" });
    const server = await testDb.current.prisma.assessment.findUniqueOrThrow({ where: { offlineId: a.offlineId } });
    expect(server.data).toEqual({ ...WASH(), latrines: 2, notes: "saved just before the crash" });
    expect(server.version).toBe(3);
    expect(await reopened.db.assessments.get(a.offlineId)).toMatchObject({ syncState: "synced", serverVersion: 3 });
    expect(await reopened.db.outbox.count()).toBe(0);
  });

  it("a lost answer, then someone else's edit: the queued edit is based on the version our edit produced, so it conflicts instead of overwriting", async () => {
    const s = await setup();
    const other = await makeUser(testDb.current.prisma, "ASSESSOR");
    await assignUser({ userId: other.user.id, entityId: s.entityId });
    const otherDevice = await openDevice({ token: other.token, fetch: app });
    opened.push(otherDevice);

    // Our edit (5) is applied as version 2, but its answer is lost.
    await updateRecord(s.device.db, "assessment", s.baseline.offlineId, { data: { latrines: 5 } });
    s.net.inject("push", { kind: "drop-response" });
    expect(await s.device.sync()).toMatchObject({ status: "backoff" });
    // Someone else, who saw 5, sets 6 (version 3); our user, who never saw 6, then sets 8.
    expect(await otherDevice.sync()).toEqual({ status: "idle" });
    await updateRecord(otherDevice.db, "assessment", s.baseline.offlineId, { data: { latrines: 6 } });
    expect(await otherDevice.sync()).toEqual({ status: "idle" });
    await updateRecord(s.device.db, "assessment", s.baseline.offlineId, { data: { latrines: 8 } });

    await syncUntilIdle(s.device);
    const pushes = s.net.served("push");
    expect(pushes.at(-2)?.pushResults).toEqual(["duplicate"]);
    // 8 was typed over 5, not over 6: a human decides, and the server keeps 6 meanwhile.
    expect(pushes.at(-1)?.pushResults).toEqual(["conflict"]);
    const server = await testDb.current.prisma.assessment.findUniqueOrThrow({ where: { offlineId: s.baseline.offlineId } });
    expect(server.data).toMatchObject({ latrines: 6 });
    expect(server.version).toBe(3);
  });

  it("a lost conflict answer: the resend is answered with the same conflict, and the edit still awaits review", async () => {
    const s = await setup();
    const other = await makeUser(testDb.current.prisma, "ASSESSOR");
    await assignUser({ userId: other.user.id, entityId: s.entityId });
    const otherDevice = await openDevice({ token: other.token, fetch: app });
    opened.push(otherDevice);
    expect(await otherDevice.sync()).toEqual({ status: "idle" });
    await updateRecord(otherDevice.db, "assessment", s.baseline.offlineId, { data: { latrines: 20 } });
    expect(await otherDevice.sync()).toEqual({ status: "idle" });

    await updateRecord(s.device.db, "assessment", s.baseline.offlineId, { data: { latrines: 30 } });
    s.net.inject("push", { kind: "drop-response" });
    expect(await s.device.sync()).toMatchObject({ status: "backoff" });
    await syncUntilIdle(s.device);
    const [lost, resent] = s.net.served("push").slice(-2);
    expect(resent.mutationIds).toEqual(lost.mutationIds);
    expect(resent.pushResults).toEqual(["conflict"]);

    const prisma = testDb.current.prisma;
    const conflicts = await prisma.conflict.findMany({ where: { recordOfflineId: s.baseline.offlineId } });
    expect(conflicts).toHaveLength(1);
    expect(await s.device.db.assessments.get(s.baseline.offlineId)).toMatchObject({
      syncState: "conflict",
      conflictId: conflicts[0].id,
      serverVersion: 2,
      data: { latrines: 30 },
    });
    expect(await s.device.db.conflicts.count()).toBe(1);
    expect(await s.device.db.outbox.count()).toBe(0);
    expect(await prisma.recordVersion.count({ where: { recordId: conflicts[0].recordId } })).toBe(2);
  });

  it("413 on a batch: the client halves it and sends the same mutations in smaller batches", async () => {
    const s = await setup();
    const work = await offlineWork(s);
    s.net.inject("push", { kind: "status", status: 413, code: "PAYLOAD_TOO_LARGE" });
    expect(await s.device.sync()).toEqual({ status: "idle" });
    const pushes = s.net.log.filter((e) => e.path === "/api/sync/push").slice(-3);
    expect(pushes.map((p) => [p.status, p.mutationIds?.length])).toEqual([
      [413, 3],
      [200, 2],
      [200, 1],
    ]);
    await expectExactlyOnce(s, work);
  });

  it("401 (the session was revoked): needs sign-in, the queue is kept, and after signing in it drains once", async () => {
    let token = "";
    const s = await setup();
    token = s.token;
    const reauth = await openDevice({ dbName: s.device.dbName, token: () => token, fetch: s.net.fetch });
    opened.push(reauth);
    s.device.kill();
    const work = await offlineWork(s, reauth.db);

    const logout = await app(`${APP_ORIGIN}/api/auth/logout`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    expect(logout.status).toBe(204);
    expect(await reauth.sync()).toEqual({ status: "needs-sign-in" });
    expect(await reauth.db.outbox.count()).toBe(3);
    // Only a sign-in helps: a manual sync does nothing.
    expect(await reauth.sync()).toEqual({ status: "needs-sign-in" });

    const login = await app(`${APP_ORIGIN}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: s.email, password: s.password }),
    });
    expect(login.status).toBe(200);
    token = ((await login.json()) as { token: string }).token;
    expect(await reauth.client.signedIn()).toEqual({ status: "idle" });
    await expectExactlyOnce(s, work, reauth);
  });

  it("a storm of mixed faults over many passes still applies everything exactly once", async () => {
    const s = await setup();
    const faults: Fault[] = [
      { kind: "drop-response" },
      { kind: "drop-request" },
      { kind: "status", status: 503 },
      { kind: "status", status: 502, afterServer: true },
      { kind: "delay", ms: 5 },
      { kind: "drop-response" },
    ];
    const creates: string[] = [];
    let edits = 0;
    for (let round = 0; round < 6; round++) {
      const created = await newAssessment(s.device.db, s.entityId, WASH({ latrines: round }));
      creates.push(created.offlineId);
      await updateRecord(s.device.db, "assessment", s.baseline.offlineId, { data: { latrines: 10 + round } });
      edits++;
      // Faults hit pushes and pulls alike.
      s.net.inject("any", faults[round]);
      s.net.inject("any", faults[(round + 3) % faults.length]);
      await syncUntilIdle(s.device, 10);
    }
    const prisma = testDb.current.prisma;
    const baseline = await prisma.assessment.findUniqueOrThrow({ where: { offlineId: s.baseline.offlineId } });
    expect(baseline.version).toBe(1 + edits);
    expect((baseline.data as { latrines: number }).latrines).toBe(15);
    expect(await prisma.recordVersion.count({ where: { recordId: baseline.id } })).toBe(1 + edits);
    for (const id of creates) expect(await prisma.assessment.count({ where: { offlineId: id } })).toBe(1);
    const ledger = await prisma.processedMutation.findMany({ where: { userId: s.userId } });
    expect(ledger).toHaveLength(1 + creates.length + edits);
    expect(new Set(ledger.map((l) => l.mutationId))).toEqual(new Set(s.net.servedMutationIds()));
    expect(await s.device.db.outbox.count()).toBe(0);
    for (const id of [s.baseline.offlineId, ...creates]) {
      const server = toAssessmentRecord(await prisma.assessment.findUniqueOrThrow({ where: { offlineId: id } }));
      expect(recordFields((await s.device.db.assessments.get(id)) as AnyLocalRow)).toEqual({ ...server });
    }
  });
});

describe("poison mutations are parked; the queue behind them keeps moving", () => {
  it("a record the server refuses (bad data, an entity not assigned) is parked with its reason; the rest syncs; retry and discard work", async () => {
    const s = await setup();
    const elsewhere = await newEntity();
    const prisma = testDb.current.prisma;

    const before = await newAssessment(s.device.db, s.entityId, WASH({ latrines: 2 }));
    const negative = await newAssessment(s.device.db, s.entityId, WASH({ latrines: -3 }));
    const forbidden = await newAssessment(s.device.db, elsewhere.id, WASH());
    await updateRecord(s.device.db, "assessment", s.baseline.offlineId, { data: { latrines: 4 } });
    const after = await newAssessment(s.device.db, s.entityId, WASH({ latrines: 5 }));

    expect(await s.device.sync()).toEqual({ status: "idle" });
    expect(lastPush(s.net)?.pushResults).toEqual(["applied", "rejected", "rejected", "applied", "applied"]);

    const parked = await s.device.db.parked.orderBy("seq").toArray();
    expect(parked.map((p) => [p.offlineId, p.error.code])).toEqual([
      [negative.offlineId, "VALIDATION_FAILED"],
      [forbidden.offlineId, "FORBIDDEN"],
    ]);
    expect(await s.device.db.outbox.count()).toBe(0);
    expect(await s.device.db.assessments.get(negative.offlineId)).toMatchObject({ syncState: "parked", data: { latrines: -3 } });
    expect(await s.device.db.assessments.get(forbidden.offlineId)).toMatchObject({ syncState: "parked" });
    for (const id of [before.offlineId, after.offlineId, s.baseline.offlineId]) {
      expect(await s.device.db.assessments.get(id)).toMatchObject({ syncState: "synced" });
    }
    // The server kept a trace of both refusals, and applied nothing for them.
    expect(await prisma.rejectedMutation.count({ where: { userId: s.userId } })).toBe(2);
    expect(await prisma.assessment.count({ where: { offlineId: { in: [negative.offlineId, forbidden.offlineId] } } })).toBe(0);

    // Another pass does not resend parked mutations.
    expect(await s.device.sync()).toEqual({ status: "idle" });
    expect(await prisma.rejectedMutation.count({ where: { userId: s.userId } })).toBe(2);

    // The user discards the bad record: it never reached the server, so it vanishes.
    expect(await discardParked(s.device.db, parked[0].seq)).toBeUndefined();
    expect(await s.device.db.assessments.get(negative.offlineId)).toBeUndefined();

    // An admin assigns the other entity; the user retries the refused one: it goes through, once.
    await assignUser({ userId: s.userId, entityId: elsewhere.id });
    expect(await retryParked(s.device.db, parked[1].seq)).toBe(true);
    expect(await s.device.sync()).toEqual({ status: "idle" });
    expect(lastPush(s.net)?.pushResults).toEqual(["applied"]);
    expect(await s.device.db.parked.count()).toBe(0);
    const server = toAssessmentRecord(await prisma.assessment.findUniqueOrThrow({ where: { offlineId: forbidden.offlineId } }));
    expect(recordFields((await s.device.db.assessments.get(forbidden.offlineId)) as AnyLocalRow)).toEqual({ ...server });
    expect(await prisma.assessment.count({ where: { entityId: s.entityId } })).toBe(3);
  });

  it("text Postgres cannot store (half an emoji cut by a length limit, a NUL) parks that record only; the rest syncs", async () => {
    const s = await setup();
    const halfEmoji = await newAssessment(s.device.db, s.entityId, WASH({ notes: "Water point broken 💧".slice(0, -1) }));
    const nul = await newAssessment(s.device.db, s.entityId, WASH({ notes: "tab\u0000bed" }));
    const good = await newAssessment(s.device.db, s.entityId, WASH({ latrines: 3 }));
    expect(await s.device.sync()).toEqual({ status: "idle" });
    expect(s.net.served("push").at(-1)?.status).toBe(200);
    expect(await testDb.current.prisma.assessment.count({ where: { offlineId: good.offlineId } })).toBe(1);
    for (const bad of [halfEmoji, nul]) {
      expect(await s.device.db.assessments.get(bad.offlineId)).toMatchObject({ syncState: "parked" });
      expect(await testDb.current.prisma.assessment.count({ where: { offlineId: bad.offlineId } })).toBe(0);
    }
    // Both refusals are kept whole (with the bad characters replaced) in the server's log.
    const logged = await testDb.current.prisma.rejectedMutation.findMany({ where: { userId: s.userId } });
    expect(logged.map((r) => r.offlineId).sort()).toEqual([halfEmoji.offlineId, nul.offlineId].sort());
    expect(logged.map((r) => r.errorCode)).toEqual(["VALIDATION_FAILED", "VALIDATION_FAILED"]);
  });

  /** A synced record whose next edit (latrines 5) was refused as a whole by a proxy: parked. */
  async function withParkedEdit() {
    const s = await setup();
    const a = s.baseline;
    await updateRecord(s.device.db, "assessment", a.offlineId, { data: { latrines: 5 } });
    s.net.inject("push", { kind: "status", status: 403, code: "FORBIDDEN" });
    expect(await s.device.sync()).toEqual({ status: "idle" });
    expect(await s.device.db.parked.count()).toBe(1);
    return { s, a };
  }

  it("an edit made after an earlier edit of the same record was parked waits behind it: the newest value wins on the device and the server", async () => {
    // First edit: latrines 5. A proxy refuses the push (a plain 4xx): the edit is parked.
    const { s, a } = await withParkedEdit();

    // The user corrects the count: 7, their newest value. It waits behind the parked edit.
    await updateRecord(s.device.db, "assessment", a.offlineId, { data: { latrines: 7 } });
    expect(await s.device.sync()).toEqual({ status: "idle" });
    expect((await s.device.db.assessments.get(a.offlineId))?.data).toMatchObject({ latrines: 7 });
    expect(await s.device.db.outbox.count()).toBe(1);

    // Retried, the parked edit goes first and the newer one follows: the server ends with 7.
    for (const p of await s.device.db.parked.toArray()) await retryParked(s.device.db, p.seq);
    expect(await s.device.sync()).toEqual({ status: "idle" });
    const server = await testDb.current.prisma.assessment.findUniqueOrThrow({ where: { offlineId: a.offlineId } });
    expect((server.data as { latrines: number }).latrines).toBe(7);
    expect((await s.device.db.assessments.get(a.offlineId))?.data).toMatchObject({ latrines: 7 });
    expect(await s.device.db.outbox.count()).toBe(0);
  });

  it("a parked edit discarded: the edit waiting behind it goes on its own", async () => {
    const { s, a } = await withParkedEdit();
    await updateRecord(s.device.db, "assessment", a.offlineId, { data: { functionalBoreholes: 2 } });
    for (const p of await s.device.db.parked.toArray()) await discardParked(s.device.db, p.seq);
    expect(await s.device.sync()).toEqual({ status: "idle" });
    const server = await testDb.current.prisma.assessment.findUniqueOrThrow({ where: { offlineId: a.offlineId } });
    expect(server.data).toEqual({ ...WASH(), functionalBoreholes: 2 });
  });

  it("a parked create fixed by the user and retried is applied with the fix", async () => {
    const s = await setup();
    const negative = await newAssessment(s.device.db, s.entityId, WASH({ latrines: -3 }));
    const after = await newAssessment(s.device.db, s.entityId, WASH({ latrines: 5 }));
    expect(await s.device.sync()).toEqual({ status: "idle" });
    expect(lastPush(s.net)?.pushResults).toEqual(["rejected", "applied"]);

    // The user corrects the answer on the parked record, then retries it.
    await updateRecord(s.device.db, "assessment", negative.offlineId, { data: { latrines: 3 } });
    expect(await s.device.db.assessments.get(negative.offlineId)).toMatchObject({ data: { latrines: 3 } });
    for (const p of await s.device.db.parked.orderBy("seq").toArray()) await retryParked(s.device.db, p.seq);
    await syncUntilIdle(s.device);

    const prisma = testDb.current.prisma;
    const server = await prisma.assessment.findUnique({ where: { offlineId: negative.offlineId } });
    expect(server?.data).toEqual({ waterSource: "BOREHOLE", latrines: 3 });
    expect({ outbox: await s.device.db.outbox.count(), parked: await s.device.db.parked.count() }).toEqual({ outbox: 0, parked: 0 });
    expect(await s.device.db.assessments.get(negative.offlineId)).toMatchObject({ syncState: "synced", data: { latrines: 3 } });
    expect(await s.device.db.assessments.get(after.offlineId)).toMatchObject({ syncState: "synced" });
    // Refused once, then applied once: no stray update was ever sent for the record.
    expect(await prisma.rejectedMutation.count({ where: { userId: s.userId } })).toBe(1);
    expect(await prisma.recordVersion.count({ where: { recordId: server?.id } })).toBe(1);
  });

  it("a response naming a refused assessment waits for it instead of failing; once the assessment is fixed both go", async () => {
    const entity = await newEntity();
    const { user, token } = await makeUser(testDb.current.prisma, "COORDINATOR");
    const net = new FaultyFetch(app);
    const device = await openDevice({ token, fetch: net.fetch });
    opened.push(device);

    const assessment = await newAssessment(device.db, entity.id, WASH({ latrines: -1 }));
    const response = await createRecord(device.db, "response", {
      assessmentOfflineId: assessment.offlineId,
      entityId: entity.id,
      responseType: "WASH_SUPPLIES",
      status: "PLANNED",
      data: { beneficiaries: 40 },
    });
    expect(await device.sync()).toEqual({ status: "idle" });
    // Both went in one batch; the response failed only because its assessment did.
    expect(lastPush(net)?.pushResults).toEqual(["rejected", "rejected"]);
    // So it is held, not parked: still pending, and the only parked entry is the assessment.
    expect((await device.db.parked.toArray()).map((p) => p.offlineId)).toEqual([assessment.offlineId]);
    expect(await device.db.responses.get(response.offlineId)).toMatchObject({ syncState: "pending" });
    expect(await device.sync()).toEqual({ status: "idle" });
    expect(net.served("push")).toHaveLength(1);

    await updateRecord(device.db, "assessment", assessment.offlineId, { data: { latrines: 1 } });
    const [parked] = await device.db.parked.toArray();
    await retryParked(device.db, parked.seq);
    expect(await device.sync()).toEqual({ status: "idle" });
    expect(lastPush(net)?.pushResults).toEqual(["applied", "applied"]);

    const prisma = testDb.current.prisma;
    const serverAssessment = await prisma.assessment.findUniqueOrThrow({ where: { offlineId: assessment.offlineId } });
    expect(await prisma.response.findUniqueOrThrow({ where: { offlineId: response.offlineId } })).toMatchObject({
      assessmentId: serverAssessment.id,
    });
    expect(await prisma.rejectedMutation.count({ where: { userId: user.id } })).toBe(2);
    expect({ outbox: await device.db.outbox.count(), parked: await device.db.parked.count() }).toEqual({ outbox: 0, parked: 0 });
    expect(await device.db.responses.get(response.offlineId)).toMatchObject({ syncState: "synced", assessmentId: serverAssessment.id });
  });
});
