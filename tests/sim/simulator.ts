/**
 * Seeded fault simulation (issue 11 §2): N devices — each a real Dexie database on
 * fake-indexeddb, the real SyncClient and the field app's local-write API — used by several
 * people (assessors sharing entities, a responder, a coordinator who resolves conflicts through
 * the real API, an admin who unassigns and reassigns entities) against the real route handlers
 * on a real database, through a network that drops, duplicates, holds and reorders requests and
 * a server that restarts. Then everything reconnects, the coordinator resolves every pending
 * conflict, the devices sync until quiet, and `invariants.ts` checks what must hold.
 *
 * Determinism: every choice comes from `Prng` (never Math.random); each op draws from its own
 * generator, so a prefix of ops replays the same way (modulo the database's interleaving of
 * requests the simulator sends at the same time). Device time is a FakeClock per device, skewed.
 */
import { type AnyLocalRow, PENDING_CONFLICT, type RecordType } from "@/lib/client/db/types";
import { createRecord, deleteRecord, updateRecord } from "@/lib/client/outbox/local-writes";
import { discardParked, retryParked } from "@/lib/client/outbox/parked";
import type { MachineState } from "@/lib/client/sync/machine";
import type { Role } from "@/lib/protocol";
import { assignUser, createEntity } from "@/lib/server/admin";
import { hashToken, newSessionToken } from "@/lib/server/auth/tokens";
import { getDb } from "@/lib/server/db/client";
import { insertSession } from "@/lib/server/queries/sessions";
import { createUser } from "@/lib/server/queries/users";
import { APP_ORIGIN, type AppFetch, createAppFetch, type Device, FakeClock, openDevice } from "../fixtures/app-fetch";
import { type Fault, type FaultMatch, FaultyFetch } from "../fixtures/faults";
import { checkInvariants, type Failure, type Fate, type Intent } from "./invariants";
import { Prng } from "./prng";
import type { SimDatabase } from "./server-db";
import { SimWire, type WireMode, type WireStats } from "./wire";

export interface SimConfig {
  seed: number;
  devices: number;
  ops: number;
  /** Progress lines (op by op when verbose). */
  log?: (line: string) => void;
  verbose?: boolean;
}

export interface SimUser {
  id: string;
  role: Role;
  token: string;
}

export interface SimDevice {
  index: number;
  user: SimUser;
  dev: Device;
  net: FaultyFetch;
  /** Wire mode armed for this device's next push. */
  mode: WireMode | null;
  /** mutationId → outbox seq, for every mutation this device sent (read as it was sent). */
  seqOf: Map<string, number>;
  /** Every push answer this device received: mutationId → status. */
  acks: { mutationId: string; status: string }[];
  /** Opens the device again on the same database (after a crash), with a new SyncClient. */
  reopen(): Promise<void>;
}

export interface SimStats {
  ops: number;
  localWrites: number;
  /** Mutations the devices sent past their own network faults (resends included). */
  mutationsSent: number;
  /** Server ledger, by first answer. */
  applied: number;
  merged: number;
  conflicted: number;
  duplicate: number;
  /** Rejections the server logged (a resent rejected mutation counts again). */
  rejected: number;
  conflictsResolved: number;
  fates: Record<Fate, number>;
  wire: WireStats;
  faults: number;
}

export interface SimResult {
  config: SimConfig;
  stats: SimStats;
  failures: Failure[];
  /** The ops executed, as one line each (printed for a failing run). */
  trace: string[];
  ms: number;
}

const OP_WEIGHTS = {
  createAssessment: 10,
  createResponse: 5,
  edit: 25,
  delete: 3,
  burst: 10,
  writeDuringSync: 4,
  crash: 1.5,
  sync: 18,
  faultySync: 10,
  offline: 3,
  online: 4,
  concurrentSync: 5,
  restart: 1.5,
  unassign: 1.2,
  reassign: 1.5,
  resolve: 3,
  parked: 2,
  deliverHeld: 1.5,
  skew: 1.5,
} as const;
type OpKind = keyof typeof OP_WEIGHTS;

