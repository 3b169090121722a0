import Dexie, { type EntityTable, type Table, type Transaction } from "dexie";
import type {
  AnyLocalRow,
  DraftRow,
  LocalAssessment,
  LocalConflict,
  LocalEntity,
  LocalMedia,
  LocalResponse,
  MetaRow,
  OutboxEntry,
  ParkedEntry,
  Priority,
  RecordType,
  UploadResumeState,
} from "./types";

export const DEFAULT_DB_NAME = "fieldsync";

export const PRIORITY_RANK: Record<Priority, number> = { HIGH: 0, NORMAL: 1, LOW: 2 };

/**
 * Version 1 as it shipped. Kept verbatim: Dexie needs every historical version it may have to
 * upgrade from. Its outbox index `[priority+seq]` sorted the wire strings, i.e. HIGH < LOW < NORMAL.
 */
export const SCHEMA_V1 = {
  entities: "offlineId, id",
  assessments: "offlineId, id, entityId, [entityId+updatedAt], syncState",
  responses: "offlineId, id, entityId, assessmentOfflineId, [entityId+updatedAt], syncState",
  media: "offlineId, id, parentOfflineId, uploadState",
  outbox: "++seq, offlineId, state, [priority+seq]",
  parked: "seq, offlineId",
  conflicts: "conflictId, offlineId, status",
  meta: "key",
  uploadState: "offlineId",
} as const;

/**
 * Version 2: the outbox gains a numeric `rank` (backfilled from `priority`) and is indexed by
 * `[rank+seq]`, so "HIGH first, then FIFO" is an index order; `mutationId` is indexed so an
 * answer can be matched without a scan. Only changed tables are listed (Dexie keeps the rest).
 */
export const SCHEMA_V2 = {
  outbox: "++seq, &mutationId, offlineId, state, [rank+seq]",
} as const;

/** v1 → v2: every queued entry gets the rank its priority implies (unknown → NORMAL). */
export async function upgradeToV2(tx: Transaction): Promise<void> {
  await tx
    .table("outbox")
    .toCollection()
    .modify((entry: { priority?: string; rank?: number }) => {
      entry.rank = PRIORITY_RANK[entry.priority as Priority] ?? PRIORITY_RANK.NORMAL;
      if (!entry.priority || !(entry.priority in PRIORITY_RANK)) entry.priority = "NORMAL";
    });
}

/** Version 3: form drafts saved as the user types (lib/client/forms/drafts.ts). */
export const SCHEMA_V3 = {
  drafts: "key, offlineId, updatedAt",
} as const;

export class FieldSyncDb extends Dexie {
  entities!: EntityTable<LocalEntity, "offlineId">;
  assessments!: EntityTable<LocalAssessment, "offlineId">;
  responses!: EntityTable<LocalResponse, "offlineId">;
  media!: EntityTable<LocalMedia, "offlineId">;
  outbox!: Table<OutboxEntry, number, Omit<OutboxEntry, "seq"> & { seq?: number }>;
  parked!: EntityTable<ParkedEntry, "seq">;
  conflicts!: EntityTable<LocalConflict, "conflictId">;
  meta!: EntityTable<MetaRow, "key">;
  uploadState!: EntityTable<UploadResumeState, "offlineId">;
  drafts!: EntityTable<DraftRow, "key">;

  constructor(name: string = DEFAULT_DB_NAME) {
    super(name);
    this.version(1).stores(SCHEMA_V1);
    this.version(2).stores(SCHEMA_V2).upgrade(upgradeToV2);
    this.version(3).stores(SCHEMA_V3);
  }

  /** The table holding local rows of a writable record type, seen as untyped rows. */
  recordTable(type: RecordType): Table<AnyLocalRow, string> {
    const table = type === "entity" ? this.entities : type === "assessment" ? this.assessments : this.responses;
    return table as unknown as Table<AnyLocalRow, string>;
  }

  /** Tables a transaction must span to rewrite a record from its server base and local changes. */
  get recordWriteTables(): Table[] {
    return [this.entities, this.assessments, this.responses, this.outbox, this.parked, this.conflicts];
  }
}

/**
 * Opens (creating or upgrading) the database `name`. Tests open one name per simulated device.
 *
 * Crash safety: entries left 'inflight' by a closed tab or a crash go back to 'queued'. If another
 * tab is in fact still waiting for that request, the resend is harmless: the entry is immutable
 * once sent and the server answers a repeated mutationId with `duplicate`.
 */
export async function openFieldSyncDb(name: string = DEFAULT_DB_NAME): Promise<FieldSyncDb> {
  const db = new FieldSyncDb(name);
  await db.open();
  await recoverInflight(db);
  return db;
}

/** Returns every 'inflight' outbox entry to 'queued'; the count returned. */
export function recoverInflight(db: FieldSyncDb): Promise<number> {
  return db.outbox.where("state").equals("inflight").modify({ state: "queued" });
}
