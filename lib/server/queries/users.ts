import "server-only";
import type { Role } from "@/lib/protocol";
import type { Tx } from "@/lib/server/db/client";
import { uuidv7 } from "@/lib/server/ids";

export interface PublicUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

const publicSelect = { id: true, email: true, name: true, role: true } as const;

export function getUserByEmail(tx: Tx, email: string) {
  return tx.user.findUnique({ where: { email } });
}

export function getUserById(tx: Tx, id: string): Promise<PublicUser | null> {
  return tx.user.findUnique({ where: { id }, select: publicSelect });
}

export function createUser(tx: Tx, params: { email: string; name: string; role: Role; passwordHash: string }): Promise<PublicUser> {
  return tx.user.create({ data: { id: uuidv7(), ...params }, select: publicSelect });
}

export function listUsers(tx: Tx): Promise<PublicUser[]> {
  return tx.user.findMany({ select: publicSelect, orderBy: { email: "asc" } });
}

export function countUsers(tx: Tx): Promise<number> {
  return tx.user.count();
}
