import { afterEach, describe, expect, it } from "vitest";
import type { FieldSyncDb } from "@/lib/client/db/field-sync-db";
import { META_KEYS } from "@/lib/client/db/types";
import { createRecord } from "@/lib/client/outbox/local-writes";
import { loadSyncState, parsePersistedState } from "@/lib/client/sync/persisted-state";
import { runBackgroundSync, SyncClient, type SyncClientOptions, type SyncSnapshot } from "@/lib/client/sync/sync-client";
import type { Timers } from "@/lib/client/sync/timers";
import { FakeServer, respond } from "./helpers/fake-server";
import { assessmentInput, ENTITY_A, freshDb } from "./helpers/test-db";

// The sync machine's state across runs lives in Dexie `meta`: a service worker is killed seconds
// after its sync event, and the next run (worker or page) must continue the backoff and honour the
// server's Retry-After instead of starting over at attempt 0.

const T0 = Date.parse("2026-03-01T12:00:00.000Z");
let now = T0;

const inertTimers: Timers = {
  setTimeout: () => 0,
  clearTimeout: () => undefined,
  setInterval: () => 0,
  clearInterval: () => undefined,
};

const clients: SyncClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.stop();
  now = T0;
});

/** A new client on the same database: what a restarted worker or a reloaded page creates. */
function newRun(db: FieldSyncDb, server: FakeServer, options: Partial<SyncClientOptions> = {}) {
  const client = new SyncClient({
    db,
    baseUrl: "http://fake.local",
    fetch: server.fetch,
    random: () => 0.5,
    now: () => now,
    timers: inertTimers,
    ...options,
  });
  clients.push(client);
  return client;
}

