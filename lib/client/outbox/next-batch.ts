import type { WireMutation } from "@/lib/protocol";
import type { FieldSyncDb } from "../db/field-sync-db";
import type { OutboxEntry } from "../db/types";

export const DEFAULT_BATCH_SIZE = 100;

const recordKey = (e: Pick<OutboxEntry, "type" | "offlineId">) => `${e.type}:${e.offlineId}`;

/**
 * Entries that must reach the server before `entry`: the earlier entries of the same record, and
 * for a response naming its assessment by offlineId, the earlier entries of that assessment (its
 * create in particular — otherwise the server answers NOT_FOUND).
 */
function predecessors(entry: OutboxEntry, byRecord: Map<string, OutboxEntry[]>): OutboxEntry[] {
  const before = (list: OutboxEntry[] | undefined) => (list ?? []).filter((e) => e.seq < entry.seq);
  const out = before(byRecord.get(recordKey(entry)));
  const assessmentOfflineId = entry.type === "response" ? entry.data?.assessmentOfflineId : undefined;
  if (typeof assessmentOfflineId === "string") {
    out.push(...before(byRecord.get(`assessment:${assessmentOfflineId}`)));
  }
  return out;
}

/** Record keys whose create was refused (parked) → the seq of that create. */
export async function parkedCreates(db: FieldSyncDb): Promise<Map<string, number>> {
  const creates = await db.parked.filter((p) => p.action === "create").toArray();
  return new Map(creates.map((p) => [recordKey(p), p.seq]));
}

/**
 * An entry that can only fail while a create it depends on is parked: a later edit of a record the
 * server never had, or a response naming such an assessment. It is held (still pending, not
 * parked) until the user retries the create — then it follows it — or discards it.
 */
export function waitsForRefusedCreate(entry: OutboxEntry, refused: Map<string, number>): boolean {
  if (refused.size === 0) return false;
  const own = refused.get(recordKey(entry));
  if (own !== undefined && own < entry.seq) return true;
  const assessmentOfflineId = entry.type === "response" ? entry.data?.assessmentOfflineId : undefined;
  return typeof assessmentOfflineId === "string" && refused.has(`assessment:${assessmentOfflineId}`);
}

/** Record keys with any parked entry → the seq of the oldest. */
export async function parkedRecords(db: FieldSyncDb): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const p of await db.parked.toArray()) {
    const key = recordKey(p);
    out.set(key, Math.min(out.get(key) ?? p.seq, p.seq));
  }
  return out;
}

/**
 * A later edit of a record with a parked (refused) entry waits behind it: edits of one record reach
 * the server in the order they were made (SYNC.md). Sent past it, the newer value would be
 * overwritten by the older one when the user retries the parked edit. Held, not parked, until the
 * parked entry is retried — then this one follows it — or discarded.
 */
export function waitsForParkedEdit(entry: OutboxEntry, parked: Map<string, number>): boolean {
  const own = parked.get(recordKey(entry));
  return own !== undefined && own < entry.seq;
}

/**
 * Picks up to `max` queued entries, marks them 'inflight' (attempts + 1) and returns them in send
 * order.
 *
 * Order: HIGH before NORMAL before LOW across records, FIFO (seq) otherwise — but never an entry
 * before one it depends on (see `predecessors`). A predecessor inherits the best priority of
 * anything waiting behind it, so a HIGH edit is not stuck behind a NORMAL one it depends on;
 * sorting by (inherited rank, seq) is then a topological order.
 *
 * At most one entry per record per batch: the next edit of a record leaves only after the
 * previous one was answered, so its baseVersion can be set to the version that answer produced.
 */
