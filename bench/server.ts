/**
 * Real app servers for the HTTP half of the bench: `npm start` (build if the sources changed,
 * migrate, seed the demo admin, `next start`) on a throwaway database — a new database on the
 * Postgres server of DATABASE_URL, or a new PGlite directory — on a free port.
 *
 * `npm start` may rebuild `.next`, which other sessions on this machine also use: the whole HTTP
 * phase holds `/tmp/fieldsync-next.lock` (flock), as every build, `npm start` and Playwright run
 * here does, so nobody rebuilds under a running server.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";

export { freePort } from "@/tests/fixtures/http-server";

export const BUILD_LOCK = "/tmp/fieldsync-next.lock";
export const DEMO_ADMIN = { email: "admin@demo.fieldsync.org", password: "bench-demo-password" };

/** Holds the build lock until the returned function is called (or this process dies). */
export async function holdBuildLock(): Promise<() => Promise<void>> {
  const holder = spawn("flock", [BUILD_LOCK, "-c", "echo locked; exec cat"], { stdio: ["pipe", "pipe", "inherit"] });
  const waiting = setTimeout(() => console.log(`  (waiting for ${BUILD_LOCK}: another build, server or browser test holds it)`), 2000);
  await new Promise<void>((resolve, reject) => {
    holder.stdout?.on("data", (chunk: Buffer) => chunk.toString().includes("locked") && resolve());
    holder.on("exit", (code) => reject(new Error(`flock exited with ${code}`)));
  });
  clearTimeout(waiting);
  return async () => {
    const exited = new Promise((resolve) => holder.once("exit", resolve));
    holder.stdin?.end();
    await exited;
  };
}

/** A throwaway database for the app servers: a new database on a Postgres server, or a new PGlite directory. */
export interface AppDatabase {
  kind: "postgres" | "pglite";
  /** Environment for `npm start`. */
  env: Record<string, string>;
  /** Postgres: its URL (the bench writes to it directly for the pull curve). */
  url?: string;
  /** PGlite: its directory (only while no server runs). */
  dir?: string;
  drop(): Promise<void>;
}

export async function createAppDatabase(kind: "postgres" | "pglite", baseUrl?: string): Promise<AppDatabase> {
  const mediaDir = mkdtempSync(path.join(os.tmpdir(), "fieldsync-bench-media-"));
  const common = { MEDIA_DIR: mediaDir, FIELDSYNC_DEMO: "1", DEMO_PASSWORD: DEMO_ADMIN.password };
  if (kind === "pglite") {
    const dir = mkdtempSync(path.join(os.tmpdir(), "fieldsync-bench-pglite-"));
    return {
      kind,
      dir,
      env: { ...common, DATABASE_URL: "", PGLITE_DIR: dir },
      drop: async () => {
        rmSync(dir, { recursive: true, force: true });
        rmSync(mediaDir, { recursive: true, force: true });
      },
    };
  }
  if (!baseUrl) throw new Error("postgres needs a server URL");
  const name = `fieldsync_bench_http_${randomUUID().slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    env: { ...common, DATABASE_URL: url.toString() },
    drop: async () => {
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
      rmSync(mediaDir, { recursive: true, force: true });
    },
  };
}

export interface ProcessRss {
  pid: number;
  command: string;
  rssKiB: number;
}

export interface AppServer {
  url: string;
  port: number;
  pid: number;
  /** VmRSS of every process of this server (npm, tsx, the start script, `next start`). */
  rss(): ProcessRss[];
  stop(): Promise<void>;
}

export function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // pid (comm) state ppid …; comm may contain spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parent.set(Number(name), ppid);
    } catch {}
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, ppid] of parent) if (ppid === out[i]) out.push(pid);
  return out;
}

function processRss(pid: number): ProcessRss | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
    return rss ? { pid, command: command.slice(0, 160), rssKiB: Number(rss[1]) } : null;
  } catch {
    return null;
  }
}

/** The `next start` process (the one serving requests) of a server's process tree. */
export function serverProcess(list: ProcessRss[]): ProcessRss {
  return (
    list.find((p) => / next(\.js)? start\b|next-server|dist\/bin\/next start/.test(p.command)) ??
    [...list].sort((a, b) => b.rssKiB - a.rssKiB)[0]
  );
}

/** `npm start` on `port` with `db`; resolves once /api/health answers 200. */
export async function startApp(db: AppDatabase, port: number, timeoutMs = 600_000): Promise<AppServer> {
  const child: ChildProcess = spawn("npm", ["start"], {
    cwd: process.cwd(),
    env: { ...process.env, ...db.env, PORT: String(port), LOG_LEVEL: "warn", NEXT_TELEMETRY_DISABLED: "1" },
    // Its own process group, so stop() ends exactly this server's processes.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", (code) => {
      exited = code;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const pid = child.pid as number;
  const started = Date.now();
  for (;;) {
    if (exited !== undefined) throw new Error(`npm start exited with ${exited} before serving:\n${output.slice(-4000)}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {}
    if (Date.now() - started > timeoutMs) {
      process.kill(-pid, "SIGKILL");
      throw new Error(`npm start did not answer within ${timeoutMs / 1000} s:\n${output.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    port,
    pid,
    rss: () =>
      descendants(pid)
        .map(processRss)
        .filter((p): p is ProcessRss => p !== null),
    stop: async () => {
      if (exited !== undefined) return;
      try {
        process.kill(-pid, "SIGTERM");
      } catch {}
      const timer = setTimeout(() => {
        try {
          process.kill(-pid, "SIGKILL");
        } catch {}
      }, 20_000);
      await exit;
      clearTimeout(timer);
      // The group may outlive npm for a moment (next closing its database).
      for (let i = 0; i < 100; i++) {
        try {
          process.kill(-pid, 0);
        } catch {
          return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      try {
        process.kill(-pid, "SIGKILL");
      } catch {}
    },
  };
}
