import "server-only";
import type { DeviceSummary } from "@/lib/protocol";
import { getDb } from "@/lib/server/db/client";
import { countRejectionsByDevice } from "@/lib/server/queries/dashboard";
import { listDevices } from "@/lib/server/queries/devices";

export async function listDeviceSummaries(): Promise<DeviceSummary[]> {
  const db = await getDb();
  const [rows, rejected] = await Promise.all([listDevices(db), countRejectionsByDevice(db)]);
  return rows.map((d) => ({
    deviceId: d.id,
    user: d.user,
    lastPushAt: d.lastPushAt?.toISOString() ?? null,
    lastPullAt: d.lastPullAt?.toISOString() ?? null,
    pendingCount: d.pendingCount ?? null,
    appVersion: d.appVersion ?? null,
    storageUsedBytes: d.storageUsedBytes === null ? null : Number(d.storageUsedBytes),
    storageQuotaBytes: d.storageQuotaBytes === null ? null : Number(d.storageQuotaBytes),
    oldestUnsentAt: d.oldestUnsentAt?.toISOString() ?? null,
    clockSkewMs: d.clockSkewMs ?? null,
    rejectedCount: rejected.get(d.id) ?? 0,
  })) as DeviceSummary[];
}
