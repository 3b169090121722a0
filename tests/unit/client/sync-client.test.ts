import { afterEach, describe, expect, it } from "vitest";
import type { FieldSyncDb } from "@/lib/client/db/field-sync-db";
import { createRecord, updateRecord } from "@/lib/client/outbox/local-writes";
import { retryParked } from "@/lib/client/outbox/parked";
import { runBackgroundSync, SyncClient, type SyncClientOptions, type Timers } from "@/lib/client/sync/sync-client";
import { connectSyncStore, resetSyncStore, useSyncStore } from "@/stores/sync-store";
import { FakeServer, respond } from "./helpers/fake-server";
import { assessmentInput, ENTITY_A, ENTITY_B, freshDb } from "./helpers/test-db";

const NOW = Date.parse("2026-03-01T12:00:00.000Z");

/** Timers the test fires by hand. */
class ManualTimers implements Timers {
  private next = 1;
  readonly timeouts = new Map<number, { fn: () => void; ms: number }>();
  readonly intervals = new Map<number, { fn: () => void; ms: number }>();
  setTimeout(fn: () => void, ms: number) {
    const id = this.next++;
    this.timeouts.set(id, { fn, ms });
    return id;
  }
  clearTimeout(handle: unknown) {
    this.timeouts.delete(handle as number);
  }
  setInterval(fn: () => void, ms: number) {
    const id = this.next++;
    this.intervals.set(id, { fn, ms });
    return id;
  }
  clearInterval(handle: unknown) {
    this.intervals.delete(handle as number);
  }
  fireTimeouts() {
    const due = [...this.timeouts.values()];
    this.timeouts.clear();
    for (const t of due) t.fn();
  }
}

const clients: SyncClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.stop();
  resetSyncStore();
});

function makeClient(db: FieldSyncDb, server: FakeServer, options: Partial<SyncClientOptions> = {}) {
  const client = new SyncClient({
    db,
    baseUrl: "http://fake.local",
    fetch: server.fetch,
    appVersion: "1.0.0-test",
    random: () => 0.5,
    now: () => NOW,
    timers: new ManualTimers(),
    ...options,
  });
  clients.push(client);
  return client;
}

async function device(server: FakeServer, label: string, options: Partial<SyncClientOptions> = {}) {
  const db = await freshDb(label);
  return { db, client: makeClient(db, server, options) };
}

const mutationsSent = (server: FakeServer) =>
  server.pushRequests().flatMap((r) => (r.body?.mutations as { mutationId: string }[] | undefined) ?? []);

/** Lets the client's loop run until it is no longer syncing. */
async function settle(client: SyncClient) {
  for (let i = 0; i < 50 && client.getState().status === "syncing"; i++) await new Promise((r) => setTimeout(r, 5));
}

