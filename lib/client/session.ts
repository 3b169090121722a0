import { setDefaultDb } from "@/lib/client/db/default-db";
import { DEFAULT_DB_NAME, FieldSyncDb } from "@/lib/client/db/field-sync-db";
import { MediaQueue } from "@/lib/client/media/media-queue";
import { connectMediaQueue, connectSyncStore, resetSyncStore } from "@/stores/sync-store";
import { checkQuota, requestPersistentStorage } from "./sync/durability";
import { SyncClient } from "./sync/sync-client";

/**
 * One device session per signed-in user: that user's own Dexie database (so two people sharing
 * a tablet never see or push each other's unsent work) and one SyncClient mirrored into the
 * sync store. Browser only.
 */
export interface DeviceSession {
  userId: string;
  db: FieldSyncDb;
  client: SyncClient;
  media: MediaQueue;
  stop(): void;
}

let current: DeviceSession | undefined;

export function userDbName(userId: string): string {
  return `${DEFAULT_DB_NAME}-${userId}`;
}

export function startDeviceSession(userId: string, appVersion: string): DeviceSession {
  if (current?.userId === userId) return current;
  current?.stop();
  const db = new FieldSyncDb(userDbName(userId));
  setDefaultDb(db);
  const client = new SyncClient({ db, baseUrl: "", credentials: "same-origin", appVersion });
  const media = new MediaQueue(db, { endpoint: "/api/media/uploads" });
  // Photos start only once their parent record exists on the server: re-check after every sync.
  const disconnect = connectSyncStore(client);
  const disconnectMedia = connectMediaQueue(media);
  const unsubscribeKick = client.subscribe((snapshot) => {
    if (snapshot.machine.status === "idle") media.kick();
  });
  client.start();
  media.start();
  void requestPersistentStorage();
  const session: DeviceSession = {
    userId,
    db,
    client,
    media,
    stop: () => {
      client.stop();
      void media.stop();
      unsubscribeKick();
      disconnectMedia();
      disconnect();
      resetSyncStore();
      setDefaultDb(undefined);
      if (current === session) current = undefined;
    },
  };
  current = session;
  return session;
}

export function getDeviceSession(): DeviceSession | undefined {
  return current;
}

export { checkQuota };

/**
 * Call after every local write (a form saved, a photo captured, a parked edit retried): the
 * counts on screen update and a sync starts when the device is online (the machine ignores the
 * trigger while offline; the online event sends it later).
 */
export function notifyLocalWrite(): void {
  const session = current;
  if (!session) return;
  void session.client.refresh();
  void session.client.syncOnce("manual");
  session.media.kick();
}
