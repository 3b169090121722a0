import "server-only";
import type { Tx } from "@/lib/server/db/client";

/** What a push's clientState tells about the device (undefined: not told, keep what is stored). */
export interface DeviceHealth {
  storageUsedBytes?: number;
  storageQuotaBytes?: number;
  oldestUnsentAt?: Date | null;
  clockSkewMs?: number;
}

/** Records a device's push or pull; a device id is bound to the first user that used it. */
export async function touchDevice(
  tx: Tx,
  params: { deviceId: string; userId: string; kind: "push" | "pull"; pendingCount?: number; appVersion?: string } & DeviceHealth,
) {
  const now = new Date();
  const stamp = params.kind === "push" ? { lastPushAt: now } : { lastPullAt: now };
  const extra = {
    ...(params.pendingCount !== undefined ? { pendingCount: params.pendingCount } : {}),
    ...(params.appVersion !== undefined ? { appVersion: params.appVersion } : {}),
    ...(params.storageUsedBytes !== undefined ? { storageUsedBytes: BigInt(params.storageUsedBytes) } : {}),
    ...(params.storageQuotaBytes !== undefined ? { storageQuotaBytes: BigInt(params.storageQuotaBytes) } : {}),
    ...(params.oldestUnsentAt !== undefined ? { oldestUnsentAt: params.oldestUnsentAt } : {}),
    ...(params.clockSkewMs !== undefined ? { clockSkewMs: params.clockSkewMs } : {}),
  };
  await tx.device.upsert({
    where: { id: params.deviceId },
    create: { id: params.deviceId, userId: params.userId, ...stamp, ...extra },
    update: { userId: params.userId, ...stamp, ...extra },
  });
}

export function listDevices(tx: Tx) {
  return tx.device.findMany({
    include: { user: { select: { id: true, name: true, email: true } } },
    orderBy: [{ updatedAt: "desc" }],
  });
}
