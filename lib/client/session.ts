import { setDefaultDb } from "@/lib/client/db/default-db";
import { FieldSyncDb } from "@/lib/client/db/field-sync-db";
import { MediaQueue } from "@/lib/client/media/media-queue";
import { connectMediaQueue, connectSyncStore, resetSyncStore, useSyncStore } from "@/stores/sync-store";
import { clearDeviceUser, setDeviceUser, userDbName } from "./device-user";
import { registerBackgroundSync } from "./sync/background-sync";
import { readClientState } from "./sync/client-state";
import { checkQuota, requestPersistentStorage } from "./sync/durability";
import { followWorkerSync, openSyncChannel } from "./sync/sync-channel";
import { SyncClient } from "./sync/sync-client";

/**
 * One device session per signed-in user: that user's own Dexie database (so two people sharing
 * a tablet never see or push each other's unsent work) and one SyncClient mirrored into the
 * sync store. Browser only.
 *
 * The service worker syncs the same database in the background (lib/sw/sw.ts): the session
 * records the user in `fieldsync-device` so the worker knows which database to open, and
 * follows the worker's passes over the `fieldsync-sync` BroadcastChannel so the status bar
 * shows them. The Web Lock in SyncClient keeps the two from running a pass at once.
 */
export interface DeviceSession {
  userId: string;
  db: FieldSyncDb;
  client: SyncClient;
  media: MediaQueue;
  stop(): void;
}

let current: DeviceSession | undefined;

export { userDbName };

export function startDeviceSession(userId: string, appVersion: string): DeviceSession {
  if (current?.userId === userId) return current;
  current?.stop();
  const db = new FieldSyncDb(userDbName(userId));
  setDefaultDb(db);
  const client = new SyncClient({ db, baseUrl: "", credentials: "same-origin", appVersion, getClientState: () => readClientState(db) });
  const media = new MediaQueue(db, { endpoint: "/api/media/uploads" });
  // Photos start only once their parent record exists on the server: re-check after every sync.
  const disconnect = connectSyncStore(client);
  const disconnectMedia = connectMediaQueue(media);
  const unsubscribeKick = client.subscribe((snapshot) => {
    if (snapshot.machine.status === "idle") media.kick();
  });
  const unfollowWorker = followWorker(db.name, client, media);
  void setDeviceUser(userId, appVersion).catch(() => undefined);
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
      unfollowWorker();
      disconnectMedia();
      disconnect();
      resetSyncStore();
      setDefaultDb(undefined);
      // Signed out: the worker must not sync this user's database any more.
      void clearDeviceUser(userId).catch(() => undefined);
      if (current === session) current = undefined;
    },
  };
  current = session;
  return session;
}

/** Mirrors the service worker's Background Sync passes for this database into the sync store. */
function followWorker(dbName: string, client: SyncClient, media: MediaQueue): () => void {
  const channel = openSyncChannel();
  if (!channel) return () => undefined;
  const store = useSyncStore;
  const stop = followWorkerSync(channel, dbName, {
    onSnapshot: (snapshot) => store.getState().applyWorkerSnapshot(snapshot),
    // The page's own queue is waiting for the lock the worker holds: show the worker's uploads.
    onMedia: (snapshot) => {
      if (media.getSnapshot().running.length === 0) store.setState({ media: snapshot });
    },
    onFinished: () => {
      store.getState().applyWorkerSnapshot(null);
      store.setState({ media: media.getSnapshot() });
      // The worker changed the outbox and the last push/pull times in Dexie: re-read them.
      void client.refresh();
    },
  });
  return () => {
    stop();
    channel.close();
  };
}

export function getDeviceSession(): DeviceSession | undefined {
  return current;
}

export { checkQuota };

/**
 * Call after every local write (a form saved, a photo captured, a parked edit retried): the
 * counts on screen update, a sync starts when the device is online, and a Background Sync tag is
 * registered so the service worker sends it once a connection returns — even with the app closed.
 * The trigger is opportunistic ("timer"): it respects offline and a running backoff or
 * Retry-After; the online event, the tag and the user's "sync now" cut those short.
 */
export function notifyLocalWrite(): void {
  const session = current;
  if (!session) return;
  void session.client.refresh();
  void session.client.syncOnce("timer");
  session.media.kick();
  void registerBackgroundSync();
}
