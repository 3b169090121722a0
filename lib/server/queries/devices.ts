import "server-only";
import type { Tx } from "@/lib/server/db/client";
import type { Sql } from "@/lib/server/db/sql";

/** What a push's clientState tells about the device (undefined: not told, keep what is stored). */
export interface DeviceHealth {
  storageUsedBytes?: number;
  storageQuotaBytes?: number;
  oldestUnsentAt?: Date | null;
  clockSkewMs?: number;
}

/**
 * Records a device's push or pull in one statement; a device id is bound to the user that used it
 * last. Fields left undefined keep what is stored (a push without clientState, every pull).
 */
export async function touchDevice(
  sql: Sql,
  params: { deviceId: string; userId: string; kind: "push" | "pull"; pendingCount?: number; appVersion?: string } & DeviceHealth,
): Promise<void> {
  const now = new Date();
  const columns: [name: string, type: string, value: unknown][] = [
    [params.kind === "push" ? "lastPushAt" : "lastPullAt", "timestamptz", now],
    ["pendingCount", "int4", params.pendingCount],
    ["appVersion", "text", params.appVersion],
    ["storageUsedBytes", "int8", params.storageUsedBytes],
    ["storageQuotaBytes", "int8", params.storageQuotaBytes],
    ["oldestUnsentAt", "timestamptz", params.oldestUnsentAt],
    ["clockSkewMs", "int4", params.clockSkewMs],
  ];
  const given = columns.filter(([, , value]) => value !== undefined);
  const names = given.map(([name]) => `"${name}"`);
  await sql.exec(
    `INSERT INTO "Device" ("id", "userId", "createdAt", "updatedAt", ${names.join(", ")})
     VALUES ($1::uuid, $2::uuid, $3::timestamptz, $3::timestamptz, ${given.map(([, type], i) => `$${i + 4}::${type}`).join(", ")})
     ON CONFLICT ("id") DO UPDATE SET "userId" = EXCLUDED."userId", "updatedAt" = EXCLUDED."updatedAt",
       ${names.map((n) => `${n} = EXCLUDED.${n}`).join(", ")}`,
    [params.deviceId, params.userId, now, ...given.map(([, , value]) => value)],
  );
}

export function listDevices(tx: Tx) {
  return tx.device.findMany({
    include: { user: { select: { id: true, name: true, email: true } } },
    orderBy: [{ updatedAt: "desc" }],
  });
}
