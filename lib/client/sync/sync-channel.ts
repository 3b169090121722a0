import type { MediaQueueSnapshot } from "../media/media-queue";
import type { SyncError } from "./machine";
import type { SyncSnapshot } from "./sync-client";
import { defaultTimers, type Timers } from "./timers";

/**
 * Page ⇄ service worker progress over a BroadcastChannel (`fieldsync-sync`). The worker runs a
 * Background Sync pass with its own SyncClient; the page's status bar must still tell the truth:
 * "syncing" while the worker is, its progress, and fresh counts when it ends. Messages are
 * recognised by `type` (STYLE.md: never by instanceof across contexts) and carry the database
 * name, so a tab signed in as another user ignores them.
 */

export const SYNC_CHANNEL_NAME = "fieldsync-sync";

export const SYNC_MESSAGE_TYPES = {
  WORKER_SNAPSHOT: "WORKER_SYNC_SNAPSHOT",
  WORKER_MEDIA: "WORKER_MEDIA_SNAPSHOT",
  WORKER_FINISHED: "WORKER_SYNC_FINISHED",
} as const;

export type SyncChannelMessage =
  | { type: typeof SYNC_MESSAGE_TYPES.WORKER_SNAPSHOT; dbName: string; snapshot: SyncSnapshot }
  | { type: typeof SYNC_MESSAGE_TYPES.WORKER_MEDIA; dbName: string; snapshot: MediaQueueSnapshot }
  | { type: typeof SYNC_MESSAGE_TYPES.WORKER_FINISHED; dbName: string; ok: boolean; error: SyncError | null };

/** The part of BroadcastChannel used here. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  removeEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  close(): void;
}

/** A channel where BroadcastChannel exists (pages and workers of modern browsers), else null. */
export function openSyncChannel(): ChannelLike | null {
  return typeof BroadcastChannel === "function" ? new BroadcastChannel(SYNC_CHANNEL_NAME) : null;
}

const TYPES = new Set<string>(Object.values(SYNC_MESSAGE_TYPES));

export function isSyncChannelMessage(data: unknown): data is SyncChannelMessage {
  const d = data as { type?: unknown; dbName?: unknown } | null;
  return typeof d?.type === "string" && TYPES.has(d.type) && typeof d.dbName === "string";
}

interface Subscribable<T> {
  subscribe(listener: (snapshot: T) => void): () => void;
}

/**
 * Worker side: posts every snapshot of `client` (and `media`) until the returned function is
 * called with the outcome, which posts WORKER_SYNC_FINISHED and detaches.
 */
export function broadcastWorkerSync(
  channel: ChannelLike,
  dbName: string,
  client: Subscribable<SyncSnapshot>,
  media?: Subscribable<MediaQueueSnapshot>,
): (outcome: { ok: boolean; error?: SyncError | null }) => void {
  const post = (message: SyncChannelMessage) => {
    try {
      channel.postMessage(message);
    } catch {
      // A snapshot that cannot be cloned must not fail the sync itself.
    }
  };
  const offClient = client.subscribe((snapshot) => post({ type: SYNC_MESSAGE_TYPES.WORKER_SNAPSHOT, dbName, snapshot }));
  const offMedia = media?.subscribe((snapshot) => post({ type: SYNC_MESSAGE_TYPES.WORKER_MEDIA, dbName, snapshot }));
  return ({ ok, error = null }) => {
    offClient();
    offMedia?.();
    post({ type: SYNC_MESSAGE_TYPES.WORKER_FINISHED, dbName, ok, error });
  };
}

export interface WorkerSyncHandlers {
  onSnapshot(snapshot: SyncSnapshot): void;
  onMedia?(snapshot: MediaQueueSnapshot): void;
  /** The worker finished — or went silent for `staleMs` (the browser killed it mid-pass). */
  onFinished(): void;
}

/** A worker that sends nothing for this long is taken to be gone (killed mid-pass). */
export const WORKER_STALE_MS = 30_000;

/** Page side: follows the worker's pass for `dbName`; returns the function that stops listening. */
export function followWorkerSync(
  channel: ChannelLike,
  dbName: string,
  handlers: WorkerSyncHandlers,
  options: { timers?: Timers; staleMs?: number } = {},
): () => void {
  const timers = options.timers ?? defaultTimers;
  const staleMs = options.staleMs ?? WORKER_STALE_MS;
  let stale: unknown = null;
  const clearStale = () => {
    if (stale !== null) timers.clearTimeout(stale);
    stale = null;
  };
  const onMessage = (event: MessageEvent) => {
    const message: unknown = event.data;
    if (!isSyncChannelMessage(message) || message.dbName !== dbName) return;
    clearStale();
    if (message.type === SYNC_MESSAGE_TYPES.WORKER_FINISHED) {
      handlers.onFinished();
      return;
    }
    if (message.type === SYNC_MESSAGE_TYPES.WORKER_SNAPSHOT) handlers.onSnapshot(message.snapshot);
    else handlers.onMedia?.(message.snapshot);
    stale = timers.setTimeout(() => {
      stale = null;
      handlers.onFinished();
    }, staleMs);
  };
  channel.addEventListener("message", onMessage);
  return () => {
    clearStale();
    channel.removeEventListener("message", onMessage);
  };
}
