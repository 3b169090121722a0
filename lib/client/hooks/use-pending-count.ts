import { useLiveQuery } from "dexie-react-hooks";
import { getDefaultDb } from "../db/default-db";
import type { FieldSyncDb } from "../db/field-sync-db";
import { countPending } from "../db/queries";

/** Mutations not yet answered by the server (live; 0 while loading). */
export function usePendingCount(db: FieldSyncDb = getDefaultDb()): number {
  return useLiveQuery(() => countPending(db), [db], 0);
}
