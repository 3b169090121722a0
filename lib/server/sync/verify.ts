import "server-only";
import type { SyncRecord, VerifyRequest } from "@/lib/protocol";
import { getDb } from "@/lib/server/db/client";
import { errors } from "@/lib/server/errors";
import { findRecordById, lockRecordKey } from "@/lib/server/queries/records";
import type { PublicUser } from "@/lib/server/queries/users";
import { stampChanges } from "./change-seq";
import { writeRecordChange } from "./engine/record-change";
import { STAMP_TABLE, toSyncRecord } from "./records";

/** A coordinator's verification decision: a new version of the record, which devices pull (if it changed anything). */
export async function verifyRecord(user: PublicUser, type: "assessment" | "response", id: string, req: VerifyRequest): Promise<SyncRecord> {
  const db = await getDb();
  return db.$transaction(async (tx) => {
    const found = await findRecordById(tx, type, id);
    if (!found || found.deletedAt) throw errors.notFound(type === "assessment" ? "Assessment" : "Response");
    await lockRecordKey(tx, type, found.offlineId);
    const row = (await findRecordById(tx, type, id)) ?? found;
    if (row.status !== "SUBMITTED" && row.status !== "DELIVERED") {
      throw errors.validation(
        type === "assessment" ? "Only submitted assessments can be verified" : "Only delivered responses can be verified",
      );
    }
    // The same decision again (a double tap, a retried request, two coordinators agreeing) changes
    // nothing: no new version for devices to pull; the first verifier and time stand.
    if (row.verificationStatus === req.decision && row.verificationNote === (req.note ?? null)) return toSyncRecord(type, row);
    const written = await writeRecordChange(tx, { user }, type, row, toSyncRecord(type, row), {}, null, {
      verificationStatus: req.decision,
      verifiedById: user.id,
      verifiedAt: new Date(),
      verificationNote: req.note ?? null,
      // A decision is not a data edit: the same-user merge rule still sees the last editor of the
      // content, so an assessor's next edit of their own record merges as it did before.
      lastModifiedById: row.lastModifiedById,
    });
    await stampChanges(tx, [{ table: STAMP_TABLE[type], id: row.id }]);
    return written.record;
  });
}
