/**
 * A small seed set of the fault simulation (tests/sim/simulator.ts) in the normal test run, on
 * PGlite and — with DATABASE_URL — on Postgres: 3 seeds × 4 devices × 60 ops, each seed on its
 * own database. A failing seed names the invariant and the command that replays it at full detail.
 * Bigger runs: `npm run test:sim -- --seeds 1..25 --devices 20 --ops 500` (README).
 */
import { describe, expect, it } from "vitest";
import { createTestDb } from "../fixtures/test-db";
import { formatStats, reproCommand } from "./runner";
import { adoptDatabase } from "./server-db";
import { simulate } from "./simulator";

const SEEDS = [1, 2, 3];
const DEVICES = 4;
const OPS = 60;

describe("seeded fault simulation: devices, faults and the real server converge and lose nothing", () => {
  it.each(SEEDS)(
    "seed %i",
    async (seed) => {
      const db = await createTestDb();
      const database = adoptDatabase(db.kind, db, db.url);
      try {
        const result = await simulate({ seed, devices: DEVICES, ops: OPS }, database);
        console.log(formatStats(result));
        const repro = reproCommand(result.config, db.kind);
        expect(result.failures, `${result.trace.slice(-25).join("\n")}\nreproduce: ${repro}`).toEqual([]);
        // The run did what it is for: writes went through faults to the server and were checked.
        expect(result.stats.localWrites).toBeGreaterThan(20);
        expect(result.stats.applied).toBeGreaterThan(0);
        expect(result.stats.faults).toBeGreaterThan(0);
      } finally {
        await database.close();
        await db.drop();
      }
    },
    120_000,
  );
});
