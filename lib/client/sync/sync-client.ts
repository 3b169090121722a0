import { ERROR_CODES, MAX_MUTATIONS_PER_PUSH, type PushResult } from "@/lib/protocol";
import { type FieldSyncDb, recoverInflight } from "../db/field-sync-db";
import { META_KEYS, type OutboxEntry, PENDING_CONFLICT } from "../db/types";
import { completeBatch } from "../outbox/complete-batch";
import { DEFAULT_BATCH_SIZE, nextBatch, releaseBatch, toMutation } from "../outbox/next-batch";
import { resendLostRecords, type SeenOnServer } from "../outbox/resend-lost";
import {
  initialState,
  isForcingSource,
  type MachineState,
  type SyncError,
  type SyncEvent,
  type TriggerSource,
  transition,
} from "./machine";
import {
  CLEAR_SYNC_STATE,
  loadSyncState,
  type PersistedSyncState,
  type RestoredSync,
  saveSyncState,
  toPersistedState,
} from "./persisted-state";
import { applyPullPage, notePulledRecords } from "./pull-apply";
import { backoffDelay, CLIENT_ERROR_CODES, classifyFailure, type Decision, type Failure } from "./retry-policy";
import { createSyncLock, type LockManagerLike, type RunExclusive } from "./sync-lock";
import { defaultTimers, type Timers } from "./timers";
import { type FetchLike, SyncTransport } from "./transport";

export const DEFAULT_PULL_LIMIT = 500;
export const DEFAULT_PERIODIC_SYNC_MS = 5 * 60 * 1000;

export interface SyncProgress {
  phase: "pushing" | "pulling";
  done: number;
  /** Unknown while pulling (the server only says whether more pages follow). */
  total: number | null;
}

/** What the UI mirrors (stores/sync-store.ts). */
export interface SyncSnapshot {
  machine: MachineState;
  pendingCount: number;
  parkedCount: number;
  conflictCount: number;
  progress: SyncProgress | null;
  /** Last pass that pushed and pulled without a failure (ISO). */
  lastSuccessAt: string | null;
  /** Last time the push phase had every queued mutation answered — "sent … ago" (ISO). */
  lastPushAt: string | null;
  /** Last time a pull reached the server's end of changes — "received … ago" (ISO). */
  lastPullAt: string | null;
  lastError: SyncError | null;
}

export type { Timers };

interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** Where the automatic triggers come from; defaults to the browser globals. */
export interface SyncEnvironment {
  /** Fires `online` / `offline` (window, or the service worker global). */
  connectivity?: EventTargetLike;
  /** Fires `visibilitychange`. */
  document?: EventTargetLike & { visibilityState?: string };
  isOnline?: () => boolean;
}

export interface SyncClientOptions {
  db: FieldSyncDb;
  /** "" for same-origin. */
  baseUrl: string;
  fetch?: FetchLike;
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  credentials?: RequestCredentials;
  appVersion?: string;
  batchSize?: number;
  pullLimit?: number;
  compressAboveBytes?: number;
  /** [0,1) source for backoff jitter. */
  random?: () => number;
  now?: () => number;
  timers?: Timers;
  periodicSyncMs?: number;
  /** undefined → navigator.locks when present; null → in-process mutex only. */
  locks?: LockManagerLike | null;
  environment?: SyncEnvironment;
  /** Extra clientState for the devices dashboard (storage, oldest unsent edit…), read before each push. */
  getClientState?: () => Promise<Record<string, unknown>>;
}

type BatchOutcome = "continue" | "split" | "stop";

function defaultEnvironment(): SyncEnvironment {
  const g = globalThis as {
    addEventListener?: EventTargetLike["addEventListener"];
    removeEventListener?: EventTargetLike["removeEventListener"];
    document?: SyncEnvironment["document"];
    navigator?: { onLine?: boolean };
  };
  return {
    connectivity: typeof g.addEventListener === "function" ? (globalThis as unknown as EventTargetLike) : undefined,
    document: g.document,
    isOnline: () => g.navigator?.onLine ?? true,
  };
}

