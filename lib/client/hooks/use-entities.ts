import { useLiveQuery } from "dexie-react-hooks";
import { getDefaultDb } from "../db/default-db";
import type { FieldSyncDb } from "../db/field-sync-db";
import { listEntities } from "../db/queries";
import type { LocalEntity } from "../db/types";

/** Entities in this device's scope, by name; undefined while loading. */
export function useEntities(db: FieldSyncDb = getDefaultDb()): LocalEntity[] | undefined {
  return useLiveQuery(() => listEntities(db), [db]);
}
