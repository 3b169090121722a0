import "server-only";
import type { Assessment, Entity } from "@/lib/generated/prisma/client";
import type { RecordType, SyncRecord } from "@/lib/protocol";
import type { RecordRow, ResponseWithAssessment } from "@/lib/server/queries/records";
import { toAssessmentRecord, toEntityRecord, toResponseRecord } from "./serialize";

export function toSyncRecord(type: RecordType, row: RecordRow): SyncRecord {
  switch (type) {
    case "entity":
      return toEntityRecord(row as Entity);
    case "assessment":
      return toAssessmentRecord(row as Assessment);
    default:
      return toResponseRecord(row as ResponseWithAssessment);
  }
}

/** The entity a record belongs to: what scope checks compare against. */
export function entityIdOf(type: RecordType, row: RecordRow): string {
  return type === "entity" ? row.id : (row as Assessment).entityId;
}

export const STAMP_TABLE = { entity: "Entity", assessment: "Assessment", response: "Response" } as const;
