import Dexie, { type EntityTable } from "dexie";
import { DEFAULT_DB_NAME } from "./db/field-sync-db";

/**
 * Which user this device is signed in as, in a tiny IndexedDB of its own (`fieldsync-device`),
 * so the service worker — which has no cookies to read and no React tree — can open that user's
 * database for Background Sync and for serving media. Written when a device session starts,
 * cleared when it ends (sign-out). It names a database; it grants nothing (the server still
 * checks the session cookie on every request).
 */

export const DEVICE_DB_NAME = "fieldsync-device";
const CURRENT_USER_KEY = "currentUser";

export interface DeviceUser {
  userId: string;
  appVersion: string;
  /** ISO time the session started. */
  since: string;
}

interface KvRow {
  key: string;
  value: unknown;
}

class DeviceDb extends Dexie {
  kv!: EntityTable<KvRow, "key">;
  constructor() {
    super(DEVICE_DB_NAME);
    this.version(1).stores({ kv: "key" });
  }
}

let deviceDb: DeviceDb | undefined;
const getDeviceDb = () => {
  deviceDb ??= new DeviceDb();
  return deviceDb;
};

/** The Dexie database of one user's device data (one per user: README "Decisions"). */
export function userDbName(userId: string): string {
  return `${DEFAULT_DB_NAME}-${userId}`;
}

function isDeviceUser(value: unknown): value is DeviceUser {
  const v = value as Partial<DeviceUser> | null;
  return typeof v?.userId === "string" && v.userId.length > 0 && typeof v.appVersion === "string" && typeof v.since === "string";
}

export async function setDeviceUser(userId: string, appVersion: string, now: () => Date = () => new Date()): Promise<void> {
  const value: DeviceUser = { userId, appVersion, since: now().toISOString() };
  await getDeviceDb().kv.put({ key: CURRENT_USER_KEY, value });
}

export async function getDeviceUser(): Promise<DeviceUser | null> {
  const row = await getDeviceDb().kv.get(CURRENT_USER_KEY);
  return isDeviceUser(row?.value) ? row.value : null;
}

/** Clears the entry only while it still names `userId` (a newer sign-in is never undone). */
export async function clearDeviceUser(userId: string): Promise<void> {
  const db = getDeviceDb();
  await db.transaction("rw", db.kv, async () => {
    const row = await db.kv.get(CURRENT_USER_KEY);
    if (isDeviceUser(row?.value) && row.value.userId === userId) await db.kv.delete(CURRENT_USER_KEY);
  });
}
