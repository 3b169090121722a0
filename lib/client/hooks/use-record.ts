import { useLiveQuery } from "dexie-react-hooks";
import { getDefaultDb } from "../db/default-db";
import type { FieldSyncDb } from "../db/field-sync-db";
import { getRecord } from "../db/queries";
import type { AnyLocalRow, RecordType } from "../db/types";

/** One record with its sync state; null when absent (or deleted locally), undefined while loading. */
export function useRecord(type: RecordType, offlineId: string, db: FieldSyncDb = getDefaultDb()): AnyLocalRow | null | undefined {
  return useLiveQuery(async () => (await getRecord(db, type, offlineId)) ?? null, [db, type, offlineId]);
}