/**
 * Drives push and pull through the state machine (machine.ts). Guarantees (SYNC.md):
 * - a batch leaves the outbox only when answered (completeBatch) — on any failure it is released;
 * - batches are sent one at a time, each answered before the next, so per-record order holds;
 * - one pass at a time across tabs (Web Locks), one loop at a time per client;
 * - pull never overwrites unsent changes (pull-apply.ts).
 */
export class SyncClient {
  private state: MachineState = initialState;
  private loop: Promise<MachineState> | null = null;
  private readonly listeners = new Set<(snapshot: SyncSnapshot) => void>();
  private readonly transport: SyncTransport;
  private readonly exclusive: RunExclusive;
  private readonly timers: Timers;
  private readonly now: () => number;
  private readonly random: () => number;
  private backoffTimer: unknown = null;
  private periodicTimer: unknown = null;
  private detach: (() => void) | null = null;
  private counts = { pendingCount: 0, parkedCount: 0, conflictCount: 0 };
  private progress: SyncProgress | null = null;
  private lastSuccessAt: string | null = null;
  private lastPushAt: string | null = null;
  private lastPullAt: string | null = null;
  private lastError: SyncError | null = null;
  /** Epoch ms the server's last Retry-After asked to wait until (persisted). */
  private retryAfterUntil: number | null = null;
  private restoring: Promise<void> | null = null;
  /** The persisted machine state, until the first loop has adopted it. */
  private restored: PersistedSyncState | null = null;
  private persisting: Promise<void> = Promise.resolve();

