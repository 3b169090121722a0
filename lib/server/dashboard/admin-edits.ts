import "server-only";
import { patchToPaths } from "@/lib/domain";
import type { AdminUser, Assignment, EntityRecord, UpdateEntityRequest, UpdateUserRequest } from "@/lib/protocol";
import { hashPassword } from "@/lib/server/auth/password";
import { getDb } from "@/lib/server/db/client";
import { AppError, errors, SERVER_ERROR_CODES } from "@/lib/server/errors";
import { deleteUserSessions, listActiveAssignments, listAdminUsers, updateUserRow } from "@/lib/server/queries/dashboard";
import { findRecordById, lockRecordKey } from "@/lib/server/queries/records";
import type { PublicUser } from "@/lib/server/queries/users";
import { stampChanges } from "@/lib/server/sync/change-seq";
import { writeRecordChange } from "@/lib/server/sync/engine/record-change";
import { toEntityRecord } from "@/lib/server/sync/serialize";

export async function listUsersForAdmin(): Promise<AdminUser[]> {
  return listAdminUsers(await getDb());
}

/**
 * Renames, re-roles, disables/enables a user or resets their password. Disabling or a new
 * password ends every session of theirs (a lost device is signed out). An admin cannot disable
 * or demote themselves: the last admin would lock everyone out.
 */
export async function updateUserAccount(actor: PublicUser, id: string, req: UpdateUserRequest): Promise<AdminUser> {
  if (actor.id === id && (req.active === false || (req.role !== undefined && req.role !== "ADMIN"))) {
    throw errors.validation("You cannot disable your own account or remove your own admin role");
  }
  const db = await getDb();
  return db.$transaction(async (tx) => {
    const found = await tx.user.findUnique({ where: { id }, select: { id: true } });
    if (!found) throw errors.notFound("User");
    const { password, ...rest } = req;
    try {
      const user = await updateUserRow(tx, id, { ...rest, ...(password ? { passwordHash: await hashPassword(password) } : {}) });
      if (req.active === false || password) await deleteUserSessions(tx, id);
      return user;
    } catch (error) {
      if ((error as { code?: string }).code === "P2002") {
        throw new AppError(SERVER_ERROR_CODES.ALREADY_EXISTS, `A user with the email ${req.email} already exists`);
      }
      throw error;
    }
  });
}

/** An entity edit by an admin: a new version with its snapshot and change number, pulled by devices. */
export async function updateEntity(actor: PublicUser, id: string, req: UpdateEntityRequest): Promise<EntityRecord> {
  const db = await getDb();
  return db.$transaction(async (tx) => {
    const found = await findRecordById(tx, "entity", id);
    if (!found || found.deletedAt) throw errors.notFound("Entity");
    await lockRecordKey(tx, "entity", found.offlineId);
    const row = (await findRecordById(tx, "entity", id)) ?? found;
    const { expectedVersion, ...fields } = req;
    if (expectedVersion !== undefined && expectedVersion !== row.version) {
      throw new AppError(SERVER_ERROR_CODES.STALE_RESOLUTION, `The entity is at version ${row.version} now; reload it and edit again`);
    }
    const server = toEntityRecord(row);
    const written = await writeRecordChange(tx, { user: actor }, "entity", row, server, patchToPaths(fields), null);
    if (written.changed) await stampChanges(tx, [{ table: "Entity", id: row.id }]);
    return written.record as EntityRecord;
  });
}

export async function listAssignments(p: { userId?: string; entityId?: string }): Promise<Assignment[]> {
  const rows = await listActiveAssignments(await getDb(), p);
  return rows.map((a) => ({ id: a.id, userId: a.userId, entityId: a.entityId, active: a.active, createdAt: a.createdAt.toISOString() }));
}
