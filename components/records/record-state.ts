import type { SyncMeta } from "@/lib/client/db/types";

/** What a person needs to know about one record, in the words the screen uses. */
export const RECORD_STATES = {
  SAVED_ON_DEVICE: "saved-on-device",
  SYNCING: "syncing",
  SYNCED: "synced",
  AWAITING_REVIEW: "awaiting-review",
  NEEDS_ATTENTION: "needs-attention",
  VERIFIED: "verified",
  REJECTED: "rejected",
} as const;
export type RecordState = (typeof RECORD_STATES)[keyof typeof RECORD_STATES];

export const RECORD_STATE_LABEL: Record<RecordState, string> = {
  "saved-on-device": "Saved on this device",
  syncing: "Syncing…",
  synced: "Synced",
  "awaiting-review": "Awaiting review",
  "needs-attention": "Needs attention",
  verified: "Verified",
  rejected: "Rejected",
};

export const RECORD_STATE_HINT: Record<RecordState, string> = {
  "saved-on-device": "Not sent yet. It will be sent when this device is online.",
  syncing: "Being sent now.",
  synced: "The server has it.",
  "awaiting-review": "Someone else changed the same answers. A coordinator will decide which to keep.",
  "needs-attention": "The server refused this change. Open the outbox to see why.",
  verified: "A coordinator checked it.",
  rejected: "A coordinator sent it back. Correct it and submit again.",
};

type RecordLike = Pick<SyncMeta, "syncState"> & { verificationStatus?: string | null };

/**
 * Local sync state first (it is what the device still owes), then the coordinator's decision.
 * `syncing`: the record has unsent changes and a sync is running.
 */
export function recordState(row: RecordLike, syncing = false): RecordState {
  switch (row.syncState) {
    case "parked":
      return RECORD_STATES.NEEDS_ATTENTION;
    case "conflict":
      return RECORD_STATES.AWAITING_REVIEW;
    case "pending":
      return syncing ? RECORD_STATES.SYNCING : RECORD_STATES.SAVED_ON_DEVICE;
  }
  if (row.verificationStatus === "VERIFIED" || row.verificationStatus === "AUTO_VERIFIED") return RECORD_STATES.VERIFIED;
  if (row.verificationStatus === "REJECTED") return RECORD_STATES.REJECTED;
  return RECORD_STATES.SYNCED;
}
