import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { GET as pull } from "@/app/api/sync/pull/route";
import { POST as push } from "@/app/api/sync/push/route";
import { createEntity } from "@/lib/server/admin";
import type { Tx } from "@/lib/server/db/client";
import { uuidv7 } from "@/lib/server/ids";
import { stampChanges } from "@/lib/server/sync/change-seq";
import { call, makeUser } from "../../fixtures/api";
import { useTestDb } from "../../fixtures/test-db";

/**
 * The pull cursor must never skip a change whose transaction was open while a pull ran
 * (PROTOCOL §4). These tests hold a writer's transaction open across pulls on a real Postgres
 * server (PGlite has a single connection, so nothing can be held open beside a pull there).
 */
const db = useTestDb({ poolSize: 10 });
const onServer = inject("dbTemplate").kind === "postgres";

function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

async function pullAll(token: string, cursor?: string) {
  const ids: string[] = [];
  let next = cursor;
  for (;;) {
    const res = await call(pull, { path: `/api/sync/pull?limit=50${next ? `&cursor=${next}` : ""}`, token });
    expect(res.status).toBe(200);
    ids.push(...(res.body.changes as { type: string; id: string }[]).filter((c) => c.type === "assessment").map((c) => c.id));
    next = res.body.cursor as string;
    if (!res.body.hasMore) return { ids, cursor: next };
  }
}

function createMutation(entityId: string) {
  return {
    mutationId: randomUUID(),
    type: "assessment",
    action: "create",
    offlineId: randomUUID(),
    baseVersion: 0,
    data: { entityId, assessmentType: "HEALTH", status: "DRAFT", data: { choleraCases: 1 } },
  };
}

/** Writes an assessment in `tx` the way the engine does; `stamp` draws its change number. */
async function writeAssessment(tx: Tx, entityId: string, userId: string) {
  const id = uuidv7();
  await tx.assessment.create({
    data: { id, offlineId: id, entityId, assessorId: userId, lastModifiedById: userId, assessmentType: "FOOD", status: "DRAFT", data: {} },
  });
  return id;
}

describe.runIf(onServer)("pull cursor under concurrent writers (Postgres)", () => {
  it("a transaction that began before a pull, and commits after it, appears in the next pull", async () => {
    const { prisma } = db.current;
    const coord = await makeUser(prisma, "COORDINATOR");
    const entity = await createEntity({
      name: "E",
      type: "CAMP",
      lga: "L",
      ward: "W",
      latitude: 0,
      longitude: 0,
      autoApprove: false,
      createdById: null,
    });
    const start = await pullAll(coord.token);

    // Writer A: begins, writes its row, and stays open.
    const hold = gate();
    const written = gate();
    let heldId = "";
    const writerA = prisma.$transaction(
      async (tx) => {
        heldId = await writeAssessment(tx, entity.id, coord.user.id);
        written.open();
        await hold.promise;
        await stampChanges(tx, [{ table: "Assessment", id: heldId }]);
      },
      { timeout: 60_000 },
    );
    await written.promise;

    // Writer B commits through the engine while A is open; a pull sees B and advances past it.
    const b = await call(push, {
      path: "/api/sync/push",
      token: coord.token,
      body: { deviceId: randomUUID(), mutations: [createMutation(entity.id)] },
    });
    const bId = (b.body.results as { id: string }[])[0].id;
    const first = await pullAll(coord.token, start.cursor);
    expect(first.ids).toEqual([bId]);

    // A commits after that pull; the pull from the returned cursor must still deliver it.
    hold.open();
    await writerA;
    const second = await pullAll(coord.token, first.cursor);
    expect(second.ids).toEqual([heldId]);
  });

  it("a writer that has drawn its change number holds later writers back until it commits", async () => {
    const { prisma } = db.current;
    const coord = await makeUser(prisma, "COORDINATOR");
    const entity = await createEntity({
      name: "E2",
      type: "CAMP",
      lga: "L",
      ward: "W",
      latitude: 0,
      longitude: 0,
      autoApprove: false,
      createdById: null,
    });
    const start = await pullAll(coord.token);

    const hold = gate();
    const drawn = gate();
    let heldId = "";
    const writerA = prisma.$transaction(
      async (tx) => {
        heldId = await writeAssessment(tx, entity.id, coord.user.id);
        await stampChanges(tx, [{ table: "Assessment", id: heldId }]);
        drawn.open();
        await hold.promise;
      },
      { timeout: 60_000 },
    );
    await drawn.promise;

    let bDone = false;
    const writerB = call(push, {
      path: "/api/sync/push",
      token: coord.token,
      body: { deviceId: randomUUID(), mutations: [createMutation(entity.id)] },
    }).then((r) => {
      bDone = true;
      return r;
    });
    // B cannot commit ahead of A (it waits on the change counter); a pull meanwhile sees neither.
    await new Promise((r) => setTimeout(r, 300));
    expect(bDone).toBe(false);
    const during = await pullAll(coord.token, start.cursor);
    expect(during.ids).toEqual([]);

    hold.open();
    await writerA;
    const b = await writerB;
    const bId = (b.body.results as { id: string }[])[0].id;
    const after = await pullAll(coord.token, during.cursor);
    expect(after.ids).toEqual([heldId, bId]);
  });

  it("control: a plain sequence drawn at write time does skip that change (what the design prevents)", async () => {
    const { prisma } = db.current;
    await prisma.$executeRawUnsafe(`CREATE TABLE naive_log (seq bigserial PRIMARY KEY, note text)`);
    const hold = gate();
    const inserted = gate();
    const writerA = prisma.$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe(`INSERT INTO naive_log (note) VALUES ('A')`);
        inserted.open();
        await hold.promise;
      },
      { timeout: 60_000 },
    );
    await inserted.promise;
    await prisma.$executeRawUnsafe(`INSERT INTO naive_log (note) VALUES ('B')`);
    const seen = await prisma.$queryRawUnsafe<{ seq: bigint; note: string }[]>(
      `SELECT seq, note FROM naive_log WHERE seq > 0 ORDER BY seq`,
    );
    const cursor = seen[seen.length - 1].seq;
    hold.open();
    await writerA;
    const later = await prisma.$queryRawUnsafe<{ note: string }[]>(`SELECT note FROM naive_log WHERE seq > $1 ORDER BY seq`, cursor);
    expect(seen.map((r) => r.note)).toEqual(["B"]);
    expect(later).toEqual([]); // A committed with a lower number than the cursor: lost to `seq > cursor`.
  });
});

describe("pull cursor, single connection (any database)", () => {
  it("pages deliver each change once, in change order, and an idle cursor stays put", async () => {
    const { prisma } = db.current;
    const coord = await makeUser(prisma, "COORDINATOR");
    const entity = await createEntity({
      name: "E3",
      type: "CAMP",
      lga: "L",
      ward: "W",
      latitude: 0,
      longitude: 0,
      autoApprove: false,
      createdById: null,
    });
    const start = await pullAll(coord.token);
    const mutations = Array.from({ length: 7 }, () => createMutation(entity.id));
    const pushed = await call(push, { path: "/api/sync/push", token: coord.token, body: { deviceId: randomUUID(), mutations } });
    const ids = (pushed.body.results as { id: string }[]).map((r) => r.id);
    const got = await pullAll(coord.token, start.cursor);
    expect(got.ids).toEqual(ids);
    const idle = await pullAll(coord.token, got.cursor);
    expect(idle.ids).toEqual([]);
    expect(idle.cursor).toBe(got.cursor);
  });
});
