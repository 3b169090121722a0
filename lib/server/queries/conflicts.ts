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

/** Newest first, keyset-paged on (detectedAt, id). */
export function listConflicts(tx: Tx, params: { status?: ConflictStatus; before?: { detectedAt: Date; id: string }; limit: number }) {
  const where: Prisma.ConflictWhereInput = {
    ...(params.status ? { status: params.status } : {}),
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
