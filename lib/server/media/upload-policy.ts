import "server-only";
import { ALLOWED_MEDIA_TYPES, toIssues, type UploadMetadata, uploadMetadataSchema } from "@/lib/protocol";
import { getScope } from "@/lib/server/admin";
import type { Tx } from "@/lib/server/db/client";
import { AppError, errors, SERVER_ERROR_CODES } from "@/lib/server/errors";
import { getEntityById } from "@/lib/server/queries/entities";
import { findMediaByOfflineId } from "@/lib/server/queries/media";
import { findRecordByOfflineId } from "@/lib/server/queries/records";
import type { PublicUser } from "@/lib/server/queries/users";
import { assertCanWrite, assertInScope } from "@/lib/server/sync/access";

/**
 * What is decided before a single byte of an upload is stored (PROTOCOL §6), in this order:
 * length present (400) and within the limit (413) → type allowed (415) → metadata valid (400)
 * → parent known (404) → user may write the parent's type and its entity is in scope (403)
 * → an existing media record under the same offlineId names the same file (409).
 */

const ALLOWED = new Set<string>(ALLOWED_MEDIA_TYPES);

export interface UploadParent {
  id: string;
  offlineId: string;
  entityId: string;
}

/** Checks that need no database: the declared length, the type and the metadata's shape. */
export function parseUploadRequest(
  raw: Record<string, string | null | undefined> | undefined,
  declaredLength: number | undefined,
  maxBytes: number,
): UploadMetadata {
  if (declaredLength === undefined || !Number.isSafeInteger(declaredLength) || declaredLength < 0) {
    throw errors.validation("Upload-Length is required: media sizes are verified on completion");
  }
  if (declaredLength > maxBytes) {
    throw new AppError(SERVER_ERROR_CODES.PAYLOAD_TOO_LARGE, `A media file may be at most ${maxBytes} bytes`);
  }
  const mimeType = raw?.mimeType?.trim().toLowerCase();
  if (mimeType && !ALLOWED.has(mimeType)) {
    throw new AppError(SERVER_ERROR_CODES.UNSUPPORTED_MEDIA_TYPE, `Media of type ${mimeType} is not accepted`);
  }
  const parsed = uploadMetadataSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw errors.validation("Upload-Metadata is invalid", toIssues(parsed.error.issues, ["Upload-Metadata"]));
  }
  return parsed.data;
}

/**
 * The parent a media file attaches to, if this user may attach to it. Used at creation and again
 * when the upload completes (the parent may have been deleted or the assignment ended meanwhile).
 */
export async function resolveWritableParent(
  tx: Tx,
  user: PublicUser,
  meta: Pick<UploadMetadata, "parentType" | "parentOfflineId">,
): Promise<UploadParent> {
  const parent = await findRecordByOfflineId(tx, meta.parentType, meta.parentOfflineId);
  if (!parent || parent.deletedAt || (await getEntityById(tx, parent.entityId))?.deletedAt !== null)
    throw errors.notFound(`The ${meta.parentType} ${meta.parentOfflineId}`);
  assertCanWrite(user, meta.parentType);
  assertInScope(await getScope(tx, user), parent.entityId);
  return { id: parent.id, offlineId: parent.offlineId, entityId: parent.entityId };
}

/**
 * Everything checked before an upload is created. An offlineId that already has a media record
 * is accepted when it names the same file (same parent, size and SHA-256): completing it is a
 * no-op that answers with the existing record, so a retried upload is harmless. A different file
 * under a taken offlineId is refused (409) before any byte flows.
 */
export async function authorizeUploadCreation(
  tx: Tx,
  user: PublicUser,
  params: { raw: Record<string, string | null | undefined> | undefined; declaredLength: number | undefined; maxBytes: number },
): Promise<{ metadata: UploadMetadata; parent: UploadParent }> {
  const metadata = parseUploadRequest(params.raw, params.declaredLength, params.maxBytes);
  const parent = await resolveWritableParent(tx, user, metadata);
  const existing = await findMediaByOfflineId(tx, metadata.offlineId);
  if (
    existing &&
    (existing.sha256 !== metadata.sha256 || Number(existing.size) !== params.declaredLength || existing.parentId !== parent.id)
  ) {
    throw new AppError(SERVER_ERROR_CODES.ALREADY_EXISTS, `The offlineId ${metadata.offlineId} already names a different media file`);
  }
  return { metadata, parent };
}
