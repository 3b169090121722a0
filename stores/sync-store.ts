import { create } from "zustand";
import type { MediaQueue, MediaQueueSnapshot } from "@/lib/client/media/media-queue";
import type { MachineState, SyncError } from "@/lib/client/sync/machine";
import type { SyncClient, SyncProgress, SyncSnapshot } from "@/lib/client/sync/sync-client";

/**
 * The UI's projection of the sync machine. Written only by the page's SyncClient (via
 * `connectSyncStore`) and by the service worker's progress messages (`applyWorkerSnapshot`, see
 * lib/client/sync/sync-channel.ts); components read it. Holds counts and status — never Dexie
 * rows (those are read live with the hooks in lib/client/hooks).
 */

export type SyncStatus = "idle" | "syncing" | "offline" | "error" | "needs-sign-in";

export interface SyncStoreState {
  status: SyncStatus;
  pendingCount: number;
  parkedCount: number;
  conflictCount: number;
  progress: SyncProgress | null;
  lastSuccessAt: string | null;
  /** Last successful upload / download (ISO), from this page or the service worker. */
  lastPushAt: string | null;
  lastPullAt: string | null;
  lastError: SyncError | null;
  /** When the next automatic retry happens (epoch ms), while waiting out a backoff. */
  retryAt: number | null;
  /** The service worker is running a Background Sync pass for this user right now. */
  workerSyncing: boolean;
  /** Photo uploads: the media queue's status and per-file progress. */
  media: MediaQueueSnapshot;
  /** The page's own client. */
  local: SyncSnapshot | null;
  /** The service worker's client while it runs (null otherwise). */
  worker: SyncSnapshot | null;
  applySnapshot: (snapshot: SyncSnapshot) => void;
  applyWorkerSnapshot: (snapshot: SyncSnapshot | null) => void;
}

/** Backoff is shown as an error with a retry time: something failed, and it will be retried. */
export function toSyncStatus(machine: MachineState): SyncStatus {
  return machine.status === "backoff" ? "error" : machine.status;
}

const later = (a: string | null, b: string | null | undefined) => (b == null ? a : a === null || b > a ? b : a);

type Projection = Omit<SyncStoreState, "media" | "local" | "worker" | "applySnapshot" | "applyWorkerSnapshot">;

/**
 * One status from two writers. While the worker syncs, the bar shows its pass (status, progress,
 * counts: it is the one changing them); the last push/pull/success times are the later of both.
 */
export function projectSync(local: SyncSnapshot | null, worker: SyncSnapshot | null): Projection {
  const workerSyncing = worker?.machine.status === "syncing";
  const main = workerSyncing ? worker : local;
  const machine = main?.machine;
  return {
    status: machine ? toSyncStatus(machine) : "idle",
    pendingCount: main?.pendingCount ?? 0,
    parkedCount: main?.parkedCount ?? 0,
    conflictCount: main?.conflictCount ?? 0,
    progress: main?.progress ?? null,
    lastSuccessAt: later(local?.lastSuccessAt ?? null, worker?.lastSuccessAt),
    lastPushAt: later(local?.lastPushAt ?? null, worker?.lastPushAt),
    lastPullAt: later(local?.lastPullAt ?? null, worker?.lastPullAt),
    lastError: main?.lastError ?? null,
    retryAt: machine?.status === "backoff" ? machine.until : null,
    workerSyncing,
  };
}

const initial = {
  ...projectSync(null, null),
  local: null,
  worker: null,
  media: { status: "stopped", running: [] } as MediaQueueSnapshot,
};

export const useSyncStore = create<SyncStoreState>()((set, get) => ({
  ...initial,
  applySnapshot: (local) => set({ local, ...projectSync(local, get().worker) }),
  applyWorkerSnapshot: (worker) => set({ worker, ...projectSync(get().local, worker) }),
}));

/** Mirrors a SyncClient into the store; returns the unsubscribe function. */
export function connectSyncStore(client: Pick<SyncClient, "subscribe">): () => void {
  return client.subscribe((snapshot) => useSyncStore.getState().applySnapshot(snapshot));
}

/** Mirrors the media queue's upload progress into the store; returns the unsubscribe function. */
export function connectMediaQueue(queue: Pick<MediaQueue, "subscribe">): () => void {
  return queue.subscribe((media) => useSyncStore.setState({ media }));
}

/** Back to the initial state (sign-out, tests). */
export function resetSyncStore(): void {
  useSyncStore.setState(initial);
}
