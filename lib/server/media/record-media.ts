import "server-only";
import type { Media } from "@/lib/generated/prisma/client";
import type { UploadMetadata } from "@/lib/protocol";
import { getDb } from "@/lib/server/db/client";
import { uuidv7 } from "@/lib/server/ids";
import { findMediaByOfflineId, insertMedia, lockMediaKey } from "@/lib/server/queries/media";
import type { PublicUser } from "@/lib/server/queries/users";
import { stampChanges } from "@/lib/server/sync/change-seq";
import { resolveWritableParent } from "./upload-policy";

/**
 * Creates the media record of a verified upload, idempotently on `offlineId`: under the media
 * key's lock, an existing record is returned as it is (`created: false`), so the same file
 * uploaded twice — even concurrently — yields one record. The parent and the user's right to
 * write it are checked again here, in the same transaction: they may have changed while the
 * bytes flowed. The change number is stamped last, so the record appears in pull (change-seq.ts).
 */
export async function recordVerifiedMedia(
  user: PublicUser,
  params: { metadata: UploadMetadata; size: number; storageKey: string },
): Promise<{ media: Media; created: boolean }> {
  const db = await getDb();
  return db.$transaction(async (tx) => {
    const { metadata } = params;
    await lockMediaKey(tx, metadata.offlineId);
    const existing = await findMediaByOfflineId(tx, metadata.offlineId);
    if (existing) return { media: existing, created: false };
    const parent = await resolveWritableParent(tx, user, metadata);
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
    await stampChanges(tx, [{ table: "Media", id: media.id }]);
    return { media, created: true };
  });
}
