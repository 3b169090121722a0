import { MUTABLE_FIELDS } from "@/lib/protocol";
import type { FieldSyncDb } from "../db/field-sync-db";
import { type AnyLocalRow, type JsonObject, SYNC_STATES } from "../db/types";
import { newEntry } from "./local-writes";
import { defaultPriority } from "./priority";
import { rebuildRecord } from "./rebuild-record";

/** What a pull from the start showed of each record: `type:offlineId` → the server's version. */
export type SeenOnServer = Map<string, number>;

export interface ResendSummary {
  /** Records the server no longer had: queued again as creates. */
  recreated: number;
  /** Records the server had at an older version: their newer content queued as an update. */
  restored: number;
}

/** The fields a create or a full update carries (responses name their assessment by offlineId). */
function writableContent(type: "assessment" | "response", row: AnyLocalRow): JsonObject {
  const out: JsonObject = {};
  for (const field of MUTABLE_FIELDS[type]) {
    if (type === "response" && field === "assessmentId") continue;
    const value = (row as JsonObject)[field];
    if (value !== undefined) out[field] = value;
  }
  return out;
}

/**
 * After a pull from the start that the server forced (it refused the device's cursor: another or
 * a restored database), compares what this device holds as synced with what the server showed:
 * - a record in scope the server did not show at all (not even as a delete) was lost by the
 *   server — a restore from a backup older than the record: it is queued again, whole, as a create;
 * - a record the server showed at an older version than the device acknowledged was rolled back:
 *   the device's newer content is queued as an update based on the server's version (the server
 *   merges it with anything changed since, or asks a human).
 * Records with unsent, parked or conflicted changes are left to those. Assessments are queued
 * before responses, so a re-created response follows its re-created assessment.
 */
export function resendLostRecords(db: FieldSyncDb, seen: SeenOnServer, scopeEntityIds: readonly string[]): Promise<ResendSummary> {
  const summary: ResendSummary = { recreated: 0, restored: 0 };
  const inScope = new Set(scopeEntityIds);
  const clientTime = new Date().toISOString();
  return db.transaction("rw", db.recordWriteTables, async () => {
    for (const type of ["assessment", "response"] as const) {
      const rows = await db
        .recordTable(type)
        .filter((r) => r.syncState === SYNC_STATES.SYNCED && !r.localDeleted && !r.serverDeleted)
        .toArray();
      for (const row of rows) {
        if (typeof row.entityId !== "string" || !inScope.has(row.entityId)) continue;
        const serverVersion = seen.get(`${type}:${row.offlineId}`);
        const content = writableContent(type, row);
        const priority = defaultPriority(type, content, Object.keys(content));
        if (serverVersion === undefined) {
          await db.outbox.add(
            newEntry({ type, action: "create", offlineId: row.offlineId, baseVersion: 0, priority, data: content, clientTime }),
          );
          summary.recreated++;
        } else if (serverVersion < row.serverVersion) {
          const { entityId: _e, assessmentOfflineId: _a, ...patch } = content;
          await db.outbox.add(
            newEntry({ type, action: "update", offlineId: row.offlineId, baseVersion: serverVersion, priority, data: patch, clientTime }),
          );
          summary.restored++;
        } else continue;
        await rebuildRecord(db, type, row.offlineId);
      }
    }
    return summary;
  });
}
