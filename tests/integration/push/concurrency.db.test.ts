import { randomUUID } from "node:crypto";
import pg from "pg";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { POST as pushRoute } from "@/app/api/sync/push/route";
import { pushResponseSchema } from "@/lib/protocol";
import { call } from "../../fixtures/api";
import {
  assign,
  type Loose,
  latestByRecord,
  mut,
  newEntity,
  pullAll,
  quickUser,
  type Signed,
  seedAssessment,
  type WireMutation,
} from "../../fixtures/sync";
import { useTestDb } from "../../fixtures/test-db";

// Exactly-once and the never-skipping cursor under real parallel connections (PROTOCOL §3, §4).
// PGlite runs one connection at a time, so these run only against a Postgres server.

const isPostgres = inject("dbTemplate").kind === "postgres";

describe.runIf(isPostgres)("concurrency on Postgres", () => {
  const db = useTestDb({ poolSize: 20 });
  const prisma = () => db.current.prisma;
  let A: Signed;
  let E: { id: string };

  beforeAll(async () => {
    A = await quickUser(prisma(), "ASSESSOR", "Racing Assessor");
    E = await newEntity({ name: "Race Camp" });
    await assign(A, E.id);
  });

  /** The raw push: every body must be a well-formed 200. */
  async function rawPush(token: string, body: { deviceId: string; mutations: unknown[] }) {
    const res = await call(pushRoute, { path: "/api/sync/push", token, body });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(pushResponseSchema.safeParse(res.body).success).toBe(true);
    return res.body.results as Loose[];
  }

  it("50 identical pushes in parallel: 1 applied, 49 duplicate, one row, one version", async () => {
    const m = mut.createAssessment(E.id);
    const body = { deviceId: randomUUID(), clientState: { pendingCount: 1 }, mutations: [m] };
    const answers = (await Promise.all(Array.from({ length: 50 }, () => rawPush(A.token, body)))).map((r) => r[0]);
    const statuses = answers.map((a) => a.status);
    expect({
      applied: statuses.filter((s) => s === "applied").length,
      duplicate: statuses.filter((s) => s === "duplicate").length,
    }).toEqual({ applied: 1, duplicate: 49 });
    const ids = new Set(answers.map((a) => a.id));
    expect(ids.size).toBe(1);
    expect(answers.every((a) => a.version === 1 && a.offlineId === m.offlineId && a.mutationId === m.mutationId)).toBe(true);
    const rows = await prisma().assessment.findMany({ where: { offlineId: m.offlineId } });
    expect(rows.length).toBe(1);
    expect(await prisma().recordVersion.count({ where: { recordId: rows[0].id } })).toBe(1);
    expect(await prisma().processedMutation.count({ where: { mutationId: m.mutationId } })).toBe(1);
  });

  it("50 parallel updates with one mutationId apply once: one new version", async () => {
    const a = await seedAssessment(A.token, E.id);
    const m = mut.update("assessment", a.offlineId, 1, { data: { latrines: 12 } });
    const answers = (await Promise.all(Array.from({ length: 50 }, () => rawPush(A.token, { deviceId: randomUUID(), mutations: [m] })))).map(
      (r) => r[0],
    );
    expect(answers.filter((x) => x.status === "applied").length).toBe(1);
    expect(answers.filter((x) => x.status === "duplicate").length).toBe(49);
    expect(answers.every((x) => x.version === 2)).toBe(true);
    expect(await prisma().recordVersion.count({ where: { recordId: a.id } })).toBe(2);
  });

  it("two devices editing the same two records in opposite orders in long batches never deadlock", async () => {
    const x = await seedAssessment(A.token, E.id);
    const y = await seedAssessment(A.token, E.id);
    const B = await quickUser(prisma(), "ASSESSOR", "Racing Assessor 2");
    await assign(B, E.id);
    // Each batch edits its first record, creates 40 others (holding it meanwhile), then edits its
    // second: locking record by record in batch order, the two would wait on each other.
    const batch = (first: { offlineId: string }, second: { offlineId: string }, n: number) => [
      mut.update("assessment", first.offlineId, 1, { data: { latrines: n } }),
      ...Array.from({ length: 40 }, () => mut.createAssessment(E.id)),
      mut.update("assessment", second.offlineId, 1, { data: { functionalBoreholes: n } }),
    ];
    for (let round = 0; round < 3; round++) {
      const [ra, rb] = await Promise.all([
        call(pushRoute, { path: "/api/sync/push", token: A.token, body: { deviceId: randomUUID(), mutations: batch(x, y, round) } }),
        call(pushRoute, { path: "/api/sync/push", token: B.token, body: { deviceId: randomUUID(), mutations: batch(y, x, round + 100) } }),
      ]);
      expect([ra.status, rb.status], JSON.stringify([ra.body, rb.body]).slice(0, 400)).toEqual([200, 200]);
      // Every mutation answered on its merits: none refused because of the other batch.
      for (const res of [ra, rb]) expect((res.body.results as Loose[]).filter((r) => r.status === "rejected")).toEqual([]);
    }
  });

  it("50 pushes of different mutationIds creating the same offlineId: 1 applied, 49 duplicate", async () => {
    const offlineId = randomUUID();
    const mutations = Array.from({ length: 50 }, (_, i) => mut.createAssessment(E.id, { offlineId, data: { latrines: i } }));
    const answers = (await Promise.all(mutations.map((m) => rawPush(A.token, { deviceId: randomUUID(), mutations: [m] })))).map(
      (r) => r[0],
    );
    const applied = answers.filter((x) => x.status === "applied");
    expect(applied.length).toBe(1);
    expect(answers.filter((x) => x.status === "duplicate").length).toBe(49);
    expect(answers.every((x, i) => x.mutationId === mutations[i].mutationId && x.id === applied[0].id && x.version === 1)).toBe(true);
    const rows = await prisma().assessment.findMany({ where: { offlineId } });
    expect(rows.length).toBe(1);
    // The one that won is the one whose data is stored.
    expect(rows[0].data).toEqual(applied[0].record.data);
    expect(await prisma().recordVersion.count({ where: { recordId: rows[0].id } })).toBe(1);
  });

  it("30 concurrent writers and a reader paging with its cursor: the union of pulls holds every committed record at its final version", async () => {
    const entity = await newEntity({ name: "Busy Camp" });
    const reader = await quickUser(prisma(), "ASSESSOR", "Reader");
    await assign(reader, entity.id);
    const writers: Signed[] = [];
    for (let i = 0; i < 30; i++) writers.push(await quickUser(prisma(), "COORDINATOR", `Writer ${i}`));

    let done = false;
    const seen: Loose[] = [];
    let rounds = 0;
    const readerLoop = (async () => {
      let cursor: string | undefined;
      while (!done) {
        const r = await pullAll(reader.token, { cursor, limit: 7 });
        seen.push(...r.changes);
        cursor = r.cursor;
        rounds++;
      }
      // Final drain after every writer finished.
      const r = await pullAll(reader.token, { cursor, limit: 7 });
      seen.push(...r.changes);
    })();

    const writerLoop = async (w: Signed, i: number) => {
      const deviceId = randomUUID();
      const created: WireMutation[] = [];
      for (let round = 0; round < 3; round++) {
        const batch = [
          mut.createAssessment(entity.id, { data: { latrines: i } }),
          mut.createAssessment(entity.id, { data: { latrines: i + 1000 } }),
        ];
        created.push(...batch);
        const results = await rawPush(w.token, { deviceId, mutations: batch });
        expect(results.map((r) => r.status)).toEqual(["applied", "applied"]);
        // Edit an earlier record so final versions differ from first versions.
        const target = created[round];
        const edit = await rawPush(w.token, {
          deviceId,
          mutations: [mut.update("assessment", target.offlineId, 1, { data: { functionalBoreholes: round + 1 } })],
        });
        expect(["applied", "merged"]).toContain(edit[0].status);
      }
      // And delete one.
      const del = await rawPush(w.token, { deviceId, mutations: [mut.remove("assessment", created[5].offlineId, 1)] });
      expect(del[0].status).toBe("applied");
    };
    await Promise.all(writers.map((w, i) => writerLoop(w, i)));
    done = true;
    await readerLoop;

    const rows = await prisma().assessment.findMany({ where: { entityId: entity.id } });
    expect(rows.length).toBe(30 * 6);
    const latest = latestByRecord(seen);
    const missing: string[] = [];
    for (const row of rows) {
      const got = latest.get(`assessment:${row.id}`);
      const want = { version: row.version, op: row.deletedAt ? "delete" : "upsert" };
      if (!got || got.version !== want.version || got.op !== want.op)
        missing.push(`${row.id}: saw ${got ? `${got.op} v${got.version}` : "nothing"}, expected ${want.op} v${want.version}`);
    }
    expect(missing).toEqual([]);
    expect(rounds).toBeGreaterThan(1);
  });

  // A lock wait longer than Prisma's default 5 s interactive-transaction timeout must not turn into a
  // `rejected` answer (the old engine mapped every Prisma P2xxx, including the transient
  // P2024/P2028/P2034, to VALIDATION_FAILED): the edit either applies once the lock frees, or the push
  // fails as a whole and the device retries.
  it("a mutation that waits on its record's lock for over 5 s is applied, not rejected", async () => {
    const a = await seedAssessment(A.token, E.id);
    const holder = new pg.Client({ connectionString: db.current.url });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      // The lock a push takes first (its record's advisory lock), held by someone else for longer than the
      // 5 s interactive-transaction timeout.
      await holder.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`assessment:${a.offlineId}`]);
      const m = mut.update("assessment", a.offlineId, 1, { data: { latrines: 3 } });
      const pending = call(pushRoute, { path: "/api/sync/push", token: A.token, body: { deviceId: randomUUID(), mutations: [m] } });
      await new Promise((r) => setTimeout(r, 6_500));
      await holder.query("COMMIT");
      const res = await pending;
      const result = (res.body?.results as Loose[] | undefined)?.[0];
      // Either the push fails as a whole (retryable) or the edit went through — never "your data is invalid".
      if (res.status === 200) {
        expect(result?.status, JSON.stringify(result)).not.toBe("rejected");
        expect(await prisma().rejectedMutation.count({ where: { mutationId: m.mutationId } })).toBe(0);
      } else {
        expect(res.status).toBeGreaterThanOrEqual(500);
      }
    } finally {
      await holder.end();
    }
  }, 30_000);

  // The push runs on a pg connection of the pool (lib/server/db/sql.ts), not through Prisma: a
  // connection lost under it must still be a retryable 503, never a 500, and the pool must not hand
  // the dead connection out again.
  it("a push whose connection is terminated mid-transaction is a 503 with Retry-After, and the resend applies", async () => {
    const a = await seedAssessment(A.token, E.id);
    const holder = new pg.Client({ connectionString: db.current.url });
    await holder.connect();
    const m = mut.update("assessment", a.offlineId, 1, { data: { latrines: 4 } });
    const body = { deviceId: randomUUID(), mutations: [m] };
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`assessment:${a.offlineId}`]);
      const pending = call(pushRoute, { path: "/api/sync/push", token: A.token, body });
      // The push's backend, waiting for that lock.
      let pid: number | undefined;
      while (pid === undefined) {
        const waiting = await holder.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory' AND pid <> pg_backend_pid()",
        );
        pid = waiting.rows[0]?.pid;
        if (pid === undefined) await new Promise((r) => setTimeout(r, 20));
      }
      await holder.query("SELECT pg_terminate_backend($1)", [pid]);
      const res = await pending;
      expect(res.status, JSON.stringify(res.body)).toBe(503);
      expect(res.headers.get("retry-after")).toBeTruthy();
      expect((res.body as { error?: { code?: string } }).error?.code).toBe("SERVICE_UNAVAILABLE");
    } finally {
      await holder.query("ROLLBACK").catch(() => {});
      await holder.end();
    }
    // Nothing of it was applied; the resend is processed afresh and applies once.
    expect(await prisma().processedMutation.count({ where: { mutationId: m.mutationId } })).toBe(0);
    const again = await call(pushRoute, { path: "/api/sync/push", token: A.token, body });
    expect(again.status).toBe(200);
    expect((again.body?.results as Loose[] | undefined)?.[0]).toMatchObject({ status: "applied", version: 2 });
  }, 30_000);
});
