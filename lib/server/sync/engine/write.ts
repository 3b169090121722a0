import "server-only";
import type { RecordType } from "@/lib/protocol";
import type { Sql } from "@/lib/server/db/sql";
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
import { drawStamps, type Stamp, type StampTable, setChangeSeqs } from "../change-seq";
import { STAMP_TABLE } from "../records";
import type { Effects, RecordWrite } from "./decide";

const TYPES = ["entity", "assessment", "response"] as const;

/**
 * The writer: the decided effects of any number of mutations, one statement per table. First
 * what carries no change number — history snapshots, ledger rows, rejections — and the media of
 * deleted records hidden; then the batch's change numbers are drawn at once (change-seq.ts), and
 * the records (inserted: entities, then assessments, then responses, so a row's references exist
 * before it; updated: to their final state in the batch) and conflicts are written WITH their
 * numbers — no second pass over the rows to stamp them, and the counter is held only for those
 * statements and the COMMIT.
 */
export async function writeEffects(sql: Sql, all: readonly Effects[], rejections: readonly RejectionInsert[] = []): Promise<void> {
  await insertVersions(
    sql,
    all.flatMap((e) => e.versions),
  );
  await insertLedgerRows(
    sql,
    all.flatMap((e) => (e.ledger ? [e.ledger] : [])),
  );
  await insertRejections(sql, rejections);
  const seqs = await drawStamps(sql, await stampsOf(sql, all));
  const seqOf = (table: StampTable, id: string) => seqs.get(table)?.get(id) ?? null;

  const finals = new Map<string, RecordWrite>();
  for (const e of all)
    for (const w of e.records) {
      const key = `${w.type}#${w.row.id}`;
      finals.set(key, { type: w.type, row: w.row, created: (finals.get(key)?.created ?? false) || w.created });
    }
  for (const created of [true, false])
    for (const type of TYPES) {
      const rows = [...finals.values()]
        .filter((w) => w.type === type && w.created === created)
        .map((w) => ({ row: w.row, changeSeq: seqOf(STAMP_TABLE[type], w.row.id) }));
      await (created ? insertRecords : updateRecords)(sql, type, rows);
    }
  await insertConflicts(
    sql,
    all.flatMap((e) => e.conflicts.map((c) => ({ ...c, changeSeq: String(seqOf("Conflict", c.id) ?? 0n) }))),
  );
  await setChangeSeqs(sql, "Media", seqs.get("Media") ?? new Map());
}

/** The effects' change stamps in order, with the media each deleted record hid (now) in its place. */
async function stampsOf(sql: Sql, all: readonly Effects[]): Promise<Stamp[]> {
  const deleted = all.flatMap((e) => e.touched.flatMap((t) => ("hideMediaOf" in t ? [t.hideMediaOf] : [])));
  const hidden =
    deleted.length === 0
      ? []
      : await hideMediaOfDeletedRecords(
          sql,
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
export async function writeRecordVersion(sql: Sql, type: RecordType, row: RecordRow, version: Effects["versions"][number]): Promise<void> {
  await updateRecords(sql, type, [{ row, changeSeq: null }]); // the caller stamps it
  await insertVersions(sql, [version]);
}