describe("persisted sync state", () => {
  it("a new run restores the backoff and Retry-After: opportunistic triggers wait, no request is sent", async () => {
    const server = new FakeServer([ENTITY_A]);
    const db = await freshDb("persist");
    await createRecord(db, "assessment", assessmentInput());
    server.script.push(respond.status(503, "SERVICE_UNAVAILABLE", { "retry-after": "120" }));
    expect(await newRun(db, server).syncOnce()).toMatchObject({ status: "backoff", until: T0 + 120_000, attempt: 1 });
    expect((await loadSyncState(db)).state).toEqual({
      attempt: 1,
      backoffUntil: T0 + 120_000,
      retryAfterUntil: T0 + 120_000,
      lastError: { code: "SERVICE_UNAVAILABLE", message: "scripted 503" },
    });

    now = T0 + 60_000;
    const second = newRun(db, server);
    expect(await second.syncOnce("timer")).toEqual({
      status: "backoff",
      until: T0 + 120_000,
      attempt: 1,
      error: { code: "SERVICE_UNAVAILABLE", message: "scripted 503" },
    });
    expect(second.getSnapshot().lastError).toEqual({ code: "SERVICE_UNAVAILABLE", message: "scripted 503" });
    expect(server.requests).toHaveLength(1);
  });

  it("a forcing trigger goes ahead with the attempt count kept, so the next failure backs off further", async () => {
    const server = new FakeServer([ENTITY_A]);
    const db = await freshDb("persist");
    await createRecord(db, "assessment", assessmentInput());
    server.script.push(respond.networkError(), respond.networkError());
    // random 0.5 → half of 1 s, then half of 2 s: the second run continues at attempt 1.
    expect(await newRun(db, server).syncOnce("manual")).toMatchObject({ status: "backoff", attempt: 1, until: T0 + 500 });
    expect(await newRun(db, server).syncOnce("manual")).toMatchObject({ status: "backoff", attempt: 2, until: T0 + 1_000 });
    // Control: without the persisted state a new client would start over at attempt 1 (500 ms).
    await db.meta.delete(META_KEYS.SYNC_STATE);
    server.script.push(respond.networkError());
    expect(await newRun(db, server).syncOnce("manual")).toMatchObject({ status: "backoff", attempt: 1, until: T0 + 500 });
  });

  it("a backoff that elapsed while no run was alive lets the next run sync at once", async () => {
    const server = new FakeServer([ENTITY_A]);
    const db = await freshDb("persist");
    const { offlineId } = await createRecord(db, "assessment", assessmentInput());
    server.script.push(respond.networkError());
    await newRun(db, server).syncOnce();
    now = T0 + 10_000;
    expect(await newRun(db, server).syncOnce("timer")).toEqual({ status: "idle" });
    expect(await db.assessments.get(offlineId)).toMatchObject({ syncState: "synced" });
    // Success clears it: the next run starts from attempt 0.
    expect((await loadSyncState(db)).state).toEqual({ attempt: 0, backoffUntil: null, retryAfterUntil: null, lastError: null });
  });

  it("background sync never cuts a persisted Retry-After short (the browser retries later), but does cut a plain backoff", async () => {
    const server = new FakeServer([ENTITY_A]);
    const db = await freshDb("persist");
    await createRecord(db, "assessment", assessmentInput());
    server.script.push(respond.status(429, "RATE_LIMITED", { "retry-after": "30" }));
    await expect(runBackgroundSync(newRun(db, server))).rejects.toMatchObject({ code: "BACKGROUND_SYNC_INCOMPLETE" });
    expect(server.requests).toHaveLength(1);

    await expect(runBackgroundSync(newRun(db, server))).rejects.toThrow(/Retry-After/);
    expect(server.requests).toHaveLength(1);

    now = T0 + 31_000;
    server.script.push(respond.networkError());
    await expect(runBackgroundSync(newRun(db, server))).rejects.toThrow(/backoff/);
    expect(server.requests).toHaveLength(2);
    // A network error carries no Retry-After: the next background run goes at once.
    await expect(runBackgroundSync(newRun(db, server))).resolves.toBeUndefined();
    expect(await db.outbox.count()).toBe(0);
  });

  it("the last successful push and pull are persisted separately and restored into the snapshot", async () => {
    const server = new FakeServer([ENTITY_A]);
    const db = await freshDb("persist");
    await createRecord(db, "assessment", assessmentInput());
    // The push is answered; the pull then fails.
    server.script.push(respond.pass(), respond.status(500, "INTERNAL"));
    const first = newRun(db, server);
    expect((await first.syncOnce()).status).toBe("backoff");
    const pushedAt = new Date(T0).toISOString();
    expect(first.getSnapshot()).toMatchObject({ lastPushAt: pushedAt, lastPullAt: null, lastSuccessAt: null });

    now = T0 + 5 * 60_000;
    const second = newRun(db, server);
    await second.restore();
    expect(second.getSnapshot()).toMatchObject({ lastPushAt: pushedAt, lastPullAt: null, lastError: { code: "INTERNAL" } });
    expect((await second.syncOnce("manual")).status).toBe("idle");
    const later = new Date(now).toISOString();
    expect(second.getSnapshot()).toMatchObject({ lastPushAt: later, lastPullAt: later, lastSuccessAt: later, lastError: null });

    const third = newRun(db, server);
    const seen: SyncSnapshot[] = [];
    third.subscribe((s) => seen.push(s));
    await third.refresh();
    expect(seen.at(-1)).toMatchObject({ lastPushAt: later, lastPullAt: later, lastSuccessAt: later });
  });

  it("a page sees what a worker's run on the same database did once it refreshes", async () => {
    const server = new FakeServer([ENTITY_A]);
    const db = await freshDb("persist");
    const page = newRun(db, server);
    await page.refresh();
    expect(page.getSnapshot()).toMatchObject({ pendingCount: 0, lastPushAt: null });
    await createRecord(db, "assessment", assessmentInput());
    await page.refresh();
    expect(page.getSnapshot().pendingCount).toBe(1);

    now = T0 + 1_000;
    await runBackgroundSync(newRun(db, server));
    await page.refresh();
    expect(page.getSnapshot()).toMatchObject({ pendingCount: 0, lastPushAt: new Date(now).toISOString() });
  });

  it.each([
    ["not an object", "x"],
    ["a negative attempt", { attempt: -1, backoffUntil: null, retryAfterUntil: null, lastError: null }],
    ["a string deadline", { attempt: 1, backoffUntil: "soon", retryAfterUntil: null, lastError: null }],
    ["no attempt", { backoffUntil: null, retryAfterUntil: null }],
  ])("a malformed stored state (%s) counts as none", async (_label, value) => {
    expect(parsePersistedState(value)).toBeNull();
    const server = new FakeServer([ENTITY_A]);
    const db = await freshDb("persist");
    await db.meta.put({ key: META_KEYS.SYNC_STATE, value });
    expect(await newRun(db, server).syncOnce("timer")).toEqual({ status: "idle" });
  });
});
