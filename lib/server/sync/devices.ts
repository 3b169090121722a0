import "server-only";
import type { DeviceSummary } from "@/lib/protocol";
import { getDb } from "@/lib/server/db/client";
import { listDevices } from "@/lib/server/queries/devices";

export async function listDeviceSummaries(): Promise<DeviceSummary[]> {
  const rows = await listDevices(await getDb());
  return rows.map((d) => ({
    deviceId: d.id,
    user: d.user,
    lastPushAt: d.lastPushAt?.toISOString() ?? null,
    lastPullAt: d.lastPullAt?.toISOString() ?? null,
    pendingCount: d.pendingCount ?? null,
    appVersion: d.appVersion ?? null,
  })) as DeviceSummary[];
}
