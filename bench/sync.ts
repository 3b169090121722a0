import { randomUUID } from "node:crypto";
import { GET as pull } from "@/app/api/sync/pull/route";
import { POST as push } from "@/app/api/sync/push/route";
import { assignUser, createEntity } from "@/lib/server/admin";
import { call, makeUser } from "@/tests/fixtures/api";
import { benchDb } from "./lib";

const create = (entityId: string) => ({
  mutationId: randomUUID(),
  type: "assessment",
  action: "create",
  offlineId: randomUUID(),
  baseVersion: 0,
  data: {
    entityId,
    assessmentType: "WASH",
    status: "SUBMITTED",
    data: { waterSource: "BOREHOLE", functionalBoreholes: 2, latrines: 12, openDefecationObserved: false },
  },
});

/**
 * Push throughput: `devices` devices push `batches` × 100-mutation batches concurrently (through the
 * real route handler, in-process). Pull: an assessor pulls `pullRecords` in-scope records from no cursor.
 */
export async function benchSync(kind: "postgres" | "pglite", opts = { devices: 4, batches: 3, pullRecords: 10_000 }) {
  const db = await benchDb(kind);
  try {
    const coord = await makeUser(db.prisma, "COORDINATOR");
    const assessor = await makeUser(db.prisma, "ASSESSOR");
    const entity = await createEntity({
      name: "Bench",
      type: "CAMP",
      lga: "L",
      ward: "W",
      latitude: 0,
      longitude: 0,
      autoApprove: false,
      createdById: null,
    });
    await assignUser({ userId: assessor.user.id, entityId: entity.id });

    const started = performance.now();
    await Promise.all(
      Array.from({ length: opts.devices }, async () => {
        const deviceId = randomUUID();
        for (let b = 0; b < opts.batches; b++) {
          const res = await call(push, {
            path: "/api/sync/push",
            token: coord.token,
            body: { deviceId, mutations: Array.from({ length: 100 }, () => create(entity.id)) },
          });
          if (res.status !== 200) throw new Error(`push failed: ${res.status}`);
        }
      }),
    );
    const pushSeconds = (performance.now() - started) / 1000;
    const pushed = opts.devices * opts.batches * 100;

    // Fill up to pullRecords with 200-mutation pushes (not timed).
    let total = pushed;
    const filler = randomUUID();
    while (total < opts.pullRecords) {
      const n = Math.min(200, opts.pullRecords - total);
      await call(push, {
        path: "/api/sync/push",
        token: coord.token,
        body: { deviceId: filler, mutations: Array.from({ length: n }, () => create(entity.id)) },
      });
      total += n;
    }
    const pullStart = performance.now();
    let cursor: string | undefined;
    let records = 0;
    for (;;) {
      const res = await call(pull, { path: `/api/sync/pull?limit=2000${cursor ? `&cursor=${cursor}` : ""}`, token: assessor.token });
      records += (res.body.changes as unknown[]).filter((c) => (c as { type: string }).type === "assessment").length;
      cursor = res.body.cursor as string;
      if (!res.body.hasMore) break;
    }
    const pullSeconds = (performance.now() - pullStart) / 1000;
    return { kind, pushed, pushSeconds, mutationsPerSecond: pushed / pushSeconds, pulledRecords: records, pullSeconds };
  } finally {
    await db.close();
  }
}