const FAULTS: { name: string; match: FaultMatch; fault?: Fault; mode?: WireMode }[] = [
  { name: "drop-request", match: "push", fault: { kind: "drop-request" } },
  { name: "drop-response", match: "push", fault: { kind: "drop-response" } },
  { name: "drop-pull-response", match: "pull", fault: { kind: "drop-response" } },
  { name: "500", match: "push", fault: { kind: "status", status: 500 } },
  { name: "502-after-server", match: "push", fault: { kind: "status", status: 502, code: "BAD_GATEWAY", afterServer: true } },
  { name: "429", match: "push", fault: { kind: "rate-limit", retryAfterSeconds: 30 } },
  { name: "duplicate-delivery", match: "push", mode: "dup-seq" },
  { name: "concurrent-duplicate", match: "push", mode: "dup-conc" },
  { name: "held-then-reordered", match: "push", mode: "hold" },
];

const WASH_FIELDS = ["latrines", "functionalBoreholes", "waterSource", "openDefecationObserved"] as const;
const HEALTH_FIELDS = ["functionalFacilities", "staffOnDuty", "choleraCases", "malariaCases"] as const;
const WATER = ["BOREHOLE", "WELL", "TANKER", "SURFACE", "OTHER"];

function washValue(r: Prng, field: string): unknown {
  if (field === "waterSource") return r.pick(WATER);
  if (field === "openDefecationObserved") return r.chance(0.5);
  return r.int(0, 3);
}

function fullData(r: Prng, assessmentType: string): Record<string, unknown> {
  if (assessmentType === "HEALTH") return Object.fromEntries(HEALTH_FIELDS.map((f) => [f, r.int(0, 3)]));
  return Object.fromEntries(WASH_FIELDS.map((f) => [f, washValue(r, f)]));
}

function partialData(r: Prng, assessmentType: string): Record<string, unknown> {
  const fields: readonly string[] = assessmentType === "HEALTH" ? HEALTH_FIELDS : WASH_FIELDS;
  const n = r.int(1, 2);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const f = r.pick(fields);
    out[f] = assessmentType === "HEALTH" ? r.int(0, 3) : washValue(r, f);
  }
  return out;
}

function responseData(r: Prng, full: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (full || r.chance(0.5)) out.beneficiaries = r.int(0, 3) * 10;
  if (full || r.chance(0.4)) out.items = [{ name: r.pick(["Rice", "Oil", "Soap"]), quantity: r.int(1, 3), unit: "kg" }];
  if (Object.keys(out).length === 0) out.notes = r.pick(["ok", "late", "partial"]);
  return out;
}

/** The last 8 characters: UUIDv7 ids share their first ones (the time). */
const short = (id: string) => id.slice(-8);

/** Names device databases and users apart across runs in one process. */
let runs = 0;

export class Simulation {
  readonly devices: SimDevice[] = [];
  readonly intents: Intent[] = [];
  readonly trace: string[] = [];
  private app!: AppFetch;
  private wire!: SimWire;
  private admin!: SimUser;
  private coordinator!: SimUser;
  private entityIds: string[] = [];
  /**
   * `${userId}|${entityId}` → active, in the order assigned (server ids are random: choices are
   * made by position, so a seed replays the same choices).
   */
  private readonly assignments = new Map<string, boolean>();
  private readonly users: SimUser[] = [];
  private faults = 0;
  private localWrites = 0;
  private conflictsResolved = 0;
  private readonly runId = `${process.pid}-${++runs}`;

  constructor(
    readonly config: SimConfig,
    private readonly database: SimDatabase,
  ) {}

  private log(line: string): void {
    this.trace.push(line);
    if (this.config.verbose) this.config.log?.(line);
  }

  // ---- world ------------------------------------------------------------------------------------

  private async newUser(role: Role, name: string): Promise<SimUser> {
    const prisma = await getDb();
    const user = await createUser(prisma, {
      email: `${name}-${this.config.seed}-${this.runId}@sim.fieldsync.org`,
      name,
      role,
      passwordHash: "unusable$sim-only",
    });
    const token = newSessionToken();
    await insertSession(prisma, { tokenHash: hashToken(token), userId: user.id, expiresAt: new Date(Date.now() + 7 * 86_400_000) });
    const simUser = { id: user.id, role, token };
    this.users.push(simUser);
    return simUser;
  }

