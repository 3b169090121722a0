import type { VerificationStatus } from "../protocol";

/**
 * PROTOCOL §1: a SUBMITTED assessment or DELIVERED response is AUTO_VERIFIED when its entity
 * has autoApprove, else PENDING; drafts and PLANNED responses are DRAFT.
 */
export function verificationFor(status: string, autoApprove: boolean): VerificationStatus {
  if (status === "SUBMITTED" || status === "DELIVERED") return autoApprove ? "AUTO_VERIFIED" : "PENDING";
  return "DRAFT";
}
