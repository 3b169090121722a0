import { useLiveQuery } from "dexie-react-hooks";
import { getDefaultDb } from "../db/default-db";
import type { FieldSyncDb } from "../db/field-sync-db";
import { listParked } from "../db/queries";
import type { ParkedEntry } from "../db/types";

/** Mutations the server rejected, oldest first, for the "needs attention" list. */
export function useParked(db: FieldSyncDb = getDefaultDb()): ParkedEntry[] | undefined {
  return useLiveQuery(() => listParked(db), [db]);
}
