import type pg from "pg";
import type { Db, Tx } from "./client";
import { sqlStateOf } from "./errors";

/**
 * Plain SQL for the hot paths (the push engine, lib/server/sync/engine): text with $n parameters,
 * run either on a Prisma transaction (`$queryRawUnsafe`) or — on a Postgres server — straight on a
 * `pg` connection of the same pool, which costs ~0.07 ms a statement where Prisma's raw query
 * path costs ~0.35 ms (`bench/`: a 10-mutation push is a dozen statements). The embedded PGlite
 * keeps the Prisma path: it has one connection, which Prisma's adapter owns.
 *
 * Both return timestamps as Date, jsonb parsed, uuid/text/enums as strings; int8 differs (pg:
 * string, Prisma: bigint), so hot-path queries cast what they read of it.
 */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; returns the number of rows it affected. */
  exec(text: string, params?: readonly unknown[]): Promise<number>;
}

export function txSql(tx: Tx): Sql {
  return {
    query: <T>(text: string, params: readonly unknown[] = []) => tx.$queryRawUnsafe<T[]>(text, ...params),
    exec: (text, params = []) => tx.$executeRawUnsafe(text, ...params),
  };
}

function clientSql(client: pg.PoolClient): Sql {
  return {
    query: async <T>(text: string, params: readonly unknown[] = []) => (await client.query(text, params as unknown[])).rows as T[],
    exec: async (text, params = []) => (await client.query(text, params as unknown[])).rowCount ?? 0,
  };
}

/** The `pg` pool behind each Prisma client that has one (registered by createPrisma). */
const pools = new WeakMap<Db, pg.Pool>();

export function registerPool(db: Db, pool: pg.Pool | undefined): void {
  if (pool) pools.set(db, pool);
}

/**
 * Statements outside a transaction, each on a connection of its own: on a Postgres server straight
 * on the app's `pg` pool (a statement through Prisma's raw path costs ~0.35 ms of this process's
 * time, through `pg` ~0.07 — it matters on the requests every device makes: sign-in check, pull,
 * device stamp); on PGlite through Prisma. int8 comes back as a string on the pg path and as a
 * bigint through Prisma: read it through BigInt() or Number(), or cast it in the SQL.
 */
export function dbSql(db: Db): Sql {
  const pool = pools.get(db);
  if (!pool) return txSql(db);
  const run = async (text: string, params: readonly unknown[]) => {
    const client = guard(await connectWithin(pool, POOLED_STATEMENT_WAIT_MS));
    let broken: Error | undefined;
    try {
      return await client.query(text, params as unknown[]);
    } catch (error) {
      // A statement that failed without an answer from the server (the socket died) or because
      // the server is ending the session (57P…) or lost it (08…) leaves the connection unusable.
      const state = sqlStateOf(error);
      if (state === null || state.startsWith("57P") || state.startsWith("08")) broken = error as Error;
      throw error;
    } finally {
      client.release(broken ?? lostConnections.get(client));
    }
  };
  return {
    query: async <T>(text: string, params: readonly unknown[] = []) => (await run(text, params)).rows as T[],
    exec: async (text, params = []) => (await run(text, params)).rowCount ?? 0,
  };
}

/** As long as Prisma's pool waits for a connection by default. */
const POOLED_STATEMENT_WAIT_MS = 10_000;

export interface SqlTransactionOptions {
  /** Longest the transaction may take (ms): a statement running past it is cancelled. */
  timeout: number;
  /** Longest to wait for a connection (ms). */
  maxWait: number;
}

/**
 * Runs `fn` in one transaction: on a `pg` connection when the database is a Postgres server, else
 * in a Prisma interactive transaction. Commits when `fn` resolves, rolls back when it throws.
 */
export async function withSqlTransaction<T>(db: Db, options: SqlTransactionOptions, fn: (sql: Sql) => Promise<T>): Promise<T> {
  const pool = pools.get(db);
  if (!pool) return db.$transaction((tx) => fn(txSql(tx)), options);
  const client = guard(await connectWithin(pool, options.maxWait));
  let broken: Error | undefined;
  try {
    await client.query(`BEGIN; SET LOCAL statement_timeout = ${Math.max(1, Math.round(options.timeout))}`);
    const result = await fn(clientSql(client));
    await client.query("COMMIT");
    return result;
  } catch (error) {
    try {
      await client.query("ROLLBACK");
    } catch (rollbackError) {
      broken = rollbackError as Error; // the connection is gone: the pool must not hand it out again
    }
    throw error;
  } finally {
    client.release(broken ?? lostConnections.get(client));
  }
}

/**
 * A connection that dies while checked out (a restart, a terminated backend) reports it as an
 * 'error' event, sometimes after its query has already failed; the pool listens only to idle
 * connections, and an unheard 'error' event would end the process. One listener per connection,
 * for its whole life; a connection that reported one is destroyed on release.
 */
const lostConnections = new WeakMap<pg.PoolClient, Error>();
const guarded = new WeakSet<pg.PoolClient>();

function guard(client: pg.PoolClient): pg.PoolClient {
  if (!guarded.has(client)) {
    guarded.add(client);
    client.on("error", (error) => lostConnections.set(client, error));
  }
  return client;
}

async function connectWithin(pool: pg.Pool, ms: number): Promise<pg.PoolClient> {
  let timer: NodeJS.Timeout | undefined;
  const connecting = pool.connect();
  try {
    return await Promise.race([
      connecting,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error("Timed out waiting for a database connection"), { code: "P2024" })), ms);
      }),
    ]);
  } catch (error) {
    // A connection that arrives after the timeout goes straight back to the pool.
    connecting.then((c) => c.release()).catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
