import "server-only";
import type { Tx } from "@/lib/server/db/client";

export function recordLoginFailure(tx: Tx, params: { email: string; ip: string }) {
  return tx.loginFailure.create({ data: params });
}

/** Failures for this email or this address since `since`, oldest first (for Retry-After). */
export async function getRecentLoginFailures(tx: Tx, params: { email: string; ip: string | null; since: Date }) {
  const where = (field: "email" | "ip", value: string) => ({ [field]: value, createdAt: { gt: params.since } });
  const [byEmail, byIp] = await Promise.all([
    tx.loginFailure.findMany({ where: where("email", params.email), orderBy: { createdAt: "asc" }, select: { createdAt: true } }),
    params.ip === null
      ? Promise.resolve([])
      : tx.loginFailure.findMany({ where: where("ip", params.ip), orderBy: { createdAt: "asc" }, select: { createdAt: true } }),
  ]);
  return { byEmail: byEmail.map((r) => r.createdAt), byIp: byIp.map((r) => r.createdAt) };
}

export function clearLoginFailures(tx: Tx, email: string) {
  return tx.loginFailure.deleteMany({ where: { email } });
}

export function pruneLoginFailures(tx: Tx, before: Date) {
  return tx.loginFailure.deleteMany({ where: { createdAt: { lt: before } } });
}
