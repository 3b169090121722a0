import { ALLOWED_MEDIA_TYPES, type AllowedMediaType, MAX_MEDIA_BYTES, type MediaParentType } from "@/lib/protocol";
import type { FieldSyncDb } from "../db/field-sync-db";
import { UPLOAD_STATES } from "../db/types";
import { downscaleImage } from "./downscale-image";
import { hashBlob } from "./hash-blob";
import type { MediaRow } from "./media-row";

export const MEDIA_CAPTURE_ERROR_CODES = {
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  VALIDATION_FAILED: "VALIDATION_FAILED",
} as const;
export type MediaCaptureErrorCode = (typeof MEDIA_CAPTURE_ERROR_CODES)[keyof typeof MEDIA_CAPTURE_ERROR_CODES];

/** A capture refused on the device, for the same reasons the server would refuse the upload. */
export class MediaCaptureError extends Error {
  override readonly name = "MediaCaptureError";
  constructor(
    readonly code: MediaCaptureErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface CaptureMediaInput {
  parentType: MediaParentType;
  /** The assessment's or response's offlineId: known offline, unlike its server id. */
  parentOfflineId: string;
  file: Blob;
  filename: string;
  /** Defaults to `file.type`. */
  mimeType?: string;
  capturedAt?: Date | string;
  position?: { latitude: number; longitude: number } | null;
}

export interface CaptureMediaOptions {
  /** Downscale photos whose longest edge exceeds this many pixels (off when absent). */
  maxEdge?: number;
  /** Keep the bytes on this device after upload — the original, when a smaller copy is made. */
  keepOriginal?: boolean;
  /** JPEG/WebP quality of a downscaled copy. */
  quality?: number;
}

const ALLOWED = new Set<string>(ALLOWED_MEDIA_TYPES);
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const UNSAFE_FILENAME_CHARS = /[/\\\u0000-\u001f\u007f]/g;

/** A name the server's filename rule accepts: no path separators or control characters. */
function safeFilename(name: string, mimeType: string): string {
  const cleaned = name.replace(UNSAFE_FILENAME_CHARS, "_").trim().slice(0, 255);
  return cleaned || `media-${Date.now()}.${mimeType.split("/")[1]}`;
}

function validPosition(position: CaptureMediaInput["position"]): { latitude: number; longitude: number } | null {
  if (!position) return null;
  const { latitude, longitude } = position;
  const ok = Number.isFinite(latitude) && Number.isFinite(longitude) && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180;
  return ok ? { latitude, longitude } : null;
}

/**
 * Stores a photo (or PDF, video) for a record, offline: the bytes as a Blob in Dexie with their
 * SHA-256, size, type, capture time and position, ready for the media queue. Large photos are
 * downscaled first when `maxEdge` is given (where the platform can); the original is kept only
 * with `keepOriginal`. The SHA-256 is of the bytes that will be uploaded; the server checks it.
 */
export async function captureMedia(db: FieldSyncDb, input: CaptureMediaInput, options: CaptureMediaOptions = {}): Promise<MediaRow> {
  const mimeType = (input.mimeType ?? input.file.type).trim().toLowerCase();
  if (!ALLOWED.has(mimeType)) {
    throw new MediaCaptureError(
      MEDIA_CAPTURE_ERROR_CODES.UNSUPPORTED_MEDIA_TYPE,
      `Files of type ${mimeType || "unknown"} cannot be attached`,
    );
  }
  const capturedAt = input.capturedAt === undefined ? new Date() : new Date(input.capturedAt);
  if (Number.isNaN(capturedAt.getTime())) throw new MediaCaptureError(MEDIA_CAPTURE_ERROR_CODES.VALIDATION_FAILED, "Invalid capture time");

  const original = input.file;
  const smaller = options.maxEdge ? await downscaleImage(original, mimeType, options.maxEdge, options.quality) : null;
  const blob = smaller ?? original;
  if (blob.size > MAX_MEDIA_BYTES) {
    throw new MediaCaptureError(MEDIA_CAPTURE_ERROR_CODES.PAYLOAD_TOO_LARGE, `A file may be at most ${MAX_MEDIA_BYTES / 1024 / 1024} MiB`);
  }
  const position = validPosition(input.position);
  const row: MediaRow = {
    offlineId: crypto.randomUUID(),
    parentType: input.parentType,
    parentOfflineId: input.parentOfflineId,
    filename: safeFilename(input.filename, mimeType),
    mimeType: mimeType as AllowedMediaType,
    size: blob.size,
    sha256: await hashBlob(blob),
    capturedAt: capturedAt.toISOString(),
    latitude: position?.latitude ?? null,
    longitude: position?.longitude ?? null,
    uploadState: UPLOAD_STATES.PENDING,
    blob: new Blob([blob], { type: mimeType }),
    keepOriginal: options.keepOriginal ?? false,
    ...(smaller && options.keepOriginal ? { originalBlob: original } : {}),
  };
  await db.media.add(row);
  return row;
}
