import "server-only";
import type { Tx } from "@/lib/server/db/client";

export function recordLoginFailure(tx: Tx, params: { email: string; ip: string }) {
  return tx.loginFailure.create({ data: params });
}

/**
 * Recent failures, oldest first (for Retry-After): every failure for this email, and for this
 * address one entry per distinct email that failed from it (its latest failure). Repeats of one
 * email are the per-email limit's business; the per-address limit is for one address trying many
 * accounts (password spraying), and counting distinct emails keeps one user mistyping their own
 * password from locking out everyone behind the same address (a field office's shared uplink).
 */
export async function getRecentLoginFailures(tx: Tx, params: { email: string; ip: string | null; since: Date }) {
  const [byEmail, byIp] = await Promise.all([
    tx.loginFailure.findMany({
      where: { email: params.email, createdAt: { gt: params.since } },
      orderBy: { createdAt: "asc" },
      select: { createdAt: true },
    }),
    params.ip === null
      ? Promise.resolve([])
      : tx.loginFailure.groupBy({ by: ["email"], where: { ip: params.ip, createdAt: { gt: params.since } }, _max: { createdAt: true } }),
  ]);
  return {
    byEmail: byEmail.map((r) => r.createdAt),
    byIp: byIp
      .map((r) => r._max.createdAt)
      .filter((d): d is Date => d !== null)
      .sort((a, b) => a.getTime() - b.getTime()),
  };
}

export function clearLoginFailures(tx: Tx, email: string) {
  return tx.loginFailure.deleteMany({ where: { email } });
}

export function pruneLoginFailures(tx: Tx, before: Date) {
  return tx.loginFailure.deleteMany({ where: { createdAt: { lt: before } } });
}
