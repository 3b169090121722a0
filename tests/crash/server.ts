/**
 * The server the crash test kills: the app's real sync and media route handlers (the same modules
 * `next start` serves, without Next's router) behind a real HTTP server on a fixed port, on the
 * configured database opened exactly as `npm start` opens it (scripts/lib.ts: DATABASE_URL, or the
 * embedded PGlite in PGLITE_DIR, migrations applied), with its uploads in MEDIA_DIR.
 *
 *   CRASH_PORT=4123 PGLITE_DIR=… MEDIA_DIR=… npx tsx --conditions=react-server tests/crash/server.ts
 *
 * It tells its parent what it is doing on stdout, one line each, so a kill can be aimed:
 *   `ready <url>` · `> <METHOD> <path>` when a request arrives · `< <METHOD> <path> <status>` when
 *   answered · `refused <message>` when the database cannot be opened (exit 3).
 * With CRASH_HOLD_PUSH_MS, a push's answer is held that long after the handler returned (its
 * transaction committed), announced by `= POST /api/sync/push <status>`: the answer still on its
 * way over a slow link, so a kill can land between the commit and the device hearing of it.
 * It never shuts down by itself; SIGKILL is the point (SIGTERM closes the database first).
 */
import * as mediaRoute from "@/app/api/media/[id]/route";
import * as uploadsRoute from "@/app/api/media/uploads/[[...path]]/route";
import * as pullRoute from "@/app/api/sync/pull/route";
import * as pushRoute from "@/app/api/sync/push/route";
import { closeDb } from "@/lib/server/db/client";
import { DataDirError } from "@/lib/server/db/pglite-dir";
import { openMigratedDb } from "@/scripts/lib";
import { mediaRoutes, routeTable, startHttpServer } from "@/tests/fixtures/http-server";

const port = Number(process.env.CRASH_PORT);
if (!Number.isInteger(port) || port <= 0) throw new Error("CRASH_PORT must name the port to listen on");

const holdPushMs = Number(process.env.CRASH_HOLD_PUSH_MS ?? 0);
const say = (line: string) => process.stdout.write(`${line}\n`);

try {
  await openMigratedDb();
} catch (error) {
  say(`refused ${error instanceof DataDirError ? error.message : String(error)}`);
  process.exit(3);
}

const routes = routeTable([
  { pattern: /^\/api\/sync\/push$/, module: pushRoute },
  { pattern: /^\/api\/sync\/pull$/, module: pullRoute },
  ...mediaRoutes({ uploads: uploadsRoute, media: mediaRoute }),
]);

const server = await startHttpServer(
  async (req) => {
    const what = `${req.method} ${new URL(req.url).pathname}`;
    say(`> ${what}`);
    const res = await routes(req);
    if (holdPushMs > 0 && what === "POST /api/sync/push") {
      say(`= ${what} ${res.status}`);
      await new Promise((resolve) => setTimeout(resolve, holdPushMs));
    }
    say(`< ${what} ${res.status}`);
    return res;
  },
  { port },
);

process.on("SIGTERM", async () => {
  await server.close();
  await closeDb();
  process.exit(0);
});

say(`ready ${server.url}`);
