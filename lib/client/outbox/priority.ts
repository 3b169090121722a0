import { PRIORITY_RANK } from "../db/field-sync-db";
import type { JsonObject, Priority, RecordType } from "../db/types";

/**
 * The priority a local change gets unless the caller says otherwise: what a coordinator acts on
 * (a submitted assessment, a delivered response) goes first; a note on a draft may wait.
 * Decided on the record's content after the change.
 */
export function defaultPriority(type: RecordType, content: JsonObject, changedPaths: readonly string[]): Priority {
  if (type === "assessment" && content.status === "SUBMITTED") return "HIGH";
  if (type === "response" && content.status === "DELIVERED") return "HIGH";
  const isDraft = content.status === "DRAFT" || content.status === "PLANNED";
  if (isDraft && changedPaths.length > 0 && changedPaths.every((p) => p === "data.notes")) return "LOW";
  return "NORMAL";
}

export function higherPriority(a: Priority, b: Priority): Priority {
  return PRIORITY_RANK[a] <= PRIORITY_RANK[b] ? a : b;
}
