/**
 * The measured scenarios, written once against `Api` (bench/api.ts) so they run over HTTP and
 * in-process alike. Every scenario checks what the server answered (each mutation `applied`, each
 * pull holding exactly the expected records) and throws instead of returning a figure otherwise.
 */
import { randomUUID } from "node:crypto";
import { type Api, assign, createEntities, createUser, expectStatus } from "./api";
import { DEFAULT_SEED, entityIds, toCreateMutation, type WorkloadDoc } from "./workload";

export interface World {
  api: Api;
  adminToken: string;
  seed: string;
  /** The workload's entity ids, and ours in the same order. */
  workloadEntities: string[];
  entities: string[];
}

/** 50 entities for the workload's 50, on a server where `adminToken` is an ADMIN's. */
export async function setupWorld(api: Api, adminToken: string, seed = DEFAULT_SEED): Promise<World> {
  const workloadEntities = entityIds(seed);
  return { api, adminToken, seed, workloadEntities, entities: await createEntities(api, adminToken, workloadEntities.length) };
}

export interface Device {
  userId: string;
  token: string;
  deviceId: string;
}

/** A device of a new assessor assigned to `entities` (default: all of the workload's). */
export async function newDevice(world: World, entities: readonly string[] = world.entities): Promise<Device> {
  const user = await createUser(world.api, world.adminToken, "ASSESSOR");
  await assign(world.api, world.adminToken, user.id, entities);
  return { userId: user.id, token: user.token, deviceId: randomUUID() };
}

export function mutationsFor(world: World, docs: readonly WorkloadDoc[]) {
  return docs.map((doc) => toCreateMutation(doc, world.workloadEntities, world.entities, randomUUID()));
}

/** One push of `docs` as creates; every result must be `applied`. Returns the request's ms. */
export async function pushBatch(world: World, device: Device, docs: readonly WorkloadDoc[], api = world.api): Promise<number> {
  const mutations = mutationsFor(world, docs);
  const started = performance.now();
  const res = await expectStatus(
    api.request("POST", "/api/sync/push", {
      token: device.token,
      body: { deviceId: device.deviceId, clientState: { pendingCount: mutations.length, appVersion: "bench" }, mutations },
    }),
    200,
    "push",
  );
  const ms = performance.now() - started;
  const results = res.body.results as { status: string; error?: unknown }[];
  const bad = results.filter((r) => r.status !== "applied");
  if (results.length !== mutations.length || bad.length)
    throw new Error(`push: ${bad.length} of ${mutations.length} not applied, e.g. ${JSON.stringify(bad[0])}`);
  return ms;
}

export interface Throughput {
  mutations: number;
  ms: number;
  perSecond: number;
}

/**
 * Push throughput: the documents split into contiguous slices, one per device, each device sending
 * its slice in `batch`-mutation pushes one after another, all devices at once. `apis[i]` serves
 * device i (two app processes: devices alternate between them).
 */
export async function pushThroughput(
  world: World,
  devices: Device[],
  docs: readonly WorkloadDoc[],
  batch = 100,
  apis = [world.api],
): Promise<Throughput> {
  const per = Math.ceil(docs.length / devices.length);
  const started = performance.now();
  await Promise.all(
    devices.map(async (device, d) => {
      const mine = docs.slice(d * per, (d + 1) * per);
      for (let i = 0; i < mine.length; i += batch) await pushBatch(world, device, mine.slice(i, i + batch), apis[d % apis.length]);
    }),
  );
  const ms = performance.now() - started;
  return { mutations: docs.length, ms, perSecond: docs.length / (ms / 1000) };
}

interface PullPage {
  changes: { type: string; op: string; offlineId?: string }[];
  cursor: string;
  hasMore: boolean;
}

async function pullPage(world: World, device: Device, cursor: string | undefined, limit: number): Promise<PullPage> {
  const query = new URLSearchParams({ limit: String(limit), deviceId: device.deviceId });
  if (cursor) query.set("cursor", cursor);
  const res = await expectStatus(world.api.request("GET", `/api/sync/pull?${query}`, { token: device.token }), 200, "pull");
  return res.body as PullPage;
}

/** Pulls until `hasMore` is false; returns the cursor and the assessment offlineIds received. */
export async function pullAll(world: World, device: Device, cursor?: string, limit = 2000) {
  const received: string[] = [];
  let pages = 0;
  for (;;) {
    const page = await pullPage(world, device, cursor, limit);
    pages++;
    for (const c of page.changes) if (c.type === "assessment" && c.op === "upsert" && c.offlineId) received.push(c.offlineId);
    cursor = page.cursor;
    if (!page.hasMore) return { cursor, received, pages };
  }
}

/** A fresh device (no cursor) pulls everything in its scope, 2000 changes a page. */
export async function freshPull(world: World, device: Device, expected: number) {
  const started = performance.now();
  const { received, pages } = await pullAll(world, { ...device, deviceId: randomUUID() });
  const ms = performance.now() - started;
  if (received.length !== expected) throw new Error(`fresh pull: expected ${expected} assessments, received ${received.length}`);
  return { records: received.length, pages, ms, perSecond: received.length / (ms / 1000) };
}

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface Latency {
  rounds: number;
  p50: number;
  p99: number;
  max: number;
}

export const latency = (samples: number[]): Latency => ({
  rounds: samples.length,
  p50: percentile(samples, 50),
  p99: percentile(samples, 99),
  max: Math.max(...samples),
});

/**
 * Incremental sync, round after round: the writer pushes `size` new documents in one request
 * (timed: push latency), then the reader — already caught up — pulls with its cursor (timed: pull
 * latency) and must receive exactly those documents. `docs` supplies `rounds × size` documents.
 */
export async function incrementalRounds(
  world: World,
  writer: Device,
  reader: Device,
  docs: readonly WorkloadDoc[],
  rounds: number,
  size = 10,
  since?: string,
) {
  // Caught up first (not timed): everything up to now, from `since` (or from the start).
  let { cursor } = await pullAll(world, reader, since, 2000);
  const push: number[] = [];
  const pull: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const slice = docs.slice(r * size, (r + 1) * size);
    if (slice.length !== size) throw new Error(`incremental: only ${docs.length} documents for ${rounds} rounds of ${size}`);
    push.push(await pushBatch(world, writer, slice));
    const started = performance.now();
    const page = await pullPage(world, reader, cursor, 500);
    pull.push(performance.now() - started);
    const got = page.changes.filter((c) => c.type === "assessment").map((c) => c.offlineId);
    const want = slice.map((d) => d.offlineId);
    if (page.hasMore || got.length !== size || want.some((id) => !got.includes(id)))
      throw new Error(`incremental pull: expected the ${size} documents just pushed, got ${JSON.stringify(got)}`);
    cursor = page.cursor;
  }
  return { push: latency(push), pull: latency(pull), cursor };
}

/**
 * The seed-style protocol (one request per item): for each document, a GET that asks the server
 * what changed since the device last looked (conflict detection — our API has no per-record GET,
 * so it is a pull with the device's cursor and limit 1), then the item alone as a one-mutation
 * push (the upsert). One device, strictly sequential, as such a client works.
 */
export async function seedStyle(world: World, device: Device, docs: readonly WorkloadDoc[]): Promise<Throughput> {
  let cursor: string | undefined = (await pullAll(world, device)).cursor;
  const started = performance.now();
  for (const doc of docs) {
    cursor = (await pullPage(world, device, cursor, 1)).cursor;
    await pushBatch(world, device, [doc]);
  }
  const ms = performance.now() - started;
  return { mutations: docs.length, ms, perSecond: docs.length / (ms / 1000) };
}
