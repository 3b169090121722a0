import "server-only";
import { ERRORS, type Lock, type Locker, type RequestRelease } from "@tus/server";
import pg from "pg";

/**
 * The tus lock shared by every app process on one Postgres (README "Running several app servers").
 *
 * tus takes a lock per upload id around each HEAD, PATCH and DELETE so that two requests never
 * append to one upload at once (a resumed PATCH racing one still draining on a dead connection is
 * the common case). @tus/server's default `MemoryLocker` only excludes requests in its own
 * process; with several app servers the resumed request may land on another one. Here the lock is
 * a session-level Postgres advisory lock on `hashtextextended('tus:<id>', 0)` (the `<scope>:<key>`
 * keys of lib/server/queries), held on a connection checked out of this locker's own pool for as
 * long as the lock is held:
 *
 * - `lock` tries `pg_try_advisory_lock` every `pollMs` until it wins, its request is aborted, or
 *   `acquireLockTimeoutMs` passes (then tus's ERR_LOCK_TIMEOUT, which the route answers 503 with
 *   Retry-After). While it waits it asks the holder to let go — `NOTIFY fieldsync_tus_release`
 *   with the upload id, repeated every `notifyEveryMs` in case a notification was lost — and every
 *   process's locker LISTENs on that channel and calls the `requestRelease` of the lock it holds
 *   for that id (tus then ends the holder's request after its drain timeout).
 * - `unlock` runs `pg_advisory_unlock` and returns the connection. If that fails, the connection
 *   is destroyed instead — the session's end releases every advisory lock it held — so a lock
 *   never outlives its holder, also when the holder's process dies (Postgres ends its sessions).
 *
 * Collisions of the 64-bit hash only make two unrelated uploads wait for each other.
 * Embedded PGlite is one process by construction, so there tus's MemoryLocker is the right lock.
 */

export const TUS_RELEASE_CHANNEL = "fieldsync_tus_release";

export interface PostgresLockerOptions {
  url: string;
  /** How long `lock` waits before giving up with ERR_LOCK_TIMEOUT (tus's default is 30 s). */
  acquireLockTimeoutMs?: number;
  /** Pause between attempts while another request holds the lock. */
  pollMs?: number;
  /** How often a waiting request repeats its release request. */
  notifyEveryMs?: number;
  /** Connections for held locks (one per upload request in progress) and waiting attempts. */
  maxConnections?: number;
}

const LOCK_KEY = "hashtextextended('tus:' || $1::text, 0)";

export class PostgresLocker implements Locker {
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly notifyEveryMs: number;
  private readonly pool: pg.Pool;
  /** `requestRelease` of each lock this process holds, by upload id. */
  private readonly held = new Map<string, RequestRelease>();
  private listener: Promise<pg.Client> | null = null;
  private closed = false;

  constructor(private readonly options: PostgresLockerOptions) {
    this.timeoutMs = options.acquireLockTimeoutMs ?? 30_000;
    this.pollMs = options.pollMs ?? 50;
    this.notifyEveryMs = options.notifyEveryMs ?? 1_000;
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 20,
      connectionTimeoutMillis: this.timeoutMs,
      application_name: "fieldsync-tus-locker",
    });
    // A connection dropped by the server (restart, failover) is discarded; its locks died with it.
    this.pool.on("error", () => {});
  }

  newLock(id: string): Lock {
    return new PostgresLock(this, id);
  }

  /** Ends the listener and the pool (locks still held are released by their sessions' end). */
  async close(): Promise<void> {
    this.closed = true;
    const listener = await this.listener?.catch(() => null);
    this.listener = null;
    await listener?.end().catch(() => {});
    await this.pool.end();
  }

  /** @internal */
  connect(): Promise<pg.PoolClient> {
    if (this.closed) return Promise.reject(new Error("The tus locker is closed"));
    return this.pool.connect();
  }

  /** @internal Starts listening for release requests (once; again after its connection dropped). */
  listen(): Promise<pg.Client> {
    this.listener ??= (async () => {
      const client = new pg.Client({ connectionString: this.options.url, application_name: "fieldsync-tus-locker" });
      const forget = () => {
        this.listener = null;
        client.end().catch(() => {});
      };
      client.on("error", forget);
      client.on("end", () => {
        if (this.listener) this.listener = null;
      });
      client.on("notification", (message) => {
        if (message.channel !== TUS_RELEASE_CHANNEL || !message.payload) return;
        const release = this.held.get(message.payload);
        if (release) void Promise.resolve(release()).catch(() => {});
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${TUS_RELEASE_CHANNEL}`);
      } catch (error) {
        forget();
        throw error;
      }
      return client;
    })();
    return this.listener;
  }

  /** @internal */
  markHeld(id: string, requestRelease: RequestRelease): void {
    this.held.set(id, requestRelease);
  }

  /** @internal */
  markReleased(id: string): void {
    this.held.delete(id);
  }
}

class PostgresLock implements Lock {
  private client: pg.PoolClient | null = null;
  /** Set when the connection died while checked out: the lock died with its session. */
  private lost: Error | null = null;
  private readonly onLost = (error: Error) => {
    this.lost = error;
  };

  constructor(
    private readonly locker: PostgresLocker,
    private readonly id: string,
  ) {}

  async lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void> {
    const deadline = Date.now() + this.locker.timeoutMs;
    // Release requests reach this process only once it listens; a failure here is not fatal to
    // locking (the holder then keeps its lock until its request ends by itself).
    await this.locker.listen().catch(() => null);
    const client = await this.locker.connect();
    // A checked-out connection's errors are emitted on it, not on the pool: unhandled, they would
    // end the process.
    client.on("error", this.onLost);
    let lastNotify = 0;
    try {
      for (;;) {
        if (signal.aborted) throw ERRORS.ERR_LOCK_TIMEOUT;
        const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS locked`, [this.id]);
        if (rows[0]?.locked) {
          this.client = client;
          this.locker.markHeld(this.id, requestRelease);
          return;
        }
        const now = Date.now();
        if (now >= deadline) throw ERRORS.ERR_LOCK_TIMEOUT;
        if (now - lastNotify >= this.locker.notifyEveryMs) {
          lastNotify = now;
          await client.query("SELECT pg_notify($1, $2)", [TUS_RELEASE_CHANNEL, this.id]);
        }
        await pause(Math.min(this.locker.pollMs, deadline - now), signal);
      }
    } catch (error) {
      client.off("error", this.onLost);
      // A failed query leaves the connection in doubt: destroy it rather than pool it again.
      client.release(this.lost ?? (error instanceof Error ? error : undefined));
      throw error;
    }
  }

  async unlock(): Promise<void> {
    const client = this.client;
    if (!client) throw new Error("Releasing an unlocked lock!");
    this.client = null;
    this.locker.markReleased(this.id);
    try {
      if (!this.lost) await client.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`, [this.id]);
    } catch (error) {
      this.lost = error instanceof Error ? error : new Error(String(error));
    }
    client.off("error", this.onLost);
    // A failed connection is destroyed, not reused: ending the session releases the lock just the same.
    client.release(this.lost ?? undefined);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
