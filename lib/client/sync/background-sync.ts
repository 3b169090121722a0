/**
 * The page's half of Background Sync: after a local write, ask the browser to wake the service
 * worker with this tag once it has a connection — even if every tab is closed by then. The
 * worker's `sync` handler (lib/sw/sw.ts) runs the same SyncClient. Where the browser has no
 * Background Sync (Safari, Firefox) this is a no-op and the SyncClient's own triggers carry it:
 * online, visibility, the periodic timer and app start.
 */

export const OUTBOX_SYNC_TAG = "fieldsync-outbox";

interface SyncManagerLike {
  register(tag: string): Promise<void>;
}

/** The part of `navigator.serviceWorker` used here. */
export interface ServiceWorkerContainerLike {
  controller: unknown;
  ready: Promise<{ sync?: SyncManagerLike }>;
}

function defaultContainer(): ServiceWorkerContainerLike | undefined {
  return (globalThis as { navigator?: { serviceWorker?: ServiceWorkerContainerLike } }).navigator?.serviceWorker;
}

/**
 * True when the tag was registered. Only under a controlling worker: without one (development,
 * the very first visit) `ready` may never resolve, and no worker would handle the event anyway.
 */
export async function registerBackgroundSync(container: ServiceWorkerContainerLike | undefined = defaultContainer()): Promise<boolean> {
  if (!container?.controller) return false;
  try {
    const registration = await container.ready;
    if (!registration.sync) return false;
    await registration.sync.register(OUTBOX_SYNC_TAG);
    return true;
  } catch {
    // Denied (e.g. the user turned background sync off): the fallback triggers remain.
    return false;
  }
}