export function nextBatch(db: FieldSyncDb, max: number = DEFAULT_BATCH_SIZE): Promise<OutboxEntry[]> {
  return db.transaction("rw", [db.outbox, db.parked, db.media], async () => {
    const all = await db.outbox.orderBy("seq").toArray();
    if (all.length === 0 || max < 1) return [];
    const refusedCreates = await parkedCreates(db);
    const parked = await parkedRecords(db);

    const byRecord = new Map<string, OutboxEntry[]>();
    for (const e of all) {
      const list = byRecord.get(recordKey(e));
      if (list) list.push(e);
      else byRecord.set(recordKey(e), [e]);
    }

    // Inherited rank: the best rank among an entry and everything that must wait for it.
    // Successors always have a higher seq, so one pass from the newest entry settles it.
    const inherited = new Map<number, number>(all.map((e) => [e.seq, e.rank]));
    for (let i = all.length - 1; i >= 0; i--) {
      const e = all[i];
      const rank = inherited.get(e.seq) ?? e.rank;
      for (const p of predecessors(e, byRecord)) {
        if (rank < (inherited.get(p.seq) ?? p.rank)) inherited.set(p.seq, rank);
      }
    }

    const candidates = all
      .filter((e) => e.state === "queued")
      .sort((a, b) => (inherited.get(a.seq) ?? a.rank) - (inherited.get(b.seq) ?? b.rank) || a.seq - b.seq);

    const picked: OutboxEntry[] = [];
    const pickedSeqs = new Set<number>();
    const recordsInBatch = new Set<string>();
    for (const e of candidates) {
      if (picked.length >= max) break;
      if (recordsInBatch.has(recordKey(e))) continue;
      if (waitsForRefusedCreate(e, refusedCreates) || waitsForParkedEdit(e, parked)) continue;
      const ready = predecessors(e, byRecord).every((p) => pickedSeqs.has(p.seq) && recordKey(p) !== recordKey(e));
      if (!ready) continue;
      picked.push(e);
      pickedSeqs.add(e.seq);
      recordsInBatch.add(recordKey(e));
    }

    const lastAttemptAt = new Date().toISOString();
    const sent: OutboxEntry[] = [];
    for (const e of picked) {
      // First send only: a sent entry is immutable, so a resend carries the same mediaCount.
      const mediaCount = e.attempts === 0 ? await photosOf(db, e) : e.mediaCount;
      sent.push({ ...e, state: "inflight", attempts: e.attempts + 1, lastAttemptAt, ...(mediaCount ? { mediaCount } : {}) });
    }
    await db.outbox.bulkPut(sent);
    return sent;
  });
}

/**
 * Returns a batch's entries to 'queued' after a request that got no usable answer. They keep
 * their mutationId and content (attempts > 0 makes them immutable), so the resend is idempotent.
 */
export function releaseBatch(db: FieldSyncDb, batch: readonly OutboxEntry[]): Promise<void> {
  return db.transaction("rw", db.outbox, async () => {
    for (const sent of batch) {
      const current = await db.outbox.get(sent.seq);
      if (current && current.mutationId === sent.mutationId && current.state === "inflight") {
        await db.outbox.put({ ...current, state: "queued" });
      }
    }
  });
}

/**
 * How many photos the device holds for the record an entry writes (not those refused for good),
 * so coordinators can tell "3 of 5 photos received". Undefined for entities and deletes.
 */
async function photosOf(db: FieldSyncDb, entry: OutboxEntry): Promise<number | undefined> {
  if (entry.type === "entity" || entry.action === "delete") return undefined;
  return db.media
    .where("parentOfflineId")
    .equals(entry.offlineId)
    .filter((m) => m.uploadState !== "failed")
    .count();
}

/** The wire form of an outbox entry. */
export function toMutation(entry: OutboxEntry): WireMutation {
  const mutation: WireMutation = {
    mutationId: entry.mutationId,
    type: entry.type,
    action: entry.action,
    offlineId: entry.offlineId,
    baseVersion: entry.baseVersion,
    priority: entry.priority,
    clientTime: entry.clientTime,
  };
  if (entry.action !== "delete" && entry.data !== undefined) mutation.data = entry.data;
  if (entry.mediaCount !== undefined) mutation.mediaCount = entry.mediaCount;
  return mutation;
}
