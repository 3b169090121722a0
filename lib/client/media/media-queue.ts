import { type DetailedError, type HttpStack, Upload } from "tus-js-client";
import type { FieldSyncDb } from "../db/field-sync-db";
import { UPLOAD_STATES } from "../db/types";
import { backoffDelay } from "../sync/retry-policy";
import { defaultLockManager, type LockManagerLike } from "../sync/sync-lock";
import { defaultTimers, type Timers } from "../sync/timers";
import { blobFileReader } from "./blob-file-reader";
import { classifyUploadFailure, isTransientUploadFailure, type UploadFailure } from "./classify-upload-failure";
import { DexieUrlStorage, mediaFingerprint } from "./dexie-url-storage";
import { FetchHttpStack } from "./fetch-http-stack";
import type { MediaRow } from "./media-row";

/**
 * Uploads captured media with tus, after their parent record exists on the server. See MEDIA.md.
 *
 * Invariants:
 * - A file starts only when its parent (assessment/response) has `serverVersion ≥ 1`: the server
 *   refuses media for a parent it does not know (404), and waiting costs nothing.
 * - At most `concurrency` (3) uploads run; assessment photos go before response photos, and
 *   within each, smaller files first (they finish sooner and unblock the user's view).
 * - Resume state is the `uploadState` table (DexieUrlStorage), written when the server creates
 *   the upload: a dropped connection (tus-js-client retries), a closed tab or a new queue instance
 *   continues at the server's offset (HEAD), never from byte 0.
 * - Bytes are dropped only after the server confirmed the record (unless `keepOriginal`); a
 *   refused or unverifiable upload stays on the device as 'failed' with its reason, until retried.
 * - Progress is ephemeral (subscribe); states and errors live on the Dexie row (useLiveQuery).
 */

export const DEFAULT_MEDIA_ENDPOINT = "/api/media/uploads";
export const MEDIA_ID_HEADER = "X-Media-Id";
export const MEDIA_LOCK_NAME = "fieldsync-media";

/**
 * Bytes per PATCH. A dropped link loses at most the chunk in flight (what already reached the
 * server is kept), and every finished chunk is a durable offset to resume from. One PATCH per file
 * would be faster on a good link, but on a field link that drops every few megabytes a whole
 * socket buffer (megabytes) is sent again per drop; 512 KiB keeps three drops in a 10 MB photo
 * under 1.2× the bytes for one extra round trip per 512 KiB.
 */
export const DEFAULT_CHUNK_SIZE = 512 * 1024;
/** `lastError.code` of a file whose upload completed on the server without being recorded. */
export const NOT_RECORDED_CODE = "NOT_RECORDED";

export interface MediaQueueOptions {
  /** The tus endpoint; absolute outside a browser page. */
  endpoint?: string;
  concurrency?: number;
  /** Extra headers per request (e.g. a bearer token); the browser app relies on its cookie. */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  /** Default: XMLHttpRequest where it exists (fine-grained progress), else fetch (workers, Node). */
  httpStack?: HttpStack;
  /** PATCH size; default DEFAULT_CHUNK_SIZE. */
  chunkSize?: number;
  /** tus-js-client's own quick retries within one attempt (network, 5xx, 409, 423). */
  retryDelays?: number[];
  /** Re-checks eligible files this often (parents reaching the server); 0 = only on kick(). */
  pollIntervalMs?: number;
  /** Web Locks: one queue per origin across tabs. undefined = navigator.locks; null = none. */
  locks?: LockManagerLike | null;
  random?: () => number;
  now?: () => number;
  /** Poll and retry timers; default the globals (a page or the service worker). */
  timers?: Timers;
  /** Where the queue runs; defaults to the global `navigator`. */
  environment?: MediaQueueEnvironment;
}

export interface MediaQueueEnvironment {
  /** False stops tus-js-client's quick retries (the next kick after `online` resumes). */
  isOnline?: () => boolean;
}

