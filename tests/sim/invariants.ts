/**
 * What must hold after a simulated run has settled (issue 11 §2), checked against the server's
 * database and every device's Dexie database:
 *
 * - ledger: every mutation a device heard answered applied/merged/duplicate/conflict is in the
 *   server's ledger exactly once (one row per mutationId); one that was answered rejected is in
 *   the rejection log and was never applied; nothing is in the ledger that no device sent;
 * - history: one row per offlineId; every record's history holds exactly versions 1..version; no
 *   mutation produced two versions, and every version a mutation produced is in the ledger as
 *   applied or merged;
 * - intents: every local write the model recorded is accounted for — applied, merged, parked
 *   (rejected with a reason, or held behind a parked change of its record) or in a conflict;
 *   withdrawn only by the user's own action (a delete of a record never sent, a discard);
 * - conflicts: none pending after the coordinator's final round, and every decided conflict is
 *   decided on every device of the user who submitted it;
 * - state: every device holds exactly the server's records for its scope (record by record,
 *   version and fields); anything else it holds carries local changes (parked).
 */
import { type AnyLocalRow, type LocalConflict, PENDING_CONFLICT, type RecordType } from "@/lib/client/db/types";
import { recordFields } from "@/lib/client/outbox/rebuild-record";
import { getDb } from "@/lib/server/db/client";
import { toAssessmentRecord, toEntityRecord, toResponseRecord } from "@/lib/server/sync/serialize";
import type { SimDevice, Simulation } from "./simulator";

export interface Failure {
  invariant: string;
  detail: string;
}

/** What became of one local write. */
export type Fate = "applied" | "merged" | "duplicate" | "conflict" | "parked" | "held" | "withdrawn";

export interface Intent {
  step: number;
  device: number;
  userId: string;
  type: RecordType;
  offlineId: string;
  action: "create" | "update" | "delete";
  /** The outbox seq that carried it (a coalesced edit shares its entry's seq); null: none. */
  seq: number | null;
  /** Set when the user's own action dropped it before the server could see it. */
  withdrawn?: string;
}

export interface ServerCounts {
  applied: number;
  merged: number;
  conflicted: number;
  duplicate: number;
  rejected: number;
}

const MAX_DETAILS = 12;

/** Stable JSON (sorted keys, undefined dropped): record comparison independent of key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .filter((k) => v[k] !== undefined)
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}

/** The last 8 characters: UUIDv7 ids share their first ones (the time). */
const short = (id: string | null | undefined) => (id ?? "∅").slice(-8);

/** How a device sent one mutation: every request that carried it, its fault and the answer. */
function sends(d: SimDevice, mutationId: string): string {
  const tries = d.net.log.filter((e) => e.mutationIds?.includes(mutationId));
  return `sent ${tries.length}×: ${tries
    .map((e) => {
      const i = e.mutationIds?.indexOf(mutationId) ?? -1;
      return `request ${e.call} ${e.fault ?? "ok"} → ${e.status ?? "no answer"}${e.pushResults ? ` ${e.pushResults[i]}` : ""}`;
    })
    .join(", ")}`;
}

