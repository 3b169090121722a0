import { ERROR_CODES } from "@/lib/protocol";

/**
 * Why the server refused a change, in words an assessor can act on. Keyed by the error `code`
 * (never by message text); the server's message is shown beside it for the details.
 */
const REASONS: Record<string, string> = {
  [ERROR_CODES.VALIDATION_FAILED]: "Some answers were not accepted. Open the record, correct them, then retry.",
  [ERROR_CODES.FORBIDDEN]: "You are not assigned to this entity any more. Ask your coordinator, then retry — or save it to a file.",
  [ERROR_CODES.NOT_FOUND]: "The record it belongs to no longer exists on the server.",
  [ERROR_CODES.ENTITY_MISMATCH]: "It names an assessment of a different entity.",
  [ERROR_CODES.VERSION_AHEAD]: "This device is ahead of the server (it may have been restored from a backup). Retry to send it again.",
  [ERROR_CODES.PAYLOAD_TOO_LARGE]: "It is too large to send. Shorten long texts, then retry.",
  [ERROR_CODES.ALREADY_EXISTS]: "The server already has a record with this identity.",
  [ERROR_CODES.UNSUPPORTED_MEDIA_TYPE]: "This kind of file can't be uploaded. Use a JPEG, PNG or WebP photo.",
  [ERROR_CODES.CHECKSUM_MISMATCH]: "The photo arrived damaged. Retry to send it again.",
};

export function refusalReason(code: string | undefined): string {
  return (code && REASONS[code]) || "The server refused this change.";
}
