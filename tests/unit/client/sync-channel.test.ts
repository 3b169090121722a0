import { afterEach, describe, expect, it } from "vitest";
import { clearDeviceUser, getDeviceUser, setDeviceUser } from "@/lib/client/device-user";
import type { MachineState } from "@/lib/client/sync/machine";
import {
  broadcastWorkerSync,
  type ChannelLike,
  followWorkerSync,
  isSyncChannelMessage,
  SYNC_MESSAGE_TYPES,
} from "@/lib/client/sync/sync-channel";
import type { SyncSnapshot } from "@/lib/client/sync/sync-client";
import type { Timers } from "@/lib/client/sync/timers";
import { resetSyncStore, useSyncStore } from "@/stores/sync-store";

/** Two ends of one BroadcastChannel, delivering synchronously (the real one clones and queues). */
function channelPair(): [ChannelLike, ChannelLike] {
  const ends = [new EventTarget(), new EventTarget()];
  const make = (self: EventTarget, other: EventTarget): ChannelLike => ({
    postMessage: (data) => other.dispatchEvent(new MessageEvent("message", { data: structuredClone(data) })),
    addEventListener: (type, l) => self.addEventListener(type, l as EventListener),
    removeEventListener: (type, l) => self.removeEventListener(type, l as EventListener),
    close: () => undefined,
  });
  return [make(ends[0], ends[1]), make(ends[1], ends[0])];
}

const snapshot = (machine: MachineState, extra: Partial<SyncSnapshot> = {}): SyncSnapshot => ({
  machine,
  pendingCount: 0,
  parkedCount: 0,
  conflictCount: 0,
  progress: null,
  lastSuccessAt: null,
  lastPushAt: null,
  lastPullAt: null,
  lastError: null,
  ...extra,
});

class FakeSource<T> {
  listeners = new Set<(s: T) => void>();
  constructor(public current: T) {}
  subscribe(l: (s: T) => void) {
    this.listeners.add(l);
    l(this.current);
    return () => this.listeners.delete(l);
  }
  set(s: T) {
    this.current = s;
    for (const l of this.listeners) l(s);
  }
}

class HandTimers implements Timers {
  pending = new Map<number, () => void>();
  private next = 1;
  setTimeout(fn: () => void) {
    this.pending.set(this.next, fn);
    return this.next++;
  }
  clearTimeout(h: unknown) {
    this.pending.delete(h as number);
  }
  setInterval() {
    return 0;
  }
  clearInterval() {}
  fire() {
    const fns = [...this.pending.values()];
    this.pending.clear();
    for (const fn of fns) fn();
  }
}

afterEach(() => resetSyncStore());

describe("worker → page progress over the sync channel", () => {
  it("the page shows the worker's pass as syncing, then the later push/pull times, and refreshes when it ends", () => {
    const [workerEnd, pageEnd] = channelPair();
    const store = useSyncStore;
    store.getState().applySnapshot(snapshot({ status: "offline" }, { pendingCount: 3, lastPushAt: "2026-03-01T08:00:00.000Z" }));
    let finished = 0;
    const stop = followWorkerSync(pageEnd, "fieldsync-u1", {
      onSnapshot: (s) => store.getState().applyWorkerSnapshot(s),
      onFinished: () => {
        finished++;
        store.getState().applyWorkerSnapshot(null);
      },
    });

    const client = new FakeSource(snapshot({ status: "syncing", phase: "pushing", source: "background-sync", attempt: 0, rerun: false }));
    const done = broadcastWorkerSync(workerEnd, "fieldsync-u1", client);
    expect(store.getState()).toMatchObject({ status: "syncing", workerSyncing: true });

    client.set(
      snapshot(
        { status: "syncing", phase: "pulling", source: "background-sync", attempt: 0, rerun: false },
        { pendingCount: 0, progress: { phase: "pulling", done: 4, total: null }, lastPushAt: "2026-03-01T12:00:00.000Z" },
      ),
    );
    expect(store.getState()).toMatchObject({
      status: "syncing",
      pendingCount: 0,
      progress: { phase: "pulling", done: 4 },
      lastPushAt: "2026-03-01T12:00:00.000Z",
    });

    done({ ok: true });
    expect(finished).toBe(1);
    // Back to the page's own client (it refreshes its counts from Dexie on finish).
    expect(store.getState()).toMatchObject({ status: "offline", workerSyncing: false, pendingCount: 3 });
    stop();
  });

  it("ignores other users' databases and foreign messages; a silent worker counts as finished", () => {
    const [workerEnd, pageEnd] = channelPair();
    const timers = new HandTimers();
    const seen: string[] = [];
    followWorkerSync(
      pageEnd,
      "fieldsync-u1",
      { onSnapshot: () => seen.push("snapshot"), onFinished: () => seen.push("finished") },
      { timers, staleMs: 30_000 },
    );
    const syncing = snapshot({ status: "syncing", phase: "pushing", source: "background-sync", attempt: 0, rerun: false });
    workerEnd.postMessage({ type: SYNC_MESSAGE_TYPES.WORKER_SNAPSHOT, dbName: "fieldsync-u2", snapshot: syncing });
    workerEnd.postMessage({ type: "SKIP_WAITING" });
    expect(seen).toEqual([]);
    workerEnd.postMessage({ type: SYNC_MESSAGE_TYPES.WORKER_SNAPSHOT, dbName: "fieldsync-u1", snapshot: syncing });
    expect(seen).toEqual(["snapshot"]);
    timers.fire(); // killed mid-pass: nothing more arrives
    expect(seen).toEqual(["snapshot", "finished"]);
  });

  it.each([
    [{ type: "WORKER_SYNC_FINISHED", dbName: "x", ok: true, error: null }, true],
    [{ type: "WORKER_SYNC_FINISHED" }, false],
    [{ type: "SKIP_WAITING", dbName: "x" }, false],
    [null, false],
  ])("isSyncChannelMessage(%j) → %s", (data, expected) => {
    expect(isSyncChannelMessage(data)).toBe(expected);
  });
});

describe("the device's current user (for the service worker)", () => {
  it("is set per session and cleared only by the same user's sign-out", async () => {
    await setDeviceUser("u1", "1.0.0", () => new Date("2026-03-01T00:00:00.000Z"));
    expect(await getDeviceUser()).toEqual({ userId: "u1", appVersion: "1.0.0", since: "2026-03-01T00:00:00.000Z" });
    await setDeviceUser("u2", "1.0.0");
    await clearDeviceUser("u1"); // a late sign-out of the previous user
    expect((await getDeviceUser())?.userId).toBe("u2");
    await clearDeviceUser("u2");
    expect(await getDeviceUser()).toBeNull();
  });
});
