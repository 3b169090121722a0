import "server-only";
import type { RecordType, Role } from "@/lib/protocol";
import { errors } from "@/lib/server/errors";
import type { PublicUser } from "@/lib/server/queries/users";

/** Who may write each record type (PROTOCOL §1–2). COORDINATOR and ADMIN write everything. */
export const WRITERS: Record<RecordType, readonly Role[]> = {
  entity: ["COORDINATOR", "ADMIN"],
  assessment: ["ASSESSOR", "COORDINATOR", "ADMIN"],
  response: ["RESPONDER", "COORDINATOR", "ADMIN"],
};

/** null scope = every entity (coordinators and admins). */
export type Scope = readonly string[] | null;

export function isInScope(scope: Scope, entityId: string): boolean {
  return scope === null || scope.includes(entityId);
}

export function assertCanWrite(user: PublicUser, type: RecordType): void {
  if (!WRITERS[type].includes(user.role)) throw errors.forbidden(`A ${user.role.toLowerCase()} may not write ${type} records`);
}

export function assertInScope(scope: Scope, entityId: string): void {
  if (!isInScope(scope, entityId)) throw errors.forbidden("That entity is not assigned to you");
}
