import type { FieldSyncDb } from "../db/field-sync-db";
import { type LocalMedia, META_KEYS, PENDING_CONFLICT, SYNC_STATES, UPLOAD_STATES } from "../db/types";

/** The part of `navigator.storage` (StorageManager) used here. */
export interface StorageManagerLike {
  persisted?: () => Promise<boolean>;
  persist?: () => Promise<boolean>;
  estimate?: () => Promise<{ usage?: number; quota?: number }>;
}

function defaultStorage(): StorageManagerLike | undefined {
  return (globalThis as { navigator?: { storage?: StorageManagerLike } }).navigator?.storage;
}

/**
 * Asks the browser not to evict this origin's storage under pressure (data captured in the field
 * may exist nowhere else). True when storage is (now) persistent; false when refused or unsupported.
 */
export async function requestPersistentStorage(storage: StorageManagerLike | undefined = defaultStorage()): Promise<boolean> {
  if (!storage?.persist) return false;
  if (await storage.persisted?.()) return true;
  return storage.persist();
}

export interface QuotaStatus {
  usage: number;
  quota: number;
  /** usage / quota, 0..1. */
  ratio: number;
  /** Over the warning threshold: time to sync (or export) before writes start failing. */
  warn: boolean;
}

export const QUOTA_WARN_RATIO = 0.8;

/** Storage use against quota; undefined when the browser cannot tell. */
export async function checkQuota(
  storage: StorageManagerLike | undefined = defaultStorage(),
  warnRatio: number = QUOTA_WARN_RATIO,
): Promise<QuotaStatus | undefined> {
  const estimate = await storage?.estimate?.();
  if (!estimate?.quota) return undefined;
  const usage = estimate.usage ?? 0;
  const ratio = usage / estimate.quota;
  return { usage, quota: estimate.quota, ratio, warn: ratio > warnRatio };
}

const isUnsentMedia = (m: LocalMedia) => m.uploadState !== UPLOAD_STATES.UPLOADED;

/**
 * False while anything captured on this device exists nowhere else: queued or parked mutations,
 * edits awaiting a conflict decision, media not uploaded. Signing out then would lose it.
 */
export async function canSignOut(db: FieldSyncDb): Promise<boolean> {
  return db.transaction("r", [db.outbox, db.parked, db.conflicts, db.media], async () => {
    const [outbox, parked, conflicts, media] = await Promise.all([
      db.outbox.count(),
      db.parked.count(),
      db.conflicts
        .where("status")
        .equals(PENDING_CONFLICT)
        .filter((c) => c.data !== undefined)
        .count(),
      db.media.filter(isUnsentMedia).count(),
    ]);
    return outbox + parked + conflicts + media === 0;
  });
}

export interface UnsentExport {
  format: "fieldsync-unsent";
  version: 1;
  exportedAt: string;
  deviceId: unknown;
  outbox: unknown[];
  parked: unknown[];
  conflicts: unknown[];
  records: { entities: unknown[]; assessments: unknown[]; responses: unknown[] };
  /** Media not uploaded yet, bytes as base64. */
  media: unknown[];
}

async function blobToBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * Everything unsent as one JSON Blob — the last resort when a device cannot sync (e.g. before a
 * wipe): outbox, parked mutations, pending conflict copies, records with local changes, and
 * unsent media with their bytes.
 */
export async function exportUnsent(db: FieldSyncDb, now: () => Date = () => new Date(), only?: { offlineId: string }): Promise<Blob> {
  // `only`: one record's unsent changes, conflict copies and photos (the outbox's per-record export).
  const mine = (offlineId: unknown) => !only || offlineId === only.offlineId;
  const unsent = <T extends { syncState: string; offlineId: string }>(row: T) =>
    row.syncState !== SYNC_STATES.SYNCED && mine(row.offlineId);
  const snapshot = await db.transaction(
    "r",
    [db.outbox, db.parked, db.conflicts, db.entities, db.assessments, db.responses, db.media, db.meta],
    async () => ({
      deviceId: (await db.meta.get(META_KEYS.DEVICE_ID))?.value ?? null,
      outbox: (await db.outbox.orderBy("seq").toArray()).filter((e) => mine(e.offlineId)),
      parked: (await db.parked.orderBy("seq").toArray()).filter((e) => mine(e.offlineId)),
      conflicts: await db.conflicts
        .where("status")
        .equals(PENDING_CONFLICT)
        .filter((c) => mine(c.offlineId))
        .toArray(),
      entities: await db.entities.filter(unsent).toArray(),
      assessments: await db.assessments.filter(unsent).toArray(),
      responses: await db.responses.filter(unsent).toArray(),
      media: await db.media.filter((m) => isUnsentMedia(m) && mine(m.parentOfflineId)).toArray(),
    }),
  );
  // Blobs are read outside the transaction: awaiting non-Dexie promises inside one would commit it.
  const media = await Promise.all(
    snapshot.media.map(async ({ blob, ...meta }) => ({
      ...meta,
      ...(blob ? { bytesBase64: await blobToBase64(blob), blobType: blob.type } : {}),
    })),
  );
  const payload: UnsentExport = {
    format: "fieldsync-unsent",
    version: 1,
    exportedAt: now().toISOString(),
    deviceId: snapshot.deviceId,
    outbox: snapshot.outbox,
    parked: snapshot.parked,
    conflicts: snapshot.conflicts,
    records: { entities: snapshot.entities, assessments: snapshot.assessments, responses: snapshot.responses },
    media,
  };
  return new Blob([JSON.stringify(payload)], { type: "application/json" });
}
