import "server-only";

/**
 * Failures a retry cures, as opposed to failures of the request's own data: lock and
 * serialization conflicts (deadlocks included), pool and transaction timeouts, a lost or refused
 * connection, a server that is overloaded, shutting down or restarting.
 *
 * Prisma wraps database errors in several layers depending on how the query was made (P2010 for
 * raw queries, P2034 for write conflicts, DriverAdapterError causes carrying the SQLSTATE), so this
 * looks at each of them.
 */

/** Prisma's own codes for pool timeouts, transaction-API failures, conflicts and lost connections. */
const TRANSIENT_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028", "P2034"]);

/** Driver-adapter error kinds that describe the database's state, not the query. */
const TRANSIENT_ADAPTER_KINDS = new Set([
  "TransactionWriteConflict",
  "ConnectionClosed",
  "TooManyConnections",
  "SocketTimeout",
  "DatabaseNotReachable",
  "TransactionAlreadyClosed",
]);

/**
 * SQLSTATE classes: 08 connection exception, 40 transaction rollback (serialization failure,
 * deadlock), 53 insufficient resources, 57 operator intervention (shutdown, cancel), 58 system error.
 */
const TRANSIENT_SQLSTATE = /^(08|40|53|57|58)[0-9A-Z]{3}$/;

/** Socket errors of a connection used directly through `pg` (lib/server/db/sql.ts), which has no Prisma wrapper. */
const TRANSIENT_SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"]);

/** What `pg` throws when the server closes the connection under a query (a restart, a terminated backend). */
const PG_CONNECTION_LOST = /^(Connection terminated|Client has encountered a connection error|Client was closed)/;

interface Layered {
  code?: unknown;
  kind?: unknown;
  originalCode?: unknown;
  meta?: { driverAdapterError?: { cause?: Layered }; code?: unknown };
  cause?: Layered;
}

export function isTransientDbError(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current = error as Layered | undefined;
  while (current && typeof current === "object" && !seen.has(current)) {
    seen.add(current);
    const { code, kind, originalCode } = current;
    if (typeof code === "string" && (TRANSIENT_PRISMA_CODES.has(code) || TRANSIENT_SQLSTATE.test(code) || TRANSIENT_SOCKET_CODES.has(code)))
      return true;
    if (current instanceof Error && PG_CONNECTION_LOST.test(current.message)) return true;
    if (typeof kind === "string" && TRANSIENT_ADAPTER_KINDS.has(kind)) return true;
    if (typeof originalCode === "string" && TRANSIENT_SQLSTATE.test(originalCode)) return true;
    if (typeof current.meta?.code === "string" && TRANSIENT_SQLSTATE.test(current.meta.code)) return true;
    current = current.meta?.driverAdapterError?.cause ?? current.cause;
  }
  return false;
}

/** The SQLSTATE of a database error, wherever Prisma's layers put it (null when there is none). */
export function sqlStateOf(error: unknown): string | null {
  const seen = new Set<unknown>();
  let current = error as Layered | undefined;
  while (current && typeof current === "object" && !seen.has(current)) {
    seen.add(current);
    for (const code of [current.originalCode, current.meta?.code, current.code])
      if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && !/^P\d{4}$/.test(code)) return code;
    if (current.code === "P2002") return "23505";
    current = current.meta?.driverAdapterError?.cause ?? current.cause;
  }
  return null;
}