  constructor(private readonly options: SyncClientOptions) {
    this.transport = new SyncTransport(options);
    this.exclusive = createSyncLock(options.locks, `fieldsync-sync:${options.db.name}`);
    this.timers = options.timers ?? defaultTimers;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  get db(): FieldSyncDb {
    return this.options.db;
  }

  getState(): MachineState {
    return this.state;
  }

  getSnapshot(): SyncSnapshot {
    return {
      machine: this.state,
      ...this.counts,
      progress: this.progress,
      lastSuccessAt: this.lastSuccessAt,
      lastPushAt: this.lastPushAt,
      lastPullAt: this.lastPullAt,
      lastError: this.lastError,
    };
  }

  /**
   * Reads what earlier runs persisted (a killed service worker, a closed tab): attempts, backoff,
   * Retry-After, last error and the last push/pull times. Idempotent; the first sync loop awaits
   * it and resumes the backoff from there (persisted-state.ts).
   */
  restore(): Promise<void> {
    this.restoring ??= loadSyncState(this.options.db)
      .then((restored) => {
        this.adoptTimes(restored);
        if (restored.state) {
          this.restored = restored.state;
          this.retryAfterUntil ??= restored.state.retryAfterUntil;
          this.lastError ??= restored.state.lastError;
        }
      })
      .catch(() => undefined);
    return this.restoring;
  }

  /** True while the server's Retry-After has not elapsed (after restore()). */
  isWaitingForServer(): boolean {
    return this.retryAfterUntil !== null && this.retryAfterUntil > this.now();
  }

  subscribe(listener: (snapshot: SyncSnapshot) => void): () => void {
    this.listeners.add(listener);
    listener(this.getSnapshot());
    return () => this.listeners.delete(listener);
  }

  /**
   * Attaches the automatic triggers (online/offline, visibility, periodic timer, backoff timer)
   * and syncs once for app start.
   */
  start(): void {
    if (this.detach) return;
    const env = this.options.environment ?? defaultEnvironment();
    const onOnline = () => this.dispatch({ type: "ONLINE" });
    const onOffline = () => this.dispatch({ type: "OFFLINE" });
    const onVisibility = () => {
      if (env.document?.visibilityState === "visible") this.dispatch({ type: "TRIGGER", source: "visible" });
    };
    env.connectivity?.addEventListener("online", onOnline);
    env.connectivity?.addEventListener("offline", onOffline);
    env.document?.addEventListener("visibilitychange", onVisibility);
    const periodicMs = this.options.periodicSyncMs ?? DEFAULT_PERIODIC_SYNC_MS;
    if (periodicMs > 0) {
      this.periodicTimer = this.timers.setInterval(() => this.dispatch({ type: "TRIGGER", source: "timer" }), periodicMs);
    }
    this.detach = () => {
      env.connectivity?.removeEventListener("online", onOnline);
      env.connectivity?.removeEventListener("offline", onOffline);
      env.document?.removeEventListener("visibilitychange", onVisibility);
      if (this.periodicTimer !== null) this.timers.clearInterval(this.periodicTimer);
      this.periodicTimer = null;
    };
    if (env.isOnline && !env.isOnline()) this.dispatch({ type: "OFFLINE" });
    this.dispatch({ type: "START" });
    if (this.state.status === "backoff") this.scheduleBackoff(this.state.until);
  }

  /** Detaches every trigger and timer. A pass already running finishes. */
  stop(): void {
    this.detach?.();
    this.detach = null;
    this.clearBackoff();
  }

  /**
   * Requests a sync and resolves with the machine state once the loop has stopped (idle, backoff,
   * offline, error or needs-sign-in). A request during a running pass makes it run once more.
   */
  syncOnce(source: TriggerSource = "manual"): Promise<MachineState> {
    this.dispatch({ type: "TRIGGER", source });
    return this.loop ?? Promise.resolve(this.state);
  }

  syncNow(): Promise<MachineState> {
    return this.syncOnce("manual");
  }

  /** The user signed in again after AUTH_REQUIRED: the kept queue is sent. */
  signedIn(): Promise<MachineState> {
    this.dispatch({ type: "SIGNED_IN" });
    return this.loop ?? Promise.resolve(this.state);
  }

  /** Re-reads the counts (e.g. after local writes) and notifies subscribers. */
  async refresh(): Promise<void> {
    await this.refreshCounts();
    this.emit();
  }

  /** Feeds an event to the machine and performs what the new state requires. */
  dispatch(event: SyncEvent): void {
    const previous = this.state;
    const next = transition(previous, event);
    if (next === previous) return;
    this.state = next;
    if (previous.status === "backoff" && next.status !== "backoff") this.clearBackoff();
    if (next.status === "backoff" && this.detach) this.scheduleBackoff(next.until);
    if (next.status !== "syncing") this.progress = null;
    this.emit();
    if (next.status === "syncing" && !this.loop) this.loop = this.runLoop();
  }

  private emit(): void {
    const snapshot = this.getSnapshot();
    for (const listener of this.listeners) listener(snapshot);
  }

  private isSyncing(): boolean {
    return this.state.status === "syncing";
  }

  private scheduleBackoff(until: number): void {
    this.clearBackoff();
    this.backoffTimer = this.timers.setTimeout(
      () => {
        this.backoffTimer = null;
        this.dispatch({ type: "BACKOFF_ELAPSED" });
      },
      Math.max(0, until - this.now()),
    );
  }

  private clearBackoff(): void {
    if (this.backoffTimer !== null) this.timers.clearTimeout(this.backoffTimer);
    this.backoffTimer = null;
  }

  private async runLoop(): Promise<MachineState> {
    // Start after the dispatch that created the loop has returned.
    await Promise.resolve();
    await this.restore();
    this.adoptRestoredState();
    try {
      while (this.isSyncing()) {
        try {
          await this.exclusive(() => this.pass());
        } catch (error) {
          // A local failure (IndexedDB, a bug): surface it; the next trigger tries again.
          this.fail({ code: CLIENT_ERROR_CODES.LOCAL_ERROR, message: error instanceof Error ? error.message : String(error) }, null);
        }
      }
    } finally {
      this.loop = null;
    }
    // A worker may be killed right after: what the next run needs is on disk before we answer.
    await this.persisting;
    await this.refreshCounts().catch(() => undefined);
    this.emit();
    // A trigger during the refresh started a new loop: callers wait for that one too.
    return this.loop ?? this.state;
  }

  /**
   * Counts, and the last push/pull/success times from `meta`: another context (the service
   * worker, another tab) may have synced since, and the status bar must say so.
   */
  private async refreshCounts(): Promise<void> {
    const { db } = this.options;
    const [pendingCount, parkedCount, conflictCount, restored] = await Promise.all([
      db.outbox.count(),
      db.parked.count(),
      db.conflicts.where("status").equals(PENDING_CONFLICT).count(),
      loadSyncState(db),
    ]);
    this.counts = { pendingCount, parkedCount, conflictCount };
    this.adoptTimes(restored);
  }

  private adoptTimes(restored: RestoredSync): void {
    const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b);
    this.lastSuccessAt = later(this.lastSuccessAt, restored.lastSuccessAt);
    this.lastPushAt = later(this.lastPushAt, restored.lastPushAt);
    this.lastPullAt = later(this.lastPullAt, restored.lastPullAt);
  }

