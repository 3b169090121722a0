import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "@/lib/generated/prisma/client";
import type { Tx } from "@/lib/server/db/client";
import type { Sql } from "@/lib/server/db/sql";
import { entitiesAssignedBetween, getActiveEntityIds } from "@/lib/server/queries/assignments";
import { type ChangeRef, loadChangedRows, selectChanges, selectPullHead } from "@/lib/server/queries/changes";
import { touchDevice } from "@/lib/server/queries/devices";
import { getUserBySessionTokenHash } from "@/lib/server/queries/sessions";
import { useTestDb } from "../../fixtures/test-db";

/**
 * The statements of a pull and of a push's request path (auth, scope, device) use the indexes
 * they were written for. The database holds enough rows (below) and has been ANALYZEd, so these
 * are the plans the planner really chooses — not `SET enable_seqscan = off`, which only shows that
 * an index CAN serve a query, not that the planner prefers it. Two pulls are checked: incremental
 * (a cursor 10 of the device's changes before the end) and the first (no cursor), where only the
 * (entityId, changeSeq) indexes keep a scoped pull from reading every entity's rows.
 */
const db = useTestDb();

const USERS = 2000; // assessors, each assigned to 5 of the entities; user USERS + 1 is a coordinator
const ENTITIES = 2000;
const ASSESSMENTS = 40_000;
const RESPONSES = 8000;
const MEDIA = 8000;
const CONFLICTS = 8000;