describe("SyncClient.syncOnce", () => {
  it("pushes, pulls, and leaves the record synced with the server's id and version", async () => {
    const server = new FakeServer([ENTITY_A]);
    const { db, client } = await device(server, "a");
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());

    expect(await client.syncOnce()).toEqual({ status: "idle" });

    const serverRecord = server.get(offlineId);
    expect(serverRecord).toMatchObject({ version: 1, entityId: ENTITY_A });
    expect(await db.assessments.get(offlineId)).toMatchObject({
      id: serverRecord?.id,
      version: 1,
      serverVersion: 1,
      syncState: "synced",
      pendingPaths: {},
    });
    expect(await db.outbox.count()).toBe(0);
    expect((await db.meta.get("cursor"))?.value).toBe(String(server.log.length));
    expect((await db.meta.get("lastSyncAt"))?.value).toBe(new Date(NOW).toISOString());

    const [push] = server.pushRequests();
    const deviceId = (await db.meta.get("deviceId"))?.value;
    expect(typeof deviceId).toBe("string");
    expect(push.body).toMatchObject({ deviceId, clientState: { pendingCount: 0, appVersion: "1.0.0-test" } });
    expect(push.headers.get("content-type")).toContain("application/json");
    const [pull] = server.pullRequests();
    expect(pull.url.searchParams.get("deviceId")).toBe(deviceId);
    expect(pull.url.searchParams.get("limit")).toBe("500");
    expect(pull.url.searchParams.has("cursor")).toBe(false);

    await client.syncOnce();
    expect(server.pullRequests()[1].url.searchParams.get("cursor")).toBe(String(server.log.length));
    expect((await db.meta.get("deviceId"))?.value).toBe(deviceId);
    expect(server.pushRequests()).toHaveLength(1); // nothing to push the second time
  });

  it("reports how many mutations stay queued after each push", async () => {
    const server = new FakeServer([ENTITY_A]);
    const { db, client } = await device(server, "a", { batchSize: 2 });
    for (let i = 0; i < 5; i++) await createRecord(db, "assessment", assessmentInput());
    await client.syncOnce();
    expect(server.pushRequests().map((r) => (r.body as { clientState: { pendingCount: number } }).clientState.pendingCount)).toEqual([
      3, 1, 0,
    ]);
  });

  it("sends a bearer token when configured", async () => {
    const server = new FakeServer([ENTITY_A]);
    const { client } = await device(server, "a", { getToken: () => "tok-123" });
    await client.syncOnce();
    expect(server.pullRequests()[0].headers.get("authorization")).toBe("Bearer tok-123");
  });

  it("carries edits between devices, merging non-conflicting edits", async () => {
    const server = new FakeServer([ENTITY_A]);
    const a = await device(server, "a");
    const b = await device(server, "b");
    const { offlineId } = await createRecord(a.db, "assessment", assessmentInput());
    await a.client.syncOnce();
    await b.client.syncOnce();
    expect(await b.db.assessments.get(offlineId)).toMatchObject({ serverVersion: 1, syncState: "synced" });

    await updateRecord(a.db, "assessment", offlineId, { data: { latrines: 4 } });
    await updateRecord(b.db, "assessment", offlineId, { data: { notes: "road flooded" } });
    await a.client.syncOnce();
    await b.client.syncOnce(); // base 1, server at 2: merged
    await a.client.syncOnce();

    const expected = { data: { waterSource: "BOREHOLE", latrines: 4, notes: "road flooded" }, serverVersion: 3, syncState: "synced" };
    expect(await a.db.assessments.get(offlineId)).toMatchObject(expected);
    expect(await b.db.assessments.get(offlineId)).toMatchObject(expected);
    expect(server.get(offlineId)).toMatchObject({ version: 3, data: expected.data });
  });

  it("a conflict keeps the local edit visible until a coordinator decides; then the server version shows", async () => {
    const server = new FakeServer([ENTITY_A]);
    const a = await device(server, "a");
    const b = await device(server, "b");
    const { offlineId } = await createRecord(a.db, "assessment", assessmentInput());
    await a.client.syncOnce();
    await b.client.syncOnce();

    await updateRecord(a.db, "assessment", offlineId, { data: { latrines: 4 } });
    await updateRecord(b.db, "assessment", offlineId, { data: { latrines: 9 } });
    await a.client.syncOnce();
    await b.client.syncOnce();

    const [conflict] = [...server.conflicts.values()];
    const row = await b.db.assessments.get(offlineId);
    expect(row).toMatchObject({ syncState: "conflict", conflictId: conflict.id, data: { latrines: 9 }, serverVersion: 2 });
    expect(await b.db.outbox.count()).toBe(0);
    expect(b.client.getSnapshot()).toMatchObject({ pendingCount: 0, conflictCount: 1 });

    server.resolveConflictKeepServer(conflict.id);
    await b.client.syncOnce();
    expect(await b.db.assessments.get(offlineId)).toMatchObject({ syncState: "synced", data: { latrines: 4 } });
    expect(await b.db.conflicts.get(conflict.id)).toMatchObject({ status: "RESOLVED" });
  });

  it("edits made while a push is in flight are sent in the same sync (rerun), the inflight entry untouched", async () => {
    const server = new FakeServer([ENTITY_A]);
    const { db, client } = await device(server, "a");
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    let edit: Promise<unknown> | undefined;
    server.script.push(() => {
      edit = updateRecord(db, "assessment", offlineId, { status: "SUBMITTED" }).then(() => client.syncNow());
      return undefined;
    });
    await client.syncOnce();
    await edit;
    await settle(client);
    expect(client.getState().status).toBe("idle");
    const sent = mutationsSent(server) as unknown as { action: string; baseVersion: number }[];
    expect(sent.map((m) => [m.action, m.baseVersion])).toEqual([
      ["create", 0],
      ["update", 1],
    ]);
    expect(server.get(offlineId)).toMatchObject({ status: "SUBMITTED", version: 2 });
    expect(await db.assessments.get(offlineId)).toMatchObject({ status: "SUBMITTED", syncState: "synced", serverVersion: 2 });
  });
});

