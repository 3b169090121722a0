import { useLiveQuery } from "dexie-react-hooks";
import { getDefaultDb } from "../db/default-db";
import type { FieldSyncDb } from "../db/field-sync-db";
import { listResponses } from "../db/queries";
import type { LocalResponse } from "../db/types";

/** Responses of an entity, newest first; undefined while loading. */
export function useResponses(entityId: string, db: FieldSyncDb = getDefaultDb()): LocalResponse[] | undefined {
  return useLiveQuery(() => listResponses(db, entityId), [db, entityId]);
}
