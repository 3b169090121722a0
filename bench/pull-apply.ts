/**
 * How long applying a 10k-record pull into Dexie takes (the browser client's pull-apply,
 * lib/client/sync/pull-apply.ts), on fake-indexeddb in Node. Chromium's IndexedDB is measured in
 * the PWA issue; this number is for comparing changes to the client, not a browser promise.
 *
 *   npx tsx --conditions=react-server bench/pull-apply.ts [records=10000] [pageSize=2000] [runs=3]
 *
 * Each run: a fresh FieldSyncDb, then 5 pages of 2000 assessment upserts in the server's pull
 * shape, each page applied with applyPullPage (one Dexie transaction per page, eviction and cursor
 * included). A second timing re-applies the same pages onto the filled database (a device that
 * pulls everything again: every row is read, compared and rewritten).
 */
import "fake-indexeddb/auto";
import { randomUUID } from "node:crypto";
import { openFieldSyncDb } from "@/lib/client/db/field-sync-db";
import { applyPullPage } from "@/lib/client/sync/pull-apply";
import type { PullResponse } from "@/lib/protocol";

const [records = 10_000, pageSize = 2_000, runs = 3] = process.argv.slice(2).map(Number);

const ENTITIES = Array.from({ length: 20 }, () => randomUUID());
const ASSESSOR = randomUUID();

function assessment(i: number) {
  const at = new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString();
  return {
    id: randomUUID(),
    offlineId: randomUUID(),
    entityId: ENTITIES[i % ENTITIES.length],
    assessorId: ASSESSOR,
    assessmentType: "WASH",
    status: "SUBMITTED",
    data: {
      waterSource: "BOREHOLE",
      functionalBoreholes: i % 7,
      latrines: i % 40,
      openDefecationObserved: i % 2 === 0,
      notes: `visit ${i}`,
    },
    version: 1,
    verificationStatus: "PENDING",
    verifiedById: null,
    verifiedAt: null,
    verificationNote: null,
    createdAt: at,
    updatedAt: at,
    deletedAt: null,
  };
}

function pages(): PullResponse[] {
  const all = Array.from({ length: records }, (_, i) => assessment(i));
  const out: PullResponse[] = [];
  for (let start = 0; start < all.length; start += pageSize) {
    const slice = all.slice(start, start + pageSize);
    out.push({
      changes: slice.map((r) => ({ type: "assessment", op: "upsert", id: r.id, offlineId: r.offlineId, version: r.version, record: r })),
      cursor: `cursor-${start + slice.length}`,
      hasMore: start + pageSize < all.length,
      scope: { entityIds: ENTITIES },
      serverTime: new Date().toISOString(),
    } as PullResponse);
  }
  return out;
}

async function applyAll(db: Awaited<ReturnType<typeof openFieldSyncDb>>, list: PullResponse[]): Promise<number> {
  const started = performance.now();
  for (const page of list) await applyPullPage(db, page);
  return performance.now() - started;
}

const fresh: number[] = [];
const again: number[] = [];
for (let run = 0; run < runs; run++) {
  const list = pages();
  const db = await openFieldSyncDb(`bench-pull-apply-${run}-${randomUUID()}`);
  fresh.push(await applyAll(db, list));
  const count = await db.assessments.count();
  if (count !== records) throw new Error(`expected ${records} rows, found ${count}`);
  again.push(await applyAll(db, list));
  db.close();
  await db.delete();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(
  `pull-apply (fake-indexeddb, Node ${process.version}): ${records} assessments in ${Math.ceil(records / pageSize)} pages of ${pageSize}, ${runs} runs`,
);
console.log(
  `  into an empty database: median ${fmt(median(fresh))} (${Math.round(records / (median(fresh) / 1000))} records/s; runs ${fresh.map(fmt).join(", ")})`,
);
console.log(`  re-applied onto the filled database: median ${fmt(median(again))} (runs ${again.map(fmt).join(", ")})`);
