import { DEFAULT_DB_NAME, FieldSyncDb } from "./field-sync-db";

let instance: FieldSyncDb | undefined;

/** The signed-in user's database becomes the one hooks read by default (lib/client/session.ts). */
export function setDefaultDb(db: FieldSyncDb | undefined): void {
  instance = db;
}

/**
 * The app's database (one per origin). Dexie opens it lazily on first use; the SyncClient returns
 * leftover 'inflight' entries to the queue under its lock, so no explicit open is required here.
 */
export function getDefaultDb(): FieldSyncDb {
  instance ??= new FieldSyncDb(DEFAULT_DB_NAME);
  return instance;
}
