import { useLiveQuery } from "dexie-react-hooks";
import { getDefaultDb } from "../db/default-db";
import type { FieldSyncDb } from "../db/field-sync-db";
import { listAssessments } from "../db/queries";
import type { LocalAssessment } from "../db/types";

/** Assessments of an entity, newest first; undefined while loading. Re-renders on any local change. */
export function useAssessments(entityId: string, db: FieldSyncDb = getDefaultDb()): LocalAssessment[] | undefined {
  return useLiveQuery(() => listAssessments(db, entityId), [db, entityId]);
}
