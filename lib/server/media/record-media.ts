import "server-only";
import type { Media } from "@/lib/generated/prisma/client";
import type { UploadMetadata } from "@/lib/protocol";
import { getDb } from "@/lib/server/db/client";
import { AppError, SERVER_ERROR_CODES } from "@/lib/server/errors";
import { uuidv7 } from "@/lib/server/ids";
import { getEntityById } from "@/lib/server/queries/entities";
import { countMediaHoldingStorageKey, findMediaByOfflineId, insertMedia, lockMediaKey, lockObjectKey } from "@/lib/server/queries/media";
import { findRecordByOfflineId, lockRecordKeys, recordKey } from "@/lib/server/queries/records";
import type { PublicUser } from "@/lib/server/queries/users";
import { stampChanges } from "@/lib/server/sync/change-seq";
import { resolveWritableParent } from "./upload-policy";

/**
 * Creates the media record of a verified upload, idempotently on `offlineId`: under the media
 * key's lock, an existing record of the same file is returned as it is (`created: false`), so the
 * same file uploaded twice — even concurrently — yields one record; another file under that
 * offlineId is refused (409), never answered with the first file's record. The parent and the user's right to
 * write it are checked again here, in the same transaction: they may have changed while the
 * bytes flowed. The change number is stamped last, so the record appears in pull (change-seq.ts).
 */
export async function recordVerifiedMedia(
  user: PublicUser,
  params: { metadata: UploadMetadata; size: number; storageKey: string; ensureObject: () => Promise<void> },
): Promise<{ media: Media; created: boolean }> {
  const db = await getDb();
  return db.$transaction(async (tx) => {
    const { metadata } = params;
    // The parent's and its entity's record locks first — what a delete or a restore of either
    // holds until it commits — so the parent is read below as that commit left it: a photo is
    // never recorded live beside a delete that has just hidden its record's photos. Taken in one
    // global order with the push's (lockRecordKeys), then media and object locks, as restores do.
    const parentRow = await findRecordByOfflineId(tx, metadata.parentType, metadata.parentOfflineId);
    if (parentRow) {
      const entity = await getEntityById(tx, parentRow.entityId);
      const keys = [recordKey(metadata.parentType, metadata.parentOfflineId)];
      await lockRecordKeys(tx, entity ? [...keys, recordKey("entity", entity.offlineId)] : keys);
    }
    await lockMediaKey(tx, metadata.offlineId);
    await lockObjectKey(tx, params.storageKey);
    const existing = await findMediaByOfflineId(tx, metadata.offlineId);
    // Checked again at completion: two uploads under one offlineId can both be created before
    // either finishes. Only the same file (same parent, size and SHA-256) is the same media.
    if (
      existing &&
      (existing.sha256 !== metadata.sha256 ||
        Number(existing.size) !== params.size ||
        existing.parentType !== metadata.parentType ||
        existing.parentOfflineId !== metadata.parentOfflineId)
    ) {
      throw new AppError(SERVER_ERROR_CODES.ALREADY_EXISTS, `The offlineId ${metadata.offlineId} already names a different media file`);
    }
    const parent = await resolveWritableParent(tx, user, metadata);
    if (existing) return { media: existing, created: false };
    const media = await insertMedia(tx, {
      id: uuidv7(),
      offlineId: metadata.offlineId,
      parentType: metadata.parentType,
      parentId: parent.id,
      parentOfflineId: parent.offlineId,
      entityId: parent.entityId,
      filename: metadata.filename,
      mimeType: metadata.mimeType,
      size: BigInt(params.size),
      sha256: metadata.sha256,
      storageKey: params.storageKey,
      capturedAt: metadata.capturedAt ? new Date(metadata.capturedAt) : null,
      latitude: metadata.latitude ?? null,
      longitude: metadata.longitude ?? null,
      uploadedById: user.id,
    });
    // Under the object's lock: a refused upload of the same bytes may have deleted the object as
    // unreferenced between our promote and this insert; put it back from our working copy.
    await params.ensureObject();
    await stampChanges(tx, [{ table: "Media", id: media.id }]);
    return { media, created: true };
  });
}

/**
 * Deletes a stored object no record holds — the bytes of an upload refused at completion (parent
 * gone, scope lost, offlineId taken), or of media whose record was deleted (deleted-media.ts) —
 * under the object's lock, so it cannot race an upload of the same bytes that is recording it
 * (see `ensureObject` above) or a restore that is bringing a record's media back. A deleted media
 * record holds its object only while a PENDING conflict may restore its record.
 */
export async function discardUnreferencedObject(storageKey: string, deleteObject: (key: string) => Promise<void>): Promise<boolean> {
  const db = await getDb();
  return db.$transaction(async (tx) => {
    await lockObjectKey(tx, storageKey);
    if ((await countMediaHoldingStorageKey(tx, storageKey)) > 0) return false;
    await deleteObject(storageKey);
    return true;
  });
}
