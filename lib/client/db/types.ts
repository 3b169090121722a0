import type {
  AssessmentRecord,
  ConflictStatus,
  EntityRecord,
  MediaRecord,
  MutationAction,
  Priority,
  RecordType,
  ResponseRecord,
} from "@/lib/protocol";

export type { MutationAction, Priority, RecordType };

/** A JSON object as stored locally and sent on the wire. */
export type JsonObject = Record<string, unknown>;

export const SYNC_STATES = {
  SYNCED: "synced",
  PENDING: "pending",
  CONFLICT: "conflict",
  PARKED: "parked",
} as const;
export type SyncState = (typeof SYNC_STATES)[keyof typeof SYNC_STATES];

/**
 * Sync bookkeeping carried by every local record row, beside the record's own fields.
 *
 * Invariant (maintained only by `rebuildRecord`): the row's record fields equal
 * `serverRecord` with every unacknowledged local change (outbox, parked, pending conflict
 * copies — in seq order) applied on top, and `pendingPaths` is the union of those changes.
 */
export interface SyncMeta {
  offlineId: string;
  /** Server version the local state is based on; 0 while the server has never seen the record. */
  serverVersion: number;
  /** Last server state known (the base of the next rebase, and what "discard" reverts to). */
  serverRecord?: JsonObject;
  /** The server deleted the record while local changes were still unsent. */
  serverDeleted?: boolean;
  /** path → local value of every field changed locally and not yet acknowledged (`null` clears). */
  pendingPaths: JsonObject;
  syncState: SyncState;
  /** The newest pending conflict on this record, when syncState is 'conflict'. */
  conflictId?: string;
  /** Deleted locally; the delete is not acknowledged yet. Hidden from lists. */
  localDeleted?: boolean;
}

/**
 * A local row: the record's own fields (partial until the server has answered: no `id`,
 * `version`, `assessorId`… for an unsent create) plus the sync bookkeeping.
 */
export type LocalRow<R> = Partial<Omit<R, "offlineId">> & SyncMeta;
export type LocalEntity = LocalRow<EntityRecord>;
export type LocalAssessment = LocalRow<AssessmentRecord> & { entityId?: string; updatedAt?: string };
export type LocalResponse = LocalRow<ResponseRecord> & {
  entityId?: string;
  assessmentOfflineId?: string;
  updatedAt?: string;
};
export type AnyLocalRow = SyncMeta & JsonObject;

export const UPLOAD_STATES = {
  /** Bytes only on this device. */
  PENDING: "pending",
  UPLOADING: "uploading",
  /** The server holds the bytes and the media record. */
  UPLOADED: "uploaded",
  /** The server refused the upload for good (e.g. 415, checksum mismatch); kept for the user. */
  FAILED: "failed",
} as const;
export type UploadState = (typeof UPLOAD_STATES)[keyof typeof UPLOAD_STATES];

/** Media metadata (as pulled) plus, for media captured here, the bytes until uploaded. */
export type LocalMedia = Partial<Omit<MediaRecord, "offlineId" | "parentOfflineId">> & {
  offlineId: string;
  parentOfflineId: string;
  uploadState: UploadState;
  blob?: Blob;
};

/** tus resume state for one media upload (owned by the media queue, issue #5). */
export interface UploadResumeState {
  offlineId: string;
  uploadUrl?: string;
  offset: number;
  size: number;
  updatedAt: string;
}

export const OUTBOX_STATES = { QUEUED: "queued", INFLIGHT: "inflight" } as const;
export type OutboxState = (typeof OUTBOX_STATES)[keyof typeof OUTBOX_STATES];

/**
 * One mutation waiting for the server's answer.
 *
 * Invariant: an entry with `attempts > 0` may already have been processed by the server under
 * its `mutationId`, so it is immutable — never coalesced into, never rewritten — until answered.
 * (An entry behind it in its record's chain was never sent: a batch carries at most one entry per
 * record, and the next only leaves after the previous was answered.)
 */
export interface OutboxEntry {
  /** Global FIFO order; also the key. */
  seq: number;
  mutationId: string;
  type: RecordType;
  action: MutationAction;
  offlineId: string;
  baseVersion: number;
  priority: Priority;
  /** Sort key for `priority` (HIGH 0, NORMAL 1, LOW 2): the wire strings do not sort. */
  rank: number;
  /** create: the full record content; update: the nested patch; delete: absent. */
  data?: JsonObject;
  clientTime: string;
  state: OutboxState;
  attempts: number;
  lastAttemptAt?: string;
  /** Photos of the record on the device when first sent (push `mediaCount`, for the verification queue). */
  mediaCount?: number;
}

/** A mutation the server rejected; kept (with its original seq) until retried or discarded. */
export interface ParkedEntry extends OutboxEntry {
  error: { code: string; message: string };
  parkedAt: string;
}

/** The only conflict status that keeps a record in 'conflict'. */
export const PENDING_CONFLICT: ConflictStatus = "PENDING";

/**
 * Local copy of a server conflict. While PENDING and carrying `data`, its patch stays visible
 * on the record (the user's edit is awaiting a human, not lost).
 */
export interface LocalConflict {
  conflictId: string;
  offlineId?: string;
  type?: RecordType;
  status: ConflictStatus;
  conflictingFields: string[];
  /** Ordering among the record's local changes (the seq of the mutation that conflicted). */
  seq?: number;
  mutationId?: string;
  action?: MutationAction;
  baseVersion?: number;
  serverVersion?: number;
  data?: JsonObject;
  recordId?: string;
  resolution?: unknown;
  detectedAt: string;
}

export interface MetaRow {
  key: string;
  value: unknown;
}

export const META_KEYS = {
  DEVICE_ID: "deviceId",
  CURSOR: "cursor",
  USER: "user",
  LAST_SYNC_AT: "lastSyncAt",
  /** Set while a pull from the start forced by the server is unfinished (sync-client.ts). */
  RESYNC: "resync",
  /** The sync machine's state across runs: attempts, backoff, Retry-After, last error (sync/persisted-state.ts). */
  SYNC_STATE: "syncState",
  /** ISO time the push phase last answered the whole outbox / the pull last reached the end. */
  LAST_PUSH_AT: "lastPushAt",
  LAST_PULL_AT: "lastPullAt",
} as const;

/**
 * A form's unsaved input, kept while the user types so a reload or a closed tab loses nothing.
 * `key` names the form: `new-assessment:<entityId>:<type>`, `assessment:<offlineId>`,
 * `new-response:<assessmentOfflineId>`, `response:<offlineId>` (lib/client/forms/drafts.ts).
 * `values` are the inputs as typed (strings, unvalidated); `offlineId` is the record's — for a new
 * record the one pre-generated for it, which its photos already point at.
 */
export interface DraftRow {
  key: string;
  offlineId: string;
  values: JsonObject;
  /** Form-specific extras (a response's type, the record data the edit started from). */
  meta?: JsonObject;
  updatedAt: string;
}
