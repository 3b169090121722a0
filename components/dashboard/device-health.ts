import type { DeviceSummary } from "@/lib/protocol";

/** The time of the device's last contact with the server. */
export function lastSeen(d: Pick<DeviceSummary, "lastPushAt" | "lastPullAt">): number | null {
  const times = [d.lastPushAt, d.lastPullAt].filter((t): t is string => !!t).map(Date.parse);
  return times.length ? Math.max(...times) : null;
}

export function isSilent(d: Pick<DeviceSummary, "lastPushAt" | "lastPullAt">, hours: number, now = Date.now()): boolean {
  const seen = lastSeen(d);
  return seen === null || now - seen > hours * 3_600_000;
}