  private async setup(): Promise<void> {
    const r = Prng.for(this.config.seed, "world");
    this.app = createAppFetch();
    this.wire = new SimWire(
      this.app,
      () => this.database.restart(),
      () => r.chance(0.5),
    );
    this.admin = await this.newUser("ADMIN", "admin");
    this.coordinator = await this.newUser("COORDINATOR", "coordinator");
    const responder = await this.newUser("RESPONDER", "responder");
    const entityCount = Math.max(2, Math.ceil(this.config.devices / 4));
    for (let i = 0; i < entityCount; i++) {
      const entity = await createEntity({
        name: `Sim camp ${i + 1}`,
        type: "CAMP",
        lga: "Jere",
        ward: "Mashamari",
        latitude: 11.9,
        longitude: 13.2,
        autoApprove: r.chance(0.3),
        createdById: null,
      });
      this.entityIds.push(entity.id);
    }
    const assignTo = async (user: SimUser, entityId: string) => {
      await assignUser({ userId: user.id, entityId });
      this.assignments.set(`${user.id}|${entityId}`, true);
    };
    for (const entityId of this.entityIds) await assignTo(responder, entityId);

    const base = Date.parse("2026-11-21T10:00:00.000Z");
    let assessors = 0;
    let previous: SimUser | null = null;
    for (let i = 0; i < this.config.devices; i++) {
      let user: SimUser;
      if (i === 0) user = this.coordinator;
      else if (i === 1) user = responder;
      else if (i % 5 === 4 && previous)
        user = previous; // one person, a second device
      else {
        user = await this.newUser("ASSESSOR", `assessor${++assessors}`);
        // Neighbouring assessors share an entity: their edits of one record merge or conflict.
        await assignTo(user, this.entityIds[assessors % entityCount]);
        await assignTo(user, this.entityIds[(assessors + 1) % entityCount]);
      }
      previous = user;
      await this.openSimDevice(i, user, base + r.int(-3 * 86_400, 3 * 86_400) * 1000);
    }
    for (const d of this.devices) await this.syncUntilIdle(d);
    // Records to share from the start: every assessor's first device assesses each of its entities.
    const seeded = new Set<string>();
    for (const d of this.devices) {
      if (d.user.role !== "ASSESSOR" || seeded.has(d.user.id)) continue;
      seeded.add(d.user.id);
      for (const entityId of await this.entitiesOn(d)) await this.createAssessment(d, r, -1, entityId);
      await this.syncUntilIdle(d);
    }
    for (const d of this.devices) await this.syncUntilIdle(d);
  }

  private async openSimDevice(index: number, user: SimUser, clockStart: number): Promise<void> {
    const jitter = Prng.for(this.config.seed, "jitter", index);
    const sim = { index, user, mode: null, seqOf: new Map(), acks: [] } as unknown as SimDevice;
    sim.net = new FaultyFetch(
      this.wire.endpoint(() => {
        const mode = sim.mode;
        sim.mode = null;
        return mode;
      }),
    );
    const tracked = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const at = sim.net.log.length;
      let response: Response | undefined;
      let error: unknown;
      try {
        response = await sim.net.fetch(input, init);
      } catch (e) {
        error = e;
      }
      const entry = sim.net.log[at];
      if (entry?.mutationIds) {
        // Still in the outbox (inflight) until the client reads this answer: note each one's seq.
        // (Not after a crash: the database is closed; the resend after reopening is noted instead.)
        for (const id of entry.mutationIds) {
          const queued = await sim.dev.db.outbox
            .where("mutationId")
            .equals(id)
            .first()
            .catch(() => undefined);
          if (queued) sim.seqOf.set(id, queued.seq);
        }
        if (entry.status === 200 && entry.pushResults) {
          for (const [i, status] of entry.pushResults.entries()) sim.acks.push({ mutationId: entry.mutationIds?.[i] ?? "", status });
        }
      }
      if (error !== undefined) throw error;
      return response as Response;
    };
    // Some devices send small batches and pull small pages (paging, batch order, split answers).
    const tuning = Prng.for(this.config.seed, "tuning", index);
    const client = { random: () => jitter.next(), batchSize: tuning.pick([100, 100, 5, 2]), pullLimit: tuning.pick([500, 500, 10, 3]) };
    const clock = new FakeClock(clockStart);
    const dbName = `sim-${this.config.seed}-${this.runId}-${index}`;
    sim.reopen = async () => {
      sim.dev = await openDevice({ dbName, token: user.token, fetch: tracked, clock, client });
    };
    await sim.reopen();
    this.devices.push(sim);
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private async syncUntilIdle(d: SimDevice, maxPasses = 8): Promise<MachineState> {
    let state: MachineState = d.dev.client.getState();
    for (let i = 0; i < maxPasses; i++) {
      state = await d.dev.sync();
      if (state.status === "idle") return state;
    }
    return state;
  }

