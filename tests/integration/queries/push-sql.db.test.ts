import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Assessment, type Entity, Prisma } from "@/lib/generated/prisma/client";
import { type RecordType, toStorableString, toStorableText } from "@/lib/protocol";
import { sqlStateOf } from "@/lib/server/db/errors";
import { dbSql, type Sql, txSql, withSqlTransaction } from "@/lib/server/db/sql";
import { findActiveEntityIds, getActiveEntityIds } from "@/lib/server/queries/assignments";
import {
  type ConflictInsert,
  findLedgerRows,
  findRecordRows,
  findVersionSnapshots,
  hideMediaOfDeletedRecords,
  insertConflicts,
  insertLedgerRows,
  insertRecords,
  insertRejections,
  insertVersions,
  type LedgerInsert,
  lockRecordKeys,
  type RecordWriteRow,
  type RejectionInsert,
  updateRecords,
  type VersionInsert,
} from "@/lib/server/queries/push-sql";
import { lockRecordKey, type RecordRow, type ResponseWithAssessment, recordKey } from "@/lib/server/queries/records";
import { drawChangeSeqs, setChangeSeqs } from "@/lib/server/sync/change-seq";
import { quickUser } from "../../fixtures/sync";
import { useTestDb } from "../../fixtures/test-db";

/**
 * lib/server/queries/push-sql.ts — all of the push engine's SQL — on both kinds of `Sql`: a `pg`
 * connection (withSqlTransaction on a Postgres server) and a Prisma transaction (txSql; on PGlite
 * withSqlTransaction is that path too). Every write is read back through Prisma column by column,
 * every read is compared with what Prisma reads, and both paths must give the same answers. Then:
 * the advisory key locks (two connections: Postgres only), no statement for empty input, and the
 * plans of the hot-path statements on tables big enough that the planner's choice means something.
 * Each check is a function of the path, so the last block can run it on deliberately broken SQL
 * (a narrowed column type, an immutable column written, …) and see it fail.
 */
const db = useTestDb();
const isPostgres = inject("dbTemplate").kind === "postgres";

type InTx = <T>(fn: (sql: Sql) => Promise<T>) => Promise<T>;
const OPTIONS = { timeout: 60_000, maxWait: 30_000 };
const viaWithSqlTransaction: InTx = (fn) => withSqlTransaction(db.current.prisma, OPTIONS, fn);
const viaTxSql: InTx = (fn) => db.current.prisma.$transaction((tx) => fn(txSql(tx)), OPTIONS);
const PATHS: [name: string, inTx: InTx][] = [
  [isPostgres ? "withSqlTransaction (pg connection)" : "withSqlTransaction (Prisma on PGlite)", viaWithSqlTransaction],
  ["txSql in db.$transaction (Prisma)", viaTxSql],
];
const prisma = () => db.current.prisma;

const TYPES = ["entity", "assessment", "response"] as const;

// ---- rows -------------------------------------------------------------------------------------

/** Text that quoting, escaping or an encoding slip would change. */
const ODD = `Site 'single' "double" \\ back\\slash\nnew line\ttab ü 漢字 🙂 $1 %s ; DROP TABLE "Entity"; --`;
const DATA = {
  waterSource: "BOREHOLE",
  quote: ODD,
  nested: {
    list: [1, 2.5, -1.5e-7, 0.30000000000000004, "x", null, true, false, { deep: ["ü", "漢字", "🙂", ""] }],
    emptyObject: {},
    emptyArray: [],
  },
  large: 12345678901234567000,
  tiny: 5e-324,
  "key with spaces & ü": { "": "empty key" },
};
const BIG_SEQ = 9_007_199_254_740_993n; // 2^53 + 1: not a float
const at = (iso: string) => new Date(iso);

let users: { assessor: string; responder: string; coordinator: string };
/** Entities and assessments that records point at (foreign keys). */
let refEntities: [Entity, Entity];
let refAssessments: [Assessment, Assessment];

beforeAll(async () => {
  const [assessor, responder, coordinator] = await Promise.all([
    quickUser(prisma(), "ASSESSOR"),
    quickUser(prisma(), "RESPONDER"),
    quickUser(prisma(), "COORDINATOR"),
  ]);
  users = { assessor: assessor.user.id, responder: responder.user.id, coordinator: coordinator.user.id };
  const e1 = await prisma().entity.create({ data: columnsOf(fullRow("entity")) as Prisma.EntityUncheckedCreateInput });
  const e2 = await prisma().entity.create({ data: columnsOf(sparseRow("entity")) as Prisma.EntityUncheckedCreateInput });
  refEntities = [e1, e2];
  const a1 = await prisma().assessment.create({ data: columnsOf(fullRow("assessment")) as Prisma.AssessmentUncheckedCreateInput });
  const a2 = await prisma().assessment.create({ data: columnsOf(sparseRow("assessment")) as Prisma.AssessmentUncheckedCreateInput });
  refAssessments = [a1, a2];
});

/** A row with every column set, none to its default (enums, nested JSON, odd text, floats, ms). */
function fullRow(type: RecordType): RecordRow {
  const common = { id: randomUUID(), offlineId: randomUUID(), version: 3, changeSeq: 0n, updatedAt: at("2026-03-04T05:06:07.891Z") };
  if (type === "entity")
    return {
      ...common,
      name: ODD,
      type: "FACILITY",
      lga: "Jere",
      ward: "漢字 ward",
      latitude: 11.834567891234567,
      longitude: -179.99999999999997,
      autoApprove: true,
      createdById: users.coordinator,
      lastModifiedById: users.coordinator,
      createdAt: at("1969-12-31T23:59:59.999Z"),
      deletedAt: at("2026-03-05T00:00:00.001Z"),
    } satisfies Entity;
  const record = {
    ...common,
    entityId: refEntities[0].id,
    data: DATA,
    verificationStatus: "REJECTED" as const,
    verifiedById: users.coordinator,
    verifiedAt: at("2026-03-04T05:06:08.002Z"),
    verificationNote: ODD,
    mediaExpected: 7,
    clientTime: at("2026-01-01T00:00:00.001Z"),
    createdAt: at("2025-12-31T23:59:59.999Z"),
    deletedAt: at("2026-03-06T01:02:03.004Z"),
  };
  if (type === "assessment")
    return {
      ...record,
      assessorId: users.assessor,
      assessmentType: "SECURITY",
      status: "SUBMITTED",
      lastModifiedById: users.coordinator,
    } satisfies Assessment;
  const assessment = refAssessments[0];
  return {
    ...record,
    assessmentId: assessment.id,
    responderId: users.responder,
    responseType: "SHELTER_KITS",
    status: "DELIVERED",
    lastModifiedById: users.coordinator,
    assessment: { offlineId: assessment.offlineId },
  } satisfies ResponseWithAssessment;
}

/** A row with every nullable column null and other enum values. */
function sparseRow(type: RecordType): RecordRow {
  const full = fullRow(type) as unknown as Record<string, unknown>;
  const nulls: Record<RecordType, Record<string, unknown>> = {
    entity: { type: "CAMP", autoApprove: false, createdById: null, lastModifiedById: null, deletedAt: null, latitude: -0.5, longitude: 0 },
    assessment: { assessmentType: "HEALTH", status: "DRAFT", data: {} },
    response: { responseType: "NFI", status: "PLANNED", data: { items: [] } },
  };
  const verification = { verificationStatus: "DRAFT", verifiedById: null, verifiedAt: null, verificationNote: null, mediaExpected: null };
  const rest = type === "entity" ? {} : { ...verification, clientTime: null, deletedAt: null, version: 1 };
  return { ...full, ...nulls[type], ...rest } as unknown as RecordRow;
}

