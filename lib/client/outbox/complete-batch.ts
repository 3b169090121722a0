import { applyPaths, patchToPaths, pathsToPatch } from "@/lib/domain/merge";
import { ERROR_CODES, type PushResult } from "@/lib/protocol";
import type { FieldSyncDb } from "../db/field-sync-db";
import { type JsonObject, type OutboxEntry, type ParkedEntry, PENDING_CONFLICT } from "../db/types";
import { parkedCreates, waitsForRefusedCreate } from "./next-batch";
import { rebuildRecord, type ServerState } from "./rebuild-record";

/** The fields of a push result this module reads, whatever its status. */
interface ResultView {
  mutationId?: string;
  status: string;
  id?: string;
  version?: number;
  /** duplicate: the version this mutation produced when first applied. */
  appliedVersion?: number;
  record?: JsonObject;
  conflictId?: string;
  conflictingFields?: string[];
  error?: { code: string; message: string };
}

export interface CompleteSummary {
  accepted: number;
  conflicts: number;
  parked: number;
  /** Entries without a usable answer, returned to 'queued'. */
  unanswered: number;
}

/** The server state an accepted mutation leads to, when the answer carried no record. */
function impliedRecord(entry: OutboxEntry, base: JsonObject | undefined, result: ResultView): JsonObject {
  const patched = applyPaths(entry.action === "create" ? {} : (base ?? {}), patchToPaths(entry.data ?? {}));
  const out: JsonObject = { ...patched, offlineId: entry.offlineId };
  if (result.id !== undefined) out.id = result.id;
  if (result.version !== undefined) out.version = result.version;
  return out;
}

/**
 * The user's own later edit, now accepted, supersedes what their older conflict copies of the
 * record show: the fields it set no longer show the conflicted values (the server already has the
 * newer ones), and an accepted delete retires them whole (the record stays gone). The conflicts
 * stay pending on the server for a coordinator to decide; only this device's overlay changes.
 */
async function supersedeConflictCopies(db: FieldSyncDb, entry: OutboxEntry): Promise<void> {
  const older = await db.conflicts
    .where("offlineId")
    .equals(entry.offlineId)
    .filter((c) => c.status === PENDING_CONFLICT && (c.type === undefined || c.type === entry.type) && (c.seq ?? 0) < entry.seq)
    .toArray();
  if (older.length === 0) return;
  if (entry.action === "delete") {
    await db.conflicts.bulkDelete(older.map((c) => c.conflictId));
    return;
  }
  const accepted = patchToPaths(entry.data ?? {});
  for (const copy of older) {
    if (copy.action === "delete" || copy.data === undefined) continue;
    const remaining = Object.fromEntries(Object.entries(patchToPaths(copy.data)).filter(([path]) => !(path in accepted)));
    const data = Object.keys(remaining).length > 0 ? (pathsToPatch(remaining) as JsonObject) : undefined;
    await db.conflicts.put({ ...copy, data });
  }
}

/**
 * Applies the server's answers to a sent batch, in one transaction. `results[i]` answers
 * `batch[i]` (matched by mutationId when present). Nothing is ever dropped:
 * - applied / merged / duplicate: the server's record becomes the base; later unsent edits of the
 *   record stay on top (rebase) and their baseVersion becomes the answered version, since they
 *   were made on top of the answered change;
 * - conflict: the entry leaves the outbox, a local conflict copy keeps the edit visible with
 *   syncState 'conflict' until the conflict is decided (learned from pull);
 * - rejected: the entry moves to `parked` with the error; syncState 'parked' — unless a create it
 *   depends on was refused too: then it goes back to the queue, held until that create is settled;
 * - no answer / unknown status: back to 'queued' for the next attempt.
 * An entry no longer in the outbox under the same mutationId was already settled; it is skipped.
 */
