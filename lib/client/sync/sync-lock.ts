/**
 * One sync at a time. Across tabs of an origin: the Web Locks API (`navigator.locks`), whose
 * lock is released when its holder's tab dies, so a crashed tab never blocks the others. Where
 * it is missing (tests, old browsers): an in-process mutex — it serialises clients of one
 * JS realm only.
 */

export const SYNC_LOCK_NAME = "fieldsync-sync";

/** The part of the Web Locks `LockManager` the client uses. */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

export type RunExclusive = <T>(fn: () => Promise<T>) => Promise<T>;

const inProcessTails = new Map<string, Promise<void>>();

/** FIFO mutex per name within this JS realm. */
export function runInProcessExclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const previous = inProcessTails.get(name) ?? Promise.resolve();
  const run = previous.then(fn);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  inProcessTails.set(name, tail);
  void tail.then(() => {
    if (inProcessTails.get(name) === tail) inProcessTails.delete(name);
  });
  return run;
}

export function defaultLockManager(): LockManagerLike | undefined {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks && typeof nav.locks.request === "function" ? nav.locks : undefined;
}

/**
 * `locks`: undefined → `navigator.locks` when present; null → force the in-process mutex.
 * `fallbackName` keys the in-process mutex (e.g. per database, so simulated devices in one test
 * process do not wait for each other).
 */
export function createSyncLock(locks?: LockManagerLike | null, fallbackName: string = SYNC_LOCK_NAME): RunExclusive {
  const manager = locks === null ? undefined : (locks ?? defaultLockManager());
  if (manager) return (fn) => manager.request(SYNC_LOCK_NAME, () => fn());
  return (fn) => runInProcessExclusive(fallbackName, fn);
}
