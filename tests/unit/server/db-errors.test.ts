import { describe, expect, it } from "vitest";
import { isTransientDbError, sqlStateOf } from "@/lib/server/db/errors";
import { AppError } from "@/lib/server/errors";

/** The shape Prisma 7 gives a raw query that failed in the database (seen for a deadlock). */
const rawQueryFailure = (sqlstate: string, kind?: string) =>
  Object.assign(new Error("Raw query failed"), {
    code: "P2010",
    meta: {
      driverAdapterError: {
        name: "DriverAdapterError",
        cause: { originalCode: sqlstate, originalMessage: "…", ...(kind ? { kind } : {}) },
      },
    },
  });

describe("isTransientDbError: what a retry cures, not what the data caused", () => {
  it.each([
    ["a deadlock in a raw query (P2010 / 40P01)", rawQueryFailure("40P01", "TransactionWriteConflict"), true],
    ["a serialization failure (40001) without a kind", rawQueryFailure("40001"), true],
    ["too many connections (53300)", rawQueryFailure("53300"), true],
    ["the server shutting down (57P01)", rawQueryFailure("57P01"), true],
    [
      "a lost connection kind",
      Object.assign(new Error("x"), { code: "P2010", meta: { driverAdapterError: { cause: { kind: "ConnectionClosed" } } } }),
      true,
    ],
    ["Prisma's write conflict (P2034)", Object.assign(new Error("x"), { code: "P2034" }), true],
    ["Prisma's pool timeout (P2024)", Object.assign(new Error("x"), { code: "P2024" }), true],
    ["a node-postgres error with its SQLSTATE", Object.assign(new Error("x"), { code: "08006" }), true],
    ["pg: the server closed the connection under a query", new Error("Connection terminated unexpectedly"), true],
    ["pg: a refused connection", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }), true],
    ["a unique violation (P2002)", Object.assign(new Error("x"), { code: "P2002" }), false],
    ["pg: a unique violation (23505)", Object.assign(new Error("duplicate key"), { code: "23505" }), false],
    ["a raw query with bad data (22P02)", rawQueryFailure("22P02", "InvalidInputValue"), false],
    ["a check violation (23514)", rawQueryFailure("23514"), false],
    ["our own AppError", new AppError("VALIDATION_FAILED", "bad"), false],
    ["a plain Error", new Error("boom"), false],
    ["not an error at all", "boom", false],
  ])("%s → %s", (_, error, expected) => {
    expect(isTransientDbError(error)).toBe(expected);
  });

  it.each([
    ["pg's own error", Object.assign(new Error("x"), { code: "23505" }), "23505"],
    ["Prisma's unique violation", Object.assign(new Error("x"), { code: "P2002" }), "23505"],
    ["a raw query failure", rawQueryFailure("22P02", "InvalidInputValue"), "22P02"],
    ["an error with no SQLSTATE", new Error("boom"), null],
  ])("sqlStateOf: %s → %s", (_, error, expected) => {
    expect(sqlStateOf(error)).toBe(expected);
  });

  it("follows causes without looping on a cycle", () => {
    const a: Record<string, unknown> = { code: "X" };
    a.cause = a;
    expect(isTransientDbError(a)).toBe(false);
    expect(isTransientDbError({ cause: { cause: { code: "40P01" } } })).toBe(true);
  });
});
