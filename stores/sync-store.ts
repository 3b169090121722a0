import { create } from "zustand";
import type { MediaQueue, MediaQueueSnapshot } from "@/lib/client/media/media-queue";
import type { MachineState, SyncError } from "@/lib/client/sync/machine";
import type { SyncClient, SyncProgress, SyncSnapshot } from "@/lib/client/sync/sync-client";

/**
 * The UI's projection of the sync machine. Written only by the SyncClient (via
 * `connectSyncStore`); components read it. Holds counts and status — never Dexie rows
 * (those are read live with the hooks in lib/client/hooks).
 */

export type SyncStatus = "idle" | "syncing" | "offline" | "error" | "needs-sign-in";

export interface SyncStoreState {
  status: SyncStatus;
  pendingCount: number;
  parkedCount: number;
  conflictCount: number;
  progress: SyncProgress | null;
  lastSuccessAt: string | null;
  lastError: SyncError | null;
  /** When the next automatic retry happens (epoch ms), while waiting out a backoff. */
  retryAt: number | null;
  /** Photo uploads: the media queue's status and per-file progress. */
  media: MediaQueueSnapshot;
  applySnapshot: (snapshot: SyncSnapshot) => void;
}

/** Backoff is shown as an error with a retry time: something failed, and it will be retried. */
export function toSyncStatus(machine: MachineState): SyncStatus {
  return machine.status === "backoff" ? "error" : machine.status;
}

const initial = {
  status: "idle" as SyncStatus,
  pendingCount: 0,
  parkedCount: 0,
  conflictCount: 0,
  progress: null,
  lastSuccessAt: null,
  lastError: null,
  retryAt: null,
  media: { status: "stopped", running: [] } as MediaQueueSnapshot,
};

export const useSyncStore = create<SyncStoreState>()((set) => ({
  ...initial,
  applySnapshot: (snapshot) =>
    set({
      status: toSyncStatus(snapshot.machine),
      pendingCount: snapshot.pendingCount,
      parkedCount: snapshot.parkedCount,
      conflictCount: snapshot.conflictCount,
      progress: snapshot.progress,
      lastSuccessAt: snapshot.lastSuccessAt,
      lastError: snapshot.lastError,
      retryAt: snapshot.machine.status === "backoff" ? snapshot.machine.until : null,
    }),
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