/** The same record (same id) with EVERY other column changed — immutable ones too, to see them stay. */
function editedRow(type: RecordType, before: RecordRow): RecordRow {
  const b = before as unknown as Record<string, unknown>;
  const common = {
    id: b.id,
    offlineId: randomUUID(),
    version: (b.version as number) + 1,
    changeSeq: 1n,
    updatedAt: at("2026-07-08T09:10:11.121Z"),
    createdAt: at("2020-02-29T12:00:00.500Z"),
    lastModifiedById: randomUUID(),
    deletedAt: null,
  };
  if (type === "entity")
    return {
      ...common,
      name: "Renamed ✓",
      type: "COMMUNITY",
      lga: "Konduga",
      ward: "Ward 2",
      latitude: -33.86882000000001,
      longitude: 151.20929,
      autoApprove: false,
      createdById: randomUUID(),
    } as Entity;
  const record = {
    ...common,
    entityId: refEntities[1].id,
    data: { replaced: ["entirely", { with: "this" }] },
    verificationStatus: "VERIFIED",
    verifiedById: randomUUID(),
    verifiedAt: at("2026-07-08T09:10:12.999Z"),
    verificationNote: "ok",
    mediaExpected: 0,
    clientTime: at("2026-07-01T00:00:00.000Z"),
  };
  if (type === "assessment") return { ...record, status: "DRAFT", assessorId: randomUUID(), assessmentType: "WASH" } as Assessment;
  const other = refAssessments[1];
  return {
    ...record,
    status: "PLANNED",
    assessmentId: other.id,
    responderId: randomUUID(),
    responseType: "WASH_SUPPLIES",
    assessment: { offlineId: other.offlineId },
  } as ResponseWithAssessment;
}

/** What an update may change; the rest is fixed at insert (the record's identity and provenance). */
const IMMUTABLE: Record<RecordType, readonly string[]> = {
  entity: ["id", "offlineId", "createdById", "createdAt"],
  assessment: ["id", "offlineId", "entityId", "assessorId", "clientTime", "createdAt"],
  response: ["id", "offlineId", "entityId", "responderId", "clientTime", "createdAt"],
};

const SCALAR_FIELDS: Record<RecordType, readonly string[]> = {
  entity: Object.keys(Prisma.EntityScalarFieldEnum),
  assessment: Object.keys(Prisma.AssessmentScalarFieldEnum),
  response: Object.keys(Prisma.ResponseScalarFieldEnum),
};

/** The table's columns of a row (a response row also carries its assessment's offlineId). */
function columnsOf(row: RecordRow, changeSeq?: bigint): Record<string, unknown> {
  const { assessment: _, ...columns } = row as RecordRow & { assessment?: unknown };
  return changeSeq === undefined ? columns : { ...columns, changeSeq };
}

/** The row as Prisma reads it: only its columns. */
function readColumns(type: RecordType, id: string) {
  if (type === "entity") return prisma().entity.findUnique({ where: { id } });
  if (type === "assessment") return prisma().assessment.findUnique({ where: { id } });
  return prisma().response.findUnique({ where: { id } });
}

/** The row as the engine's types describe it: a response with its assessment's offlineId. */
function readRecord(type: RecordType, id: string) {
  if (type !== "response") return readColumns(type, id);
  return prisma().response.findUnique({ where: { id }, include: { assessment: { select: { offlineId: true } } } });
}

async function createWithPrisma(type: RecordType, row: RecordRow, changeSeq: bigint): Promise<void> {
  const data = columnsOf(row, changeSeq);
  if (type === "entity") await prisma().entity.create({ data: data as Prisma.EntityUncheckedCreateInput });
  else if (type === "assessment") await prisma().assessment.create({ data: data as Prisma.AssessmentUncheckedCreateInput });
  else await prisma().response.create({ data: data as Prisma.ResponseUncheckedCreateInput });
}

