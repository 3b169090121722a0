import "server-only";
import type { Conflict, Prisma } from "@/lib/generated/prisma/client";
import type { ConflictStatus, RecordType } from "@/lib/protocol";
import type { Tx } from "@/lib/server/db/client";

export interface NewConflict {
  id: string;
  recordType: RecordType;
  recordId: string;
  recordOfflineId: string;
  entityId: string;
  kind: "UPDATE" | "DELETION";
  status: ConflictStatus;
  method: string | null;
  baseVersion: number;
  serverVersion: number;
  base: unknown;
  server: unknown;
  client: unknown;
  patch: unknown;
  conflictingFields: string[];
  mutationId: string;
  submittedById: string;
  deviceId: string | null;
  resolution?: unknown;
  resolvedAt?: Date | null;
}

const json = (v: unknown) => (v ?? null) as Prisma.InputJsonValue;

export function insertConflict(tx: Tx, c: NewConflict) {
  return tx.conflict.create({
    data: {
      ...c,
      base: json(c.base),
      server: json(c.server),
      client: json(c.client),
      patch: json(c.patch),
      resolution: c.resolution === undefined ? undefined : json(c.resolution),
    },
  });
}

export function getConflictById(tx: Tx, id: string) {
  return tx.conflict.findUnique({ where: { id } });
}

export interface ConflictFilter {
  status?: ConflictStatus[];
  type?: RecordType;
  /** Assessment type, or RESPONSE (every response). */
  form?: string;
  entityId?: string;
  submittedById?: string;
  kind?: "UPDATE" | "DELETION";
}

function filterWhere(f: ConflictFilter): Prisma.ConflictWhereInput {
  const formWhere: Prisma.ConflictWhereInput | undefined =
    f.form === undefined
      ? undefined
      : f.form === "RESPONSE"
        ? { recordType: "response" }
        : { recordType: "assessment", server: { path: ["assessmentType"], equals: f.form } };
  return {
    ...(f.status ? { status: { in: f.status } } : {}),
    ...(f.type ? { recordType: f.type } : {}),
    ...(f.entityId ? { entityId: f.entityId } : {}),
    ...(f.submittedById ? { submittedById: f.submittedById } : {}),
    ...(f.kind ? { kind: f.kind } : {}),
    ...(formWhere ? { AND: [formWhere] } : {}),
  };
}

export function countConflicts(tx: Tx, filter: ConflictFilter) {
  return tx.conflict.count({ where: filterWhere(filter) });
}

/** Newest first, keyset-paged on (detectedAt, id). */
export function listConflicts(tx: Tx, params: ConflictFilter & { before?: { detectedAt: Date; id: string }; limit: number }) {
  const where: Prisma.ConflictWhereInput = {
    ...filterWhere(params),
    ...(params.before
      ? {
          OR: [{ detectedAt: { lt: params.before.detectedAt } }, { detectedAt: params.before.detectedAt, id: { lt: params.before.id } }],
        }
      : {}),
  };
  return tx.conflict.findMany({ where, orderBy: [{ detectedAt: "desc" }, { id: "desc" }], take: params.limit });
}

export function markConflictResolved(tx: Tx, params: { id: string; resolvedById: string; method: string; resolution: unknown }) {
  return tx.conflict.update({
    where: { id: params.id },
    data: {
      status: "RESOLVED",
      resolvedById: params.resolvedById,
      resolvedAt: new Date(),
      method: params.method,
      resolution: json(params.resolution),
    },
  });
}

export type UserNames = Map<string, { id: string; name: string }>;

/** The id and name of everyone who submitted or resolved these conflicts, by id. */
export async function conflictUserNames(tx: Tx, rows: Pick<Conflict, "submittedById" | "resolvedById">[]): Promise<UserNames> {
  const ids = [...new Set(rows.flatMap((r) => [r.submittedById, r.resolvedById]).filter((id): id is string => !!id))];
  if (ids.length === 0) return new Map();
  const users = await tx.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
  return new Map(users.map((u) => [u.id, u]));
}

/** The names of these entities, by id (deleted ones too: a conflict may outlive its entity). */
export async function entityNames(tx: Tx, ids: readonly string[]): Promise<Map<string, { id: string; name: string }>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await tx.entity.findMany({ where: { id: { in: unique } }, select: { id: true, name: true } });
  return new Map(rows.map((e) => [e.id, e]));
}