describe("failures", () => {
  it("5xx with Retry-After: backoff honouring it, queue kept; a timer trigger waits, a manual one retries", async () => {
    const server = new FakeServer([ENTITY_A]);
    const { db, client } = await device(server, "a");
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    server.script.push(respond.status(503, "SERVICE_UNAVAILABLE", { "retry-after": "120" }));

    const state = await client.syncOnce();
    expect(state).toMatchObject({ status: "backoff", until: NOW + 120_000, attempt: 1, error: { code: "SERVICE_UNAVAILABLE" } });
    expect(await db.outbox.toArray()).toMatchObject([{ state: "queued", attempts: 1 }]);
    expect(client.getSnapshot().lastError).toEqual({ code: "SERVICE_UNAVAILABLE", message: "scripted 503" });

    expect((await client.syncOnce("timer")).status).toBe("backoff");
    expect(server.requests).toHaveLength(1);

    expect(await client.syncOnce("manual")).toEqual({ status: "idle" });
    expect(await db.assessments.get(offlineId)).toMatchObject({ syncState: "synced" });
    expect(client.getSnapshot().lastError).toBeNull();
  });

  it("backoff grows with consecutive failures (full jitter, injected random)", async () => {
    const server = new FakeServer([ENTITY_A]);
    const { db, client } = await device(server, "a");
    await createRecord(db, "assessment", assessmentInput());
    server.script.push(respond.networkError(), respond.networkError(), respond.networkError());
    const untils: number[] = [];
    for (let i = 0; i < 3; i++) {
      const state = await client.syncOnce("manual");
      if (state.status !== "backoff") throw new Error(`expected backoff, got ${state.status}`);
      untils.push(state.until - NOW);
    }
    // random 0.5 → half of 1s, 2s, 4s
    expect(untils).toEqual([500, 1000, 2000]);
    expect(client.getSnapshot().lastError?.code).toBe("NETWORK_ERROR");
  });

  it("a lost response is resent and answered duplicate: exactly one record, one version", async () => {
    const server = new FakeServer([ENTITY_A]);
    const { db, client } = await device(server, "a");
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    server.script.push(respond.lostResponse());
    expect((await client.syncOnce()).status).toBe("backoff");
    expect(server.get(offlineId)).toMatchObject({ version: 1 });

    expect((await client.syncOnce("manual")).status).toBe("idle");
    const sent = mutationsSent(server);
    expect(sent).toHaveLength(2);
    expect(sent[0].mutationId).toBe(sent[1].mutationId);
    expect(server.records.size).toBe(1);
    expect(server.get(offlineId)).toMatchObject({ version: 1 });
    expect(await db.assessments.get(offlineId)).toMatchObject({ syncState: "synced", serverVersion: 1 });
  });

  it("401: needs-sign-in with the queue kept; after sign-in the queue is sent", async () => {
    const server = new FakeServer([ENTITY_A]);
    const { db, client } = await device(server, "a");
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    server.script.push(respond.status(401, "UNAUTHENTICATED"));
    expect(await client.syncOnce()).toEqual({ status: "needs-sign-in" });
    expect(await db.outbox.toArray()).toMatchObject([{ state: "queued" }]);

    expect((await client.syncOnce("manual")).status).toBe("needs-sign-in");
    expect(server.requests).toHaveLength(1);

    expect(await client.signedIn()).toEqual({ status: "idle" });
    expect(await db.assessments.get(offlineId)).toMatchObject({ syncState: "synced" });
  });

  it("413: splits the batch until it fits; every mutation goes exactly once", async () => {
    const server = new FakeServer([ENTITY_A]);
    server.maxMutationsPerPush = 2;
    const { db, client } = await device(server, "a");
    for (let i = 0; i < 5; i++) await createRecord(db, "assessment", assessmentInput());
    expect((await client.syncOnce()).status).toBe("idle");
    expect(server.pushRequests().map((r) => (r.body as { mutations: unknown[] }).mutations.length)).toEqual([5, 3, 2, 2, 1]);
    expect(server.records.size).toBe(5);
    expect(await db.assessments.where("syncState").equals("synced").count()).toBe(5);
  });

  it("413 for a single mutation parks it (PAYLOAD_TOO_LARGE) and the sync goes on", async () => {
    const server = new FakeServer([ENTITY_A]);
    server.maxMutationsPerPush = 0;
    const { db, client } = await device(server, "a");
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    expect((await client.syncOnce()).status).toBe("idle");
    expect(await db.parked.toArray()).toMatchObject([{ offlineId, error: { code: "PAYLOAD_TOO_LARGE" } }]);
    expect(await db.assessments.get(offlineId)).toMatchObject({ syncState: "parked" });
  });

  it("another 4xx parks the whole batch with its code; nothing is lost, retry works", async () => {
    const server = new FakeServer([ENTITY_A]);
    const { db, client } = await device(server, "a");
    const a = await createRecord(db, "assessment", assessmentInput());
    const b = await createRecord(db, "assessment", assessmentInput());
    server.script.push(respond.status(403, "FORBIDDEN"));
    expect((await client.syncOnce()).status).toBe("idle");
    const parked = await db.parked.toArray();
    expect(parked.map((p) => [p.offlineId, p.error.code])).toEqual([
      [a.offlineId, "FORBIDDEN"],
      [b.offlineId, "FORBIDDEN"],
    ]);
    expect(client.getSnapshot()).toMatchObject({ parkedCount: 2, pendingCount: 0 });

    for (const p of parked) await retryParked(db, p.seq);
    await client.syncOnce();
    expect(server.records.size).toBe(2);
    expect(await db.parked.count()).toBe(0);
  });

  it("a rejected mutation is parked; the rest of the batch is applied", async () => {
    const server = new FakeServer([ENTITY_A]);
    const { db, client } = await device(server, "a");
    const bad = await createRecord(db, "assessment", assessmentInput({ entityId: ENTITY_B }));
    const good = await createRecord(db, "assessment", assessmentInput());
    await client.syncOnce();
    expect(await db.parked.toArray()).toMatchObject([{ offlineId: bad.offlineId, error: { code: "FORBIDDEN" } }]);
    expect(await db.assessments.get(bad.offlineId)).toMatchObject({ syncState: "parked" });
    expect(await db.assessments.get(good.offlineId)).toMatchObject({ syncState: "synced" });
  });

  it("an answer missing results: entries are kept and retried later, not resent in a tight loop", async () => {
    const server = new FakeServer([ENTITY_A]);
    const { db, client } = await device(server, "a");
    await createRecord(db, "assessment", assessmentInput());
    server.script.push(() => new Response(JSON.stringify({ results: [], serverTime: "x" }), { status: 200 }));
    expect((await client.syncOnce()).status).toBe("backoff");
    expect(server.pushRequests()).toHaveLength(1);
    expect(await db.outbox.toArray()).toMatchObject([{ state: "queued" }]);
  });

  it("a pull failure that will not heal by waiting ends in error; the pushed data stays synced", async () => {
    const server = new FakeServer([ENTITY_A]);
    const { db, client } = await device(server, "a");
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    server.script.push(respond.pass(), respond.status(400, "VALIDATION_FAILED"));
    expect(await client.syncOnce()).toMatchObject({ status: "error", error: { code: "VALIDATION_FAILED" } });
    expect(await db.assessments.get(offlineId)).toMatchObject({ syncState: "synced" });
  });
});

