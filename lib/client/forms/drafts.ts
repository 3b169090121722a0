/**
 * Form drafts: what a person typed, kept on the device as they type (Dexie `drafts`), so a reload,
 * a closed tab or a flat battery loses at most the last keystrokes of one debounce window.
 *
 * Invariants:
 * - A draft is deleted in the same transaction that turns it into a record (`commitDraft`), so
 *   there is never a record and a stale draft of its creation, nor a submit that loses the draft.
 * - Photos taken on a new-record form belong to the draft's pre-generated `offlineId`; discarding
 *   the draft of a record that was never created deletes them (and their upload state) too.
 */
import type { FieldSyncDb } from "../db/field-sync-db";
import type { DraftRow, JsonObject } from "../db/types";

export type { DraftRow };

export const draftKeys = {
  newAssessment: (entityId: string, assessmentType: string) => `new-assessment:${entityId}:${assessmentType}`,
  assessment: (offlineId: string) => `assessment:${offlineId}`,
  newResponse: (assessmentOfflineId: string) => `new-response:${assessmentOfflineId}`,
  response: (offlineId: string) => `response:${offlineId}`,
} as const;

export type DraftInput = Omit<DraftRow, "updatedAt">;

export function loadDraft(db: FieldSyncDb, key: string): Promise<DraftRow | undefined> {
  return db.drafts.get(key);
}

export async function saveDraft(db: FieldSyncDb, draft: DraftInput, now: Date = new Date()): Promise<void> {
  await db.drafts.put({ ...draft, updatedAt: now.toISOString() });
}

export async function deleteDraft(db: FieldSyncDb, key: string): Promise<void> {
  await db.drafts.delete(key);
}

/**
 * Runs `write` (a createRecord / updateRecord) and deletes the draft `key` in one transaction:
 * either the record holds the answers and the draft is gone, or nothing changed.
 */
export function commitDraft<T>(db: FieldSyncDb, key: string, write: () => Promise<T>): Promise<T> {
  return db.transaction("rw", [...db.recordWriteTables, db.drafts], async () => {
    const result = await write();
    await db.drafts.delete(key);
    return result;
  });
}

/**
 * Deletes a draft on the user's explicit request. When its record was never created, the photos
 * taken for it go too (nothing else could ever send them). Returns the number of photos deleted.
 */
export function discardDraft(db: FieldSyncDb, key: string): Promise<number> {
  return db.transaction("rw", [db.drafts, db.media, db.uploadState, db.assessments, db.responses], async () => {
    const draft = await db.drafts.get(key);
    if (!draft) return 0;
    await db.drafts.delete(key);
    const { offlineId } = draft;
    const recordExists = (await db.assessments.get(offlineId)) !== undefined || (await db.responses.get(offlineId)) !== undefined;
    if (recordExists) return 0;
    const photos = await db.media.where("parentOfflineId").equals(offlineId).primaryKeys();
    await db.media.bulkDelete(photos);
    await db.uploadState.bulkDelete(photos);
    return photos.length;
  });
}

type TimerId = ReturnType<typeof setTimeout>;

export interface DraftSaverOptions {
  delayMs?: number;
  setTimer?: (fn: () => void, ms: number) => TimerId;
  clearTimer?: (id: TimerId) => void;
  now?: () => Date;
  /** Called with a write that failed (a full disk): the form keeps working, the UI may say so. */
  onError?: (error: unknown) => void;
}

export const DRAFT_SAVE_DELAY_MS = 300;

/**
 * Debounced draft writes: `schedule` as the user types, one write `delayMs` after the last change;
 * `flush` writes a pending change now (leaving the page); `cancel` drops it (the form was
 * submitted or discarded: a late write must not bring the draft back).
 */
export class DraftSaver {
  private pending: DraftInput | null = null;
  private timer: TimerId | null = null;
  private writing: Promise<void> = Promise.resolve();
  private readonly delayMs: number;
  private readonly setTimer: (fn: () => void, ms: number) => TimerId;
  private readonly clearTimer: (id: TimerId) => void;

  constructor(
    private readonly db: FieldSyncDb,
    private readonly options: DraftSaverOptions = {},
  ) {
    this.delayMs = options.delayMs ?? DRAFT_SAVE_DELAY_MS;
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((id) => clearTimeout(id));
  }

  schedule(draft: DraftInput): void {
    this.pending = { ...draft, values: structuredClone(draft.values) as JsonObject };
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = this.setTimer(() => void this.flush(), this.delayMs);
  }

  get hasPending(): boolean {
    return this.pending !== null;
  }

  /** Writes the pending change now; resolves once every write started so far has finished. */
  flush(): Promise<void> {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    const draft = this.pending;
    this.pending = null;
    if (draft) {
      const now = this.options.now?.() ?? new Date();
      this.writing = this.writing.then(() => saveDraft(this.db, draft, now)).catch((error) => this.options.onError?.(error));
    }
    return this.writing;
  }

  /** Drops the pending change; resolves once a write already under way has finished. */
  cancel(): Promise<void> {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    this.pending = null;
    return this.writing;
  }
}
