import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LOCK_FILE, lockDataDir, prepareDataDir } from "@/lib/server/db/pglite-dir";
import { formatReport, freePort, killAllServers, runCrashRecovery, ServerProcess } from "./crash";

/**
 * Issue 11 §3 in CI: a few SIGKILLs of a real server process (tests/crash/server.ts) mid-push,
 * mid-upload and at a random moment, on the database this run uses (PGlite in a data directory by
 * default, a throwaway database on DATABASE_URL's server otherwise); crash.ts checks that nothing
 * was lost or applied twice and that every device converged. The full run is
 * `npm run test:crash -- --kills 10 --seed N`. Then the embedded database's guards: one writer per
 * data directory, a damaged directory refused rather than replaced.
 */

const kind = process.env.DATABASE_URL ? "postgres" : "pglite";
const kills = Number(process.env.CRASH_KILLS ?? 5);
const seed = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 1e9));
const scratch = mkdtempSync(path.join(os.tmpdir(), "fieldsync-crash-guard-"));

afterAll(() => {
  killAllServers(); // whatever a failed test left running
  rmSync(scratch, { recursive: true, force: true });
});

describe(`crash recovery on ${kind}`, () => {
  it(`survives ${kills} SIGKILLs of the server mid-push and mid-upload (seed ${seed})`, { timeout: 600_000 }, async () => {
    console.log(
      `crash recovery: seed ${seed} (rerun: CRASH_SEED=${seed}, or npm run test:crash -- --db ${kind} --kills ${kills} --seed ${seed})`,
    );
    const report = await runCrashRecovery({ kind, kills, seed });
    console.log(formatReport(report));
    expect(report.kills).toHaveLength(kills);
    expect(report.mutations).toBeGreaterThanOrEqual(100 * kills);
    expect(report.photos).toBe(2 * kills);
    // A kill cuts answers off: the verification above is only meaningful if some were.
    expect(report.pushesCut + report.killsMidUpload + report.cutCommitted + report.cutRolledBack).toBeGreaterThan(0);
  });
});

describe.runIf(kind === "pglite")("the embedded database's data directory", () => {
  const dataDir = path.join(scratch, "pglite");
  const env = { PGLITE_DIR: dataDir, DATABASE_URL: "", MEDIA_DIR: path.join(scratch, "media") };

  it("refuses a second server while the first runs, and takes over the lock of a killed one", { timeout: 180_000 }, async () => {
    const first = new ServerProcess(env, await freePort());
    await first.start();
    const second = new ServerProcess(env, await freePort());
    await expect(second.start()).rejects.toThrow(/in use by process \d+.*Only one server may use a PGlite directory/);
    // The first is unharmed; killed, it leaves a stale lock the next server takes over.
    expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(true);
    await first.kill();
    expect(existsSync(path.join(dataDir, LOCK_FILE))).toBe(true);
    await second.start();
    await second.kill();
  });

  it("refuses a damaged directory and changes nothing in it, instead of starting a fresh database", { timeout: 180_000 }, async () => {
    // From the previous test: a migrated database, last used by a killed server.
    expect(existsSync(path.join(dataDir, "PG_VERSION"))).toBe(true);
    const listing = () =>
      readdirSync(dataDir)
        .filter((name) => name !== LOCK_FILE)
        .sort();
    const before = listing();

    truncateSync(path.join(dataDir, "global", "pg_control"), 0);
    await expect(new ServerProcess(env, await freePort()).start()).rejects.toThrow(/could not be opened.*It is damaged/);
    expect(listing()).toEqual(before);

    rmSync(path.join(dataDir, "PG_VERSION"));
    await expect(new ServerProcess(env, await freePort()).start()).rejects.toThrow(
      /no database \(PG_VERSION is missing\).*Refusing to create a new database/,
    );
    expect(existsSync(path.join(dataDir, "PG_VERSION"))).toBe(false);
    expect(listing()).toEqual(before.filter((name) => name !== "PG_VERSION"));
  });

  it("takes a lock over only when its holder is gone: a live pid, another host, a reused pid", () => {
    const dir = path.join(scratch, "locks");
    mkdirSync(dir, { recursive: true });
    const lockFile = path.join(dir, LOCK_FILE);
    const writeLock = (lock: object) => writeFileSync(lockFile, JSON.stringify({ startedAt: "2026-12-06T00:00:00.000Z", ...lock }));
    // The parent process (vitest's) runs: its lock stands.
    writeLock({ pid: process.ppid, host: os.hostname() });
    expect(() => lockDataDir(dir)).toThrow(new RegExp(`in use by process ${process.ppid}`));
    // Another machine's lock (a shared volume) is not ours to judge.
    writeLock({ pid: 1, host: "another-host" });
    expect(() => lockDataDir(dir)).toThrow(/locked by process 1 on host another-host/);
    // The same pid, but a process started at another time: the holder is gone, the pid reused.
    writeLock({ pid: process.ppid, host: os.hostname(), procStart: "1" });
    lockDataDir(dir)();
    // A lock file cut short by a kill while it was written.
    writeFileSync(lockFile, '{"pid":');
    lockDataDir(dir)();
    expect(existsSync(lockFile)).toBe(false);
  });

  it("redoes a first start that a kill interrupted, and refuses a second opener in the same process", { timeout: 120_000 }, async () => {
    const dir = path.join(scratch, "interrupted");
    // What a kill during the first start leaves: the scratch folder and part of the files moved in.
    mkdirSync(path.join(dir, ".fieldsync-init", "db"), { recursive: true });
    mkdirSync(path.join(dir, "base"), { recursive: true });
    writeFileSync(path.join(dir, "postgresql.conf"), "# partial\n");
    const release = lockDataDir(dir);
    try {
      expect(() => lockDataDir(dir)).toThrow(/already open in this process/);
      await prepareDataDir(dir);
      expect(existsSync(path.join(dir, "PG_VERSION"))).toBe(true);
      expect(existsSync(path.join(dir, ".fieldsync-init"))).toBe(false);
    } finally {
      release();
    }
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });
});
