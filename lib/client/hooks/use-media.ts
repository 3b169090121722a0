import { useLiveQuery } from "dexie-react-hooks";
import { getDefaultDb } from "../db/default-db";
import type { FieldSyncDb } from "../db/field-sync-db";
import { listMedia } from "../db/queries";
import type { LocalMedia } from "../db/types";

/** Media attached to a record (by the parent's offlineId); undefined while loading. */
export function useMedia(parentOfflineId: string, db: FieldSyncDb = getDefaultDb()): LocalMedia[] | undefined {
  return useLiveQuery(() => listMedia(db, parentOfflineId), [db, parentOfflineId]);
}
