import { useLiveQuery } from "dexie-react-hooks";
import type { FieldSyncDb } from "../db/field-sync-db";
import { type AssessmentForResponse, type EntitySummary, listAssessmentsForResponse, listEntitySummaries } from "../db/summaries";

/** The assessor's home list; undefined while loading. */
export function useEntitySummaries(db: FieldSyncDb | undefined): EntitySummary[] | undefined {
  return useLiveQuery(() => (db ? listEntitySummaries(db) : undefined), [db]);
}

/** The responder's home list; undefined while loading. */
export function useAssessmentsForResponse(db: FieldSyncDb | undefined): AssessmentForResponse[] | undefined {
  return useLiveQuery(() => (db ? listAssessmentsForResponse(db) : undefined), [db]);
}
