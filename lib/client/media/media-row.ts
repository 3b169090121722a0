import type { LocalMedia } from "../db/types";

/**
 * The media queue's view of a Dexie `media` row: LocalMedia plus bookkeeping the queue keeps
 * beside it (non-indexed, so the Dexie schema is unchanged). Persistent upload state lives here,
 * not in memory, so it survives a closed tab or a service-worker restart; only byte progress of
 * running uploads is ephemeral (MediaQueue.subscribe).
 */

export const MEDIA_FAILURE_KINDS = {
  /** The server received the bytes but they did not match the declared size / SHA-256 (460/422). */
  VERIFICATION: "verification",
  /** The server refused the upload itself (403, 404, 409, 413, 415, other 4xx). */
  REFUSED: "refused",
} as const;
export type MediaFailureKind = (typeof MEDIA_FAILURE_KINDS)[keyof typeof MEDIA_FAILURE_KINDS];

export interface MediaUploadError {
  kind: MediaFailureKind;
  /** The server's error code (e.g. FORBIDDEN, CHECKSUM_MISMATCH), else `HTTP_<status>`. */
  code: string;
  status: number;
  message: string;
  at: string;
}

export type MediaRow = LocalMedia & {
  /** Set with uploadState 'failed': why. Cleared by MediaQueue.retry. */
  uploadError?: MediaUploadError;
  /** The user cancelled the upload; the queue skips the row until MediaQueue.retry. */
  paused?: boolean;
  /** Keep the local bytes after upload (and the original, when a smaller copy was made). */
  keepOriginal?: boolean;
  /** The bytes as captured, when `blob` is a downscaled copy and the original was asked for. */
  originalBlob?: Blob;
  /** Transient failures in a row (network, 5xx); drives the backoff. Reset on success. */
  attempts?: number;
  /** Epoch ms before which the queue does not retry this row. */
  retryAt?: number;
  lastError?: { code: string; message: string; at: string };
  uploadedAt?: string;
};
