import "server-only";
import type { EntityType } from "@/lib/protocol";
import type { Tx } from "@/lib/server/db/client";
import { uuidv7 } from "@/lib/server/ids";

export interface EntityInput {
  name: string;
  type: EntityType;
  lga: string;
  ward: string;
  latitude: number;
  longitude: number;
  autoApprove: boolean;
}

export function insertEntity(tx: Tx, params: EntityInput & { id?: string; offlineId?: string; createdById: string | null }) {
  const id = params.id ?? uuidv7();
  return tx.entity.create({
    data: {
      ...params,
      id,
      offlineId: params.offlineId ?? id,
      lastModifiedById: params.createdById,
    },
  });
}

export function listEntities(tx: Tx, params: { entityIds?: string[] } = {}) {
  return tx.entity.findMany({
    where: { deletedAt: null, ...(params.entityIds ? { id: { in: params.entityIds } } : {}) },
    orderBy: [{ lga: "asc" }, { name: "asc" }],
  });
}

export function getEntityById(tx: Tx, id: string) {
  return tx.entity.findUnique({ where: { id } });
}

export function countEntities(tx: Tx) {
  return tx.entity.count();
}