  /**
   * The first loop of this client resumes where the last run left off: a backoff still running
   * holds opportunistic triggers (app start, timer, visible) back until it ends; forcing ones
   * (manual, online, background sync) go ahead, with the attempt count kept so the next failure
   * backs off further.
   */
  private adoptRestoredState(): void {
    const restored = this.restored;
    this.restored = null;
    const state = this.state;
    if (!restored || restored.attempt === 0 || state.status !== "syncing" || state.attempt > 0) return;
    if (restored.backoffUntil !== null && restored.backoffUntil > this.now() && !isForcingSource(state.source)) {
      this.state = {
        status: "backoff",
        until: restored.backoffUntil,
        attempt: restored.attempt,
        error: restored.lastError ?? { code: CLIENT_ERROR_CODES.NETWORK_ERROR, message: "an earlier sync failed" },
      };
      this.progress = null;
      if (this.detach) this.scheduleBackoff(restored.backoffUntil);
      this.emit();
      return;
    }
    this.state = { ...state, attempt: restored.attempt };
  }

  private persist(state: PersistedSyncState): void {
    const { db } = this.options;
    this.persisting = this.persisting.then(() => saveSyncState(db, state)).catch(() => undefined);
  }

  private setProgress(progress: SyncProgress): void {
    this.progress = progress;
    this.emit();
  }

  private async deviceId(): Promise<string> {
    const { db } = this.options;
    return db.transaction("rw", db.meta, async () => {
      const existing = await db.meta.get(META_KEYS.DEVICE_ID);
      if (typeof existing?.value === "string") return existing.value;
      const id = crypto.randomUUID();
      await db.meta.put({ key: META_KEYS.DEVICE_ID, value: id });
      return id;
    });
  }

