import "server-only";
import type { Tx } from "@/lib/server/db/client";
import { uuidv7 } from "@/lib/server/ids";

export function insertSession(tx: Tx, params: { tokenHash: string; userId: string; expiresAt: Date }) {
  return tx.session.create({ data: { id: uuidv7(), ...params } });
}

export function getActiveSessionByTokenHash(tx: Tx, tokenHash: string, now: Date) {
  return tx.session.findFirst({
    where: { tokenHash, expiresAt: { gt: now }, user: { active: true } },
    include: { user: { select: { id: true, email: true, name: true, role: true } } },
  });
}

export function deleteSessionByTokenHash(tx: Tx, tokenHash: string) {
  return tx.session.deleteMany({ where: { tokenHash } });
}

export function deleteExpiredSessions(tx: Tx, now: Date) {
  return tx.session.deleteMany({ where: { expiresAt: { lte: now } } });
}
