/// <reference lib="webworker" />
/**
 * The Field Sync service worker (built by scripts/build-sw.ts into public/sw.js; SETUP.md "A
 * Workbox service worker with Next 16").
 *
 * Contracts:
 * - Every asset of the build (JS, CSS, fonts, icons) and every prerendered page is precached at
 *   install; an update waits until the user accepts it (components/pwa), then the old precache
 *   is dropped.
 * - Navigations go to the network (fresh HTML, the server's headers) and, when it fails or takes
 *   too long, fall back to the precached page of that route family (shell-routes.ts). Pages are
 *   never runtime-cached: HTML of an old build names chunks the new precache no longer holds.
 * - `/api/*` is never answered from a cache. The one exception is not a cache: `GET
 *   /api/media/<id>` of a file whose bytes this device still holds is answered from Dexie.
 * - Background Sync (`fieldsync-outbox`) runs the page's SyncClient and media queue on the signed-in
 *   user's database; the Web Lock inside SyncClient keeps page and worker from running a pass at
 *   once, and progress goes to the pages over the `fieldsync-sync` BroadcastChannel.
 */
import { clientsClaim } from "workbox-core";
import { cleanupOutdatedCaches, matchPrecache, type PrecacheEntry, precacheAndRoute } from "workbox-precaching";
import { NavigationRoute, registerRoute } from "workbox-routing";
import { NetworkOnly } from "workbox-strategies";
import { FieldSyncDb } from "@/lib/client/db/field-sync-db";
import { getDeviceUser, userDbName } from "@/lib/client/device-user";
import { MediaQueue } from "@/lib/client/media/media-queue";
import { OUTBOX_SYNC_TAG } from "@/lib/client/sync/background-sync";
import { broadcastWorkerSync, openSyncChannel } from "@/lib/client/sync/sync-channel";
import { runBackgroundSync, SyncClient } from "@/lib/client/sync/sync-client";
import { isPagePath, shellPathFor } from "./shell-routes";

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | PrecacheEntry)[] };

/** A navigation that has not answered in this time is served from the precache instead. */
const NAVIGATION_TIMEOUT_SECONDS = 6;
const MEDIA_PATH = /^\/api\/media\/([^/]+)$/;

const manifest = self.__WB_MANIFEST;
const precachedPages = new Set(manifest.map((entry) => (typeof entry === "string" ? entry : entry.url)).filter(isPagePath));

// Navigations first: the precache route below would otherwise answer "/" and "/outbox" itself.
registerRoute(
  new NavigationRoute(
    new NetworkOnly({
      networkTimeoutSeconds: NAVIGATION_TIMEOUT_SECONDS,
      plugins: [
        {
          handlerDidError: async ({ request }) => {
            const shell = shellPathFor(new URL(request.url).pathname, (path) => precachedPages.has(path));
            return (await matchPrecache(shell)) ?? Response.error();
          },
        },
      ],
    }),
    // Not the API, and not files (an icon, the manifest): those go to the precache or the network.
    { denylist: [/^\/api\//, /\.[a-z0-9]+$/i] },
  ),
);

precacheAndRoute(manifest);
cleanupOutdatedCaches();
clientsClaim();

registerRoute(
  ({ url, request }) => request.method === "GET" && url.origin === self.location.origin && MEDIA_PATH.test(url.pathname),
  async ({ request, url }) => {
    const id = decodeURIComponent(MEDIA_PATH.exec(url.pathname)?.[1] ?? "");
    const blob = id && id !== "uploads" ? await localMediaBlob(id).catch(() => null) : null;
    return blob ? blobResponse(blob, request.headers.get("range")) : fetch(request);
  },
);

self.addEventListener("message", (event) => {
  // workbox-window's messageSkipWaiting(): the user clicked "Reload to update".
  if ((event.data as { type?: unknown } | null)?.type === "SKIP_WAITING") void self.skipWaiting();
});

interface SyncEventLike extends ExtendableEvent {
  readonly tag: string;
}

self.addEventListener("sync", (event) => {
  const syncEvent = event as SyncEventLike;
  if (syncEvent.tag === OUTBOX_SYNC_TAG) syncEvent.waitUntil(backgroundSync());
});

const databases = new Map<string, FieldSyncDb>();

/** One connection per user database for the worker's lifetime (Dexie closes it on an upgrade). */
function userDb(userId: string): FieldSyncDb {
  const name = userDbName(userId);
  let db = databases.get(name);
  if (!db) {
    db = new FieldSyncDb(name);
    databases.set(name, db);
  }
  return db;
}

async function localMediaBlob(id: string): Promise<Blob | null> {
  const user = await getDeviceUser();
  if (!user) return null;
  const row = await userDb(user.userId).media.where("id").equals(id).first();
  return row?.blob ?? null;
}

/** The device's copy of a file, with a single `bytes=a-b` range when one is asked for. */
function blobResponse(blob: Blob, range: string | null): Response {
  const headers = { "content-type": blob.type || "application/octet-stream", "cache-control": "no-store", "accept-ranges": "bytes" };
  const match = range ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null;
  if (!match || (match[1] === "" && match[2] === "")) {
    return new Response(blob, { headers: { ...headers, "content-length": String(blob.size) } });
  }
  const size = blob.size;
  const start = match[1] === "" ? Math.max(0, size - Number(match[2])) : Number(match[1]);
  const end = match[1] === "" || match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start > end || start >= size) return new Response(null, { status: 416, headers: { "content-range": `bytes */${size}` } });
  return new Response(blob.slice(start, end + 1), {
    status: 206,
    headers: { ...headers, "content-range": `bytes ${start}-${end}/${size}`, "content-length": String(end - start + 1) },
  });
}

/**
 * One Background Sync run: the signed-in user's outbox, then their photos. Rejects when the pass
 * did not finish (offline again, a server failure), so the browser schedules another attempt.
 */
async function backgroundSync(): Promise<void> {
  const user = await getDeviceUser();
  if (!user) return; // signed out: nobody's data to send
  const db = userDb(user.userId);
  // The client's cross-run state (attempts, backoff, Retry-After) is restored from Dexie: this
  // worker may be a fresh one, its predecessor killed seconds into the last run.
  const client = new SyncClient({ db, baseUrl: "", credentials: "same-origin", appVersion: user.appVersion, periodicSyncMs: 0 });
  const media = new MediaQueue(db, { pollIntervalMs: 0 });
  const channel = openSyncChannel();
  const finish = channel ? broadcastWorkerSync(channel, db.name, client, media) : undefined;
  try {
    await runBackgroundSync(client);
    // Parents now exist on the server, so their photos may go (unless a page's queue has them).
    await media.drain();
    finish?.({ ok: true });
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown };
    finish?.({ ok: false, error: { code: typeof e.code === "string" ? e.code : "", message: String(e.message ?? error) } });
    throw error;
  } finally {
    client.stop();
    channel?.close();
  }
}
