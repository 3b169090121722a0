import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";

/**
 * The embedded database's data directory, guarded (README "Embedded database: crashes and locking"):
 *
 * - Single writer. PGlite has no lock of its own (its postmaster.pid names a fake pid), and two
 *   processes on one directory corrupt it. `fieldsync.lock` (pid and host, created with O_EXCL)
 *   refuses a second opener while the first is alive; a lock whose process is gone — a server that
 *   was killed — is taken over, and PGlite's crash recovery (WAL replay) runs on open.
 * - A first start is atomic. A new database is created in `.fieldsync-init/` and moved in with
 *   PG_VERSION last, so PG_VERSION present means complete; an init interrupted by a kill (marker
 *   still there, no PG_VERSION — the database was never opened, so it holds nothing) is redone.
 * - Never a silent fresh database. A directory holding files but no PG_VERSION (not a database, or
 *   a damaged one) is refused instead of initialised over, and a directory PGlite cannot open (a
 *   damaged control file or WAL) is reported as such; nothing is changed either way.
 *
 * Committed data survives SIGKILL: PGlite writes WAL through to the directory at commit (it runs
 * with fsync off, so an OS crash or power loss can still lose the last commits; a process kill
 * cannot — the kernel keeps what was written). tests/crash/ kills servers mid-push to check it.
 */

export const LOCK_FILE = "fieldsync.lock";
const INIT_DIR = ".fieldsync-init";
const OWN = new Set([LOCK_FILE, INIT_DIR]);

export class DataDirError extends Error {
  override name = "DataDirError";
}

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  /** Linux: the process's start time (clock ticks since boot), so a reused pid is not taken for the holder. */
  procStart?: string;
}

function procStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** Whether the lock's holder still runs (a container restarted on the same volume reuses pids). */
function alive(lock: LockInfo): boolean {
  if (lock.pid === process.pid) return false; // not held in this process (checked first): an earlier incarnation
  try {
    process.kill(lock.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const now = procStart(lock.pid);
  return !lock.procStart || !now || now === lock.procStart;
}

function readLock(file: string): LockInfo | null {
  try {
    const info = JSON.parse(readFileSync(file, "utf8")) as Partial<LockInfo>;
    return typeof info.pid === "number" && typeof info.host === "string" ? (info as LockInfo) : null;
  } catch {
    return null; // half-written by a process killed while creating it: nobody holds it
  }
}

const held = new Map<string, () => void>();

/** Takes the directory's lock or throws DataDirError naming the holder. Returns the release. */
export function lockDataDir(dataDir: string): () => void {
  const dir = path.resolve(dataDir);
  const file = path.join(dir, LOCK_FILE);
  if (held.has(dir)) throw new DataDirError(`The embedded database in ${dir} is already open in this process (pid ${process.pid}).`);
  const mine: LockInfo = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString(), procStart: procStart(process.pid) };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(mine), { flag: "wx" });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error;
      const other = readLock(file);
      if (other && other.host !== mine.host) {
        throw new DataDirError(
          `The embedded database in ${dir} is locked by process ${other.pid} on host ${other.host} (${file}). ` +
            "Only one server may use a PGlite directory. If that server is certainly stopped, delete the lock file.",
        );
      }
      if (other && alive(other)) {
        throw new DataDirError(
          `The embedded database in ${dir} is in use by process ${other.pid} (since ${other.startedAt}). ` +
            "Only one server may use a PGlite directory: stop the other one, or set PGLITE_DIR to another directory.",
        );
      }
      // The holder is gone without closing (killed, crashed): its lock is stale.
      unlinkSync(file);
    }
  }
  const release = () => {
    held.delete(dir);
    process.removeListener("exit", release);
    if (readLock(file)?.pid === process.pid) rmSync(file, { force: true });
  };
  held.set(dir, release);
  process.on("exit", release);
  return release;
}

/** Creates the database in a scratch folder and moves it in, PG_VERSION last (see the header). */
async function initialise(dir: string): Promise<void> {
  const scratch = path.join(dir, INIT_DIR);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const fresh = await PGlite.create(path.join(scratch, "db"));
  await fresh.close();
  const entries = readdirSync(path.join(scratch, "db")).filter((name) => name !== "PG_VERSION");
  for (const name of [...entries, "PG_VERSION"]) renameSync(path.join(scratch, "db", name), path.join(dir, name));
  rmSync(scratch, { recursive: true, force: true });
}

/**
 * Makes sure `dataDir` holds a complete database (creating one on a first start), or throws
 * DataDirError. Call with the directory's lock held.
 */
export async function prepareDataDir(dataDir: string): Promise<void> {
  const dir = path.resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  if (existsSync(path.join(dir, "PG_VERSION"))) {
    rmSync(path.join(dir, INIT_DIR), { recursive: true, force: true });
    return;
  }
  const interruptedInit = existsSync(path.join(dir, INIT_DIR));
  const foreign = readdirSync(dir).filter((name) => !OWN.has(name));
  if (foreign.length > 0 && !interruptedInit) {
    throw new DataDirError(
      `${dir} holds files (${foreign.slice(0, 5).join(", ")}${foreign.length > 5 ? ", …" : ""}) but no database (PG_VERSION is missing): ` +
        "it is not an embedded Field Sync database, or it is damaged. Refusing to create a new database over it. " +
        "Restore the directory from a backup, or set PGLITE_DIR to an empty or new directory.",
    );
  }
  // An interrupted first start moved part of a never-opened database in: start it again.
  for (const name of foreign) rmSync(path.join(dir, name), { recursive: true, force: true });
  await initialise(dir);
}

/** Opens the database in `dataDir`, turning PGlite's failure on a damaged directory into DataDirError. */
export async function openDataDir(dataDir: string): Promise<PGlite> {
  const dir = path.resolve(dataDir);
  try {
    const pglite = await PGlite.create(dir);
    await pglite.query("SELECT 1");
    return pglite;
  } catch (error) {
    throw new DataDirError(
      `The embedded database in ${dir} could not be opened (${(error as Error).message}). ` +
        "It is damaged (for example a lost or corrupted control file or write-ahead log). The server did not start and changed nothing: " +
        "restore the directory from a backup, or move it away to start with an empty database.",
      { cause: error },
    );
  }
}
