import type { ClientState } from "@/lib/protocol";
import type { FieldSyncDb } from "../db/field-sync-db";
import type { StorageManagerLike } from "./durability";

/**
 * What only the device knows, sent with each push for the coordinators' sync-health screen:
 * storage used and available, the age of its oldest unsent edit, and its clock (the server
 * compares it with its own to show clock skew). Never used to order or decide anything.
 */
export async function readClientState(
  db: FieldSyncDb,
  storage: StorageManagerLike | undefined = (globalThis as { navigator?: { storage?: StorageManagerLike } }).navigator?.storage,
  now: () => Date = () => new Date(),
): Promise<Partial<ClientState>> {
  const [estimate, oldest, oldestParked] = await Promise.all([
    storage?.estimate?.().catch(() => undefined),
    db.outbox.orderBy("seq").first(),
    db.parked.orderBy("seq").first(),
  ]);
  const times = [oldest?.clientTime, oldestParked?.clientTime].filter((t): t is string => typeof t === "string").sort();
  const state: Partial<ClientState> = { oldestUnsentAt: times[0] ?? null, sentAt: now().toISOString() };
  if (typeof estimate?.usage === "number") state.storageUsedBytes = Math.round(estimate.usage);
  if (typeof estimate?.quota === "number") state.storageQuotaBytes = Math.round(estimate.quota);
  return state;
}