/** Deterministic ids per table: `uuid(1, 7)` is user 7. */
const uuid = (table: number, n: number) => `${String(table).padStart(8, "0")}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
const idSql = (table: number, n: string) => `('${String(table).padStart(8, "0")}-0000-4000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`;
const [USER, ENTITY, ASSESSMENT, RESPONSE, MEDIA_T, CONFLICT, SESSION, ASSIGNMENT] = [1, 2, 3, 4, 5, 6, 7, 8];
const entityOfUser = (u: string, k: string) => `((${u} * 5 + ${k}) % ${ENTITIES}) + 1`;

const ASSESSOR = uuid(USER, 1);
const COORDINATOR = uuid(USER, USERS + 1);
const TOKEN_HASH = "token-hash-1";

async function load(run: (text: string) => Promise<unknown>) {
  const A0 = ENTITIES; // change numbers: entities, then assessments, responses, media, conflicts
  const R0 = A0 + ASSESSMENTS;
  const M0 = R0 + RESPONSES;
  const C0 = M0 + MEDIA;
  const statements = [
    `INSERT INTO "User" ("id", "email", "name", "role", "passwordHash", "updatedAt")
       SELECT ${idSql(USER, "g")}, 'user' || g || '@plans.test', 'User ' || g,
              (CASE WHEN g <= ${USERS} THEN 'ASSESSOR' ELSE 'COORDINATOR' END)::"Role", 'x', now()
         FROM generate_series(1, ${USERS + 1}) g`,
    // One live session per user, and as many expired ones.
    `INSERT INTO "Session" ("id", "tokenHash", "userId", "expiresAt")
       SELECT ${idSql(SESSION, "g")}, 'token-hash-' || g, ${idSql(USER, `((g - 1) % ${USERS + 1}) + 1`)},
              CASE WHEN g <= ${USERS + 1} THEN now() + interval '1 day' ELSE now() - interval '1 day' END
         FROM generate_series(1, ${2 * (USERS + 1)}) g`,
    `INSERT INTO "Entity" ("id", "offlineId", "name", "type", "lga", "ward", "latitude", "longitude", "changeSeq", "updatedAt")
       SELECT ${idSql(ENTITY, "g")}, gen_random_uuid(), 'Site ' || g, 'CAMP', 'L' || (g % 20), 'W', 0, 0, g, now()
         FROM generate_series(1, ${ENTITIES}) g`,
    `INSERT INTO "Assignment" ("id", "userId", "entityId", "active", "changeSeq", "updatedAt")
       SELECT ${idSql(ASSIGNMENT, "u * 5 + k")}, ${idSql(USER, "u")}, ${idSql(ENTITY, entityOfUser("u", "k"))}, k < 4, k + 1, now()
         FROM generate_series(1, ${USERS}) u, generate_series(0, 4) k`,
    `INSERT INTO "Assessment" ("id", "offlineId", "entityId", "assessorId", "assessmentType", "data", "lastModifiedById", "changeSeq", "updatedAt")
       SELECT ${idSql(ASSESSMENT, "g")}, gen_random_uuid(), ${idSql(ENTITY, `(g % ${ENTITIES}) + 1`)}, ${idSql(USER, "1")}, 'HEALTH',
              jsonb_build_object('notes', repeat('x', 200)), ${idSql(USER, "1")}, ${A0} + g, now()
         FROM generate_series(1, ${ASSESSMENTS}) g`,
    `INSERT INTO "Response" ("id", "offlineId", "assessmentId", "entityId", "responderId", "responseType", "lastModifiedById", "changeSeq", "updatedAt")
       SELECT ${idSql(RESPONSE, "g")}, gen_random_uuid(), ${idSql(ASSESSMENT, "g * 5")}, ${idSql(ENTITY, `((g * 5) % ${ENTITIES}) + 1`)},
              ${idSql(USER, "2")}, 'NFI', ${idSql(USER, "2")}, ${R0} + g, now()
         FROM generate_series(1, ${RESPONSES}) g`,
    `INSERT INTO "Media" ("id", "offlineId", "parentType", "parentId", "parentOfflineId", "entityId", "filename", "mimeType", "size",
                          "sha256", "storageKey", "uploadedById", "changeSeq")
       SELECT ${idSql(MEDIA_T, "g")}, gen_random_uuid(), 'assessment', ${idSql(ASSESSMENT, "g * 5 - 1")}, gen_random_uuid(),
              ${idSql(ENTITY, `((g * 5 - 1) % ${ENTITIES}) + 1`)}, 'p.jpg', 'image/jpeg', 1000, md5(g::text), md5(g::text),
              ${idSql(USER, "1")}, ${M0} + g
         FROM generate_series(1, ${MEDIA}) g`,
    `INSERT INTO "Conflict" ("id", "recordType", "recordId", "recordOfflineId", "entityId", "kind", "status", "baseVersion", "serverVersion",
                             "base", "server", "client", "patch", "conflictingFields", "mutationId", "submittedById", "changeSeq")
       SELECT ${idSql(CONFLICT, "g")}, 'assessment', ${idSql(ASSESSMENT, "g")}, gen_random_uuid(), ${idSql(ENTITY, `(g % ${ENTITIES}) + 1`)},
              'UPDATE', 'PENDING', 1, 2, '{}', '{}', '{}', '{}', '{}', gen_random_uuid(), ${idSql(USER, `(g % ${USERS}) + 1`)}, ${C0} + g
         FROM generate_series(1, ${CONFLICTS}) g`,
    `UPDATE "ChangeCounter" SET "value" = ${C0 + CONFLICTS} WHERE "id" = 1`,
    "ANALYZE",
  ];
  for (const text of statements) await run(text);
}

// ---- plans ----------------------------------------------------------------------------------------

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

/** Every table a plan reads, with how: `Assessment ⇐ Assessment_entityId_changeSeq_idx`, `Entity ⇐ Seq Scan`. */
function reads(plan: PlanNode): string[] {
  const out: string[] = [];
  const walk = (node: PlanNode) => {
    const relation = node["Relation Name"];
    if (relation) {
      if (node["Node Type"] === "Bitmap Heap Scan") {
        const indexes: string[] = [];
        const collect = (n: PlanNode) => {
          if (n["Index Name"]) indexes.push(n["Index Name"]);
          for (const child of n.Plans ?? []) collect(child);
        };
        for (const child of node.Plans ?? []) collect(child);
        for (const index of indexes) out.push(`${relation} ⇐ ${index}`);
      } else out.push(`${relation} ⇐ ${node["Index Name"] ?? node["Node Type"]}`);
    }
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(plan);
  return [...new Set(out)].sort();
}

/** The big tables a plan reads, each with how (ChangeCounter, one row, is left out). */
const readsOf = (plans: PlanNode[]) => [...new Set(plans.flatMap(reads))].filter((r) => !r.startsWith("ChangeCounter ")).sort();

type Run = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;
let run: Run;
let closeRun = async () => {};

/** EXPLAINs each statement a function runs (then runs it for real, so the function goes on). */
function explaining() {
  const plans: PlanNode[] = [];
  const both = async (text: string, params: readonly unknown[]) => {
    const values = params.map((v) => (typeof v === "bigint" ? String(v) : v));
    const [row] = await run(`EXPLAIN (FORMAT JSON) ${text}`, values);
    const json = row["QUERY PLAN"];
    plans.push((typeof json === "string" ? JSON.parse(json) : json)[0].Plan);
    return run(text, values);
  };
  const sql: Sql = {
    query: async <T>(text: string, params: readonly unknown[] = []) => (await both(text, params)) as T[],
    exec: async (text, params = []) => (await both(text, params)).length,
  };
  const tx = { $queryRawUnsafe: (text: string, ...params: unknown[]) => both(text, params) } as unknown as Tx;
  return { sql, tx, plans };
}

/** The statements a Prisma model query sends (captured from Prisma's query log), EXPLAINed. */
async function explainingPrisma(fn: (tx: Tx) => Promise<unknown>): Promise<PlanNode[]> {
  const logged: { query: string; params: unknown[] }[] = [];
  const prisma = new PrismaClient({ adapter: db.current.opened.factory, log: [{ emit: "event", level: "query" }] });
  prisma.$on("query", (e) => logged.push({ query: e.query, params: JSON.parse(e.params) }));
  try {
    await fn(prisma);
  } finally {
    await prisma.$disconnect();
  }
  const plans: PlanNode[] = [];
  for (const { query, params } of logged) {
    if (/^(BEGIN|COMMIT|ROLLBACK)/.test(query)) continue;
    const [row] = await run(`EXPLAIN (FORMAT JSON) ${query}`, params);
    const json = row["QUERY PLAN"];
    plans.push((typeof json === "string" ? JSON.parse(json) : json)[0].Plan);
  }
  return plans;
}

beforeAll(async () => {
  const { kind, url, opened } = db.current;
  if (kind === "postgres") {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    run = async (text, params) => (await client.query(text, params)).rows;
    closeRun = () => client.end();
  } else {
    const pglite = opened.pglite;
    if (!pglite) throw new Error("PGlite test database without its instance");
    run = async (text, params) => (await pglite.query<Record<string, unknown>>(text, params)).rows;
  }
  await load(run);
});

afterAll(async () => {
  await closeRun();
});

/** The change number 10 of the assessor's in-scope changes before the end: an incremental pull's cursor. */
async function incrementalCursor(): Promise<bigint> {
  const [row] = await run(
    `SELECT "changeSeq"::text AS seq FROM "Assessment"
      WHERE "entityId" IN (SELECT "entityId" FROM "Assignment" WHERE "userId" = $1 AND "active")
      ORDER BY "changeSeq" DESC OFFSET 10 LIMIT 1`,
    [ASSESSOR],
  );
  return BigInt(row.seq as string);
}

const BY_ENTITY_AND_SEQ = [
  "Assessment ⇐ Assessment_entityId_changeSeq_idx",
  "Conflict ⇐ Conflict_submittedById_changeSeq_idx",
  "Media ⇐ Media_entityId_changeSeq_idx",
  "Response ⇐ Response_entityId_changeSeq_idx",
];

describe(`pull and auth statements use their indexes (${ASSESSMENTS} assessments, ${ENTITIES} entities, ${USERS} users, analyzed)`, () => {
  it("the data is there", async () => {
    const [row] = await run(`SELECT count(*)::int AS n FROM "Assessment"`);
    expect(row.n).toBe(ASSESSMENTS);
  });

  it("a scoped first pull (no cursor) reads each table by (entityId, changeSeq), the scope by the user's assignments", async () => {
    const { sql, plans } = explaining();
    const head = await selectPullHead(sql, { userId: ASSESSOR, scoped: true, after: 0n, limit: 500 });
    expect(head.scope).toHaveLength(4);
    expect(head.refs.length).toBeGreaterThan(40);
    const got = readsOf(plans);
    expect(got).toEqual(expect.arrayContaining(BY_ENTITY_AND_SEQ));
    expect(got.filter((r) => r.startsWith("Assignment "))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Assignment ⇐ Assignment_userId_(active_idx|entityId_key)$/)]),
    );
    expect(got.filter((r) => r.endsWith("Seq Scan"))).toEqual([]);
  });

  it("a scoped incremental pull reads only the rows after its cursor, by index", async () => {
    const { sql, plans } = explaining();
    const head = await selectPullHead(sql, { userId: ASSESSOR, scoped: true, after: await incrementalCursor(), limit: 500 });
    expect(head.refs.filter((r) => r.kind === "assessment")).toHaveLength(10);
    const got = readsOf(plans);
    for (const table of ["Assessment", "Response", "Media"])
      expect(got.filter((r) => r.startsWith(`${table} `))).toEqual([
        expect.stringMatching(new RegExp(`^${table} ⇐ ${table}_(entityId_)?changeSeq_idx$`)),
      ]);
    expect(got).toContain("Conflict ⇐ Conflict_submittedById_changeSeq_idx");
    expect(got.filter((r) => r.endsWith("Seq Scan"))).toEqual([]);
  });

  it("an unscoped (coordinator) incremental pull reads each table by changeSeq", async () => {
    const { sql, plans } = explaining();
    // 10 changes before the last media row (the conflicts after it are other users').
    const after = BigInt(ENTITIES + ASSESSMENTS + RESPONSES + MEDIA - 10);
    const head = await selectPullHead(sql, { userId: COORDINATOR, scoped: false, after, limit: 500 });
    expect(head.refs).toHaveLength(10);
    expect(head.scope).toHaveLength(ENTITIES);
    const got = readsOf(plans);
    expect(got).toEqual(
      expect.arrayContaining([
        "Assessment ⇐ Assessment_changeSeq_idx",
        "Conflict ⇐ Conflict_submittedById_changeSeq_idx",
        "Entity ⇐ Entity_changeSeq_idx",
        "Media ⇐ Media_changeSeq_idx",
        "Response ⇐ Response_changeSeq_idx",
      ]),
    );
    // The scope of a coordinator is every live entity: that list is read whole (a sequential scan
    // of Entity would be right there); nothing else is.
    expect(got.filter((r) => r.endsWith("Seq Scan") && !r.startsWith("Entity "))).toEqual([]);
  });

  it("a backfill page reads the joined entities' rows by (entityId, changeSeq)", async () => {
    const { tx, plans } = explaining();
    const refs = await selectChanges(tx, {
      after: 0n,
      upTo: BigInt(ENTITIES + ASSESSMENTS + RESPONSES + MEDIA),
      entityIds: [uuid(ENTITY, 7)],
      conflictsOf: null,
      limit: 500,
    });
    expect(refs.length).toBeGreaterThan(10);
    const got = readsOf(plans);
    expect(got).toEqual(expect.arrayContaining(BY_ENTITY_AND_SEQ.filter((r) => !r.startsWith("Conflict "))));
    expect(got.filter((r) => r.endsWith("Seq Scan"))).toEqual([]);
  });

  it("the rows behind a page are read by primary key", async () => {
    const { sql, plans } = explaining();
    const refs: ChangeRef[] = [
      { kind: "entity", id: uuid(ENTITY, 7), seq: 1n },
      { kind: "assessment", id: uuid(ASSESSMENT, 7), seq: 2n },
      { kind: "response", id: uuid(RESPONSE, 7), seq: 3n },
      { kind: "media", id: uuid(MEDIA_T, 7), seq: 4n },
      { kind: "conflict", id: uuid(CONFLICT, 7), seq: 5n },
    ];
    const rows = await loadChangedRows(sql, refs, { oneConnection: true }); // one test connection;
    expect(Object.values(rows).map((r) => r.length)).toEqual([1, 1, 1, 1, 1]);
    expect(readsOf(plans)).toEqual([
      "Assessment ⇐ Assessment_pkey",
      "Conflict ⇐ Conflict_pkey",
      "Entity ⇐ Entity_pkey",
      "Media ⇐ Media_pkey",
      "Response ⇐ Response_pkey",
      "User ⇐ User_pkey",
    ]);
  });

  it("authentication finds the session by its token hash and the user by primary key", async () => {
    const { sql, plans } = explaining();
    expect(await getUserBySessionTokenHash(sql, TOKEN_HASH, new Date())).toMatchObject({ id: ASSESSOR, role: "ASSESSOR" });
    expect(readsOf(plans)).toEqual(["Session ⇐ Session_tokenHash_key", "User ⇐ User_pkey"]);
  });

  it("a push's scope, a backfill's joined entities and the device stamp use the assignment and device indexes", async () => {
    const scope = await explainingPrisma((tx) => getActiveEntityIds(tx, ASSESSOR));
    expect(readsOf(scope)).toEqual([
      expect.stringMatching(/^Assignment ⇐ Assignment_userId_(active_idx|entityId_key)$/),
      "Entity ⇐ Entity_pkey",
    ]);
    const joined = await explainingPrisma((tx) => entitiesAssignedBetween(tx, ASSESSOR, 1n, 3n));
    expect(readsOf(joined)).toEqual([
      expect.stringMatching(/^Assignment ⇐ Assignment_userId_(active_idx|entityId_key)$/),
      "Entity ⇐ Entity_pkey",
    ]);
    const { sql, plans } = explaining();
    await touchDevice(sql, { deviceId: uuid(9, 1), userId: ASSESSOR, kind: "pull" });
    expect(readsOf(plans)).toEqual(["Device ⇐ ModifyTable"]);
  });
});
