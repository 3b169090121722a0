import { randomUUID } from "node:crypto";
import { ERRORS } from "@tus/server";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { PostgresLocker } from "@/lib/server/media/tus-locker";
import { useTestDb } from "../../fixtures/test-db";

/**
 * The Postgres tus locker (lib/server/media/tus-locker.ts): two lockers with pools of their own
 * stand for two app processes. Postgres only — on embedded PGlite (one process) the app keeps
 * tus's in-memory locker, which is what this file then says instead of running.
 */

const onPostgres = inject("dbTemplate").kind === "postgres";
const db = useTestDb();
const lockers: PostgresLocker[] = [];

function newLocker(options: { acquireLockTimeoutMs?: number } = {}): PostgresLocker {
  const url = db.current.url;
  if (!url) throw new Error("no Postgres URL");
  const locker = new PostgresLocker({ url, notifyEveryMs: 100, ...options });
  lockers.push(locker);
  return locker;
}

afterAll(async () => {
  await Promise.all(lockers.map((l) => l.close()));
});

/** Resolves with true if `promise` settles within `ms`, false otherwise (it keeps running). */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((r) => setTimeout(() => r(false), ms)),
  ]);
}

const never = () => {};
const signal = (): AbortSignal => new AbortController().signal;

/** Two lockers (two processes) and a lock on a fresh upload id held through the first. */
async function heldByFirst(options: { second?: { acquireLockTimeoutMs?: number }; requestRelease?: () => void } = {}) {
  const a = newLocker();
  const b = newLocker(options.second);
  const id = `upload_${randomUUID()}`;
  const held = a.newLock(id);
  await held.lock(signal(), options.requestRelease ?? never);
  return { b, id, held };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe.skipIf(!onPostgres)("PostgresLocker", () => {
  it("a second process waits until the first unlocks, and asks it to let go", async () => {
    const releaseAsked = deferred();
    const { b, id, held: first } = await heldByFirst({ requestRelease: releaseAsked.resolve });

    const second = b.newLock(id);
    const order: string[] = [];
    const waiting = second.lock(signal(), never).then(() => order.push("second locked"));
    // The holder hears of the waiter through NOTIFY, across connections.
    expect(await settlesWithin(releaseAsked.promise, 10_000)).toBe(true);
    expect(await settlesWithin(waiting, 300)).toBe(false);

    order.push("first unlocks");
    await first.unlock();
    await waiting;
    expect(order).toEqual(["first unlocks", "second locked"]);
    await second.unlock();
  });

  it("locks on different uploads do not wait for each other", async () => {
    const a = newLocker();
    const b = newLocker();
    const one = a.newLock(`upload_${randomUUID()}`);
    const other = b.newLock(`upload_${randomUUID()}`);
    await one.lock(signal(), never);
    expect(await settlesWithin(other.lock(signal(), never), 10_000)).toBe(true);
    await one.unlock();
    await other.unlock();
  });

  it("gives up with tus's lock-timeout error and leaves the holder's lock alone", async () => {
    const { b, id, held } = await heldByFirst({ second: { acquireLockTimeoutMs: 300 } });
    await expect(b.newLock(id).lock(signal(), never)).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT);
    await expect(b.newLock(id).lock(signal(), never)).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT);

    await held.unlock();
    const next = b.newLock(id);
    await next.lock(signal(), never);
    await next.unlock();
  });

  it("an aborted request stops waiting", async () => {
    const { b, id, held } = await heldByFirst();
    const abort = new AbortController();
    const waiting = b.newLock(id).lock(abort.signal, () => {});
    abort.abort();
    await expect(waiting).rejects.toBe(ERRORS.ERR_LOCK_TIMEOUT);
    await held.unlock();
  });

  it("a holder whose connection dies loses the lock (a crashed process blocks no one)", async () => {
    const { b, id, held } = await heldByFirst();
    const admin = new pg.Client({ connectionString: db.current.url });
    await admin.connect();
    try {
      // End every session that holds a tus advisory lock: only `held`'s connection does.
      const { rowCount } = await admin.query(
        `SELECT pg_terminate_backend(l.pid) FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      expect(rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    const next = b.newLock(id);
    expect(await settlesWithin(next.lock(signal(), never), 10_000)).toBe(true);
    await held.unlock(); // its connection is gone: unlocking still succeeds (the session's end released it)
    await next.unlock();
  });

  it("unlocking a lock that is not held is an error", async () => {
    await expect(newLocker().newLock("never-locked").unlock()).rejects.toThrow(/unlocked lock/);
  });
});
