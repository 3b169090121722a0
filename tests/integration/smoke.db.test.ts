import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GET as pull } from "@/app/api/sync/pull/route";
import { POST as push } from "@/app/api/sync/push/route";
import { assignUser, createEntity } from "@/lib/server/admin";
import { call, makeUser } from "../fixtures/api";
import { useTestDb } from "../fixtures/test-db";

type Row = { status?: string; type?: string; version?: number; record?: { data?: unknown } };

const db = useTestDb();

describe("sync smoke", () => {
  it("creates, updates, merges, conflicts and pulls", async () => {
    const prisma = db.current.prisma;
    const a1 = await makeUser(prisma, "ASSESSOR");
    const a2 = await makeUser(prisma, "ASSESSOR");
    const entity = await createEntity({
      name: "Camp A",
      type: "CAMP",
      lga: "L",
      ward: "W",
      latitude: 1,
      longitude: 2,
      autoApprove: false,
      createdById: null,
    });
    await assignUser({ userId: a1.user.id, entityId: entity.id });
    await assignUser({ userId: a2.user.id, entityId: entity.id });
    const offlineId = randomUUID();
    const deviceId = randomUUID();
    const create = {
      mutationId: randomUUID(),
      type: "assessment",
      action: "create",
      offlineId,
      baseVersion: 0,
      data: { entityId: entity.id, assessmentType: "WASH", status: "DRAFT", data: { waterSource: "BOREHOLE" } },
    };
    const r1 = await call(push, { path: "/api/sync/push", token: a1.token, body: { deviceId, mutations: [create] } });
    expect(r1.status).toBe(200);
    expect((r1.body.results as Row[])[0]).toMatchObject({ status: "applied", version: 1 });
    const again = await call(push, { path: "/api/sync/push", token: a1.token, body: { deviceId, mutations: [create] } });
    expect((again.body.results as Row[])[0]).toMatchObject({ status: "duplicate", version: 1 });

    const u1 = {
      mutationId: randomUUID(),
      type: "assessment",
      action: "update",
      offlineId,
      baseVersion: 1,
      data: { data: { latrines: 5 } },
    };
    const u2 = {
      mutationId: randomUUID(),
      type: "assessment",
      action: "update",
      offlineId,
      baseVersion: 1,
      data: { data: { functionalBoreholes: 2 } },
    };
    const u3 = {
      mutationId: randomUUID(),
      type: "assessment",
      action: "update",
      offlineId,
      baseVersion: 1,
      data: { data: { latrines: 7 } },
    };
    const r2 = await call(push, { path: "/api/sync/push", token: a1.token, body: { deviceId, mutations: [u1] } });
    expect((r2.body.results as Row[])[0]).toMatchObject({ status: "applied", version: 2 });
    const r3 = await call(push, { path: "/api/sync/push", token: a2.token, body: { deviceId: randomUUID(), mutations: [u3, u2] } });
    // a1 made the server's latest change, so a2's competing latrines edit goes to a human…
    expect((r3.body.results as Row[])[0]).toMatchObject({ status: "conflict", conflictingFields: ["data.latrines"] });
    // …while a2's disjoint edit merges.
    expect((r3.body.results as Row[])[1]).toMatchObject({ status: "merged", version: 3 });

    const p1 = await call(pull, { path: "/api/sync/pull?limit=2", token: a2.token });
    expect(p1.status).toBe(200);
    let cursor = p1.body.cursor as string;
    const seen = [...(p1.body.changes as Row[])];
    let more = p1.body.hasMore;
    while (more) {
      const p = await call(pull, { path: `/api/sync/pull?limit=2&cursor=${cursor}`, token: a2.token });
      seen.push(...(p.body.changes as Row[]));
      cursor = p.body.cursor as string;
      more = p.body.hasMore;
    }
    expect(seen.map((c) => c.type).sort()).toEqual(["assessment", "conflict", "entity"]);
    expect(seen.find((c) => c.type === "assessment")?.record?.data).toEqual({
      waterSource: "BOREHOLE",
      latrines: 5,
      functionalBoreholes: 2,
    });
  });
});