describe("interruptions", () => {
  it("going offline mid-push: the answer that arrives is still recorded, then the loop stops", async () => {
    const server = new FakeServer([ENTITY_A]);
    const { db, client } = await device(server, "a");
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    server.script.push(() => {
      client.dispatch({ type: "OFFLINE" });
      return undefined;
    });
    expect(await client.syncOnce()).toEqual({ status: "offline" });
    expect(await db.assessments.get(offlineId)).toMatchObject({ syncState: "synced" });
    expect(server.pullRequests()).toHaveLength(0);
  });

  it("an entry left inflight by a tab that died mid-push is resent by the next pass", async () => {
    const server = new FakeServer([ENTITY_A]);
    const { db, client } = await device(server, "a");
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    const { nextBatch } = await import("@/lib/client/outbox/next-batch");
    const [orphan] = await nextBatch(db); // the other tab took it, then vanished
    expect(await client.syncOnce()).toEqual({ status: "idle" });
    expect(mutationsSent(server).map((m) => m.mutationId)).toEqual([orphan.mutationId]);
    expect(await db.assessments.get(offlineId)).toMatchObject({ syncState: "synced" });
  });

  it("a local failure (database closed) ends in error with LOCAL_ERROR; nothing is lost", async () => {
    const server = new FakeServer([ENTITY_A]);
    const { db, client } = await device(server, "a");
    await createRecord(db, "assessment", assessmentInput());
    db.close();
    const state = await client.syncOnce();
    expect(state).toMatchObject({ status: "error", error: { code: "LOCAL_ERROR" } });
    expect(server.requests).toHaveLength(0);
    await db.open();
    expect(await db.outbox.count()).toBe(1);
  });
});