export function completeBatch(
  db: FieldSyncDb,
  batch: readonly OutboxEntry[],
  results: readonly PushResult[],
  now: () => Date = () => new Date(),
): Promise<CompleteSummary> {
  const views = results as readonly ResultView[];
  const byMutationId = new Map(views.filter((r) => r.mutationId).map((r) => [r.mutationId as string, r]));
  const summary: CompleteSummary = { accepted: 0, conflicts: 0, parked: 0, unanswered: 0 };

  return db.transaction("rw", db.recordWriteTables, async () => {
    for (const [i, sent] of batch.entries()) {
      const entry = await db.outbox.get(sent.seq);
      if (!entry || entry.mutationId !== sent.mutationId) continue;
      const positional = views[i];
      const result = byMutationId.get(entry.mutationId) ?? (positional && !positional.mutationId ? positional : undefined);
      const { type, offlineId } = entry;

      switch (result?.status) {
        case "applied":
        case "merged":
        case "duplicate": {
          await db.outbox.delete(entry.seq);
          const row = await db.recordTable(type).get(offlineId);
          const server: ServerState =
            entry.action === "delete"
              ? { deleted: true, version: result.version }
              : {
                  record: result.record ?? impliedRecord(entry, row?.serverRecord, result),
                  id: result.id,
                  version: result.version ?? (typeof result.record?.version === "number" ? result.record.version : undefined),
                };
          if (server.version !== undefined) {
            // After a lost answer the record may have moved on since our edit was applied: queued
            // edits were made on top of our edit, so they start from the version it produced and
            // the server merges anything changed since (instead of our edit overwriting it).
            const version =
              result.status === "duplicate" && typeof result.appliedVersion === "number" ? result.appliedVersion : server.version;
            await db.outbox
              .where("offlineId")
              .equals(offlineId)
              .filter((e) => e.type === type && e.attempts === 0 && e.state === "queued")
              .modify({ baseVersion: version });
          }
          await supersedeConflictCopies(db, entry);
          await rebuildRecord(db, type, offlineId, server);
          summary.accepted++;
          break;
        }
        case "conflict": {
          await db.outbox.delete(entry.seq);
          await db.conflicts.put({
            conflictId: result.conflictId ?? `unnamed:${entry.mutationId}`,
            offlineId,
            type,
            status: PENDING_CONFLICT,
            conflictingFields: result.conflictingFields ?? [],
            seq: entry.seq,
            mutationId: entry.mutationId,
            action: entry.action,
            baseVersion: entry.baseVersion,
            serverVersion: result.version,
            data: entry.data,
            recordId: result.id,
            detectedAt: now().toISOString(),
          });
          // The server's current record, when given, is the new base; the edit stays on top.
          await rebuildRecord(
            db,
            type,
            offlineId,
            result.record ? { record: result.record, id: result.id, version: result.version } : undefined,
          );
          summary.conflicts++;
          break;
        }
        case "rejected": {
          await db.outbox.delete(entry.seq);
          if (waitsForRefusedCreate(entry, await parkedCreates(db))) {
            // Refused because a create it depends on was refused (earlier in this batch), not on
            // its own merits: back to the queue, held by nextBatch until that create is retried
            // or discarded. A new mutationId, as for a retried parked entry.
            await db.outbox.add({ ...entry, mutationId: crypto.randomUUID(), state: "queued", attempts: 0 });
            await rebuildRecord(db, type, offlineId);
            break;
          }
          const parked: ParkedEntry = {
            ...entry,
            state: "queued",
            error: result.error ?? { code: ERROR_CODES.INTERNAL, message: "rejected without an error" },
            parkedAt: now().toISOString(),
          };
          await db.parked.put(parked);
          await rebuildRecord(db, type, offlineId);
          summary.parked++;
          break;
        }
        default:
          if (entry.state === "inflight") await db.outbox.put({ ...entry, state: "queued" });
          summary.unanswered++;
      }
    }
    return summary;
  });
}
