import type { FieldSyncDb } from "../db/field-sync-db";
import { META_KEYS } from "../db/types";
import type { MachineState, SyncError } from "./machine";

/**
 * What the sync machine keeps across runs, in Dexie `meta`. A service worker is killed seconds
 * after its sync event; the next one (or the next page) must still back off from the failures
 * so far and honour the server's `Retry-After`, not start at attempt 0 and hammer a server that
 * asked for a pause.
 *
 * Invariant: it describes the time since the last successful pass — a success writes attempt 0
 * and no backoff; each failure writes the machine state it led to.
 */
export interface PersistedSyncState {
  /** Consecutive failed passes; the next failure backs off from here. */
  attempt: number;
  /** Epoch ms: the backoff (which includes any Retry-After) runs until then; null when none. */
  backoffUntil: number | null;
  /** Epoch ms the server's `Retry-After` asked to wait until; null when it sent none. */
  retryAfterUntil: number | null;
  lastError: SyncError | null;
}

/** Everything a SyncClient restores when it starts. */
export interface RestoredSync {
  state: PersistedSyncState | null;
  lastSuccessAt: string | null;
  lastPushAt: string | null;
  lastPullAt: string | null;
}

export const CLEAR_SYNC_STATE: PersistedSyncState = { attempt: 0, backoffUntil: null, retryAfterUntil: null, lastError: null };

/** The persisted projection of the machine after a failure (or a success: attempt 0). */
export function toPersistedState(state: MachineState, lastError: SyncError | null, retryAfterUntil: number | null): PersistedSyncState {
  return {
    attempt: state.status === "backoff" ? state.attempt : 0,
    backoffUntil: state.status === "backoff" ? state.until : null,
    retryAfterUntil,
    lastError,
  };
}

const isNumberOrNull = (v: unknown): v is number | null => v === null || (typeof v === "number" && Number.isFinite(v));
const stringOrNull = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** Reads back a stored state; anything malformed (an older app, a corrupted row) counts as none. */
export function parsePersistedState(value: unknown): PersistedSyncState | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.attempt !== "number" || !Number.isInteger(v.attempt) || v.attempt < 0) return null;
  if (!isNumberOrNull(v.backoffUntil) || !isNumberOrNull(v.retryAfterUntil)) return null;
  const error = v.lastError as Record<string, unknown> | null | undefined;
  const lastError =
    error && typeof error.code === "string" && typeof error.message === "string" ? { code: error.code, message: error.message } : null;
  return { attempt: v.attempt, backoffUntil: v.backoffUntil, retryAfterUntil: v.retryAfterUntil, lastError };
}

export async function loadSyncState(db: FieldSyncDb): Promise<RestoredSync> {
  const rows = await db.meta.bulkGet([META_KEYS.SYNC_STATE, META_KEYS.LAST_SYNC_AT, META_KEYS.LAST_PUSH_AT, META_KEYS.LAST_PULL_AT]);
  const [state, lastSync, lastPush, lastPull] = rows.map((row) => row?.value);
  return {
    state: parsePersistedState(state),
    lastSuccessAt: stringOrNull(lastSync),
    lastPushAt: stringOrNull(lastPush),
    lastPullAt: stringOrNull(lastPull),
  };
}

export async function saveSyncState(db: FieldSyncDb, state: PersistedSyncState): Promise<void> {
  await db.meta.put({ key: META_KEYS.SYNC_STATE, value: state });
}
