import "server-only";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { RecordType } from "@/lib/protocol";
import type { Tx } from "@/lib/server/db/client";

/** Stores the snapshot of `version` — the base a later three-way merge starts from. */
export function insertRecordVersion(
  tx: Tx,
  params: {
    recordType: RecordType;
    recordId: string;
    version: number;
    snapshot: unknown;
    changedById: string | null;
    mutationId?: string | null;
  },
) {
  return tx.recordVersion.create({
    data: { ...params, snapshot: params.snapshot as Prisma.InputJsonValue, mutationId: params.mutationId ?? null },
  });
}

export async function getRecordVersion(tx: Tx, params: { recordType: RecordType; recordId: string; version: number }) {
  const row = await tx.recordVersion.findUnique({ where: { recordType_recordId_version: params } });
  return row?.snapshot ?? null;
}