const byKey =
  <T>(...keys: (keyof T)[]) =>
  (a: T, b: T) => {
    for (const k of keys) {
      const [x, y] = [String(a[k]), String(b[k])];
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  };
const sortedBy = <T>(rows: readonly T[], ...keys: (keyof T)[]) => [...rows].sort(byKey<T>(...keys));
const withoutChangeSeq = ({ changeSeq: _, ...rest }: Record<string, unknown>) => rest;

// ---- checks (each takes the path, so the last block can run it on broken SQL) -------------------

async function checkInsert(inTx: InTx, type: RecordType): Promise<void> {
  const full = fullRow(type);
  const sparse = sparseRow(type);
  const written = await inTx((sql) =>
    insertRecords(sql, type, [
      { row: full, changeSeq: BIG_SEQ },
      { row: sparse, changeSeq: null },
    ]),
  );
  expect(written).toBe(2);
  expect(await readColumns(type, full.id)).toStrictEqual(columnsOf(full, BIG_SEQ));
  expect(await readColumns(type, sparse.id)).toStrictEqual(columnsOf(sparse, 0n));
}

async function checkUpdate(inTx: InTx, type: RecordType): Promise<void> {
  const before = fullRow(type);
  const untouched = sparseRow(type);
  await inTx((sql) =>
    insertRecords(sql, type, [
      { row: before, changeSeq: 5n },
      { row: untouched, changeSeq: 6n },
    ]),
  );
  const after = editedRow(type, before);
  const b = columnsOf(before) as Record<string, unknown>;
  const a = columnsOf(after) as Record<string, unknown>;
  for (const column of SCALAR_FIELDS[type]) if (column !== "id") expect(a[column], column).not.toEqual(b[column]);

  // Two rows in one call: one updated, one whose id is not in the table (it changes nothing); the
  // row not named stays as it was.
  const missing = editedRow(type, sparseRow(type));
  expect(
    await inTx((sql) =>
      updateRecords(sql, type, [
        { row: after, changeSeq: 77n },
        { row: missing, changeSeq: 78n },
      ]),
    ),
  ).toBe(1);
  const expected = Object.fromEntries(SCALAR_FIELDS[type].map((c) => [c, IMMUTABLE[type].includes(c) ? b[c] : a[c]]));
  expect(await readColumns(type, before.id)).toStrictEqual({ ...expected, changeSeq: 77n });
  expect(await readColumns(type, untouched.id)).toStrictEqual(columnsOf(untouched, 6n));
  expect(await readColumns(type, missing.id)).toBeNull();

  // changeSeq null: the row keeps the number it has (a photo count is written without one).
  const again = { ...after, version: after.version + 1 } as RecordRow;
  expect(await inTx((sql) => updateRecords(sql, type, [{ row: again, changeSeq: null }]))).toBe(1);
  expect(await readColumns(type, before.id)).toStrictEqual({ ...expected, version: again.version, changeSeq: 77n });
}

async function checkFindRecordRows(inTx: InTx, type: RecordType): Promise<void> {
  const rows = [fullRow(type), sparseRow(type)];
  for (const [i, row] of rows.entries()) await createWithPrisma(type, row, BigInt(100 + i));
  const expected = sortedBy(
    (await Promise.all(rows.map((r) => readRecord(type, r.id)))).map((r) => withoutChangeSeq(r as Record<string, unknown>)),
    "id",
  );
  expect(expected).toHaveLength(2);
  for (const by of ["id", "offlineId"] as const) {
    const values = [rows[0][by], randomUUID(), rows[1][by]];
    const got = await inTx((sql) => findRecordRows(sql, type, by, values));
    expect(sortedBy(got as unknown as Record<string, unknown>[], "id"), by).toStrictEqual(expected);
  }
}

async function checkReadWriteBack(inTx: InTx, type: RecordType): Promise<void> {
  for (const row of [fullRow(type), sparseRow(type)]) {
    await createWithPrisma(type, row, 42n);
    const before = await readRecord(type, row.id);
    await inTx(async (sql) => {
      const [read] = await findRecordRows(sql, type, "id", [row.id]);
      expect(await updateRecords(sql, type, [{ row: read, changeSeq: null }])).toBe(1);
    });
    expect(await readRecord(type, row.id)).toStrictEqual(before);
  }
}

async function checkVersions(inTx: InTx): Promise<void> {
  const shared = randomUUID(); // an entity and an assessment with one id: the type is part of the key
  const other = randomUUID();
  const rows: VersionInsert[] = [
    {
      recordType: "entity",
      recordId: shared,
      version: 1,
      snapshot: { name: ODD, latitude: 11.834567891234567 },
      changedById: users.coordinator,
      mutationId: randomUUID(),
    },
    {
      recordType: "assessment",
      recordId: shared,
      version: 1,
      snapshot: { data: DATA, status: "DRAFT" },
      changedById: null,
      mutationId: null,
    },
    {
      recordType: "assessment",
      recordId: shared,
      version: 2,
      snapshot: { data: {}, status: "SUBMITTED" },
      changedById: users.assessor,
      mutationId: randomUUID(),
    },
    {
      recordType: "response",
      recordId: other,
      version: 7,
      snapshot: { data: { items: [{ name: "Rice", quantity: 50.5 }] } },
      changedById: users.responder,
      mutationId: null,
    },
  ];
  expect(await inTx((sql) => insertVersions(sql, rows))).toBe(rows.length);

  const keys = [
    ...rows.map(({ recordType, recordId, version }) => ({ recordType, recordId, version })),
    { recordType: "entity" as const, recordId: shared, version: 2 },
    { recordType: "response" as const, recordId: shared, version: 1 },
    { recordType: "assessment" as const, recordId: randomUUID(), version: 1 },
  ];
  const found = await inTx((sql) => findVersionSnapshots(sql, keys));
  const expected = rows.map(({ recordType, recordId, version, snapshot }) => ({ recordType, recordId, version, snapshot }));
  expect(sortedBy(found, "recordType", "version")).toStrictEqual(sortedBy(expected, "recordType", "version"));

  const stored = await prisma().recordVersion.findMany({ where: { recordId: { in: [shared, other] } } });
  expect(
    sortedBy(
      stored.map(({ recordType, recordId, version, snapshot, changedById, mutationId }) => ({
        recordType,
        recordId,
        version,
        snapshot,
        changedById,
        mutationId,
      })),
      "recordType",
      "version",
    ),
  ).toStrictEqual(sortedBy(rows, "recordType", "version"));
}

async function checkLedger(inTx: InTx): Promise<void> {
  const rows: LedgerInsert[] = [
    {
      mutationId: randomUUID(),
      userId: users.assessor,
      deviceId: randomUUID(),
      recordType: "assessment",
      offlineId: randomUUID(),
      recordId: randomUUID(),
      status: "applied",
      result: { status: "applied", version: 2, record: { data: DATA } },
      clientTime: at("2026-02-03T04:05:06.789Z"),
    },
    {
      mutationId: randomUUID(),
      userId: users.responder,
      deviceId: null,
      recordType: "response",
      offlineId: randomUUID(),
      recordId: null,
      status: "rejected",
      result: { status: "rejected", error: { code: "VALIDATION_FAILED", message: ODD } },
      clientTime: null,
    },
  ];
  expect(await inTx((sql) => insertLedgerRows(sql, rows))).toBe(2);
  const found = await inTx((sql) => findLedgerRows(sql, [rows[0].mutationId, randomUUID(), rows[1].mutationId]));
  expect(sortedBy(found, "mutationId")).toStrictEqual(
    sortedBy(
      rows.map(({ mutationId, userId, recordType, offlineId, result }) => ({ mutationId, userId, recordType, offlineId, result })),
      "mutationId",
    ),
  );
  const stored = await prisma().processedMutation.findMany({ where: { mutationId: { in: rows.map((r) => r.mutationId) } } });
  expect(
    sortedBy(
      stored.map(({ createdAt: _, ...r }) => r),
      "mutationId",
    ),
  ).toStrictEqual(sortedBy(rows, "mutationId"));
}

async function checkConflicts(inTx: InTx): Promise<void> {
  const base = {
    recordType: "assessment" as const,
    recordId: refAssessments[0].id,
    recordOfflineId: refAssessments[0].offlineId,
    entityId: refEntities[0].id,
    baseVersion: 1,
    serverVersion: 2,
    base: { data: DATA, version: 1 },
    server: { data: { latrines: 10 }, version: 2 },
    submittedById: users.assessor,
    detectedAt: at("2026-04-05T06:07:08.009Z"),
  };
  const deletion: ConflictInsert = {
    ...base,
    id: randomUUID(),
    kind: "DELETION",
    status: "PENDING",
    method: null,
    client: {},
    patch: null,
    conflictingFields: [],
    mutationId: randomUUID(),
    deviceId: null,
    resolvedAt: null,
    resolution: null,
  }; // no changeSeq: 0
  const update: ConflictInsert = {
    ...base,
    id: randomUUID(),
    kind: "UPDATE",
    status: "AUTO_RESOLVED",
    method: "last-write-wins",
    client: { data: { latrines: 12 } },
    patch: { data: { latrines: 12, notes: ODD } },
    conflictingFields: ["data.latrines", "a,b", "{braces}", '"quoted"', "back\\slash", "ü 漢字 🙂", "", "NULL"],
    mutationId: randomUUID(),
    deviceId: randomUUID(),
    resolvedAt: at("2026-04-05T06:07:08.010Z"),
    resolution: { strategy: "merge", values: { "data.latrines": 12 }, note: ODD },
    changeSeq: String(BIG_SEQ),
  };
  expect(await inTx((sql) => insertConflicts(sql, [deletion, update]))).toBe(2);
  const stored = await prisma().conflict.findMany({ where: { id: { in: [deletion.id, update.id] } } });
  const { changeSeq: _, ...updateColumns } = update;
  expect(sortedBy(stored, "id")).toStrictEqual(
    sortedBy(
      [
        { ...deletion, resolvedById: null, changeSeq: 0n },
        { ...updateColumns, resolvedById: null, changeSeq: BIG_SEQ },
      ],
      "id",
    ),
  );
  // Prisma reads a JSON null and an SQL NULL alike: ask the database which is stored.
  const [kinds] = await inTx((sql) =>
    sql.query(
      `SELECT "patch" IS NULL AS "patchIsSqlNull", jsonb_typeof("patch") AS "patchType", "resolution" IS NULL AS "resolutionIsSqlNull"
       FROM "Conflict" WHERE "id" = $1::uuid`,
      [deletion.id],
    ),
  );
  expect(kinds).toStrictEqual({ patchIsSqlNull: false, patchType: "null", resolutionIsSqlNull: true });
}

async function checkRejections(inTx: InTx): Promise<void> {
  // What a refused mutation may carry, after toStorableText: a __proto__ key (renamed), NUL and
  // lone surrogates in keys and values (replaced by U+FFFD).
  const sent = JSON.parse(
    '{"__proto__": {"x": 1}, "key\\u0000nul": "half \\ud83d of an emoji", "list": ["\\udc00", "fine ü", {"deep": "\\u0000"}]}',
  );
  const userId = randomUUID();
  const rows: RejectionInsert[] = [
    {
      mutationId: toStorableString('not-a-uuid \u0000 \'; DROP TABLE "RejectedMutation"; --'),
      userId,
      deviceId: randomUUID(),
      recordType: toStorableString("bogus\ud800"),
      offlineId: "x".repeat(300),
      payload: toStorableText(sent),
      errorCode: "VALIDATION_FAILED",
      errorMessage: toStorableString(`bad \u0000 text \udc00 ${ODD}`),
    },
    {
      mutationId: null,
      userId,
      deviceId: null,
      recordType: null,
      offlineId: null,
      payload: null,
      errorCode: "MALFORMED",
      errorMessage: ODD,
    },
  ];
  expect(rows[0].payload).toHaveProperty(["\uFFFD__proto__"]);
  expect(await inTx((sql) => insertRejections(sql, rows))).toBe(2);
  const stored = await prisma().rejectedMutation.findMany({ where: { userId }, orderBy: { id: "asc" } });
  expect(stored.map(({ id: _, createdAt: __, ...r }) => r)).toStrictEqual(rows);
  const kinds = await inTx((sql) =>
    sql.query(
      `SELECT "payload" IS NULL AS "isSqlNull", jsonb_typeof("payload") AS "type" FROM "RejectedMutation" WHERE "userId" = $1::uuid ORDER BY "id"`,
      [userId],
    ),
  );
  expect(kinds).toStrictEqual([
    { isSqlNull: false, type: "object" },
    { isSqlNull: false, type: "null" },
  ]);
}

async function checkHideMedia(inTx: InTx): Promise<void> {
  const [P1, P2, E2] = [randomUUID(), randomUUID(), randomUUID()];
  const earlier = at("2026-01-01T00:00:00.123Z");
  const media = async (parentId: string, entityId: string, deletedAt: Date | null = null) =>
    prisma().media.create({
      data: {
        id: randomUUID(),
        offlineId: randomUUID(),
        parentType: "assessment",
        parentId,
        parentOfflineId: randomUUID(),
        entityId,
        filename: "p.jpg",
        mimeType: "image/jpeg",
        size: 1000n,
        sha256: "0".repeat(64),
        storageKey: `k/${randomUUID()}`,
        uploadedById: users.assessor,
        deletedAt,
      },
    });
  const byParent = await media(P1, randomUUID());
  const byEntity = await media(randomUUID(), E2);
  const byBoth = await media(P2, E2); // matched twice, hidden and returned once
  const alreadyHidden = await media(P1, E2, earlier);
  const unrelated = await media(randomUUID(), randomUUID());
  const onlyByParent = await media(randomUUID(), randomUUID());
  const onlyByEntity = await media(randomUUID(), randomUUID());
  const when = at("2026-05-06T07:08:09.123Z");

  const hidden = await inTx((sql) => hideMediaOfDeletedRecords(sql, [P1, P2, randomUUID()], [E2], when));
  const ref = (m: { id: string; parentId: string; entityId: string }) => ({ id: m.id, parentId: m.parentId, entityId: m.entityId });
  expect(sortedBy(hidden, "id")).toStrictEqual(sortedBy([byParent, byEntity, byBoth].map(ref), "id"));
  expect(await inTx((sql) => hideMediaOfDeletedRecords(sql, [P1, P2], [E2], when))).toStrictEqual([]);
  expect(await inTx((sql) => hideMediaOfDeletedRecords(sql, [onlyByParent.parentId], [], when))).toStrictEqual([ref(onlyByParent)]);
  expect(await inTx((sql) => hideMediaOfDeletedRecords(sql, [], [onlyByEntity.entityId], when))).toStrictEqual([ref(onlyByEntity)]);

  const deletedAt = async (m: { id: string }) => (await prisma().media.findUniqueOrThrow({ where: { id: m.id } })).deletedAt;
  for (const m of [byParent, byEntity, byBoth, onlyByParent, onlyByEntity]) expect(await deletedAt(m)).toStrictEqual(when);
  expect(await deletedAt(alreadyHidden)).toStrictEqual(earlier);
  expect(await deletedAt(unrelated)).toBeNull();
}

/** The advisory locks this transaction holds, as lock numbers (what hashtextextended gave the keys). */
async function heldLocks(sql: Sql): Promise<string[]> {
  const rows = await sql.query<{ n: string }>(
    `SELECT ((classid::int8 << 32) | objid::int8)::text AS n FROM pg_locks
     WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted ORDER BY 1`,
  );
  return rows.map((r) => r.n);
}

async function lockNumbers(sql: Sql, keys: readonly string[]): Promise<string[]> {
  const rows = await sql.query<{ n: string }>(`SELECT DISTINCT hashtextextended(k, 0)::text AS n FROM unnest($1::text[]) AS k ORDER BY 1`, [
    [...keys],
  ]);
  return rows.map((r) => r.n);
}

// ---- the checks, on each path -------------------------------------------------------------------

describe("the test rows", () => {
  it.each(TYPES)("%s rows set every column Prisma has (so a column push-sql forgets shows up below)", (type) => {
    for (const row of [fullRow(type), sparseRow(type)]) expect(Object.keys(columnsOf(row)).sort()).toEqual([...SCALAR_FIELDS[type]].sort());
  });
});

describe("withSqlTransaction", () => {
  it(`takes the ${isPostgres ? "pg connection" : "Prisma"} path here (int8 comes back as ${isPostgres ? "a string" : "a bigint"})`, async () => {
    const [viaSqlTx] = await viaWithSqlTransaction((sql) => sql.query<{ n: unknown }>("SELECT 1::int8 AS n"));
    const [viaPrisma] = await viaTxSql((sql) => sql.query<{ n: unknown }>("SELECT 1::int8 AS n"));
    expect(typeof viaSqlTx.n).toBe(isPostgres ? "string" : "bigint");
    expect(typeof viaPrisma.n).toBe("bigint");
  });
});

describe("dbSql (statements outside a transaction)", () => {
  it(`takes the ${isPostgres ? "pg pool" : "Prisma"} path here`, async () => {
    const [row] = await dbSql(prisma()).query<{ n: unknown }>("SELECT 1::int8 AS n");
    expect(typeof row.n).toBe(isPostgres ? "string" : "bigint");
    expect(await dbSql(prisma()).exec(`UPDATE "ChangeCounter" SET "value" = "value" WHERE "id" = -1`)).toBe(0);
  });

  it.runIf(isPostgres)(
    "a statement whose backend is terminated fails, and the dead connection is not handed out again",
    async () => {
      const sql = dbSql(prisma());
      const marker = `dbsql-${randomUUID()}`;
      const pending = sql.query(`SELECT pg_sleep(30), '${marker}' AS marker`).then(
        () => null,
        (e: unknown) => e,
      );
      const watcher = new pg.Client({ connectionString: db.current.url });
      await watcher.connect();
      try {
        let pid: number | undefined;
        while (pid === undefined) {
          const found = await watcher.query<{ pid: number }>(
            "SELECT pid FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()",
            [`%'${marker}'%`],
          );
          pid = found.rows[0]?.pid;
          if (pid === undefined) await new Promise((r) => setTimeout(r, 20));
        }
        await watcher.query("SELECT pg_terminate_backend($1)", [pid]);
        expect(await pending).toBeInstanceOf(Error);
        // Every later statement gets a live connection (the pool holds at most 10).
        const pids = new Set<number>();
        for (let i = 0; i < 12; i++) {
          const [row] = await sql.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
          pids.add(row.pid);
        }
        expect(pids.has(pid)).toBe(false);
      } finally {
        await watcher.end();
      }
    },
    30_000,
  );
});

for (const [name, inTx] of PATHS) {
  describe(`through ${name}`, () => {
    it.each(TYPES)("insertRecords(%s): every column as Prisma reads it back; changeSeq given is written, null gives 0", (type) =>
      checkInsert(inTx, type),
    );
    it.each(TYPES)("updateRecords(%s): only the mutable columns change; changeSeq given is written, null keeps the row's", (type) =>
      checkUpdate(inTx, type),
    );
    it.each(TYPES)("findRecordRows(%s) by id and by offlineId: Prisma's row less changeSeq; missing ones absent", (type) =>
      checkFindRecordRows(inTx, type),
    );
    it.each(TYPES)("findRecordRows(%s) → updateRecords unchanged leaves the row identical", (type) => checkReadWriteBack(inTx, type));
    it("insertVersions + findVersionSnapshots: several keys at once, the type part of the key, missing ones absent", () =>
      checkVersions(inTx));
    it("insertLedgerRows + findLedgerRows", () => checkLedger(inTx));
    it("insertConflicts: patch null is JSON null, text[] fields, resolution JSON, changeSeq", () => checkConflicts(inTx));
    it("insertRejections: payload null is JSON null; toStorableText's output stored as it is", () => checkRejections(inTx));
    it("hideMediaOfDeletedRecords: by parent and by entity, returns what it hid, skips what is hidden", () => checkHideMedia(inTx));
    it("lockRecordKeys: one lock per distinct key, its lock number hashtextextended(key, 0), held until the transaction ends", async () => {
      const keys = [recordKey("assessment", randomUUID()), recordKey("response", randomUUID())];
      await inTx(async (sql) => {
        expect(await heldLocks(sql)).toEqual([]);
        await lockRecordKeys(sql, [keys[1], keys[0], keys[1]]);
        expect(await heldLocks(sql)).toEqual(await lockNumbers(sql, keys));
      });
      expect(await inTx(heldLocks)).toEqual([]);
    });
  });
}

describe("both paths read the same values", () => {
  it("findRecordRows, findLedgerRows, findVersionSnapshots", async () => {
    const ids = { entity: refEntities.map((e) => e.id), assessment: refAssessments.map((a) => a.id), response: [] as string[] };
    const response = fullRow("response");
    await createWithPrisma("response", response, 1n);
    ids.response.push(response.id);
    const mutationId = randomUUID();
    await viaTxSql((sql) =>
      insertLedgerRows(sql, [
        {
          mutationId,
          userId: users.assessor,
          deviceId: null,
          recordType: "entity",
          offlineId: randomUUID(),
          recordId: null,
          status: "applied",
          result: DATA,
          clientTime: null,
        },
      ]),
    );
    const version = { recordType: "assessment" as const, recordId: randomUUID(), version: 1 };
    await viaTxSql((sql) => insertVersions(sql, [{ ...version, snapshot: DATA, changedById: null, mutationId: null }]));
    const readAll = async (sql: Sql) => {
      const out: unknown[][] = [];
      for (const type of TYPES) out.push(await findRecordRows(sql, type, "id", ids[type]));
      out.push(await findLedgerRows(sql, [mutationId]), await findVersionSnapshots(sql, [version]));
      return out;
    };
    const [a, b] = [await viaWithSqlTransaction(readAll), await viaTxSql(readAll)];
    expect(a.map((rows) => rows.length)).toEqual([2, 2, 1, 1, 1]);
    expect(a).toStrictEqual(b);
  });
});

// ---- statements -----------------------------------------------------------------------------------

/** `sql` with each statement passed through `before` first, which may run something and returns the text to run. */
function through(sql: Sql, before: (text: string, params: readonly unknown[]) => string | Promise<string>): Sql {
  return {
    query: async <T>(text: string, params: readonly unknown[] = []) => sql.query<T>(await before(text, params), params),
    exec: async (text, params = []) => sql.exec(await before(text, params), params),
  };
}

/** A Sql that records the statements it runs. */
function counting(sql: Sql): { sql: Sql; texts: string[] } {
  const texts: string[] = [];
  return {
    texts,
    sql: through(sql, (text) => {
      texts.push(text);
      return text;
    }),
  };
}

describe("findActiveEntityIds (the push's scope)", () => {
  it.each(PATHS)("reads what getActiveEntityIds reads through Prisma: active assignments of entities not deleted (%s)", async (_, inTx) => {
    const [assessor, other] = [await quickUser(prisma(), "ASSESSOR"), await quickUser(prisma(), "ASSESSOR")];
    const entities = [];
    for (let i = 0; i < 4; i++) {
      entities.push(await prisma().entity.create({ data: columnsOf(sparseRow("entity")) as Prisma.EntityUncheckedCreateInput }));
    }
    const [kept, ended, deleted, others] = entities;
    const assign = (userId: string, entityId: string, active = true) =>
      prisma().assignment.create({ data: { id: randomUUID(), userId, entityId, active } });
    await assign(assessor.user.id, kept.id);
    await assign(assessor.user.id, ended.id, false);
    await assign(assessor.user.id, deleted.id);
    await prisma().entity.update({ where: { id: deleted.id }, data: { deletedAt: new Date() } });
    await assign(other.user.id, others.id);

    const got = await inTx((sql) => findActiveEntityIds(sql, assessor.user.id));
    expect(got).toEqual([kept.id]);
    expect(got).toEqual(await getActiveEntityIds(prisma(), assessor.user.id));
    expect(await inTx((sql) => findActiveEntityIds(sql, other.user.id))).toEqual([others.id]);
    expect(await inTx((sql) => findActiveEntityIds(sql, randomUUID()))).toEqual([]);
  });
});

describe("statements", () => {
  it.each(PATHS)("empty input runs no statement (%s)", async (_, inTx) => {
    await inTx(async (real) => {
      const { sql, texts } = counting(real);
      for (const type of TYPES) {
        expect(await insertRecords(sql, type, [])).toBe(0);
        expect(await updateRecords(sql, type, [])).toBe(0);
        expect(await findRecordRows(sql, type, "id", [])).toEqual([]);
        expect(await findRecordRows(sql, type, "offlineId", [])).toEqual([]);
      }
      expect(await insertVersions(sql, [])).toBe(0);
      expect(await insertLedgerRows(sql, [])).toBe(0);
      expect(await insertConflicts(sql, [])).toBe(0);
      expect(await insertRejections(sql, [])).toBe(0);
      expect(await hideMediaOfDeletedRecords(sql, [], [], new Date())).toEqual([]);
      expect(await findVersionSnapshots(sql, [])).toEqual([]);
      expect(await findLedgerRows(sql, [])).toEqual([]);
      await lockRecordKeys(sql, []);
      expect(texts).toEqual([]);
    });
  });

  it.each(PATHS)("any number of rows is one statement (%s)", async (_, inTx) => {
    await inTx(async (real) => {
      const { sql, texts } = counting(real);
      for (const type of TYPES) {
        const rows: RecordWriteRow[] = [fullRow(type), sparseRow(type), fullRow(type)].map((row, i) => ({
          row,
          changeSeq: i ? BigInt(i) : null,
        }));
        expect(await insertRecords(sql, type, rows)).toBe(3);
        expect(await updateRecords(sql, type, rows)).toBe(3);
        expect(
          await findRecordRows(
            sql,
            type,
            "offlineId",
            rows.map((r) => r.row.offlineId),
          ),
        ).toHaveLength(3);
      }
      const mutationIds = [randomUUID(), randomUUID(), randomUUID()];
      expect(await findLedgerRows(sql, mutationIds)).toEqual([]);
      await lockRecordKeys(sql, mutationIds);
      expect(texts).toHaveLength(TYPES.length * 3 + 2);
    });
  });
});

// ---- locks across connections (Postgres) ----------------------------------------------------------

function clientSql(client: pg.Client): Sql {
  return {
    query: async <T>(text: string, params: readonly unknown[] = []) => (await client.query(text, [...params])).rows as T[],
    exec: async (text, params = []) => (await client.query(text, [...params])).rowCount ?? 0,
  };
}

function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe.runIf(isPostgres)("lockRecordKeys across connections (Postgres)", () => {
  const clients: pg.Client[] = [];
  const connect = async () => {
    const client = new pg.Client({ connectionString: db.current.url });
    await client.connect();
    clients.push(client);
    return client;
  };
  afterAll(async () => {
    for (const c of clients) await c.end();
  });

  /** Tries to lock `keys` in a transaction of its own that waits at most 50 ms for a lock: "locked" or the SQLSTATE. */
  async function tryLock(client: pg.Client, keys: readonly string[]): Promise<string> {
    await client.query("BEGIN");
    try {
      await client.query("SET LOCAL lock_timeout = '50ms'");
      await lockRecordKeys(clientSql(client), keys);
      return "locked";
    } catch (error) {
      return sqlStateOf(error) ?? String(error);
    } finally {
      await client.query("ROLLBACK");
    }
  }

  /** Runs `fn` while a transaction on `inTx` holds the locks of `keys`. */
  async function whileHolding(inTx: InTx, keys: readonly string[], fn: () => Promise<void>): Promise<void> {
    const locked = deferred();
    const release = deferred();
    const holder = inTx(async (sql) => {
      await lockRecordKeys(sql, keys);
      locked.resolve();
      await release.promise;
    });
    await Promise.race([locked.promise, holder]);
    try {
      await fn();
    } finally {
      release.resolve();
      await holder;
    }
  }

  it.each(PATHS)("an overlapping key set waits for the holder (%s); a disjoint one does not; after COMMIT it locks", async (_, inTx) => {
    const key = () => recordKey("assessment", randomUUID());
    const [k1, k2, k3, k4, k5] = [key(), key(), key(), key(), key()];
    const other = await connect();
    await whileHolding(inTx, [k1, k2, k3], async () => {
      expect(await tryLock(other, [k4, k3])).toBe("55P03"); // lock_timeout: it was waiting
      expect(await tryLock(other, [k4, k5])).toBe("locked");
      // The one-record lock (records.ts, Prisma) takes the same lock number.
      const single = prisma().$transaction(async (tx) => {
        await tx.$executeRawUnsafe("SET LOCAL lock_timeout = '50ms'");
        await lockRecordKey(tx, "assessment", k2.slice("assessment:".length));
      });
      expect(await single.then(() => "locked", sqlStateOf)).toBe("55P03");
    });
    expect(await tryLock(other, [k4, k3])).toBe("locked");
  });

  it("takes the keys in the order of their lock numbers, whatever order they are given in", async () => {
    const candidates = Array.from({ length: 3 }, () => recordKey("response", randomUUID()));
    const admin = await connect();
    const ordered = await admin.query<{ k: string }>(`SELECT k FROM unnest($1::text[]) AS k ORDER BY hashtextextended(k, 0)`, [candidates]);
    const [low, mid, high] = ordered.rows.map((r) => r.k);
    const waiter = await connect();
    const [{ pid }] = (await waiter.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows;
    const third = await connect();

    let waiting: Promise<void> | undefined;
    await whileHolding(viaWithSqlTransaction, [mid], async () => {
      // Given high → low, the waiter must take low, then wait on mid, never reaching high.
      await waiter.query("BEGIN");
      waiting = lockRecordKeys(clientSql(waiter), [high, mid, low]);
      for (;;) {
        const { rows } = await admin.query(`SELECT 1 FROM pg_locks WHERE pid = $1 AND locktype = 'advisory' AND NOT granted`, [pid]);
        if (rows.length > 0) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(await tryLock(third, [low])).toBe("55P03");
      expect(await tryLock(third, [high])).toBe("locked");
    });
    await waiting; // the holder committed: the waiter goes on
    await waiter.query("COMMIT");
    expect(await tryLock(third, [low, mid, high])).toBe("locked");
  });
});

// ---- plans of the hot-path statements --------------------------------------------------------------

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Function Name"?: string;
  Plans?: PlanNode[];
}

/** Every table a plan reads, with how: `Assessment ⇐ Assessment_pkey`, `Entity ⇐ Seq Scan`. */
function reads(plan: PlanNode): string[] {
  const out = new Set<string>();
  const walk = (node: PlanNode, bitmapOf?: string) => {
    const relation = node["Relation Name"] ?? bitmapOf;
    if (node["Node Type"] === "Bitmap Heap Scan") {
      for (const child of node.Plans ?? []) walk(child, node["Relation Name"]);
      return;
    }
    if (node["Index Name"] && relation) out.add(`${relation} ⇐ ${node["Index Name"]}`);
    else if (node["Relation Name"] && /Scan$/.test(node["Node Type"])) out.add(`${relation} ⇐ ${node["Node Type"]}`);
    for (const child of node.Plans ?? []) walk(child, bitmapOf);
  };
  walk(plan);
  return [...out].sort();
}

/** One line: the plan's nodes, children in brackets. */
function oneLine(node: PlanNode): string {
  const target = node["Index Name"]
    ? ` ${node["Index Name"]}`
    : node["Relation Name"]
      ? ` ${node["Relation Name"]}`
      : node["Function Name"]
        ? ` ${node["Function Name"]}`
        : "";
  const children = (node.Plans ?? []).map(oneLine);
  return `${node["Node Type"]}${target}${children.length ? `(${children.join(", ")})` : ""}`;
}

const ROLLBACK = new Error("roll back the plan check");

/** Runs `fn` on a Sql that EXPLAINs each statement before running it; then rolls everything back. */
async function explained(inTx: InTx, fn: (sql: Sql, unexplained: Sql) => Promise<unknown>): Promise<PlanNode[]> {
  const plans: PlanNode[] = [];
  const explain = async (sql: Sql, text: string, params: readonly unknown[] = []) => {
    const [row] = await sql.query<{ "QUERY PLAN": unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, params);
    const json = row["QUERY PLAN"];
    plans.push((typeof json === "string" ? JSON.parse(json) : (json as { Plan: PlanNode }[]))[0].Plan);
  };
  await inTx(async (sql) => {
    await fn(
      through(sql, async (text, params) => {
        await explain(sql, text, params);
        return text;
      }),
      sql,
    );
    throw ROLLBACK;
  }).catch((error) => {
    if (error !== ROLLBACK) throw error;
  });
  return plans;
}

const N = 20_000;
/** Fewer entities than records, as in a deployment (a few thousand sites, many assessments each). */
const ENTITIES = 10_000;
const idSql = (table: number, n: string) => `('${String(table).padStart(8, "0")}-0000-4000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`;
const uuid = (table: number, n: number) => `${String(table).padStart(8, "0")}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
const [ENTITY, ASSESSMENT, RESPONSE, MEDIA, MUTATION, E_OFF, A_OFF, R_OFF] = [11, 12, 13, 14, 15, 21, 22, 23];
const some = (count: number, step: number) => Array.from({ length: count }, (_, i) => 1 + i * step);

describe(`hot-path statements use their indexes (${ENTITIES} entities, ${N} rows in each other table, analyzed)`, () => {
  beforeAll(async () => {
    const user = `'${randomUUID()}'::uuid`;
    const statements = [
      `INSERT INTO "Entity" ("id", "offlineId", "name", "type", "lga", "ward", "latitude", "longitude", "changeSeq", "updatedAt")
         SELECT ${idSql(ENTITY, "g")}, ${idSql(E_OFF, "g")}, 'Site ' || g, 'CAMP', 'L' || (g % 20), 'W', 11.8, 13.1, g, now()
         FROM generate_series(1, ${ENTITIES}) g`,
      `INSERT INTO "Assessment" ("id", "offlineId", "entityId", "assessorId", "assessmentType", "data", "lastModifiedById", "changeSeq", "updatedAt")
         SELECT ${idSql(ASSESSMENT, "g")}, ${idSql(A_OFF, "g")}, ${idSql(ENTITY, `(g % ${ENTITIES}) + 1`)}, ${user}, 'WASH',
                jsonb_build_object('notes', repeat('x', 300), 'latrines', g), ${user}, ${N} + g, now()
         FROM generate_series(1, ${N}) g`,
      `INSERT INTO "Response" ("id", "offlineId", "assessmentId", "entityId", "responderId", "responseType", "data", "lastModifiedById", "changeSeq", "updatedAt")
         SELECT ${idSql(RESPONSE, "g")}, ${idSql(R_OFF, "g")}, ${idSql(ASSESSMENT, "g")}, ${idSql(ENTITY, `(g % ${ENTITIES}) + 1`)}, ${user}, 'NFI',
                jsonb_build_object('notes', repeat('y', 300)), ${user}, ${2 * N} + g, now()
         FROM generate_series(1, ${N}) g`,
      `INSERT INTO "Media" ("id", "offlineId", "parentType", "parentId", "parentOfflineId", "entityId", "filename", "mimeType", "size",
                            "sha256", "storageKey", "uploadedById", "changeSeq")
         SELECT ${idSql(MEDIA, "g")}, gen_random_uuid(), 'assessment', ${idSql(ASSESSMENT, "g")}, ${idSql(A_OFF, "g")},
                ${idSql(ENTITY, `(g % ${ENTITIES}) + 1`)}, 'p.jpg', 'image/jpeg', 1000, md5(g::text), md5(g::text), ${user}, ${3 * N} + g
         FROM generate_series(1, ${N}) g`,
      `INSERT INTO "RecordVersion" ("recordType", "recordId", "version", "snapshot", "changedById")
         SELECT 'assessment', ${idSql(ASSESSMENT, "g")}, v, jsonb_build_object('notes', repeat('z', 300)), ${user}
         FROM generate_series(1, ${N}) g, generate_series(1, 2) v`,
      `INSERT INTO "ProcessedMutation" ("mutationId", "userId", "recordType", "offlineId", "recordId", "status", "result")
         SELECT ${idSql(MUTATION, "g")}, ${user}, 'assessment', ${idSql(A_OFF, "g")}, ${idSql(ASSESSMENT, "g")}, 'applied',
                jsonb_build_object('status', 'applied', 'version', 1)
         FROM generate_series(1, ${2 * N}) g`,
      "ANALYZE",
    ];
    for (const text of statements) await viaWithSqlTransaction((sql) => sql.exec(text));
  });

  const HUNDRED = some(100, 97); // 100 records spread over the table
  const TEN = some(10, 997);
  /** Statement → the reads its plan must contain; none of its tables may be read by a sequential scan. */
  const CASES: { name: string; expect: string[]; run: (sql: Sql) => Promise<unknown>; skipPlans?: number }[] = [
    {
      name: "ledger by mutationId (100, half known)",
      expect: ["ProcessedMutation ⇐ ProcessedMutation_pkey"],
      run: (sql) => findLedgerRows(sql, [...some(50, 701).map((n) => uuid(MUTATION, n)), ...some(50, 1).map(() => randomUUID())]),
    },
    {
      name: "entities by id",
      expect: ["Entity ⇐ Entity_pkey"],
      run: (sql) =>
        findRecordRows(
          sql,
          "entity",
          "id",
          HUNDRED.map((n) => uuid(ENTITY, n)),
        ),
    },
    {
      name: "assessments by offlineId",
      expect: ["Assessment ⇐ Assessment_offlineId_key"],
      run: (sql) =>
        findRecordRows(
          sql,
          "assessment",
          "offlineId",
          HUNDRED.map((n) => uuid(A_OFF, n)),
        ),
    },
    {
      name: "assessments by id",
      expect: ["Assessment ⇐ Assessment_pkey"],
      run: (sql) =>
        findRecordRows(
          sql,
          "assessment",
          "id",
          HUNDRED.map((n) => uuid(ASSESSMENT, n)),
        ),
    },
    {
      name: "responses by offlineId, with their assessments",
      expect: ["Assessment ⇐ Assessment_pkey", "Response ⇐ Response_offlineId_key"],
      run: (sql) =>
        findRecordRows(
          sql,
          "response",
          "offlineId",
          HUNDRED.map((n) => uuid(R_OFF, n)),
        ),
    },
    {
      name: "versions by (recordType, recordId, version)",
      expect: ["RecordVersion ⇐ RecordVersion_recordType_recordId_version_key"],
      run: (sql) =>
        findVersionSnapshots(
          sql,
          HUNDRED.map((n) => ({ recordType: "assessment", recordId: uuid(ASSESSMENT, n), version: 1 + (n % 2) })),
        ),
    },
    ...TYPES.map((type) => {
      const [table, ids] = { entity: ["Entity", ENTITY], assessment: ["Assessment", ASSESSMENT], response: ["Response", RESPONSE] }[
        type
      ] as [string, number];
      // The planner takes jsonb_to_recordset for 100 rows whatever the batch holds (its fixed
      // estimate), so it weighs 100 index probes against one sequential scan; 10 rows are an
      // incremental push. The statement's id list (= ANY($2)) is what keeps it on the key: without
      // it the 10,000-entity table was scanned.
      return {
        name: `UPDATE "${table}" … FROM jsonb_to_recordset by id (10 rows: an incremental push)`,
        expect: [`${table} ⇐ ${table}_pkey`],
        // The statement gets the rows the loader read (run for real first, outside the plan).
        run: async (sql: Sql) => {
          const rows = await findRecordRows(
            sql,
            type,
            "id",
            TEN.map((n) => uuid(ids, n)),
          );
          expect(rows).toHaveLength(10);
          return updateRecords(
            sql,
            type,
            rows.map((row) => ({ row, changeSeq: 1n })),
          );
        },
        skipPlans: 1,
      };
    }),
    {
      name: "Media hidden by parent or entity",
      expect: ["Media ⇐ Media_entityId_changeSeq_idx", "Media ⇐ Media_parentId_idx"],
      run: (sql) =>
        hideMediaOfDeletedRecords(
          sql,
          some(10, 13).map((n) => uuid(ASSESSMENT, n)),
          some(2, 17).map((n) => uuid(ENTITY, n)),
          new Date(),
        ),
    },
    {
      name: "change numbers onto Media rows (setChangeSeqs)",
      expect: ["Media ⇐ Media_pkey"],
      run: (sql) => setChangeSeqs(sql, "Media", new Map(some(20, 31).map((n, i) => [uuid(MEDIA, n), BigInt(i + 1)]))),
    },
  ];

  const summaries: string[] = [];
  afterAll(() => {
    if (summaries.length > 0) console.log(`push-sql plans (${isPostgres ? "Postgres" : "PGlite"}):\n${summaries.join("\n")}`);
  });

  it.each(CASES)("$name", async ({ name, expect: wanted, run, skipPlans = 0 }) => {
    const [viaFirst, viaSecond] = [await explained(PATHS[0][1], run), await explained(PATHS[1][1], run)];
    expect(viaFirst.map(oneLine)).toEqual(viaSecond.map(oneLine)); // the two paths get one plan
    const plans = viaFirst.slice(skipPlans);
    expect(plans).toHaveLength(1);
    const got = reads(plans[0]);
    summaries.push(`  ${name}: ${oneLine(plans[0])}`);
    expect(got).toEqual(expect.arrayContaining(wanted));
    expect(got.filter((r) => r.endsWith("Seq Scan"))).toEqual([]);
  });

  it("ChangeCounter: its one row is read by a sequential scan of one page (the right plan); with rows enough, by its key", async () => {
    const [plan] = await explained(viaWithSqlTransaction, (sql) => drawChangeSeqs(sql, 100));
    summaries.push(`  ChangeCounter draw (one row, as in production): ${oneLine(plan)}`);
    expect(reads(plan)).toEqual(["ChangeCounter ⇐ Seq Scan"]);
    // Not a plan production sees; it shows the statement can use the key (WHERE "id" = 1): the
    // statement run on a temporary table of that name and shape (it comes first on the search
    // path), padded and analyzed, dropped with the rollback — the real table is left as it is.
    const [last] = await explained(viaWithSqlTransaction, async (sql, unexplained) => {
      await unexplained.exec(`CREATE TEMP TABLE "ChangeCounter" (LIKE public."ChangeCounter" INCLUDING ALL) ON COMMIT DROP`);
      await unexplained.exec(`INSERT INTO "ChangeCounter" ("id", "value") SELECT g, 0 FROM generate_series(1, ${N}) g`);
      await unexplained.exec(`ANALYZE "ChangeCounter"`);
      return drawChangeSeqs(sql, 100);
    });
    summaries.push(`  ChangeCounter draw (padded to ${N} rows, rolled back): ${oneLine(last)}`);
    expect(reads(last)).toEqual(["ChangeCounter ⇐ ChangeCounter_pkey"]);
  });
});

// ---- the checks can fail ----------------------------------------------------------------------------

/** The path with each statement's text rewritten: `from` → `to` (a copy of the SQL broken on purpose). */
function sabotaged(inTx: InTx, from: string, to: string, hits: { n: number }): InTx {
  const rewrite = (text: string) => {
    if (text.includes(from)) hits.n++;
    return text.replaceAll(from, to);
  };
  return (fn) => inTx((sql) => fn(through(sql, rewrite)));
}

describe("each check fails on SQL broken on purpose", () => {
  const CASES: { broken: string; from: string; to: string; check: (inTx: InTx) => Promise<void> }[] = [
    { broken: "latitude read as float4", from: `"latitude" float8`, to: `"latitude" float4`, check: (t) => checkInsert(t, "entity") },
    {
      broken: "verifiedAt read as a date",
      from: `"verifiedAt" timestamptz`,
      to: `"verifiedAt" date`,
      check: (t) => checkInsert(t, "assessment"),
    },
    { broken: "data read as text", from: `"data" jsonb`, to: `"data" text`, check: (t) => checkInsert(t, "response") },
    { broken: "insert ignores changeSeq", from: `COALESCE(x."changeSeq", 0)`, to: `0`, check: (t) => checkInsert(t, "entity") },
    {
      broken: "update writes createdAt",
      from: `SET "name" = x."name"`,
      to: `SET "createdAt" = x."createdAt", "name" = x."name"`,
      check: (t) => checkUpdate(t, "entity"),
    },
    {
      broken: "update writes clientTime",
      from: `SET "assessmentId" = x."assessmentId"`,
      to: `SET "clientTime" = x."clientTime", "assessmentId" = x."assessmentId"`,
      check: (t) => checkUpdate(t, "response"),
    },
    {
      broken: "update drops an old changeSeq",
      from: `COALESCE(x."changeSeq", t."changeSeq")`,
      to: `COALESCE(x."changeSeq", 0)`,
      check: (t) => checkUpdate(t, "assessment"),
    },
    {
      broken: "update skips mediaExpected",
      from: `"mediaExpected" = x."mediaExpected", `,
      to: "",
      check: (t) => checkUpdate(t, "assessment"),
    },
    {
      broken: "read narrows latitude",
      from: `t."latitude"`,
      to: `t."latitude"::float4::float8 AS "latitude"`,
      check: (t) => checkReadWriteBack(t, "entity"),
    },
    {
      broken: "read gives id as offlineId",
      from: `t."offlineId"::text AS "offlineId"`,
      to: `t."id"::text AS "offlineId"`,
      check: (t) => checkFindRecordRows(t, "entity"),
    },
    {
      broken: "read gives the response's own offlineId as its assessment's",
      from: `a."offlineId"::text AS "assessmentOfflineId"`,
      to: `t."offlineId"::text AS "assessmentOfflineId"`,
      check: (t) => checkFindRecordRows(t, "response"),
    },
    { broken: "versions matched without their type", from: `v."recordType" = k.t::"RecordType" AND `, to: "", check: checkVersions },
    { broken: "ledger clientTime read as a date", from: `"clientTime" timestamptz`, to: `"clientTime" date`, check: checkLedger },
    {
      broken: "conflict patch null stored as SQL NULL",
      from: `COALESCE(x."patch", 'null'::jsonb)`,
      to: `x."patch"`,
      check: checkConflicts,
    },
    {
      broken: "conflict fields read as one text",
      from: `"conflictingFields" text[]`,
      to: `"conflictingFields" text`,
      check: checkConflicts,
    },
    {
      broken: "rejection payload null stored as SQL NULL",
      from: `COALESCE(x."payload", 'null'::jsonb)`,
      to: `x."payload"`,
      check: checkRejections,
    },
    { broken: "media hide re-hides hidden media", from: `WHERE "deletedAt" IS NULL AND`, to: "WHERE", check: checkHideMedia },
  ];

  it.each(CASES)("$broken", async ({ from, to, check }) => {
    const hits = { n: 0 };
    await expect(check(sabotaged(viaTxSql, from, to, hits))).rejects.toThrow();
    expect(hits.n).toBeGreaterThan(0);
  });
});
