/**
 * The browser sync client (lib/client) against the REAL sync engine: every device is a Dexie
 * database on fake-indexeddb with a real SyncClient, talking to the Next route handlers
 * in-process (tests/fixtures/app-fetch.ts). Devices edit offline (the network fails before the
 * server), then sync, and must converge with each other and with the server.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FieldSyncDb } from "@/lib/client/db/field-sync-db";
import { listAssessments } from "@/lib/client/db/queries";
import { type AnyLocalRow, META_KEYS, type RecordType } from "@/lib/client/db/types";
import { createRecord, deleteRecord, updateRecord } from "@/lib/client/outbox/local-writes";
import { discardParked, retryParked } from "@/lib/client/outbox/parked";
import { recordFields } from "@/lib/client/outbox/rebuild-record";
import type { ConflictDetail, ConflictListResponse, Role } from "@/lib/protocol";
import { assignUser, createEntity } from "@/lib/server/admin";
import { encodeCursor } from "@/lib/server/sync/cursor";
import { toAssessmentRecord, toEntityRecord, toResponseRecord } from "@/lib/server/sync/serialize";
import { makeUser } from "../../fixtures/api";
import { APP_ORIGIN, type AppFetch, createAppFetch, type Device, openDevice } from "../../fixtures/app-fetch";
import { FaultyFetch } from "../../fixtures/faults";
import { useTestDb } from "../../fixtures/test-db";

const testDb = useTestDb();
let app: AppFetch;

beforeAll(() => {
  app = createAppFetch();
});

interface Actor {
  user: { id: string; name: string };
  token: string;
  device: Device;
  net: FaultyFetch;
}

const opened: Device[] = [];
afterEach(async () => {
  for (const d of opened.splice(0)) {
    d.kill();
    await d.db.delete().catch(() => undefined);
  }
});

let sites = 0;
async function newEntity(options: { autoApprove?: boolean } = {}) {
  return createEntity({
    name: `Camp ${++sites}`,
    type: "CAMP",
    lga: "Maiduguri",
    ward: "Bolori I",
    latitude: 11.83,
    longitude: 13.15,
    autoApprove: options.autoApprove ?? false,
    createdById: null,
  });
}

/** A signed-in user with a device of their own; `entityIds` are assigned (assessors). */
async function actor(role: Role, ...entityIds: string[]): Promise<Actor> {
  const { user, token } = await makeUser(testDb.current.prisma, role);
  for (const entityId of entityIds) await assignUser({ userId: user.id, entityId });
  const net = new FaultyFetch(app);
  const device = await openDevice({ token, fetch: net.fetch });
  opened.push(device);
  return { user, token, device, net };
}

/** Syncs and expects the pass to end idle (a clean push and pull). */
async function syncOk(a: Actor) {
  const state = await a.device.sync();
  expect(state, JSON.stringify(state)).toEqual({ status: "idle" });
}

