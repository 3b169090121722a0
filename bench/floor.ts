/**
 * The database floor: the same documents written with no sync protocol on top — 100-row multi-row
 * INSERTs, one transaction each, into a scratch table shaped like the peer harness's
 * (`assessments (id, entity_id, type, status, data jsonb, version, change_seq)` with a unique
 * index on change_seq), in a scratch database. On Postgres with `pg`, 1 and 4 connections; on
 * PGlite in this process (one connection: PGlite has no other).
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import type { WorkloadDoc } from "./workload";

const COLUMNS = 6;
const TABLE = `CREATE SEQUENCE change_seq;
  CREATE TABLE assessments (
    id uuid PRIMARY KEY, entity_id uuid NOT NULL, type text NOT NULL, status text NOT NULL,
    data jsonb NOT NULL, version int NOT NULL DEFAULT 1, change_seq bigint NOT NULL DEFAULT nextval('change_seq'));
  CREATE UNIQUE INDEX assessments_change_seq ON assessments (change_seq);`;

function insertSql(rows: number): string {
  const values: string[] = [];
  for (let r = 0; r < rows; r++) values.push(`(${Array.from({ length: COLUMNS }, (_, c) => `$${r * COLUMNS + c + 1}`).join(",")})`);
  return `INSERT INTO assessments (id, entity_id, type, status, data, version) VALUES ${values.join(",")}`;
}

type Query = (sql: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

async function insertBatched(query: Query, rows: unknown[][], batch: number) {
  for (let i = 0; i < rows.length; i += batch) {
    const chunk = rows.slice(i, i + batch);
    await query("BEGIN");
    await query(insertSql(chunk.length), chunk.flat());
    await query("COMMIT");
  }
}

async function reset(query: Query) {
  await query("TRUNCATE assessments");
  await query("CHECKPOINT"); // no checkpoint of an earlier phase lands inside the timed one
}

async function count(query: Query): Promise<number> {
  return Number((await query("SELECT count(*)::int AS c FROM assessments")).rows[0].c);
}

export interface FloorFigure {
  connections: number;
  rows: number;
  ms: number;
  perSecond: number;
}

export interface FloorResult {
  kind: "postgres" | "pglite";
  batch: number;
  figures: FloorFigure[];
  skipped?: string;
}

const toRows = (docs: readonly WorkloadDoc[]) =>
  docs.map((d) => [d.offlineId, d.entityId, d.assessmentType, d.status, JSON.stringify(d.data), 1]);

async function timed(query: Query, run: () => Promise<unknown>, connections: number, rows: number): Promise<FloorFigure> {
  await reset(query);
  const started = performance.now();
  await run();
  const ms = performance.now() - started;
  const n = await count(query);
  if (n !== rows) throw new Error(`floor: expected ${rows} rows, found ${n}`);
  return { connections, rows, ms, perSecond: rows / (ms / 1000) };
}

export async function benchFloorPostgres(
  baseUrl: string,
  docs: readonly WorkloadDoc[],
  batch = 100,
  connections = [1, 4],
): Promise<FloorResult> {
  const name = `fieldsync_bench_floor_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const clients: pg.Client[] = [];
  try {
    for (let i = 0; i < Math.max(...connections); i++) {
      const c = new pg.Client({ connectionString: url.toString() });
      await c.connect();
      clients.push(c);
    }
    const main: Query = (sql, params) => clients[0].query(sql, params);
    await main(TABLE);
    const rows = toRows(docs);
    const figures: FloorFigure[] = [];
    for (const n of connections) {
      const per = Math.ceil(rows.length / n);
      figures.push(
        await timed(
          main,
          () =>
            Promise.all(
              clients.slice(0, n).map((c, i) => insertBatched((sql, p) => c.query(sql, p), rows.slice(i * per, (i + 1) * per), batch)),
            ),
          n,
          rows.length,
        ),
      );
    }
    return { kind: "postgres", batch, figures };
  } finally {
    for (const c of clients) await c.end();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

/** PGlite in a scratch data directory (on disk, as the app's embedded database). */
export async function benchFloorPglite(docs: readonly WorkloadDoc[], batch = 100): Promise<FloorResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fieldsync-bench-floor-"));
  const db = await PGlite.create(dir);
  try {
    const query: Query = (sql, params) => db.query(sql, params) as Promise<{ rows: Record<string, unknown>[] }>;
    await db.exec(TABLE);
    const rows = toRows(docs);
    return {
      kind: "pglite",
      batch,
      figures: [await timed(query, () => insertBatched(query, rows, batch), 1, rows.length)],
      skipped: "4 connections: PGlite serves one connection",
    };
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