  /** One push-then-pull pass. Holds the cross-tab lock. Returns early when the machine moved on. */
  private async pass(): Promise<void> {
    const { db } = this.options;
    // Under the lock nobody else has a request in flight: any 'inflight' entry is a leftover.
    await recoverInflight(db);
    const deviceId = await this.deviceId();

    await this.refreshCounts();
    let batchSize = Math.min(MAX_MUTATIONS_PER_PUSH, Math.max(1, this.options.batchSize ?? DEFAULT_BATCH_SIZE));
    let pushed = 0;
    this.setProgress({ phase: "pushing", done: 0, total: this.counts.pendingCount });
    while (this.isSyncing()) {
      const batch = await nextBatch(db, batchSize);
      if (batch.length === 0) break;
      const outcome = await this.pushBatch(deviceId, batch);
      if (outcome === "stop") return;
      if (outcome === "split") {
        batchSize = Math.max(1, Math.ceil(batch.length / 2));
        continue;
      }
      pushed += batch.length;
      await this.refreshCounts();
      this.setProgress({ phase: "pushing", done: pushed, total: pushed + this.counts.pendingCount });
    }
    if (!this.isSyncing()) return;
    const pushedAt = new Date(this.now()).toISOString();
    await db.meta.put({ key: META_KEYS.LAST_PUSH_AT, value: pushedAt });
    this.lastPushAt = pushedAt;
    this.dispatch({ type: "PUSH_OK" });

    // A pull from the start the server forced, and that did not finish, starts over: the lost-record
    // check below needs to have seen everything the server has.
    let restarted = (await db.meta.get(META_KEYS.RESYNC))?.value === true;
    let cursor = restarted ? undefined : (await db.meta.get(META_KEYS.CURSOR))?.value;
    let pulled = 0;
    const seen: SeenOnServer = new Map();
    let scope: readonly string[] = [];
    this.setProgress({ phase: "pulling", done: 0, total: null });
    while (this.isSyncing()) {
      const result = await this.transport.pull({
        cursor: typeof cursor === "string" ? cursor : null,
        limit: this.options.pullLimit ?? DEFAULT_PULL_LIMIT,
        deviceId,
      });
      if (!result.ok) {
        if (!restarted && typeof cursor === "string" && refusesCursor(result.failure)) {
          // The server will not continue from this cursor (another or a restored database, a
          // cursor format it no longer reads). Pull everything again: applying is idempotent,
          // deleted records come as deletes, and unsent local changes are rebased as usual.
          restarted = true;
          cursor = undefined;
          await db.meta.put({ key: META_KEYS.RESYNC, value: true });
          await db.meta.delete(META_KEYS.CURSOR);
          continue;
        }
        this.fail({ code: "", message: result.message }, classifyFailure(result.failure, this.now()));
        return;
      }
      await applyPullPage(db, result.body);
      if (restarted) notePulledRecords(seen, result.body);
      cursor = result.body.cursor;
      pulled += result.body.changes.length;
      this.setProgress({ phase: "pulling", done: pulled, total: result.body.hasMore ? null : pulled });
      this.dispatch({ type: "PULL_OK" });
      scope = result.body.scope?.entityIds ?? scope;
      if (!result.body.hasMore) break;
    }
    if (!this.isSyncing()) return;
    const pulledAt = new Date(this.now()).toISOString();
    await db.meta.put({ key: META_KEYS.LAST_PULL_AT, value: pulledAt });
    this.lastPullAt = pulledAt;
    if (restarted) {
      // The server forgot this device's cursor: did it also forget records the device sent it?
      const resent = await resendLostRecords(db, seen, scope);
      await db.meta.delete(META_KEYS.RESYNC);
      // Queued again: one more pass sends them (a trigger during a pass makes it run once more).
      if (resent.recreated + resent.restored > 0) this.dispatch({ type: "TRIGGER", source: "manual" });
    }

    const at = new Date(this.now()).toISOString();
    await db.meta.put({ key: META_KEYS.LAST_SYNC_AT, value: at });
    this.lastSuccessAt = at;
    this.lastError = null;
    this.retryAfterUntil = null;
    this.persist(CLEAR_SYNC_STATE);
    await this.refreshCounts();
    this.dispatch({ type: "DONE" });
  }

