import "server-only";
import type { Role } from "@/lib/protocol";
import { hashPassword } from "@/lib/server/auth/password";
import type { Tx } from "@/lib/server/db/client";
import { getDb } from "@/lib/server/db/client";
import type { Sql } from "@/lib/server/db/sql";
import { AppError, errors, SERVER_ERROR_CODES } from "@/lib/server/errors";
import { deactivateAssignment, findActiveEntityIds, getActiveEntityIds, upsertAssignment } from "@/lib/server/queries/assignments";
import { type EntityInput, getEntityById, insertEntity, listEntities } from "@/lib/server/queries/entities";
import { createUser, getUserByEmail, getUserById, listUsers, type PublicUser } from "@/lib/server/queries/users";
import { insertRecordVersion } from "@/lib/server/queries/versions";
import { stampChanges } from "@/lib/server/sync/change-seq";
import { toEntityRecord } from "@/lib/server/sync/serialize";

export async function createUserAccount(
  tx: Tx,
  params: { email: string; name: string; role: Role; password: string },
): Promise<PublicUser> {
  if (await getUserByEmail(tx, params.email)) {
    throw new AppError(SERVER_ERROR_CODES.ALREADY_EXISTS, `A user with the email ${params.email} already exists`);
  }
  const passwordHash = await hashPassword(params.password);
  try {
    return await createUser(tx, { email: params.email, name: params.name, role: params.role, passwordHash });
  } catch (error) {
    // Two admins racing on one email: the unique index decides.
    if ((error as { code?: string }).code === "P2002") {
      throw new AppError(SERVER_ERROR_CODES.ALREADY_EXISTS, `A user with the email ${params.email} already exists`);
    }
    throw error;
  }
}

/** Creates an entity at version 1 with its snapshot and change number, in one transaction. */
export async function createEntity(params: EntityInput & { id?: string; createdById: string | null }, db?: Tx) {
  const run = async (tx: Tx) => {
    const row = await insertEntity(tx, params);
    await insertRecordVersion(tx, {
      recordType: "entity",
      recordId: row.id,
      version: 1,
      snapshot: toEntityRecord(row),
      changedById: params.createdById,
    });
    await stampChanges(tx, [{ table: "Entity", id: row.id }]);
    return toEntityRecord(row);
  };
  if (db) return run(db);
  return (await getDb()).$transaction((tx) => run(tx));
}

async function assertAssignable(tx: Tx, params: { userId: string; entityId: string }, options: { deletedEntityOk?: boolean } = {}) {
  const [user, entity] = await Promise.all([getUserById(tx, params.userId), getEntityById(tx, params.entityId)]);
  if (!user) throw errors.notFound("User");
  if (!entity || (entity.deletedAt && !options.deletedEntityOk)) throw errors.notFound("Entity");
}

/** Assigning stamps a change number, so the next pull notices the scope grew (see pull cursor). */
export async function assignUser(params: { userId: string; entityId: string }, db?: Tx) {
  const run = async (tx: Tx) => {
    await assertAssignable(tx, params);
    const row = await upsertAssignment(tx, params);
    await stampChanges(tx, [{ table: "Assignment", id: row.id }]);
    return { id: row.id, userId: row.userId, entityId: row.entityId, active: true, createdAt: row.createdAt.toISOString() };
  };
  if (db) return run(db);
  return (await getDb()).$transaction((tx) => run(tx));
}

export async function unassignUser(params: { userId: string; entityId: string }): Promise<void> {
  const db = await getDb();
  await db.$transaction(async (tx) => {
    // Ending an assignment works for a deleted entity too: it could be restored later.
    await assertAssignable(tx, params, { deletedEntityOk: true });
    await deactivateAssignment(tx, params);
  });
}

/** Coordinators and admins see every entity; everyone else only the entities assigned to them. */
export function isScoped(user: Pick<PublicUser, "role">): boolean {
  return user.role !== "COORDINATOR" && user.role !== "ADMIN";
}

/** The entity ids a user may see now; null means all (coordinators and admins). */
export async function getScope(tx: Tx, user: PublicUser): Promise<string[] | null> {
  if (!isScoped(user)) return null;
  return getActiveEntityIds(tx, user.id);
}

/** getScope as one plain statement on `sql` (a push reads it through the pg pool: sql.ts dbSql). */
export async function readScope(sql: Sql, user: PublicUser): Promise<string[] | null> {
  return isScoped(user) ? findActiveEntityIds(sql, user.id) : null;
}

export async function listVisibleEntities(user: PublicUser) {
  const db = await getDb();
  const scope = await getScope(db, user);
  return (await listEntities(db, scope ? { entityIds: scope } : {})).map(toEntityRecord);
}

export async function listAllUsers() {
  return listUsers(await getDb());
}