describe("transport details", () => {
  it("gzips push bodies above 1 KB, not below", async () => {
    const server = new FakeServer([ENTITY_A]);
    const { db, client } = await device(server, "a");
    await createRecord(db, "assessment", assessmentInput());
    await client.syncOnce();
    await createRecord(db, "assessment", assessmentInput({ data: { notes: "x".repeat(3000) } }));
    await client.syncOnce();
    const [small, large] = server.pushRequests();
    expect(small.headers.get("content-encoding")).toBeNull();
    expect(large.headers.get("content-encoding")).toBe("gzip");
    expect(large.rawBodyBytes).toBeLessThan(1024);
    expect((large.body as { mutations: { data: { data: { notes: string } } }[] }).mutations[0].data.data.notes).toHaveLength(3000);
    expect(server.records.size).toBe(2);
  });

  it("pulls page by page until hasMore is false", async () => {
    const server = new FakeServer([ENTITY_A]);
    const a = await device(server, "a");
    for (let i = 0; i < 5; i++) await createRecord(a.db, "assessment", assessmentInput());
    await a.client.syncOnce();
    const b = await device(server, "b", { pullLimit: 2 });
    await b.client.syncOnce();
    const pulls = server.pullRequests().slice(1);
    expect(pulls.map((r) => r.url.searchParams.get("cursor"))).toEqual([null, "2", "4"]);
    expect(await b.db.assessments.count()).toBe(5);
    expect(b.client.getSnapshot().progress).toBeNull();
  });

  it("evicts records whose entity left the scope, except unsent ones", async () => {
    const server = new FakeServer([ENTITY_A, ENTITY_B]);
    const { db, client } = await device(server, "a");
    const keep = await createRecord(db, "assessment", assessmentInput());
    const gone = await createRecord(db, "assessment", assessmentInput({ entityId: ENTITY_B }));
    const unsent = await createRecord(db, "assessment", assessmentInput({ entityId: ENTITY_B }));
    await client.syncOnce();
    await updateRecord(db, "assessment", unsent.offlineId, { data: { latrines: 1 } });
    // The assignment for ENTITY_B ends: the pending edit is refused, and B leaves the scope.
    server.scope = [ENTITY_A];
    server.rejectOfflineIds.set(unsent.offlineId, "FORBIDDEN");
    await client.syncOnce();
    expect(await db.assessments.get(keep.offlineId)).toBeDefined();
    expect(await db.assessments.get(gone.offlineId)).toBeUndefined();
    // Rejected (assignment ended) but kept: parked data is never evicted.
    expect(await db.assessments.get(unsent.offlineId)).toMatchObject({ syncState: "parked", data: { latrines: 1 } });
  });
});

describe("one sync at a time", () => {
  it("two tabs on one database never send a mutation twice", async () => {
    const server = new FakeServer([ENTITY_A]);
    const db = await freshDb("shared");
    const tab1 = makeClient(db, server);
    const tab2 = makeClient(db, server);
    for (let i = 0; i < 4; i++) await createRecord(db, "assessment", assessmentInput());
    await Promise.all([tab1.syncOnce(), tab2.syncOnce()]);
    const ids = mutationsSent(server).map((m) => m.mutationId);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
    expect(await db.outbox.count()).toBe(0);
  });

  it("uses navigator.locks-style locking when given a lock manager", async () => {
    const server = new FakeServer([ENTITY_A]);
    const names: string[] = [];
    const locks = {
      request: <T>(name: string, fn: () => Promise<T>) => {
        names.push(name);
        return fn();
      },
    };
    const { client } = await device(server, "a", { locks });
    await client.syncOnce();
    expect(names).toEqual(["fieldsync-sync"]);
  });
});