function defaultIsOnline(): boolean {
  return (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine !== false;
}

export interface MediaProgress {
  offlineId: string;
  bytesSent: number;
  bytesTotal: number;
}

export type MediaQueueStatus = "stopped" | "idle" | "uploading" | "needs-sign-in";

export interface MediaQueueSnapshot {
  status: MediaQueueStatus;
  /** The running uploads and their progress. */
  running: MediaProgress[];
}

type Outcome =
  | { kind: "success"; mediaId?: string }
  | { kind: "failure"; failure: UploadFailure; message: string }
  /** cancel() or stop() ended the attempt; the row was (or will be) updated by them. */
  | { kind: "interrupted" };

interface RunningUpload {
  progress: MediaProgress;
  upload?: Upload;
  /** Set once the attempt's outcome is decided (interrupt called); nothing may start after. */
  settled: boolean;
  interrupt: (outcome: Outcome) => void;
  done: Promise<void>;
}

/** `navigator.locks.request(name, { ifAvailable: true }, cb)`: cb gets null when the lock is taken. */
type LockRequestIfAvailable = <T>(name: string, options: { ifAvailable: true }, callback: (lock: unknown) => Promise<T>) => Promise<T>;

const PARENT_RANK: Record<string, number> = { assessment: 0, response: 1 };

function failureOf(error: Error): UploadFailure {
  const detailed = error as Partial<DetailedError>;
  const status = detailed.originalResponse?.getStatus();
  let code: string | undefined;
  try {
    const body = detailed.originalResponse?.getBody();
    const parsed = body ? (JSON.parse(body) as { error?: { code?: unknown } }) : undefined;
    if (typeof parsed?.error?.code === "string") code = parsed.error.code;
  } catch {
    // tus's own errors are plain text: the status decides.
  }
  return { method: detailed.originalRequest?.getMethod(), status: status || undefined, code };
}

function uploadMetadata(row: MediaRow): Record<string, string> {
  const meta: Record<string, string> = {
    offlineId: row.offlineId,
    parentType: row.parentType ?? "",
    parentOfflineId: row.parentOfflineId,
    filename: row.filename ?? "",
    mimeType: row.mimeType ?? "",
    sha256: row.sha256 ?? "",
  };
  if (row.capturedAt) meta.capturedAt = row.capturedAt;
  if (typeof row.latitude === "number") meta.latitude = String(row.latitude);
  if (typeof row.longitude === "number") meta.longitude = String(row.longitude);
  return meta;
}

export class MediaQueue {
  private readonly endpoint: string;
  private readonly concurrency: number;
  private readonly httpStack: HttpStack | undefined;
  private readonly chunkSize: number;
  private readonly urlStorage: DexieUrlStorage;
  private readonly running = new Map<string, RunningUpload>();
  private readonly listeners = new Set<(snapshot: MediaQueueSnapshot) => void>();
  private readonly clock: Timers;
  private readonly isOnline: () => boolean;
  private readonly timers = new Set<unknown>();
  /** Files being cancelled: not to be restarted by a fill that runs meanwhile. */
  private readonly holds = new Set<string>();
  private started = false;
  private needsSignIn = false;
  private lockHeld = false;
  private releaseLock: (() => void) | null = null;
  private poll: unknown = null;
  private fillChain: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: FieldSyncDb,
    private readonly options: MediaQueueOptions = {},
  ) {
    this.endpoint = options.endpoint ?? DEFAULT_MEDIA_ENDPOINT;
    this.concurrency = Math.max(1, options.concurrency ?? 3);
    const hasXhr = typeof XMLHttpRequest !== "undefined";
    this.httpStack = options.httpStack ?? (hasXhr ? undefined : new FetchHttpStack());
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.urlStorage = new DexieUrlStorage(db);
    this.clock = options.timers ?? defaultTimers;
    this.isOnline = options.environment?.isOnline ?? defaultIsOnline;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Begins uploading (after taking the cross-tab lock, where Web Locks exist). Idempotent. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const locks = this.options.locks === null ? undefined : (this.options.locks ?? defaultLockManager());
    if (locks) {
      void locks.request(MEDIA_LOCK_NAME, () => {
        if (!this.started) return Promise.resolve();
        this.lockHeld = true;
        this.kick();
        return new Promise<void>((resolve) => {
          this.releaseLock = resolve;
        });
      });
    } else {
      this.lockHeld = true;
    }
    const every = this.options.pollIntervalMs ?? 15_000;
    if (every > 0) this.poll = this.clock.setInterval(() => this.kick(), every);
    this.fillChain = this.fillChain.then(() => this.reconcile()).catch(() => undefined);
    this.kick();
    this.emit();
  }

  /**
   * Tidies what an earlier run could not: a file whose upload finished on the server while the
   * answer was lost, then arrived by pull as 'uploaded' (pull keeps local bytes), still has its
   * resume entry — proof this queue sent it — so its bytes go now, as on a normal success.
   */
  private async reconcile(): Promise<void> {
    await this.db.transaction("rw", [this.db.media, this.db.uploadState], async () => {
      for (const state of await this.db.uploadState.toArray()) {
        const row = (await this.db.media.get(state.offlineId)) as MediaRow | undefined;
        if (row && row.uploadState !== UPLOAD_STATES.UPLOADED) continue;
        await this.db.uploadState.delete(state.offlineId);
        if (row && !row.keepOriginal && (row.blob || row.originalBlob)) {
          const { blob, originalBlob, ...rest } = row;
          await this.db.media.put(rest);
        }
      }
    });
  }

  /**
   * Stops: running uploads are aborted *without* terminating them on the server, so their resume
   * state stays valid and the next start (this instance or another) continues where they were.
   */
  async stop(): Promise<void> {
    this.started = false;
    if (this.poll !== null) this.clock.clearInterval(this.poll);
    this.poll = null;
    for (const timer of this.timers) this.clock.clearTimeout(timer);
    this.timers.clear();
    const running = [...this.running.entries()];
    for (const [, entry] of running) {
      entry.interrupt({ kind: "interrupted" });
      await entry.upload?.abort(false);
    }
    await Promise.allSettled(running.map(([, entry]) => entry.done));
    await this.db.media.where("uploadState").equals(UPLOAD_STATES.UPLOADING).modify({ uploadState: UPLOAD_STATES.PENDING });
    this.lockHeld = false;
    this.releaseLock?.();
    this.releaseLock = null;
    this.emit();
  }

  /** Looks for work now (call after a sync pass, on `online`, after capturing). */
  kick(): void {
    void this.fill();
  }

  /** After a 401 paused the queue: the user signed in again. */
  signedIn(): void {
    this.needsSignIn = false;
    this.emit();
    this.kick();
  }

  /** Resolves once nothing is running and nothing eligible is left (tests, "upload now" UIs). */
  async whenIdle(): Promise<void> {
    for (;;) {
      await this.fill();
      const running = [...this.running.values()].map((entry) => entry.done);
      if (running.length === 0) return;
      await Promise.allSettled(running);
    }
  }

  /**
   * One bounded run for the service worker's Background Sync: uploads what is eligible now, then
   * stops (retries scheduled meanwhile are left to the next run). When another context holds the
   * queue's lock — an open page — it returns "busy" at once: that queue uploads, never two.
   */
  async drain(): Promise<"done" | "busy"> {
    if (this.started) {
      await this.whenIdle();
      return "done";
    }
    const run = async (): Promise<"done"> => {
      this.started = true;
      this.lockHeld = true;
      try {
        await this.reconcile();
        await this.whenIdle();
      } finally {
        await this.stop();
      }
      return "done";
    };
    const locks = this.options.locks === null ? undefined : (this.options.locks ?? defaultLockManager());
    if (!locks) return run();
    const request = (locks as unknown as { request: LockRequestIfAvailable }).request.bind(locks);
    return request(MEDIA_LOCK_NAME, { ifAvailable: true }, (lock) => (lock ? run() : Promise.resolve("busy" as const)));
  }

  /**
   * Cancels one file: stops its upload, deletes the partial upload on the server (best effort)
   * and pauses the row — its bytes stay on the device until `retry`.
   */
  async cancel(offlineId: string): Promise<void> {
    this.holds.add(offlineId);
    try {
      await this.cancelHeld(offlineId);
    } finally {
      this.holds.delete(offlineId);
    }
    this.emit();
  }

  private async cancelHeld(offlineId: string): Promise<void> {
    const entry = this.running.get(offlineId);
    if (entry) {
      entry.interrupt({ kind: "interrupted" });
      await entry.upload?.abort(true).catch(() => undefined);
      await entry.done;
    } else {
      const state = await this.db.uploadState.get(offlineId);
      if (state?.uploadUrl) {
        await Upload.terminate(state.uploadUrl, {
          httpStack: this.httpStack,
          headers: await this.requestHeaders(),
          retryDelays: null,
        }).catch(() => undefined);
      }
    }
    await this.db.transaction("rw", [this.db.media, this.db.uploadState], async () => {
      const row = (await this.db.media.get(offlineId)) as MediaRow | undefined;
      if (row && row.uploadState !== UPLOAD_STATES.UPLOADED) {
        await this.db.media.update(offlineId, { paused: true, uploadState: UPLOAD_STATES.PENDING } as Partial<MediaRow>);
      }
      await this.db.uploadState.delete(offlineId);
    });
  }

  /** Queues a failed, paused or waiting file again, at once (its backoff is cleared). */
  async retry(offlineId: string): Promise<void> {
    const row = (await this.db.media.get(offlineId)) as MediaRow | undefined;
    if (!row || row.uploadState === UPLOAD_STATES.UPLOADED || this.running.has(offlineId)) return;
    await this.db.media.update(offlineId, {
      uploadState: UPLOAD_STATES.PENDING,
      paused: undefined,
      uploadError: undefined,
      attempts: 0,
      retryAt: undefined,
      lastError: undefined,
    } as Partial<MediaRow>);
    this.kick();
  }

  subscribe(listener: (snapshot: MediaQueueSnapshot) => void): () => void {
    this.listeners.add(listener);
    listener(this.getSnapshot());
    return () => this.listeners.delete(listener);
  }

  getSnapshot(): MediaQueueSnapshot {
    const running = [...this.running.values()].map((entry) => ({ ...entry.progress }));
    const status: MediaQueueStatus = !this.started
      ? "stopped"
      : this.needsSignIn
        ? "needs-sign-in"
        : running.length > 0
          ? "uploading"
          : "idle";
    return { status, running };
  }

  private emit(): void {
    const snapshot = this.getSnapshot();
    for (const listener of this.listeners) {
      try {
        listener(snapshot);
      } catch {
        // a listener's bug must not stop uploads
      }
    }
  }

  private async requestHeaders(): Promise<Record<string, string>> {
    return (await this.options.headers?.()) ?? {};
  }

  /** Starts eligible files while slots are free. Serialised, so two kicks never double-start. */
  private fill(): Promise<void> {
    this.fillChain = this.fillChain.then(async () => {
      if (!this.started || !this.lockHeld || this.needsSignIn) return;
      const free = this.concurrency - this.running.size;
      if (free <= 0) return;
      for (const row of await this.eligible(free)) this.launch(row);
    });
    this.fillChain = this.fillChain.catch(() => undefined);
    return this.fillChain;
  }

  private async parentOnServer(row: MediaRow): Promise<boolean> {
    const table = row.parentType === "response" ? this.db.responses : this.db.assessments;
    const parent = await table.get(row.parentOfflineId);
    return !!parent && parent.serverVersion >= 1 && !parent.localDeleted && !parent.serverDeleted;
  }

  private async eligible(limit: number): Promise<MediaRow[]> {
    const now = this.now();
    const rows = (await this.db.media.where("uploadState").anyOf([UPLOAD_STATES.PENDING, UPLOAD_STATES.UPLOADING]).toArray()) as MediaRow[];
    const candidates = rows
      .filter(
        (row) =>
          !this.running.has(row.offlineId) &&
          !this.holds.has(row.offlineId) &&
          !row.paused &&
          row.blob &&
          row.sha256 &&
          (row.retryAt ?? 0) <= now,
      )
      .sort(
        (a, b) =>
          (PARENT_RANK[a.parentType ?? ""] ?? 2) - (PARENT_RANK[b.parentType ?? ""] ?? 2) ||
          (a.blob?.size ?? 0) - (b.blob?.size ?? 0) ||
          (a.capturedAt ?? "").localeCompare(b.capturedAt ?? "") ||
          a.offlineId.localeCompare(b.offlineId),
      );
    const chosen: MediaRow[] = [];
    for (const row of candidates) {
      if (chosen.length >= limit) break;
      if (await this.parentOnServer(row)) chosen.push(row);
    }
    return chosen;
  }

  private launch(row: MediaRow): void {
    const blob = row.blob as Blob;
    let interrupt: (outcome: Outcome) => void = () => undefined;
    const outcome = new Promise<Outcome>((resolve) => {
      interrupt = resolve;
    });
    const entry: RunningUpload = {
      progress: { offlineId: row.offlineId, bytesSent: 0, bytesTotal: blob.size },
      settled: false,
      interrupt: (o) => {
        entry.settled = true;
        interrupt(o);
      },
      done: Promise.resolve(),
    };
    this.running.set(row.offlineId, entry);
    entry.done = this.run(row, blob, entry, outcome)
      .catch(async (error: unknown) => {
        // A local failure (IndexedDB, a bug): back off like a network error; never drop the file.
        await this.settle(row.offlineId, { kind: "failure", failure: {}, message: String((error as Error)?.message ?? error) }).catch(
          () => undefined,
        );
      })
      .finally(() => {
        this.running.delete(row.offlineId);
        this.emit();
        this.kick();
      });
    this.emit();
  }

  private async run(row: MediaRow, blob: Blob, entry: RunningUpload, outcome: Promise<Outcome>): Promise<void> {
    await this.db.media.update(row.offlineId, { uploadState: UPLOAD_STATES.UPLOADING });
    const upload = new Upload(blob, {
      endpoint: this.endpoint,
      metadata: uploadMetadata(row),
      uploadSize: blob.size,
      chunkSize: this.chunkSize,
      retryDelays: this.options.retryDelays ?? [0, 1_000, 3_000, 5_000],
      fingerprint: async () => mediaFingerprint(row.offlineId),
      urlStorage: this.urlStorage,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: false,
      fileReader: blobFileReader,
      ...(this.httpStack ? { httpStack: this.httpStack } : {}),
      onBeforeRequest: async (req) => {
        for (const [name, value] of Object.entries(await this.requestHeaders())) req.setHeader(name, value);
      },
      onProgress: (bytesSent, bytesTotal) => {
        entry.progress = { offlineId: row.offlineId, bytesSent, bytesTotal };
        this.emit();
      },
      onChunkComplete: (_chunk, accepted) => {
        void this.urlStorage.recordOffset(row.offlineId, accepted).catch(() => undefined);
      },
      onShouldRetry: (error) => isTransientUploadFailure(failureOf(error)) && this.isOnline(),
      onSuccess: ({ lastResponse }) => entry.interrupt({ kind: "success", mediaId: lastResponse.getHeader(MEDIA_ID_HEADER) }),
      onError: (error) => entry.interrupt({ kind: "failure", failure: failureOf(error), message: error.message }),
    });
    entry.upload = upload;
    const previous = await upload.findPreviousUploads();
    if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
    // stop()/cancel() during the lookup: starting now would escape their abort.
    if (!entry.settled) upload.start();
    const result = await outcome;
    if (result.kind !== "interrupted") await this.settle(row.offlineId, result);
  }

  /** Records an attempt's outcome on the row: the one place that decides what happens next. */
  private async settle(offlineId: string, outcome: Exclude<Outcome, { kind: "interrupted" }>): Promise<void> {
    const at = new Date(this.now()).toISOString();
    await this.db.transaction("rw", [this.db.media, this.db.uploadState], async () => {
      const row = (await this.db.media.get(offlineId)) as MediaRow | undefined;
      if (!row) return;
      // tus reports success once the server's offset reaches the length, but only an answer naming
      // the record (X-Media-Id) proves the server verified and recorded the file. A server killed
      // after the last bytes arrived and before it recorded them answers a later HEAD with
      // offset = length and no id: the file is not uploaded — keep the bytes, start a new upload.
      if (outcome.kind === "success" && outcome.mediaId) {
        const { blob, originalBlob, uploadError, attempts, retryAt, lastError, paused, ...rest } = row;
        const next: MediaRow = { ...rest, id: outcome.mediaId, uploadState: UPLOAD_STATES.UPLOADED, uploadedAt: at };
        if (row.keepOriginal) Object.assign(next, { blob, originalBlob });
        await this.db.media.put(next);
        await this.db.uploadState.delete(offlineId);
        return;
      }
      const decision =
        outcome.kind === "failure" ? classifyUploadFailure(outcome.failure) : ({ action: "restart", code: NOT_RECORDED_CODE } as const);
      const message = outcome.kind === "failure" ? outcome.message : "The server has the bytes but recorded no file; uploading again";
      const lastError = { code: decision.code, message, at };
      if (decision.action === "failed") {
        await this.db.media.update(offlineId, {
          uploadState: UPLOAD_STATES.FAILED,
          uploadError: { kind: decision.kind, code: decision.code, status: decision.status, message, at },
          lastError,
        } as Partial<MediaRow>);
        await this.db.uploadState.delete(offlineId);
        return;
      }
      if (decision.action === "sign-in") {
        this.needsSignIn = true;
        await this.db.media.update(offlineId, { uploadState: UPLOAD_STATES.PENDING, lastError } as Partial<MediaRow>);
        return;
      }
      // retry / restart: back off (full jitter, capped; retry-policy.ts) and keep the bytes.
      if (decision.action === "restart") await this.db.uploadState.delete(offlineId);
      const attempts = (row.attempts ?? 0) + 1;
      const retryAt = this.now() + backoffDelay(attempts - 1, { random: this.options.random });
      await this.db.media.update(offlineId, { uploadState: UPLOAD_STATES.PENDING, attempts, retryAt, lastError } as Partial<MediaRow>);
      this.kickAt(retryAt);
    });
  }

  private kickAt(at: number): void {
    if (!this.started) return;
    const timer = this.clock.setTimeout(
      () => {
        this.timers.delete(timer);
        this.kick();
      },
      Math.max(0, at - this.now()),
    );
    this.timers.add(timer);
  }
}
