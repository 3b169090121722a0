/**
 * Post-build step (after `next build`; SETUP.md "A Workbox service worker with Next 16"):
 * bundles lib/sw/sw.ts with esbuild and injects the precache manifest of the Next build output
 * (`.next/`) with workbox-build, writing public/sw.js (generated, git-ignored). `npm run build`
 * and `npm start` (scripts/start.ts) run it after every build.
 *
 * Precached: every static asset of the build (`/_next/static/**`, content-hashed, so never
 * cache-busted), every prerendered page (`.next/server/app/**.html` → its URL, including the
 * shells of dynamic routes such as `/entities/shell`), the web manifest and the icons.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { injectManifest } from "workbox-build";

const root = process.cwd();
const nextDir = path.join(root, ".next");
const bundle = path.join(nextDir, "fieldsync-sw.bundle.js");
const swDest = path.join(root, "public", "sw.js");

/** Pages that must not answer navigations: Next's error pages. */
const EXCLUDED_PAGES = ["server/app/_not-found.html", "server/app/_global-error.html", "server/app/**/_not-found.html"];

/** `server/app/index.html` → `/`, `server/app/entities/shell.html` → `/entities/shell`. */
export function pageUrl(file: string): string | null {
  const match = /^server\/app\/(.+)\.html$/.exec(file);
  if (!match) return null;
  // Route groups do not appear in URLs: `(field)/outbox` is `/outbox`.
  const route = match[1]
    .split("/")
    .filter((segment) => !/^\(.+\)$/.test(segment))
    .join("/");
  return route === "index" ? "/" : `/${route}`;
}

function revisionOf(file: string): string {
  return createHash("md5").update(readFileSync(file)).digest("hex");
}

/** The icons and the web manifest (a metadata route, prerendered as `manifest.webmanifest.body`). */
function extraEntries(): { url: string; revision: string }[] {
  const entries: { url: string; revision: string }[] = [];
  const iconsDir = path.join(root, "public", "icons");
  if (existsSync(iconsDir)) {
    for (const name of readdirSync(iconsDir).sort()) {
      entries.push({ url: `/icons/${name}`, revision: revisionOf(path.join(iconsDir, name)) });
    }
  }
  const webManifest = path.join(nextDir, "server", "app", "manifest.webmanifest.body");
  if (existsSync(webManifest)) entries.push({ url: "/manifest.webmanifest", revision: revisionOf(webManifest) });
  return entries;
}

export async function buildServiceWorker(): Promise<{ count: number; size: number; warnings: string[] }> {
  if (!existsSync(path.join(nextDir, "BUILD_ID"))) throw new Error("build-sw: no Next build in .next/ (run `next build` first)");
  const started = Date.now();
  await build({
    entryPoints: [path.join(root, "lib", "sw", "sw.ts")],
    outfile: bundle,
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: false,
    tsconfig: path.join(root, "lib", "sw", "tsconfig.json"),
    define: { "process.env.NODE_ENV": JSON.stringify("production") },
    logLevel: "warning",
  });
  const result = await injectManifest({
    swSrc: bundle,
    swDest,
    globDirectory: nextDir,
    globPatterns: ["static/**/*.{js,css,woff2,png,svg,ico,webp,json}", "server/app/**/*.html"],
    globIgnores: EXCLUDED_PAGES,
    modifyURLPrefix: { "static/": "/_next/static/" },
    dontCacheBustURLsMatching: /^\/_next\/static\//,
    maximumFileSizeToCacheInBytes: 5 * 1024 * 1024,
    additionalManifestEntries: extraEntries(),
    manifestTransforms: [
      async (entries) => ({
        manifest: entries.map((entry) => {
          const url = pageUrl(entry.url);
          return url ? { ...entry, url } : entry;
        }),
        warnings: [],
      }),
    ],
  });
  rmSync(bundle, { force: true });
  console.log(
    `Service worker: public/sw.js, ${result.count} files precached (${Math.round(result.size / 1024)} KiB), ${Date.now() - started} ms`,
  );
  for (const warning of result.warnings) console.warn(`build-sw: ${warning}`);
  return result;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  buildServiceWorker().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
