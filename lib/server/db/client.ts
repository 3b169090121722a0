import { PrismaClient } from "@/lib/generated/prisma/client";
import { getEnv } from "@/lib/server/env";
import { type OpenedAdapter, openAdapter, resolveDbTarget } from "./adapter";

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
      return { prisma: new PrismaClient({ adapter: opened.factory }), opened };
    })(),
  };
  try {
    return (await g[globalKey].promise).prisma;
  } catch (error) {
    g[globalKey] = undefined; // let the next request try again (e.g. the database was down)
    throw error;
  }
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

export function createPrisma(opened: OpenedAdapter): PrismaClient {
  return new PrismaClient({ adapter: opened.factory });
}