  /**
   * Sends one batch and settles every entry in it: answered (completeBatch), parked (a 4xx that
   * refuses the request as such), or released back to 'queued' (anything else).
   */
  private async pushBatch(deviceId: string, batch: OutboxEntry[]): Promise<BatchOutcome> {
    const { db } = this.options;
    // What stays queued on the device after this push (the server's devices dashboard).
    const pendingCount = Math.max(0, (await db.outbox.count()) - batch.length);
    const result = await this.transport.push({
      deviceId,
      clientState: {
        ...((await this.options.getClientState?.().catch(() => undefined)) ?? {}),
        pendingCount,
        ...(this.options.appVersion ? { appVersion: this.options.appVersion } : {}),
      },
      mutations: batch.map(toMutation),
    });

    if (result.ok) {
      const summary = await completeBatch(db, batch, result.body.results);
      if (summary.unanswered > 0) {
        // The server answered only part of the batch; resending at once could loop forever.
        this.fail(
          { code: "", message: `${summary.unanswered} mutation(s) left unanswered` },
          classifyFailure({ kind: "bad-response", status: result.status }, this.now()),
        );
        return "stop";
      }
      return "continue";
    }

    const decision = classifyFailure(result.failure, this.now());
    switch (decision.action) {
      case "split":
        if (batch.length > 1) {
          await releaseBatch(db, batch);
          return "split";
        }
        // A single mutation too large to ever be accepted: park it, visible to the user.
        await completeBatch(db, batch, [rejectedAnswer(batch[0], ERROR_CODES.PAYLOAD_TOO_LARGE, result.message)]);
        return "continue";
      case "park":
        await completeBatch(
          db,
          batch,
          batch.map((e) => rejectedAnswer(e, decision.code, result.message)),
        );
        return "continue";
      default:
        await releaseBatch(db, batch);
        this.fail({ code: "", message: result.message }, decision);
        return "stop";
    }
  }

  /** Leaves the syncing state as the decision says. `decision` null: a local, non-retryable error. */
  private fail(error: SyncError, decision: Decision | null): void {
    const reported: SyncError = { code: decision?.code ?? error.code, message: error.message };
    this.lastError = reported;
    this.retryAfterUntil = null;
    if (decision?.action === "sign-in") {
      this.dispatch({ type: "AUTH_REQUIRED" });
    } else if (decision?.action === "retry") {
      const attempt = this.state.status === "syncing" ? this.state.attempt : 0;
      const delay = backoffDelay(attempt, { random: this.random, retryAfterMs: decision.retryAfterMs });
      if (decision.retryAfterMs !== undefined) this.retryAfterUntil = this.now() + decision.retryAfterMs;
      this.dispatch({ type: "FAILED", retryable: true, retryAt: this.now() + delay, error: reported });
    } else {
      this.dispatch({ type: "FAILED", retryable: false, error: reported });
    }
    this.persist(toPersistedState(this.state, reported, this.retryAfterUntil));
  }
}

function rejectedAnswer(entry: OutboxEntry, code: string, message: string): PushResult {
  return {
    mutationId: entry.mutationId,
    status: "rejected",
    offlineId: entry.offlineId,
    error: { code, message },
  } as PushResult;
}

/**
 * Entry point for the service worker's Background Sync event:
 * `self.addEventListener("sync", (e) => e.waitUntil(runBackgroundSync(client)))`.
 * Rejects when the pass did not finish cleanly, so the browser schedules another attempt. A
 * background run cuts the client's own backoff short (the browser granted it), but never the
 * server's `Retry-After`, which a killed worker's predecessor may have received (persisted).
 */
export async function runBackgroundSync(client: SyncClient): Promise<void> {
  await client.restore();
  if (client.isWaitingForServer()) throw new BackgroundSyncError("background sync deferred: the server asked to wait (Retry-After)");
  const state = await client.syncOnce("background-sync");
  if (state.status !== "idle") {
    const detail = state.status === "backoff" || state.status === "error" ? `: ${state.error.code}` : "";
    throw new BackgroundSyncError(`background sync ended ${state.status}${detail}`);
  }
}

export class BackgroundSyncError extends Error {
  override readonly name = "BackgroundSyncError";
  readonly code = "BACKGROUND_SYNC_INCOMPLETE";
}

/** A 400 naming the cursor: the server refuses to continue from it (lib/server/sync/cursor.ts). */
function refusesCursor(failure: Failure): boolean {
  return failure.kind === "http" && failure.status === 400 && (failure.issueFields ?? []).includes("cursor");
}
