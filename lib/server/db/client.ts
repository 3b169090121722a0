import { PrismaClient } from "@/lib/generated/prisma/client";
import { getEnv } from "@/lib/server/env";
import { type DbTarget, type OpenedAdapter, openAdapter, resolveDbTarget } from "./adapter";
import { registerPool } from "./sql";

export type Db = PrismaClient;
/** A transaction handle: what every query in lib/server/queries takes first. */
export type Tx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

interface DbState {
  promise: Promise<{ prisma: PrismaClient; opened: OpenedAdapter }>;
}

// One client per process, created on first use (never at import: `next build` evaluates route
// modules) and kept on globalThis so dev-mode module reloads don't open PGlite twice.
const globalKey = Symbol.for("fieldsync.db");
type GlobalWithDb = typeof globalThis & { [globalKey]?: DbState };

export async function getDb(): Promise<PrismaClient> {
  const g = globalThis as GlobalWithDb;
  g[globalKey] ??= {
    promise: (async () => {
      const opened = await openAdapter(resolveDbTarget(getEnv()));
      return { prisma: createPrisma(opened), opened };
    })(),
  };
  try {
    return (await g[globalKey].promise).prisma;
  } catch (error) {
    g[globalKey] = undefined; // let the next request try again (e.g. the database was down)
    throw error;
  }
}

/** Which database the process uses (the tus locker picks its kind of lock by it). */
export async function getDbTarget(): Promise<DbTarget> {
  await getDb();
  const state = (globalThis as GlobalWithDb)[globalKey];
  if (!state) throw new Error("The database was closed");
  return (await state.promise).opened.target;
}

/** Uses an already-open adapter (tests, scripts) as the process's database. */
export function setDb(prisma: PrismaClient, opened: OpenedAdapter): void {
  (globalThis as GlobalWithDb)[globalKey] = { promise: Promise.resolve({ prisma, opened }) };
}

export async function closeDb(): Promise<void> {
  const g = globalThis as GlobalWithDb;
  const state = g[globalKey];
  g[globalKey] = undefined;
  if (!state) return;
  const { prisma, opened } = await state.promise;
  await prisma.$disconnect();
  await opened.close();
}

// Prisma's defaults (2 s to get a connection, 5 s per interactive transaction) turn a busy moment —
// a burst of devices reconnecting after an outage, more requests than pool connections — into
// failed pulls and pushes. Waiting is the better answer: every transaction here is short when it
// runs, and a client that gives up earlier retries anyway. Push sets its own, longer limits.
const TRANSACTION_DEFAULTS = { maxWait: 30_000, timeout: 60_000 } as const;

export function createPrisma(opened: OpenedAdapter): PrismaClient {
  const prisma = new PrismaClient({ adapter: opened.factory, transactionOptions: TRANSACTION_DEFAULTS });
  registerPool(prisma, opened.pool);
  return prisma;
}
