import { afterEach } from "vitest";
import { type FieldSyncDb, openFieldSyncDb } from "@/lib/client/db/field-sync-db";

const opened: FieldSyncDb[] = [];
let counter = 0;

/** A fresh database per call (one per test, or per simulated device), deleted after the test. */
export async function freshDb(label = "db"): Promise<FieldSyncDb> {
  const db = await openFieldSyncDb(`test-${label}-${process.pid}-${++counter}-${crypto.randomUUID()}`);
  opened.push(db);
  return db;
}

afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.close();
    await db.delete().catch(() => undefined);
  }
});

export const ENTITY_A = "00000000-0000-4000-8000-00000000000a";
export const ENTITY_B = "00000000-0000-4000-8000-00000000000b";

export function assessmentInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    entityId: ENTITY_A,
    assessmentType: "WASH",
    status: "DRAFT",
    data: { waterSource: "BOREHOLE" },
    ...overrides,
  };
}

/** A server-shaped assessment record. */
export function serverAssessment(offlineId: string, version: number, overrides: Record<string, unknown> = {}) {
  return {
    id: `10000000-0000-4000-8000-${offlineId.slice(-12)}`,
    offlineId,
    entityId: ENTITY_A,
    assessorId: "20000000-0000-4000-8000-000000000001",
    assessmentType: "WASH",
    status: "DRAFT",
    data: { waterSource: "BOREHOLE" },
    version,
    verificationStatus: "DRAFT",
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: `2026-01-01T00:00:0${Math.min(version, 9)}.000Z`,
    deletedAt: null,
    ...overrides,
  };
}
