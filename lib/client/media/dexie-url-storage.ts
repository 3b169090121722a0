import type { PreviousUpload, UrlStorage } from "tus-js-client";
import type { FieldSyncDb } from "../db/field-sync-db";
import type { UploadResumeState } from "../db/types";

/**
 * tus-js-client's URL storage on the Dexie `uploadState` table, keyed by the media offlineId.
 * Its default is localStorage, which a service worker cannot reach; IndexedDB works in windows
 * and workers alike and survives a closed tab or a worker restart, so an upload resumes at the
 * server's offset (tus-js-client HEADs the stored URL) instead of starting over.
 */

const PREFIX = "fieldsync-media::";

/** The fingerprint tus-js-client stores under: one upload per media file. */
export function mediaFingerprint(offlineId: string): string {
  return `${PREFIX}${offlineId}`;
}

function offlineIdOf(fingerprint: string): string | null {
  return fingerprint.startsWith(PREFIX) ? fingerprint.slice(PREFIX.length) : null;
}

function toPrevious(row: UploadResumeState): PreviousUpload {
  return {
    size: row.size,
    metadata: {},
    creationTime: row.updatedAt,
    urlStorageKey: row.offlineId,
    uploadUrl: row.uploadUrl ?? null,
    parallelUploadUrls: null,
  };
}

export class DexieUrlStorage implements UrlStorage {
  constructor(private readonly db: FieldSyncDb) {}

  async findAllUploads(): Promise<PreviousUpload[]> {
    return (await this.db.uploadState.toArray()).filter((row) => row.uploadUrl).map(toPrevious);
  }

  async findUploadsByFingerprint(fingerprint: string): Promise<PreviousUpload[]> {
    const offlineId = offlineIdOf(fingerprint);
    const row = offlineId ? await this.db.uploadState.get(offlineId) : undefined;
    return row?.uploadUrl ? [toPrevious(row)] : [];
  }

  async removeUpload(urlStorageKey: string): Promise<void> {
    await this.db.uploadState.delete(urlStorageKey);
  }

  async addUpload(fingerprint: string, upload: PreviousUpload): Promise<string> {
    const offlineId = offlineIdOf(fingerprint);
    if (!offlineId) throw new Error(`Not a media upload fingerprint: ${fingerprint}`);
    await this.db.uploadState.put({
      offlineId,
      uploadUrl: upload.uploadUrl ?? undefined,
      offset: 0,
      size: upload.size ?? 0,
      updatedAt: new Date().toISOString(),
    });
    return offlineId;
  }

  /** Records the offset the server acknowledged (for display after a restart; HEAD is the truth). */
  async recordOffset(offlineId: string, offset: number): Promise<void> {
    await this.db.uploadState.update(offlineId, { offset, updatedAt: new Date().toISOString() });
  }
}