export async function checkInvariants(
  sim: Simulation,
): Promise<{ failures: Failure[]; server: ServerCounts; fates: Record<Fate, number> }> {
  const failures: Failure[] = [];
  const counts = new Map<string, number>();
  const fail = (invariant: string, detail: string) => {
    const n = (counts.get(invariant) ?? 0) + 1;
    counts.set(invariant, n);
    if (n <= MAX_DETAILS) failures.push({ invariant, detail });
  };
  const prisma = await getDb();
  const [ledger, rejections, conflicts, assessments, responses, entities, versions, assignments] = await Promise.all([
    prisma.processedMutation.findMany({ select: { mutationId: true, status: true, userId: true, recordType: true, offlineId: true } }),
    prisma.rejectedMutation.findMany({ select: { mutationId: true, errorCode: true, errorMessage: true } }),
    prisma.conflict.findMany(),
    prisma.assessment.findMany(),
    prisma.response.findMany({ include: { assessment: { select: { offlineId: true } } } }),
    prisma.entity.findMany(),
    prisma.recordVersion.findMany({ select: { recordType: true, recordId: true, version: true, mutationId: true } }),
    prisma.assignment.findMany({ where: { active: true } }),
  ]);
  const ledgerById = new Map(ledger.map((l) => [l.mutationId, l]));
  const rejectedIds = new Set(rejections.map((r) => r.mutationId));
  const conflictByMutation = new Map(conflicts.map((c) => [c.mutationId, c]));

  // ---- ledger ----------------------------------------------------------------------------------
  const sent = new Set<string>();
  for (const d of sim.devices) for (const id of d.seqOf.keys()) sent.add(id);
  for (const d of sim.devices) {
    for (const ack of d.acks) {
      const row = ledgerById.get(ack.mutationId);
      if (ack.status === "rejected") {
        if (!rejectedIds.has(ack.mutationId))
          fail("ledger", `d${d.index}: ${short(ack.mutationId)} answered rejected is not in the rejection log`);
        if (row && row.status !== "duplicate") {
          const why = rejections.filter((r) => r.mutationId === ack.mutationId).map((r) => `${r.errorCode}: ${r.errorMessage}`);
          // A resend of a mutation the server had processed, answered "rejected" (e.g. FORBIDDEN after
          // an unassignment): PROTOCOL §3 says rejected means "not applied", but it was.
          fail(
            "answers",
            `d${d.index}: ${short(ack.mutationId)} (${row.recordType} ${short(row.offlineId)}) is in the ledger as ${row.status}, yet a resend was answered rejected (${why.join("; ")}); ${sends(d, ack.mutationId)}`,
          );
        }
      } else if (!row) fail("ledger", `d${d.index}: ${short(ack.mutationId)} answered ${ack.status} is not in the ledger`);
      else if ((ack.status === "applied" || ack.status === "merged" || ack.status === "conflict") && row.status !== ack.status)
        fail("ledger", `d${d.index}: ${short(ack.mutationId)} answered ${ack.status}, ledger says ${row.status}`);
    }
  }
  for (const l of ledger) if (!sent.has(l.mutationId)) fail("ledger", `ledger row ${short(l.mutationId)} was sent by no device`);

  // ---- history ---------------------------------------------------------------------------------
  const records: { type: RecordType; id: string; offlineId: string; version: number }[] = [
    ...entities.map((r) => ({ type: "entity" as const, id: r.id, offlineId: r.offlineId, version: r.version })),
    ...assessments.map((r) => ({ type: "assessment" as const, id: r.id, offlineId: r.offlineId, version: r.version })),
    ...responses.map((r) => ({ type: "response" as const, id: r.id, offlineId: r.offlineId, version: r.version })),
  ];
  const seenOffline = new Set<string>();
  const versionsOf = new Map<string, number[]>();
  for (const v of versions) {
    const key = `${v.recordType}:${v.recordId}`;
    versionsOf.set(key, [...(versionsOf.get(key) ?? []), v.version]);
  }
  for (const rec of records) {
    const key = `${rec.type}:${rec.offlineId}`;
    if (seenOffline.has(key)) fail("history", `two ${rec.type} rows for offlineId ${short(rec.offlineId)}`);
    seenOffline.add(key);
    const have = (versionsOf.get(`${rec.type}:${rec.id}`) ?? []).sort((a, b) => a - b);
    const want = Array.from({ length: rec.version }, (_, i) => i + 1);
    // Entities created by the simulator's setup (not through push) have no snapshot of version 1.
    if (rec.type === "entity" && have.length === 0 && rec.version === 1) continue;
    if (canonical(have) !== canonical(want))
      fail("history", `${rec.type} ${short(rec.offlineId)} at version ${rec.version} has history ${JSON.stringify(have)}`);
  }
  const versionsByMutation = new Map<string, number>();
  for (const v of versions) {
    if (!v.mutationId) continue;
    versionsByMutation.set(v.mutationId, (versionsByMutation.get(v.mutationId) ?? 0) + 1);
    const row = ledgerById.get(v.mutationId);
    if (!row || (row.status !== "applied" && row.status !== "merged"))
      fail(
        "history",
        `version ${v.version} of ${v.recordType} ${short(v.recordId)} made by ${short(v.mutationId)}, ledger: ${row?.status ?? "none"}`,
      );
  }
  for (const [id, n] of versionsByMutation) if (n > 1) fail("history", `mutation ${short(id)} produced ${n} versions`);

  // ---- intents ---------------------------------------------------------------------------------
  const fates: Record<Fate, number> = { applied: 0, merged: 0, duplicate: 0, conflict: 0, parked: 0, held: 0, withdrawn: 0 };
  const local = new Map<number, Awaited<ReturnType<typeof readDevice>>>();
  for (const d of sim.devices) local.set(d.index, await readDevice(d));
  const mutationIdsOfSeq = (d: SimDevice, seq: number) => [...d.seqOf].filter(([, s]) => s === seq).map(([id]) => id);
  for (const intent of sim.intents) {
    if (intent.withdrawn) {
      fates.withdrawn++;
      continue;
    }
    const d = sim.devices[intent.device];
    const dev = local.get(d.index);
    if (!dev) continue;
    const where = `#${intent.step} d${d.index} ${intent.action} ${intent.type} ${short(intent.offlineId)}`;
    if (intent.seq === null) {
      fail("intents", `${where}: no outbox entry carried it`);
      continue;
    }
    const seq = intent.seq;
    if (dev.parked.some((p) => p.seq === seq)) {
      fates.parked++;
      continue;
    }
    const queued = dev.outbox.find((e) => e.seq === seq);
    if (queued) {
      const heldBehind = dev.parked.some(
        (p) =>
          (p.type === queued.type && p.offlineId === queued.offlineId && p.seq < queued.seq) ||
          (queued.type === "response" &&
            p.type === "assessment" &&
            p.action === "create" &&
            p.offlineId === queued.data?.assessmentOfflineId),
      );
      if (heldBehind) fates.held++;
      else fail("intents", `${where}: still queued after settling (${queued.state}, attempts ${queued.attempts})`);
      continue;
    }
    const ids = mutationIdsOfSeq(d, seq);
    const copy = dev.conflicts.find((c) => c.seq === seq);
    if (copy) {
      if (!ids.some((id) => conflictByMutation.has(id))) fail("intents", `${where}: a local conflict copy the server has no conflict for`);
      fates.conflict++;
      continue;
    }
    const processed = ids.map((id) => ledgerById.get(id)).filter((l) => l !== undefined);
    if (processed.length === 0) {
      fail(
        "intents",
        `${where}: vanished — not queued, parked or in a conflict, and no mutation of it (${ids.map(short).join(",") || "never sent"}) is in the ledger`,
      );
      continue;
    }
    if (processed.length > 1)
      fail("intents", `${where}: processed ${processed.length} times (${processed.map((p) => p.status).join(",")})`);
    const status = processed[0].status;
    if (status === "applied" || status === "merged" || status === "duplicate" || status === "conflict") fates[status]++;
    else fail("intents", `${where}: ledger status ${status}`);
  }

  // ---- conflicts -------------------------------------------------------------------------------
  for (const c of conflicts)
    if (c.status === PENDING_CONFLICT) fail("conflicts", `conflict ${short(c.id)} still pending after the final round`);
  const conflictById = new Map(conflicts.map((c) => [c.id, c]));
  for (const d of sim.devices) {
    const dev = local.get(d.index);
    for (const copy of dev?.conflicts ?? []) {
      const server = conflictById.get(copy.conflictId) ?? (copy.mutationId ? conflictByMutation.get(copy.mutationId) : undefined);
      if (!server) {
        fail("conflicts", `d${d.index}: local conflict ${short(copy.conflictId)} unknown to the server`);
        continue;
      }
      if (server.submittedById !== d.user.id) fail("conflicts", `d${d.index}: holds conflict ${short(server.id)} of another user`);
      if (copy.status !== server.status)
        fail("conflicts", `d${d.index}: conflict ${short(server.id)} is ${copy.status} on the device, ${server.status} on the server`);
    }
    // Every decided conflict of this user that the device knows of shows the decision; one it
    // never heard of must at least have reached it through pull (conflicts follow their submitter).
    for (const c of conflicts) {
      if (c.submittedById !== d.user.id) continue;
      if (!dev?.conflicts.some((copy) => copy.conflictId === c.id))
        fail("conflicts", `d${d.index}: conflict ${short(c.id)} (${c.status}) of its user never reached it`);
    }
  }

  // ---- state -----------------------------------------------------------------------------------
  const liveEntities = entities.filter((e) => !e.deletedAt);
  for (const d of sim.devices) {
    const dev = local.get(d.index);
    if (!dev) continue;
    const all = d.user.role === "COORDINATOR" || d.user.role === "ADMIN";
    const scope = new Set(all ? liveEntities.map((e) => e.id) : assignments.filter((a) => a.userId === d.user.id).map((a) => a.entityId));
    for (const id of [...scope]) if (!liveEntities.some((e) => e.id === id)) scope.delete(id);
    const expected: { type: RecordType; record: Record<string, unknown> }[] = [
      ...liveEntities.filter((e) => scope.has(e.id)).map((e) => ({ type: "entity" as const, record: { ...toEntityRecord(e) } })),
      ...assessments
        .filter((a) => !a.deletedAt && scope.has(a.entityId))
        .map((a) => ({ type: "assessment" as const, record: { ...toAssessmentRecord(a) } })),
      ...responses
        .filter((r) => !r.deletedAt && scope.has(r.entityId))
        .map((r) => ({ type: "response" as const, record: { ...toResponseRecord(r) } })),
    ];
    const expectedKeys = new Set(expected.map((e) => `${e.type}:${e.record.offlineId}`));
    for (const { type, record } of expected) {
      const row = dev.rows.get(`${type}:${record.offlineId}`);
      const where = `d${d.index} ${type} ${short(record.offlineId as string)} v${record.version}`;
      if (!row) {
        fail("state", `${where}: missing on the device`);
        continue;
      }
      if (row.serverVersion !== record.version) fail("state", `${where}: the device's base is version ${row.serverVersion}`);
      else if (canonical(row.serverRecord) !== canonical(record))
        fail("state", `${where}: the device's base differs from the server's record`);
      if (row.syncState === "synced" && canonical(recordFields(row)) !== canonical(record))
        fail("state", `${where}: shown as synced, but its fields differ: ${canonical(recordFields(row))} vs ${canonical(record)}`);
    }
    for (const [key, row] of dev.rows) {
      if (expectedKeys.has(key)) continue;
      if (row.syncState === "synced")
        fail(
          "state",
          `d${d.index} ${key.split(":")[0]} ${short(row.offlineId)}: synced on the device, not live in its scope on the server`,
        );
    }
  }

  const tally = (status: string) => ledger.filter((l) => l.status === status).length;
  return {
    failures: [
      ...failures,
      ...[...counts].filter(([, n]) => n > MAX_DETAILS).map(([invariant, n]) => ({ invariant, detail: `… ${n - MAX_DETAILS} more` })),
    ],
    server: {
      applied: tally("applied"),
      merged: tally("merged"),
      conflicted: tally("conflict"),
      duplicate: tally("duplicate"),
      rejected: rejections.length,
    },
    fates,
  };
}

async function readDevice(d: SimDevice) {
  const { db } = d.dev;
  const [outbox, parked, conflicts] = await Promise.all([db.outbox.toArray(), db.parked.toArray(), db.conflicts.toArray()]);
  const rows = new Map<string, AnyLocalRow>();
  for (const type of ["entity", "assessment", "response"] as const) {
    for (const row of await db.recordTable(type).toArray()) rows.set(`${type}:${row.offlineId}`, row);
  }
  return { outbox, parked, conflicts: conflicts as LocalConflict[], rows };
}
