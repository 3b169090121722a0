import "server-only";
import type { RecordType } from "@/lib/protocol";
import type { Tx } from "@/lib/server/db/client";
import {
  hideMediaOfDeletedRecords,
  insertConflicts,
  insertLedgerRows,
  insertRecords,
  insertRejections,
  insertVersions,
  type RejectionInsert,
  updateRecords,
} from "@/lib/server/queries/push-sql";
import type { RecordRow } from "@/lib/server/queries/records";
import type { Stamp } from "../change-seq";
import type { Effects, RecordWrite } from "./decide";

const TYPES = ["entity", "assessment", "response"] as const;

/**
 * The writer: the decided effects of any number of mutations, one statement per table —
 * records inserted (entities, then assessments, then responses: a row's references exist before
 * it) and updated to their final state in the batch, history snapshots, conflicts, ledger rows,
 * rejections, and the media of deleted records hidden. Returns the rows to stamp with change
 * numbers, in the order the changes happened (change-seq.ts draws them last).
 */
export async function writeEffects(tx: Tx, all: readonly Effects[], rejections: readonly RejectionInsert[] = []): Promise<Stamp[]> {
  const finals = new Map<string, RecordWrite>();
  for (const e of all)
    for (const w of e.records) {
      const key = `${w.type}#${w.row.id}`;
      finals.set(key, { type: w.type, row: w.row, created: (finals.get(key)?.created ?? false) || w.created });
    }
  const byType = (created: boolean) =>
    TYPES.map((type) => [type, [...finals.values()].filter((w) => w.type === type && w.created === created).map((w) => w.row)] as const);
  for (const [type, rows] of byType(true)) await insertRecords(tx, type, rows);
  for (const [type, rows] of byType(false)) await updateRecords(tx, type, rows);
  await insertVersions(
    tx,
    all.flatMap((e) => e.versions),
  );
  await insertConflicts(
    tx,
    all.flatMap((e) => e.conflicts),
  );
  await insertLedgerRows(
    tx,
    all.flatMap((e) => (e.ledger ? [e.ledger] : [])),
  );
  await insertRejections(tx, rejections);
  return stampsOf(tx, all);
}

/** The effects' change stamps, with the media each deleted record hid in its place. */
async function stampsOf(tx: Tx, all: readonly Effects[]): Promise<Stamp[]> {
  const deleted = all.flatMap((e) => e.touched.flatMap((t) => ("hideMediaOf" in t ? [t.hideMediaOf] : [])));
  const hidden =
    deleted.length === 0
      ? []
      : await hideMediaOfDeletedRecords(
          tx,
          deleted.filter((d) => d.type !== "entity").map((d) => d.id),
          deleted.filter((d) => d.type === "entity").map((d) => d.id),
          new Date(),
        );
  const claimed = new Set<string>();
  const stamps: Stamp[] = [];
  for (const e of all)
    for (const t of e.touched) {
      if (!("hideMediaOf" in t)) {
        stamps.push(t);
        continue;
      }
      // A photo hidden by two deletes of the batch (its record and its entity) belongs to the first.
      const { type, id } = t.hideMediaOf;
      for (const m of hidden)
        if ((type === "entity" ? m.entityId : m.parentId) === id && !claimed.has(m.id)) {
          claimed.add(m.id);
          stamps.push({ table: "Media", id: m.id });
        }
    }
  return stamps;
}

/** One record's new version, written at once (the one-record path). */
export async function writeRecordVersion(tx: Tx, type: RecordType, row: RecordRow, version: Effects["versions"][number]): Promise<void> {
  await updateRecords(tx, type, [row]);
  await insertVersions(tx, [version]);
}