/** An API call as the user, through the same in-process app. */
async function api<T>(a: Pick<Actor, "token">, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await app(`${APP_ORIGIN}${path}`, {
    method,
    headers: { authorization: `Bearer ${a.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

const WASH = (data: Record<string, unknown> = {}) => ({ waterSource: "BOREHOLE", ...data });

function newAssessment(db: FieldSyncDb, entityId: string, data: Record<string, unknown> = WASH(), extra: Record<string, unknown> = {}) {
  return createRecord(db, "assessment", { entityId, assessmentType: "WASH", status: "DRAFT", data, ...extra });
}

async function row(d: Device, type: RecordType, offlineId: string): Promise<AnyLocalRow | undefined> {
  return d.db.recordTable(type).get(offlineId);
}

/** The server's record, rendered exactly as pull renders it. */
async function serverRecord(type: RecordType, offlineId: string): Promise<Record<string, unknown> | null> {
  const prisma = testDb.current.prisma;
  if (type === "assessment") {
    const r = await prisma.assessment.findUnique({ where: { offlineId } });
    return r ? { ...toAssessmentRecord(r) } : null;
  }
  if (type === "response") {
    const r = await prisma.response.findUnique({ where: { offlineId }, include: { assessment: { select: { offlineId: true } } } });
    return r ? { ...toResponseRecord(r) } : null;
  }
  const r = await prisma.entity.findUnique({ where: { offlineId } });
  return r ? { ...toEntityRecord(r) } : null;
}

/**
 * Convergence: on every device the record is synced (nothing pending, no conflict), its fields
 * are exactly the server's record, and its base version is the server's version.
 */
async function expectConverged(devices: Device[], type: RecordType, offlineId: string) {
  const server = await serverRecord(type, offlineId);
  expect(server, `${type} ${offlineId} on the server`).not.toBeNull();
  for (const d of devices) {
    const local = await row(d, type, offlineId);
    expect(local, `${type} ${offlineId} on ${d.dbName}`).toBeDefined();
    expect({
      syncState: local?.syncState,
      serverVersion: local?.serverVersion,
      pendingPaths: local?.pendingPaths,
      conflictId: local?.conflictId,
    }).toEqual({
      syncState: "synced",
      serverVersion: server?.version,
      pendingPaths: {},
      conflictId: undefined,
    });
    expect(recordFields(local as AnyLocalRow)).toEqual(server);
  }
}

async function expectDrained(d: Device) {
  expect({ outbox: await d.db.outbox.count(), parked: await d.db.parked.count() }).toEqual({ outbox: 0, parked: 0 });
}

/** Versions the server keeps for a record (one snapshot per version). */
async function versionsOf(offlineId: string, type: "assessment" | "response" = "assessment") {
  const prisma = testDb.current.prisma;
  const rec =
    type === "assessment"
      ? await prisma.assessment.findUniqueOrThrow({ where: { offlineId } })
      : await prisma.response.findUniqueOrThrow({ where: { offlineId } });
  return (await prisma.recordVersion.findMany({ where: { recordId: rec.id }, orderBy: { version: "asc" } })).map((v) => v.version);
}

/** Each device's visible assessments and responses (record fields only), for device-to-device comparison. */
async function recordsOn(d: Device) {
  const out: Record<string, unknown>[] = [];
  for (const type of ["assessment", "response"] as const) {
    const rows = await d.db.recordTable(type).toArray();
    out.push(...rows.map((r) => ({ type, ...recordFields(r) })));
  }
  return out.sort((a, b) => String(a.offlineId).localeCompare(String(b.offlineId)));
}

describe("two devices edit offline and converge through the real server", () => {
  it("offline creates on both devices reach the server once and both devices end up with both", async () => {
    const entity = await newEntity();
    const a1 = await actor("ASSESSOR", entity.id);
    const a2 = await actor("ASSESSOR", entity.id);
    await syncOk(a1);
    await syncOk(a2);
    expect((await a1.device.db.entities.toArray()).map((e) => e.id)).toEqual([entity.id]);

    // Offline: writes are local and visible at once; a sync attempt fails without losing anything.
    a1.net.offline = true;
    a2.net.offline = true;
    const seenBefore = a1.net.served().length;
    const x = await newAssessment(a1.device.db, entity.id, WASH({ latrines: 3 }));
    const y = await createRecord(a2.device.db, "assessment", {
      entityId: entity.id,
      assessmentType: "HEALTH",
      status: "DRAFT",
      data: { staffOnDuty: 4 },
    });
    const offlineAttempt = await a1.device.sync();
    expect(offlineAttempt).toMatchObject({ status: "backoff", error: { code: "NETWORK_ERROR" } });
    expect(a1.net.served().length).toBe(seenBefore);
    expect((await row(a1.device, "assessment", x.offlineId))?.syncState).toBe("pending");
    expect(await testDb.current.prisma.assessment.count({ where: { entityId: entity.id } })).toBe(0);

    a1.net.offline = false;
    a2.net.offline = false;
    await syncOk(a1);
    await syncOk(a2);
    await syncOk(a1);

    for (const id of [x.offlineId, y.offlineId]) await expectConverged([a1.device, a2.device], "assessment", id);
    expect(await recordsOn(a1.device)).toEqual(await recordsOn(a2.device));
    expect(await testDb.current.prisma.assessment.count({ where: { entityId: entity.id } })).toBe(2);
    await expectDrained(a1.device);
    await expectDrained(a2.device);
  });

  it("disjoint field edits made offline on two devices merge, and both devices converge on the merge", async () => {
    const entity = await newEntity();
    const a1 = await actor("ASSESSOR", entity.id);
    const a2 = await actor("ASSESSOR", entity.id);
    const x = await newAssessment(a1.device.db, entity.id);
    await syncOk(a1);
    await syncOk(a2);
    await expectConverged([a1.device, a2.device], "assessment", x.offlineId);

    a1.net.offline = true;
    a2.net.offline = true;
    await updateRecord(a1.device.db, "assessment", x.offlineId, { data: { latrines: 5 } });
    await updateRecord(a1.device.db, "assessment", x.offlineId, { data: { notes: "two blocks flooded" } });
    await updateRecord(a2.device.db, "assessment", x.offlineId, { data: { functionalBoreholes: 2, openDefecationObserved: true } });
    a1.net.offline = false;
    a2.net.offline = false;

    await syncOk(a1);
    await syncOk(a2);
    await syncOk(a1);

    // a1's two edits were coalesced into one update; a2's, based on version 1, merged over it.
    expect(a1.net.served("push").flatMap((e) => e.pushResults)).toEqual(["applied", "applied"]);
    expect(a2.net.served("push").flatMap((e) => e.pushResults)).toEqual(["merged"]);
    await expectConverged([a1.device, a2.device], "assessment", x.offlineId);
    expect((await serverRecord("assessment", x.offlineId))?.data).toEqual({
      waterSource: "BOREHOLE",
      latrines: 5,
      notes: "two blocks flooded",
      functionalBoreholes: 2,
      openDefecationObserved: true,
    });
    expect(await versionsOf(x.offlineId)).toEqual([1, 2, 3]);
    // A merge is not a conflict: nothing for a human, nothing awaiting review.
    expect(await testDb.current.prisma.conflict.count({ where: { recordOfflineId: x.offlineId } })).toBe(0);
    expect(await a2.device.db.conflicts.count()).toBe(0);
  });

  const strategies = [
    { strategy: "custom", data: { "data.latrines": 8 }, expected: 8 },
    { strategy: "client", expected: 9 },
    { strategy: "server", expected: 7 },
  ] as const;

  it.each(strategies)(
    "the same field edited differently is a conflict on both sides; resolved ($strategy), both devices converge on $expected",
    async ({ strategy, expected, ...rest }) => {
      const entity = await newEntity();
      const a1 = await actor("ASSESSOR", entity.id);
      const a2 = await actor("ASSESSOR", entity.id);
      const coordinator = await actor("COORDINATOR");
      const x = await newAssessment(a1.device.db, entity.id, WASH({ latrines: 1 }));
      await syncOk(a1);
      await syncOk(a2);

      a1.net.offline = true;
      a2.net.offline = true;
      await updateRecord(a1.device.db, "assessment", x.offlineId, { data: { latrines: 7 } });
      // a2 changes the same answer differently, plus one nobody else touched: the whole edit waits.
      await updateRecord(a2.device.db, "assessment", x.offlineId, { data: { latrines: 9, notes: "recounted" } });
      a1.net.offline = false;
      a2.net.offline = false;

      await syncOk(a1);
      await syncOk(a2);
      expect(a2.net.served("push").flatMap((e) => e.pushResults)).toEqual(["conflict"]);

      // The pushing device: its edit stays visible, awaiting review, named by the server's conflictId.
      const pending = await testDb.current.prisma.conflict.findFirstOrThrow({ where: { recordOfflineId: x.offlineId } });
      const onA2 = await row(a2.device, "assessment", x.offlineId);
      expect(onA2).toMatchObject({
        syncState: "conflict",
        conflictId: pending.id,
        serverVersion: 2,
        data: { waterSource: "BOREHOLE", latrines: 9, notes: "recounted" },
        pendingPaths: { "data.latrines": 9, "data.notes": "recounted" },
      });
      expect(onA2?.serverRecord).toMatchObject({ version: 2, data: { waterSource: "BOREHOLE", latrines: 7 } });
      expect(await a2.device.db.conflicts.get(pending.id)).toMatchObject({ status: "PENDING", conflictingFields: ["data.latrines"] });
      await expectDrained(a2.device);

      // The server side: not applied at all (not even the notes), listed for coordinators.
      expect((await serverRecord("assessment", x.offlineId))?.data).toEqual({ waterSource: "BOREHOLE", latrines: 7 });
      const list = await api<ConflictListResponse>(coordinator, "GET", "/api/conflicts?status=PENDING");
      expect(list.status).toBe(200);
      expect(list.body.conflicts.filter((c) => c.recordOfflineId === x.offlineId)).toEqual([
        expect.objectContaining({
          id: pending.id,
          kind: "UPDATE",
          status: "PENDING",
          conflictingFields: ["data.latrines"],
          submittedBy: { id: a2.user.id, name: a2.user.name },
        }),
      ]);
      const detail = await api<ConflictDetail>(coordinator, "GET", `/api/conflicts/${pending.id}`);
      expect(detail.body).toMatchObject({
        baseVersion: 1,
        serverVersion: 2,
        server: { data: { latrines: 7 } },
        client: { data: { latrines: 9, notes: "recounted" } },
      });

      // Pulling again while it is pending changes nothing on either device.
      await syncOk(a1);
      await syncOk(a2);
      expect(await row(a2.device, "assessment", x.offlineId)).toMatchObject({
        syncState: "conflict",
        conflictId: pending.id,
        data: { latrines: 9 },
      });
      await expectConverged([a1.device], "assessment", x.offlineId);

      const resolved = await api<{ record: { version: number; data: Record<string, unknown> } }>(
        coordinator,
        "POST",
        `/api/conflicts/${pending.id}/resolve`,
        {
          strategy,
          expectedVersion: 2,
          ...rest,
        },
      );
      expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
      expect(resolved.body.record.data.latrines).toBe(expected);

      await syncOk(a1);
      await syncOk(a2);
      await syncOk(coordinator);
      await expectConverged([a1.device, a2.device, coordinator.device], "assessment", x.offlineId);
      expect((await serverRecord("assessment", x.offlineId))?.data).toMatchObject({ latrines: expected });
      expect(await a2.device.db.conflicts.get(pending.id)).toMatchObject({ status: "RESOLVED" });
      const notesKept = strategy === "server" ? undefined : "recounted";
      const a2Data = (await row(a2.device, "assessment", x.offlineId))?.data as Record<string, unknown> | undefined;
      expect(a2Data?.notes).toBe(notesKept);
      expect(await versionsOf(x.offlineId)).toEqual(strategy === "server" ? [1, 2] : [1, 2, 3]);
      await expectDrained(a2.device);
    },
  );

  it("a response created offline against an assessment created offline on the same device syncs in one push", async () => {
    const entity = await newEntity({ autoApprove: true });
    const coordinator = await actor("COORDINATOR");
    const assessor = await actor("ASSESSOR", entity.id);
    await syncOk(coordinator);

    coordinator.net.offline = true;
    const assessment = await newAssessment(coordinator.device.db, entity.id, WASH({ latrines: 4 }));
    // DELIVERED is HIGH priority, the DRAFT assessment NORMAL: the response must still go second.
    const response = await createRecord(coordinator.device.db, "response", {
      assessmentOfflineId: assessment.offlineId,
      entityId: entity.id,
      responseType: "FOOD_DISTRIBUTION",
      status: "DELIVERED",
      data: { items: [{ name: "Rice", quantity: 50, unit: "kg" }], beneficiaries: 120 },
    });
    expect((await row(coordinator.device, "response", response.offlineId))?.syncState).toBe("pending");
    coordinator.net.offline = false;

    await syncOk(coordinator);
    const pushes = coordinator.net.served("push");
    expect(pushes.map((p) => p.pushResults)).toEqual([["applied", "applied"]]);

    const serverAssessment = await testDb.current.prisma.assessment.findUniqueOrThrow({ where: { offlineId: assessment.offlineId } });
    const serverResponse = await testDb.current.prisma.response.findUniqueOrThrow({ where: { offlineId: response.offlineId } });
    expect(serverResponse.assessmentId).toBe(serverAssessment.id);
    expect(serverResponse.verificationStatus).toBe("AUTO_VERIFIED");

    await syncOk(assessor);
    for (const d of [coordinator.device, assessor.device]) {
      await expectConverged([d], "assessment", assessment.offlineId);
      await expectConverged([d], "response", response.offlineId);
    }
    expect(await row(coordinator.device, "response", response.offlineId)).toMatchObject({
      assessmentId: serverAssessment.id,
      assessmentOfflineId: assessment.offlineId,
    });
    await expectDrained(coordinator.device);
  });

  it("unassigning an entity evicts its records on the next pull, except records with unsent changes", async () => {
    const kept = await newEntity();
    const dropped = await newEntity();
    const a1 = await actor("ASSESSOR", kept.id, dropped.id);
    const admin = await actor("ADMIN");
    const inKept = await newAssessment(a1.device.db, kept.id);
    const untouched = await newAssessment(a1.device.db, dropped.id);
    const edited = await newAssessment(a1.device.db, dropped.id);
    await syncOk(a1);
    expect((await a1.device.db.entities.toArray()).map((e) => e.id).sort()).toEqual([kept.id, dropped.id].sort());

    a1.net.offline = true;
    await updateRecord(a1.device.db, "assessment", edited.offlineId, { data: { latrines: 12 } });
    const createdOffline = await newAssessment(a1.device.db, dropped.id, WASH({ latrines: 2 }));
    const unassigned = await api(admin, "DELETE", "/api/admin/assignments", { userId: a1.user.id, entityId: dropped.id });
    expect(unassigned.status).toBe(204);
    a1.net.offline = false;

    await syncOk(a1);

    // The unsent changes were refused (no longer assigned) and parked: kept, visible, with the reason.
    const parked = await a1.device.db.parked.toArray();
    expect(parked.map((p) => [p.offlineId, p.action, p.error.code]).sort()).toEqual(
      [
        [edited.offlineId, "update", "FORBIDDEN"],
        [createdOffline.offlineId, "create", "FORBIDDEN"],
      ].sort(),
    );
    // Evicted: the synced record and the entity itself. Kept: the in-scope record and both records with unsent changes.
    expect(await row(a1.device, "assessment", untouched.offlineId)).toBeUndefined();
    expect(await a1.device.db.entities.get(dropped.offlineId)).toBeUndefined();
    await expectConverged([a1.device], "assessment", inKept.offlineId);
    expect(await row(a1.device, "assessment", edited.offlineId)).toMatchObject({ syncState: "parked", data: { latrines: 12 } });
    expect(await row(a1.device, "assessment", createdOffline.offlineId)).toMatchObject({ syncState: "parked", data: { latrines: 2 } });
    // The server still has the evicted record: eviction is local only.
    expect(await serverRecord("assessment", untouched.offlineId)).not.toBeNull();

    // The user discards the refused edit: the record reverts to the server's state and, being out
    // of scope and synced now, goes on the next pull.
    const editedParked = parked.find((p) => p.offlineId === edited.offlineId);
    const reverted = await discardParked(a1.device.db, editedParked?.seq as number);
    expect(reverted).toMatchObject({ syncState: "synced", data: { waterSource: "BOREHOLE" } });
    await syncOk(a1);
    expect(await row(a1.device, "assessment", edited.offlineId)).toBeUndefined();

    // Reassigned, the parked create is retried and goes through; the entity's records come back.
    await assignUser({ userId: a1.user.id, entityId: dropped.id });
    const createdParked = parked.find((p) => p.offlineId === createdOffline.offlineId);
    expect(await retryParked(a1.device.db, createdParked?.seq as number)).toBe(true);
    await syncOk(a1);
    await expectDrained(a1.device);
    for (const id of [inKept.offlineId, untouched.offlineId, edited.offlineId, createdOffline.offlineId]) {
      await expectConverged([a1.device], "assessment", id);
    }
    expect(await a1.device.db.entities.get(dropped.offlineId)).toBeDefined();
    expect((await serverRecord("assessment", edited.offlineId))?.data).toEqual({ waterSource: "BOREHOLE" });
  });
});

describe("more ways devices and the server must agree", () => {
  it("a delete on one device removes the record everywhere; a delete racing an edit goes to a human and both sides agree", async () => {
    const entity = await newEntity();
    const a1 = await actor("ASSESSOR", entity.id);
    const a2 = await actor("ASSESSOR", entity.id);
    const coordinator = await actor("COORDINATOR");
    const gone = await newAssessment(a1.device.db, entity.id);
    const raced = await newAssessment(a1.device.db, entity.id, WASH({ latrines: 1 }));
    await syncOk(a1);
    await syncOk(a2);

    // A plain delete: hidden at once locally, then gone on both devices, kept (soft) on the server.
    expect(await deleteRecord(a2.device.db, "assessment", gone.offlineId)).toBe(true);
    expect(await row(a2.device, "assessment", gone.offlineId)).toMatchObject({ localDeleted: true, syncState: "pending" });
    await syncOk(a2);
    await syncOk(a1);
    for (const d of [a1.device, a2.device]) expect(await row(d, "assessment", gone.offlineId)).toBeUndefined();
    expect((await serverRecord("assessment", gone.offlineId))?.deletedAt).not.toBeNull();

    // a1 edits while a2 (offline) deletes the version a1 has moved past.
    a2.net.offline = true;
    await updateRecord(a1.device.db, "assessment", raced.offlineId, { data: { latrines: 2 } });
    await syncOk(a1);
    await deleteRecord(a2.device.db, "assessment", raced.offlineId);
    a2.net.offline = false;
    await syncOk(a2);
    expect(a2.net.served("push").at(-1)?.pushResults).toEqual(["conflict"]);
    const conflict = await testDb.current.prisma.conflict.findFirstOrThrow({ where: { recordOfflineId: raced.offlineId } });
    expect(conflict).toMatchObject({ kind: "DELETION", status: "PENDING" });
    // The delete awaits review: still hidden on a2, named by the conflict; untouched on a1 and the server.
    expect(await row(a2.device, "assessment", raced.offlineId)).toMatchObject({
      localDeleted: true,
      syncState: "conflict",
      conflictId: conflict.id,
    });
    await syncOk(a1);
    await expectConverged([a1.device], "assessment", raced.offlineId);

    // The coordinator keeps the record: both devices show it again, at the server's version.
    const resolved = await api(coordinator, "POST", `/api/conflicts/${conflict.id}/resolve`, { strategy: "server" });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    await syncOk(a1);
    await syncOk(a2);
    await expectConverged([a1.device, a2.device], "assessment", raced.offlineId);
    expect((await row(a2.device, "assessment", raced.offlineId))?.localDeleted).toBeUndefined();
  });

  it("a cursor the server refuses (from another or a restored database) restarts the pull from the start, and the device catches up", async () => {
    const entity = await newEntity();
    const a1 = await actor("ASSESSOR", entity.id);
    const a2 = await actor("ASSESSOR", entity.id);
    const kept = await newAssessment(a1.device.db, entity.id);
    const removed = await newAssessment(a1.device.db, entity.id, WASH({ latrines: 4 }));
    await syncOk(a1);
    await syncOk(a2);

    // Meanwhile a1 adds one record and deletes another; a2 has an unsent edit of its own.
    const added = await newAssessment(a1.device.db, entity.id, WASH({ latrines: 9 }));
    await deleteRecord(a1.device.db, "assessment", removed.offlineId);
    await syncOk(a1);
    a2.net.offline = true;
    await updateRecord(a2.device.db, "assessment", kept.offlineId, { data: { functionalBoreholes: 2 } });
    a2.net.offline = false;

    // a2's cursor is one this database never issued (numbered far beyond its change counter).
    const foreign = encodeCursor({ seq: 10n ** 12n, assignmentSeq: 0n });
    await a2.device.db.meta.put({ key: META_KEYS.CURSOR, value: foreign });
    await syncOk(a2);

    const pulls = a2.net.served("pull");
    expect(pulls.at(-2)?.status).toBe(400); // refused once…
    expect(pulls.at(-1)?.status).toBe(200); // …then pulled from the start in the same pass
    expect((await a2.device.db.meta.get(META_KEYS.CURSOR))?.value).not.toBe(foreign);
    await expectDrained(a2.device);
    await expectConverged([a2.device], "assessment", added.offlineId);
    await expectConverged([a2.device], "assessment", kept.offlineId);
    expect((await serverRecord("assessment", kept.offlineId))?.data).toMatchObject({ functionalBoreholes: 2 });
    expect(await row(a2.device, "assessment", removed.offlineId)).toBeUndefined();
    await syncOk(a1);
    expect(await recordsOn(a2.device)).toEqual(await recordsOn(a1.device));
  });

  it("a server restored from an older backup: what it lost is sent again, what it rolled back is brought forward", async () => {
    const prisma = testDb.current.prisma;
    const entity = await newEntity();
    const me = await actor("ASSESSOR", entity.id);
    const kept = await newAssessment(me.device.db, entity.id, WASH({ latrines: 1 }));
    const rolledBack = await newAssessment(me.device.db, entity.id, WASH({ latrines: 2 }));
    await syncOk(me);

    // The nightly backup: both records at version 1, and the change counter at this value.
    const counterAt = async () =>
      (await prisma.$queryRawUnsafe<{ value: bigint }[]>(`SELECT "value" FROM "ChangeCounter" WHERE "id" = 1`))[0].value;
    const backupCounter = await counterAt();
    const rolledRow = await prisma.assessment.findUniqueOrThrow({ where: { offlineId: rolledBack.offlineId } });
    const ledgerAtBackup = (await prisma.processedMutation.findMany({ select: { mutationId: true } })).map((r) => r.mutationId);

    // After the backup the device captures a new record and edits another.
    const lost = await newAssessment(me.device.db, entity.id, WASH({ latrines: 3 }));
    await updateRecord(me.device.db, "assessment", rolledBack.offlineId, { data: { latrines: 22 } });
    await syncOk(me);

    // The disk fails; the database comes back from the backup.
    const lostRow = await prisma.assessment.findUniqueOrThrow({ where: { offlineId: lost.offlineId } });
    await prisma.recordVersion.deleteMany({ where: { OR: [{ recordId: lostRow.id }, { recordId: rolledRow.id, version: { gt: 1 } }] } });
    await prisma.processedMutation.deleteMany({ where: { mutationId: { notIn: ledgerAtBackup } } });
    await prisma.assessment.delete({ where: { id: lostRow.id } });
    await prisma.assessment.update({
      where: { id: rolledRow.id },
      data: { data: rolledRow.data as object, version: 1, changeSeq: rolledRow.changeSeq, updatedAt: rolledRow.updatedAt },
    });
    await prisma.$executeRawUnsafe(`UPDATE "ChangeCounter" SET "value" = ${backupCounter} WHERE "id" = 1`);

    // The cursor is refused and the device starts pulling from the start, but the link drops: the
    // next sync must start over (and still compare), not carry on as if nothing had happened.
    me.net.inject((req) => req.url.includes("/api/sync/pull") && !new URL(req.url).searchParams.has("cursor"), { kind: "drop-response" });
    expect((await me.device.sync()).status).not.toBe("idle");
    // Then a sync that goes through: the device notices what the server lost, and resends it.
    await syncOk(me);
    expect(me.net.served("pull").some((p) => p.status === 400)).toBe(true);
    const serverLost = await prisma.assessment.findUniqueOrThrow({ where: { offlineId: lost.offlineId } });
    expect(serverLost.data).toEqual(WASH({ latrines: 3 }));
    const serverRolled = await prisma.assessment.findUniqueOrThrow({ where: { offlineId: rolledBack.offlineId } });
    expect({ data: serverRolled.data, version: serverRolled.version }).toEqual({ data: WASH({ latrines: 22 }), version: 2 });
    await expectDrained(me.device);
    for (const a of [kept, lost, rolledBack]) await expectConverged([me.device], "assessment", a.offlineId);
  });

  /** My edit (latrines 30) of a record someone else set to 20 first: a conflict awaiting review. */
  async function myEditInConflict() {
    const entity = await newEntity();
    const me = await actor("ASSESSOR", entity.id);
    const other = await actor("ASSESSOR", entity.id);
    const a = await newAssessment(me.device.db, entity.id, { waterSource: "BOREHOLE", latrines: 1 });
    await syncOk(me);
    await syncOk(other);
    await updateRecord(other.device.db, "assessment", a.offlineId, { data: { latrines: 20 } });
    await syncOk(other);
    await updateRecord(me.device.db, "assessment", a.offlineId, { data: { latrines: 30 } });
    await syncOk(me);
    expect(me.net.served("push").at(-1)?.pushResults).toEqual(["conflict"]);
    return { entity, me, a };
  }

  it("a pending conflict copy: after the user's newer edit of the conflicting field is applied, the device shows that newer value", async () => {
    // Someone else sets 20; offline, I set 30 → a conflict for a human.
    const { me, a } = await myEditInConflict();

    // I recount and set 35; the server accepts it (it is based on the version I now hold).
    await updateRecord(me.device.db, "assessment", a.offlineId, { data: { latrines: 35 } });
    expect((await me.device.db.assessments.get(a.offlineId))?.data).toMatchObject({ latrines: 35 });
    expect(await me.device.sync()).toEqual({ status: "idle" });
    expect(me.net.served("push").at(-1)?.pushResults).toEqual(["applied"]);
    const server = await testDb.current.prisma.assessment.findUniqueOrThrow({ where: { offlineId: a.offlineId } });
    expect((server.data as { latrines: number }).latrines).toBe(35);

    // The device must show 35 — the newest value, typed by me and stored by the server — not the older 30.
    expect((await me.device.db.assessments.get(a.offlineId))?.data).toMatchObject({ latrines: 35 });
  });

  it("deleting a record whose earlier edit awaits review: once the delete is applied the record stays gone from the device's lists", async () => {
    const { entity, me, a } = await myEditInConflict();

    // The record was misfiled: I delete it. The server accepts the delete.
    expect(await deleteRecord(me.device.db, "assessment", a.offlineId)).toBe(true);
    expect(await listAssessments(me.device.db, entity.id)).toEqual([]);
    expect(await me.device.sync()).toEqual({ status: "idle" });
    expect(me.net.served("push").at(-1)?.pushResults).toEqual(["applied"]);
    const server = await testDb.current.prisma.assessment.findUniqueOrThrow({ where: { offlineId: a.offlineId } });
    expect(server.deletedAt).not.toBeNull();

    // The deleted record must not come back on my device.
    const visible = await listAssessments(me.device.db, entity.id);
    expect(visible.map((r) => ({ offlineId: r.offlineId, syncState: r.syncState, data: r.data }))).toEqual([]);
  });

  it("entities: two coordinators edit one entity offline; the server's value wins the contested field, the rest merges, both converge", async () => {
    const entity = await newEntity();
    const c1 = await actor("COORDINATOR");
    const c2 = await actor("COORDINATOR");
    await syncOk(c1);
    await syncOk(c2);
    c1.net.offline = true;
    c2.net.offline = true;
    await updateRecord(c1.device.db, "entity", entity.offlineId, { name: "Camp North" });
    await updateRecord(c2.device.db, "entity", entity.offlineId, { name: "Camp N.", ward: "Gwange" });
    c1.net.offline = false;
    c2.net.offline = false;
    await syncOk(c1);
    await syncOk(c2);
    await syncOk(c1);
    expect(c2.net.served("push").at(-1)?.pushResults).toEqual(["merged"]);
    await expectConverged([c1.device, c2.device], "entity", entity.offlineId);
    expect(await serverRecord("entity", entity.offlineId)).toMatchObject({ name: "Camp North", ward: "Gwange", version: 3 });
    // The policy's decision is on record for audit, and c2 learns of it by pull.
    const audit = await testDb.current.prisma.conflict.findFirstOrThrow({ where: { recordOfflineId: entity.offlineId } });
    expect(audit).toMatchObject({ status: "AUTO_RESOLVED", conflictingFields: ["name"] });
    expect(await c2.device.db.conflicts.get(audit.id)).toMatchObject({ status: "AUTO_RESOLVED" });
  });

  it("one assessor on two devices: the later-arriving edit of the same answer wins without a conflict", async () => {
    const entity = await newEntity();
    const phone = await actor("ASSESSOR", entity.id);
    const net = new FaultyFetch(app);
    const tablet = await openDevice({ token: phone.token, fetch: net.fetch });
    opened.push(tablet);
    const x = await newAssessment(phone.device.db, entity.id, WASH({ latrines: 1 }));
    await syncOk(phone);
    expect(await tablet.sync()).toEqual({ status: "idle" });

    phone.net.offline = true;
    net.offline = true;
    await updateRecord(phone.device.db, "assessment", x.offlineId, { data: { latrines: 2 } });
    await updateRecord(tablet.db, "assessment", x.offlineId, { data: { latrines: 3 } });
    phone.net.offline = false;
    net.offline = false;
    await syncOk(phone);
    expect(await tablet.sync()).toEqual({ status: "idle" });
    await syncOk(phone);
    expect(net.served("push").at(-1)?.pushResults).toEqual(["merged"]);
    await expectConverged([phone.device, tablet], "assessment", x.offlineId);
    expect((await serverRecord("assessment", x.offlineId))?.data).toMatchObject({ latrines: 3 });
  });

  it("a conflict raised from one of the user's devices shows on their other device, even when the record changes after it in the same page", async () => {
    const entity = await newEntity();
    const phone = await actor("ASSESSOR", entity.id);
    const other = await actor("ASSESSOR", entity.id);
    const x = await newAssessment(phone.device.db, entity.id, WASH({ latrines: 1 }));
    await syncOk(phone);
    await syncOk(other);
    phone.net.offline = true;
    await updateRecord(phone.device.db, "assessment", x.offlineId, { data: { latrines: 2 } });
    await updateRecord(other.device.db, "assessment", x.offlineId, { data: { latrines: 3 } });
    await syncOk(other);
    phone.net.offline = false;
    await syncOk(phone);
    const conflict = await testDb.current.prisma.conflict.findFirstOrThrow({ where: { recordOfflineId: x.offlineId } });
    // The record moves on after the conflict, so a fresh pull carries the conflict first, then the record.
    await updateRecord(other.device.db, "assessment", x.offlineId, { data: { notes: "after the conflict" } });
    await syncOk(other);

    const net = new FaultyFetch(app);
    const tablet = await openDevice({ token: phone.token, fetch: net.fetch });
    opened.push(tablet);
    expect(await tablet.sync()).toEqual({ status: "idle" });
    expect(await tablet.db.conflicts.get(conflict.id)).toMatchObject({ status: "PENDING", offlineId: x.offlineId });
    expect(await row(tablet, "assessment", x.offlineId)).toMatchObject({
      syncState: "conflict",
      conflictId: conflict.id,
      serverVersion: 3,
      data: { latrines: 3, notes: "after the conflict" },
    });
  });

  it("a pull never overwrites an unsent edit: it is rebased on the newer server version, then merges", async () => {
    const entity = await newEntity();
    const a1 = await actor("ASSESSOR", entity.id);
    const coordinator = await actor("COORDINATOR");
    const x = await newAssessment(a1.device.db, entity.id, WASH({ latrines: 1 }), { status: "SUBMITTED" });
    await updateRecord(a1.device.db, "assessment", x.offlineId, { data: { functionalBoreholes: 1, openDefecationObserved: false } });
    await syncOk(a1);
    const serverId = (await serverRecord("assessment", x.offlineId))?.id as string;

    // The coordinator verifies (a new version) while a1's device is pulling; the user edits meanwhile.
    const verified = await api(coordinator, "POST", `/api/assessments/${serverId}/verify`, { decision: "VERIFIED" });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    a1.net.inject("pull", {
      kind: "delay",
      ms: 0,
      phase: "before",
      onDelay: async () => {
        await updateRecord(a1.device.db, "assessment", x.offlineId, { data: { notes: "second visit" } });
      },
    });
    await syncOk(a1);
    expect(await row(a1.device, "assessment", x.offlineId)).toMatchObject({
      syncState: "pending",
      serverVersion: 2,
      verificationStatus: "VERIFIED",
      data: { latrines: 1, notes: "second visit" },
      pendingPaths: { "data.notes": "second visit" },
    });
    // Still based on the version the user saw (1): the server merges it over the verification.
    const [queued] = await a1.device.db.outbox.toArray();
    expect(queued).toMatchObject({ baseVersion: 1, data: { data: { notes: "second visit" } } });

    await syncOk(a1);
    expect(a1.net.served("push").at(-1)?.pushResults).toEqual(["merged"]);
    await expectConverged([a1.device], "assessment", x.offlineId);
    // Changed content asks for verification again.
    expect(await serverRecord("assessment", x.offlineId)).toMatchObject({
      version: 3,
      verificationStatus: "PENDING",
      data: { notes: "second visit" },
    });
  });

  it("a week offline: hundreds of edits go in batches of at most 100, gzip-compressed, and page into the other device", async () => {
    const entity = await newEntity();
    const a1 = await actor("ASSESSOR", entity.id);
    const net = new FaultyFetch(app);
    const { token } = await makeUser(testDb.current.prisma, "ASSESSOR").then(async (u) => {
      await assignUser({ userId: u.user.id, entityId: entity.id });
      return u;
    });
    const pager = await openDevice({ token, fetch: net.fetch, client: { pullLimit: 20 } });
    opened.push(pager);

    a1.net.offline = true;
    const ids: string[] = [];
    for (let i = 0; i < 230; i++) ids.push((await newAssessment(a1.device.db, entity.id, WASH({ latrines: i }))).offlineId);
    for (const id of ids.slice(0, 40)) await updateRecord(a1.device.db, "assessment", id, { data: { notes: `visit ${id.slice(0, 4)}` } });
    a1.net.offline = false;
    const before = app.requests.length;
    await syncOk(a1);

    const pushes = app.requests.slice(before).filter((r) => r.path === "/api/sync/push");
    expect(pushes.map((p) => p.contentEncoding)).toEqual(["gzip", "gzip", "gzip"]);
    expect(a1.net.served("push").map((p) => p.mutationIds?.length)).toEqual([100, 100, 30]);
    expect(await testDb.current.prisma.assessment.count({ where: { entityId: entity.id } })).toBe(230);
    // Coalesced: 230 creates, not 270 mutations.
    expect(
      await testDb.current.prisma.recordVersion.count({
        where: {
          recordType: "assessment",
          recordId: {
            in: (await testDb.current.prisma.assessment.findMany({ where: { entityId: entity.id }, select: { id: true } })).map(
              (a) => a.id,
            ),
          },
        },
      }),
    ).toBe(230);

    expect(await pager.sync()).toEqual({ status: "idle" });
    expect(net.served("pull").length).toBeGreaterThanOrEqual(Math.ceil(231 / 20));
    expect(await recordsOn(pager)).toEqual(await recordsOn(a1.device));
    await expectConverged([a1.device, pager], "assessment", ids[0]);
    await expectConverged([a1.device, pager], "assessment", ids[229]);
  });
});
