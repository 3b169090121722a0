import "server-only";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { RecordType } from "@/lib/protocol";
import type { Tx } from "@/lib/server/db/client";

export function getProcessedMutation(tx: Tx, mutationId: string) {
  return tx.processedMutation.findUnique({ where: { mutationId } });
}

/** The ledger row is written in the transaction of the change it records: both or neither. */
export function insertProcessedMutation(
  tx: Tx,
  params: {
    mutationId: string;
    userId: string;
    deviceId: string | null;
    recordType: RecordType;
    offlineId: string;
    recordId: string | null;
    status: string;
    result: unknown;
    clientTime: Date | null;
  },
) {
  return tx.processedMutation.create({ data: { ...params, result: params.result as Prisma.InputJsonValue } });
}

export function insertRejectedMutation(
  tx: Tx,
  params: {
    mutationId: string | null;
    userId: string;
    deviceId: string | null;
    recordType: string | null;
    offlineId: string | null;
    payload: unknown;
    errorCode: string;
    errorMessage: string;
  },
) {
  return tx.rejectedMutation.create({ data: { ...params, payload: (params.payload ?? null) as Prisma.InputJsonValue } });
}

export function countRejectedMutations(tx: Tx, where: { userId?: string } = {}) {
  return tx.rejectedMutation.count({ where });
}