describe("triggers", () => {
  function environment(online = true) {
    const connectivity = new EventTarget();
    const document = Object.assign(new EventTarget(), { visibilityState: "hidden" });
    return { env: { connectivity, document, isOnline: () => online }, connectivity, document };
  }

  it("app start, offline/online, visibility, the periodic timer and the backoff timer all drive syncs", async () => {
    const server = new FakeServer([ENTITY_A]);
    const timers = new ManualTimers();
    const { env, connectivity, document } = environment();
    const { db, client } = await device(server, "a", { timers, environment: env, periodicSyncMs: 60_000 });

    client.start();
    await settle(client);
    expect(server.pullRequests()).toHaveLength(1); // app start

    connectivity.dispatchEvent(new Event("offline"));
    expect(client.getState().status).toBe("offline");
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    document.dispatchEvent(new Event("visibilitychange")); // hidden: ignored
    expect(client.getState().status).toBe("offline");

    connectivity.dispatchEvent(new Event("online"));
    await settle(client);
    expect(await db.assessments.get(offlineId)).toMatchObject({ syncState: "synced" });

    document.visibilityState = "visible";
    document.dispatchEvent(new Event("visibilitychange"));
    await settle(client);
    expect(server.pullRequests()).toHaveLength(3);

    const [interval] = [...timers.intervals.values()];
    expect(interval.ms).toBe(60_000);
    server.script.push(respond.status(429, "RATE_LIMITED", { "retry-after": "30" }));
    interval.fn();
    await settle(client);
    expect(client.getState()).toMatchObject({ status: "backoff", until: NOW + 30_000 });
    const [backoffTimer] = [...timers.timeouts.values()];
    expect(backoffTimer.ms).toBe(30_000);

    timers.fireTimeouts();
    await settle(client);
    expect(client.getState().status).toBe("idle");
    expect(server.pullRequests()).toHaveLength(5); // the 429 answered the timer's pull; the retry pulled again

    client.stop();
    expect(timers.intervals.size).toBe(0);
    connectivity.dispatchEvent(new Event("offline"));
    expect(client.getState().status).toBe("idle");
  });

  it("starts offline when the device is offline", async () => {
    const server = new FakeServer([ENTITY_A]);
    const { env } = environment(false);
    const { client } = await device(server, "a", { environment: env });
    client.start();
    await settle(client);
    expect(client.getState().status).toBe("offline");
    expect(server.requests).toHaveLength(0);
  });

  it("runBackgroundSync resolves after a clean pass and rejects otherwise (so the browser retries)", async () => {
    const server = new FakeServer([ENTITY_A]);
    const { db, client } = await device(server, "a");
    await createRecord(db, "assessment", assessmentInput());
    server.script.push(respond.status(502, "INTERNAL"));
    await expect(runBackgroundSync(client)).rejects.toMatchObject({ name: "BackgroundSyncError", code: "BACKGROUND_SYNC_INCOMPLETE" });
    // background-sync may cut the backoff short: the OS granted this run.
    await expect(runBackgroundSync(client)).resolves.toBeUndefined();
    expect(await db.outbox.count()).toBe(0);
  });
});

describe("sync store", () => {
  it("mirrors the client: status, counts, progress, last success and last error", async () => {
    const server = new FakeServer([ENTITY_A]);
    const { db, client } = await device(server, "a");
    const unsubscribe = connectSyncStore(client);
    await createRecord(db, "assessment", assessmentInput());
    await client.refresh();
    expect(useSyncStore.getState()).toMatchObject({ status: "idle", pendingCount: 1, lastSuccessAt: null });

    const phases: string[] = [];
    const stop = useSyncStore.subscribe((s) => {
      if (s.progress) phases.push(s.progress.phase);
    });
    server.script.push(respond.status(503, "SERVICE_UNAVAILABLE", { "retry-after": "5" }));
    await client.syncOnce();
    expect(useSyncStore.getState()).toMatchObject({
      status: "error",
      pendingCount: 1,
      retryAt: NOW + 5_000,
      lastError: { code: "SERVICE_UNAVAILABLE" },
      progress: null,
    });

    await client.syncNow();
    stop();
    expect(useSyncStore.getState()).toMatchObject({
      status: "idle",
      pendingCount: 0,
      parkedCount: 0,
      lastSuccessAt: new Date(NOW).toISOString(),
      lastError: null,
      retryAt: null,
    });
    expect(phases).toContain("pushing");
    expect(phases).toContain("pulling");
    unsubscribe();
  });
});