  private now(d: SimDevice) {
    return () => new Date(d.dev.clock.now());
  }

  private canWrite(d: SimDevice, type: RecordType): boolean {
    if (d.user.role === "COORDINATOR") return true;
    return type === "assessment" ? d.user.role === "ASSESSOR" : d.user.role === "RESPONDER";
  }

  private async liveRows(d: SimDevice, type: RecordType): Promise<AnyLocalRow[]> {
    const rows = await d.dev.db.recordTable(type).toArray();
    return rows.filter((row) => !row.localDeleted).sort((a, b) => a.offlineId.localeCompare(b.offlineId));
  }

  /** The local-change seqs of one record on a device (outbox, parked, conflict copies). */
  private async seqsOf(d: SimDevice, type: RecordType, offlineId: string): Promise<Set<number>> {
    const { db } = d.dev;
    const [outbox, parked, conflicts] = await Promise.all([
      db.outbox.where("offlineId").equals(offlineId).toArray(),
      db.parked.where("offlineId").equals(offlineId).toArray(),
      db.conflicts.where("offlineId").equals(offlineId).toArray(),
    ]);
    return new Set([
      ...outbox.filter((e) => e.type === type).map((e) => e.seq),
      ...parked.filter((e) => e.type === type).map((e) => e.seq),
      ...conflicts.filter((c) => c.seq !== undefined).map((c) => c.seq as number),
    ]);
  }

  /** The seq that now carries the newest local change of a record (after a local write). */
  private async carrierSeq(d: SimDevice, type: RecordType, offlineId: string): Promise<number | null> {
    const { db } = d.dev;
    const outbox = (await db.outbox.where("offlineId").equals(offlineId).sortBy("seq")).filter((e) => e.type === type);
    if (outbox.length > 0) return outbox[outbox.length - 1].seq;
    const parked = (await db.parked.where("offlineId").equals(offlineId).sortBy("seq")).filter((e) => e.type === type);
    return parked.length > 0 ? parked[parked.length - 1].seq : null;
  }

  private async noteIntent(d: SimDevice, step: number, type: RecordType, offlineId: string, action: Intent["action"]): Promise<void> {
    this.localWrites++;
    const seq = await this.carrierSeq(d, type, offlineId);
    this.intents.push({ step, device: d.index, userId: d.user.id, type, offlineId, action, seq });
  }

  /** After a user action that may drop local changes (delete of an unsent record, discard). */
  private async withdrawVanished(d: SimDevice, type: RecordType, offlineId: string, before: Set<number>, why: string): Promise<void> {
    const after = await this.seqsOf(d, type, offlineId);
    for (const intent of this.intents) {
      if (intent.device !== d.index || intent.type !== type || intent.offlineId !== offlineId || intent.withdrawn) continue;
      if (intent.seq === null || (before.has(intent.seq) && !after.has(intent.seq))) intent.withdrawn = why;
    }
  }

  private async api<T>(user: SimUser, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await this.app(`${APP_ORIGIN}${path}`, {
      method,
      headers: { authorization: `Bearer ${user.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  // ---- ops --------------------------------------------------------------------------------------

  private async step(i: number): Promise<void> {
    const r = Prng.for(this.config.seed, "op", i);
    const kind = r.weighted<OpKind>(OP_WEIGHTS);
    const d = this.devices[r.int(0, this.devices.length - 1)];
    d.dev.clock.advance(r.int(1, 120) * 1000);
    const say = (what: string) => this.log(`#${i} d${d.index} ${kind} ${what}`);
    switch (kind) {
      case "createAssessment":
        return say(this.canWrite(d, "assessment") ? await this.createAssessment(d, r, i) : await this.createResponse(d, r, i));
      case "createResponse":
        return say(this.canWrite(d, "response") ? await this.createResponse(d, r, i) : await this.createAssessment(d, r, i));
      case "edit":
        return say(await this.edit(d, r, i));
      case "delete":
        return say(await this.remove(d, r, i));
      case "burst": {
        // A stretch of field work between two syncs: several writes in a row.
        const done: string[] = [];
        for (let k = r.int(2, 6); k > 0; k--) {
          const roll = r.next();
          done.push(
            await (roll < 0.2
              ? this.create(d, r, i, r.chance(0.5) ? "assessment" : "response")
              : roll < 0.95
                ? this.edit(d, r, i)
                : this.remove(d, r, i)),
          );
        }
        return say(done.join(" | "));
      }
      case "sync": {
        const state = await d.dev.sync();
        return say(state.status);
      }
      case "faultySync": {
        const f = r.pick(FAULTS);
        this.faults++;
        if (f.fault) d.net.inject(f.match, f.fault);
        if (f.mode) d.mode = f.mode;
        const state = await d.dev.sync();
        d.net.clear();
        d.mode = null;
        return say(`${f.name} → ${state.status}`);
      }
      case "writeDuringSync": {
        // The user keeps working while a pass is in flight (edits land between its batches).
        const pass = d.dev.sync();
        const done: string[] = [];
        for (let k = r.int(1, 3); k > 0; k--) done.push(await (r.chance(0.85) ? this.edit(d, r, i) : this.create(d, r, i, "assessment")));
        const state = await pass;
        return say(`${done.join(" | ")} → ${state.status}`);
      }
      case "crash": {
        // The app dies after the server processed a push and before the answer was read; it is
        // opened again on the same database (entries left in flight go back to the queue).
        this.faults++;
        d.net.inject("push", { kind: "crash", onCrash: () => d.dev.kill() });
        const state = await d.dev.sync();
        d.net.clear();
        const crashed = d.dev.db.isOpen() ? "no push to crash in" : "crashed";
        if (!d.dev.db.isOpen()) await d.reopen();
        return say(`${crashed} (${state.status})`);
      }
      case "offline":
        d.net.offline = true;
        return say("");
      case "online":
        d.net.offline = false;
        return say("");
      case "concurrentSync":
      case "restart": {
        const n = r.int(2, Math.min(4, this.devices.length));
        const chosen = new Set<SimDevice>([d]);
        while (chosen.size < n) chosen.add(this.devices[r.int(0, this.devices.length - 1)]);
        const after = r.int(1, 2 * n);
        if (kind === "restart") this.wire.armRestart(after);
        const states = await Promise.all([...chosen].map((c) => c.dev.sync()));
        this.wire.disarm();
        return say(
          `${kind === "restart" ? `restart at request ${after}; ` : ""}${[...chosen].map((c, k) => `d${c.index}:${states[k].status}`).join(" ")}`,
        );
      }
      case "unassign":
      case "reassign": {
        const want = kind !== "reassign";
        const candidates = [...this.assignments.entries()].filter(([, active]) => active === want).map(([key]) => key);
        if (candidates.length === 0) return say("(skipped: none)");
        const key = r.pick(candidates);
        const [userId, entityId] = key.split("|");
        const res = await this.api(this.admin, kind === "reassign" ? "POST" : "DELETE", "/api/admin/assignments", { userId, entityId });
        if (res.status >= 300) throw new Error(`${kind} answered ${res.status}: ${JSON.stringify(res.body)}`);
        this.assignments.set(key, !want);
        return say(`user u${this.users.findIndex((u) => u.id === userId)} entity e${this.entityIds.indexOf(entityId)}`);
      }
      case "resolve": {
        const resolved = await this.resolveSome(r, 1);
        return say(resolved.join(", ") || "(nothing pending)");
      }
      case "parked": {
        const parked = await d.dev.db.parked.orderBy("seq").toArray();
        if (parked.length === 0) return say("(skipped: nothing parked)");
        const p = r.pick(parked);
        if (r.chance(0.7)) {
          await retryParked(d.dev.db, p.seq);
          return say(`retry ${p.type} ${short(p.offlineId)} (${p.error.code})`);
        }
        const before = await this.seqsOf(d, p.type, p.offlineId);
        await discardParked(d.dev.db, p.seq);
        await this.withdrawVanished(d, p.type, p.offlineId, before, `discarded by the user after ${p.error.code}`);
        return say(`discard ${p.type} ${short(p.offlineId)} (${p.error.code})`);
      }
      case "deliverHeld": {
        const n = this.wire.heldCount();
        await this.wire.deliverHeld(r.int(1, 3));
        return say(`${n} held`);
      }
      case "skew": {
        const ms = r.int(-3 * 3600, 3 * 3600) * 1000;
        d.dev.clock.advance(ms);
        return say(`${ms / 1000} s`);
      }
    }
  }

  private writableType(d: SimDevice, r: Prng): RecordType {
    return r.pick((["assessment", "response"] as const).filter((t) => this.canWrite(d, t)));
  }

  private async edit(d: SimDevice, r: Prng, step: number): Promise<string> {
    const type = this.writableType(d, r);
    const rows = await this.liveRows(d, type);
    if (rows.length === 0) return `(nothing to edit) ${await this.create(d, r, step, type)}`;
    const row = r.pick(rows);
    const patch = this.patchFor(r, type, row);
    await updateRecord(d.dev.db, type, row.offlineId, patch, { now: this.now(d) });
    await this.noteIntent(d, step, type, row.offlineId, "update");
    return `edit ${type} ${short(row.offlineId)} ${JSON.stringify(patch)}`;
  }

  private async remove(d: SimDevice, r: Prng, step: number): Promise<string> {
    const type = this.writableType(d, r);
    const rows = await this.liveRows(d, type);
    if (rows.length === 0) return `(nothing to delete) ${await this.create(d, r, step, type)}`;
    const row = r.pick(rows);
    const before = await this.seqsOf(d, type, row.offlineId);
    await deleteRecord(d.dev.db, type, row.offlineId, { now: this.now(d) });
    await this.noteIntent(d, step, type, row.offlineId, "delete");
    await this.withdrawVanished(d, type, row.offlineId, before, "deleted before it was ever sent");
    return `delete ${type} ${short(row.offlineId)}`;
  }

  /** The entities a device holds, in the order they were created (by their names). */
  private async entitiesOn(d: SimDevice): Promise<string[]> {
    const rows = await d.dev.db.entities.toArray();
    const index = (name: unknown) => Number(String(name).replace(/\D+/g, ""));
    return rows.sort((a, b) => index(a.name) - index(b.name)).map((e) => e.id as string);
  }

  private create(d: SimDevice, r: Prng, step: number, type: RecordType): Promise<string> {
    const writable = this.canWrite(d, type) ? type : type === "assessment" ? "response" : "assessment";
    return writable === "response" ? this.createResponse(d, r, step) : this.createAssessment(d, r, step);
  }

  private async createAssessment(d: SimDevice, r: Prng, step: number, entityId?: string): Promise<string> {
    const entities = await this.entitiesOn(d);
    if (entities.length === 0) return "(skipped: no entity)";
    const entity = entityId ?? r.pick(entities);
    const assessmentType = r.chance(0.7) ? "WASH" : "HEALTH";
    const submitted = r.chance(0.2);
    const data = submitted ? fullData(r, assessmentType) : partialData(r, assessmentType);
    const offlineId = r.uuid();
    await createRecord(
      d.dev.db,
      "assessment",
      { entityId: entity, assessmentType, status: submitted ? "SUBMITTED" : "DRAFT", data },
      { offlineId, now: this.now(d) },
    );
    await this.noteIntent(d, step, "assessment", offlineId, "create");
    return `assessment ${short(offlineId)} ${assessmentType} ${JSON.stringify(data)}`;
  }

  private async createResponse(d: SimDevice, r: Prng, step: number): Promise<string> {
    const assessments = await this.liveRows(d, "assessment");
    if (assessments.length === 0) return "(skipped: no assessment)";
    const a = r.pick(assessments);
    const delivered = r.chance(0.2);
    const offlineId = r.uuid();
    const data = responseData(r, delivered);
    await createRecord(
      d.dev.db,
      "response",
      {
        assessmentOfflineId: a.offlineId,
        entityId: a.entityId,
        responseType: "FOOD_DISTRIBUTION",
        status: delivered ? "DELIVERED" : "PLANNED",
        data,
      },
      { offlineId, now: this.now(d) },
    );
    await this.noteIntent(d, step, "response", offlineId, "create");
    return `response ${short(offlineId)} for ${short(a.offlineId)} ${JSON.stringify(data)}`;
  }

  private patchFor(r: Prng, type: RecordType, row: AnyLocalRow): Record<string, unknown> {
    const roll = r.next();
    if (type === "assessment") {
      const assessmentType = typeof row.assessmentType === "string" ? row.assessmentType : "WASH";
      if (roll < 0.03) return { data: { [assessmentType === "HEALTH" ? "staffOnDuty" : "latrines"]: -1 } }; // refused by the form
      if (roll < 0.1) return { status: "SUBMITTED", data: fullData(r, assessmentType) };
      if (roll < 0.13) return { status: "SUBMITTED" };
      if (roll < 0.15) return { status: "DRAFT" };
      return { data: partialData(r, assessmentType) };
    }
    if (roll < 0.03) return { data: { beneficiaries: -5 } };
    if (roll < 0.1) return { status: "DELIVERED", data: responseData(r, true) };
    return { data: responseData(r, false) };
  }

  /**
   * The coordinator resolves up to `max` pending conflicts through the real API, with a random
   * strategy (custom: for each conflicting field the server's or the client's value). A resolution
   * the server refuses as invalid is retried as `server`; a 409 (someone was faster, the record
   * moved) is left for the next round.
   */
  private async resolveSome(r: Prng, max: number): Promise<string[]> {
    type Summary = { id: string; recordOfflineId: string; detectedAt: string; conflictingFields: string[] };
    const list = await this.api<{ conflicts: Summary[] }>(this.coordinator, "GET", "/api/conflicts?status=PENDING");
    if (list.status !== 200) throw new Error(`conflict list answered ${list.status}`);
    // Ordered by what the simulation chose (the record's offlineId), not by random server ids.
    const order = (c: Summary) => `${c.recordOfflineId}|${c.detectedAt}|${c.id}`;
    const pending = [...list.body.conflicts].sort((a, b) => order(a).localeCompare(order(b)));
    const done: string[] = [];
    for (let k = 0; k < max && pending.length > 0; k++) {
      const c = pending.splice(r.int(0, pending.length - 1), 1)[0];
      const detail = await this.api<{
        server: Record<string, unknown>;
        client: Record<string, unknown>;
        current: { version: number } | null;
      }>(this.coordinator, "GET", `/api/conflicts/${c.id}`);
      if (detail.status !== 200) throw new Error(`conflict detail answered ${detail.status}`);
      const strategy = r.pick(["server", "client", "merge", "custom"] as const);
      const body: Record<string, unknown> = { strategy };
      if (strategy === "custom") {
        const at = (record: Record<string, unknown>, path: string) =>
          path.split(".").reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], record);
        body.data = Object.fromEntries(
          c.conflictingFields.map((f) => [f, at(r.chance(0.5) ? detail.body.server : detail.body.client, f) ?? null]),
        );
      }
      if (detail.body.current && r.chance(0.5)) body.expectedVersion = detail.body.current.version;
      let res = await this.api<{ error?: { code: string } }>(this.coordinator, "POST", `/api/conflicts/${c.id}/resolve`, body);
      if (res.status === 400) res = await this.api(this.coordinator, "POST", `/api/conflicts/${c.id}/resolve`, { strategy: "server" });
      if (res.status === 200) {
        this.conflictsResolved++;
        done.push(`${short(c.id)}:${res.status === 200 ? strategy : "server"}`);
      } else if (res.status !== 409) {
        throw new Error(`resolve answered ${res.status}: ${JSON.stringify(res.body)}`);
      } else done.push(`${short(c.id)}:409 ${res.body?.error?.code}`);
    }
    return done;
  }

  // ---- final phase ------------------------------------------------------------------------------

  private async settle(): Promise<Failure[]> {
    const failures: Failure[] = [];
    this.wire.disarm();
    await this.wire.deliverHeld();
    for (const d of this.devices) {
      d.net.offline = false;
      d.net.clear();
      d.mode = null;
    }
    const r = Prng.for(this.config.seed, "settle");
    for (let round = 0; round < 4; round++) {
      for (const d of this.devices) {
        const state = await this.syncUntilIdle(d);
        if (state.status !== "idle") {
          failures.push({ invariant: "quiescence", detail: `d${d.index} did not reach idle: ${JSON.stringify(state)}` });
          return failures;
        }
      }
      const resolved = await this.resolveSome(r, Number.POSITIVE_INFINITY);
      this.log(`settle round ${round}: resolved ${resolved.length}`);
      if (resolved.length === 0 && round > 0) break;
    }
    // Everyone pulls once more after the last resolution.
    for (const d of this.devices) await this.syncUntilIdle(d);
    return failures;
  }

  // ---- run --------------------------------------------------------------------------------------

  async run(): Promise<SimResult> {
    const started = performance.now();
    await this.setup();
    let failures: Failure[] = [];
    try {
      for (let i = 0; i < this.config.ops; i++) await this.step(i);
      failures = await this.settle();
    } catch (error) {
      failures = [{ invariant: "no crash", detail: error instanceof Error ? (error.stack ?? error.message) : String(error) }];
    }
    const checked = failures.length > 0 ? { failures, server: null, fates: undefined } : await checkInvariants(this);
    const stats = this.collectStats(checked.server, checked.fates);
    return { config: this.config, stats, failures: checked.failures, trace: this.trace, ms: performance.now() - started };
  }

  private collectStats(
    server: { applied: number; merged: number; conflicted: number; duplicate: number; rejected: number } | null,
    fates?: Record<Fate, number>,
  ): SimStats {
    const sent = this.devices.reduce((n, d) => n + d.net.served("push").reduce((m, e) => m + (e.mutationIds?.length ?? 0), 0), 0);
    return {
      ops: this.config.ops,
      localWrites: this.localWrites,
      mutationsSent: sent,
      applied: server?.applied ?? 0,
      merged: server?.merged ?? 0,
      conflicted: server?.conflicted ?? 0,
      duplicate: server?.duplicate ?? 0,
      rejected: server?.rejected ?? 0,
      conflictsResolved: this.conflictsResolved,
      fates: fates ?? ({} as Record<Fate, number>),
      wire: { ...this.wire.stats },
      faults: this.faults,
    };
  }

  /** Closes and deletes every device database. */
  async dispose(): Promise<void> {
    for (const d of this.devices) {
      d.dev.kill();
      await d.dev.db.delete().catch(() => undefined);
    }
  }

  /** For the invariant checks. */
  get world() {
    return { users: this.users, coordinator: this.coordinator, entityIds: this.entityIds, pendingConflictStatus: PENDING_CONFLICT };
  }
}

/** Runs one simulation on an open database. */
export async function simulate(config: SimConfig, database: SimDatabase): Promise<SimResult> {
  const sim = new Simulation(config, database);
  try {
    return await sim.run();
  } finally {
    await sim.dispose();
  }
}
