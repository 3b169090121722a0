/**
 * Which precached page answers a navigation the network could not (lib/sw/sw.ts). Pure, so the
 * mapping is unit-tested without a worker.
 *
 * Dynamic routes have one prerendered shell each (`generateStaticParams → [{ id: "shell" }]` in
 * their layouts): the shell's client code reads the real id from the URL after mount. A static
 * page answers for itself; anything unknown gets the home page rather than the browser's offline
 * page.
 */

const SHELL_ROUTES: readonly [RegExp, string][] = [
  [/^\/entities\/[^/]+\/assessments\/new$/, "/entities/shell/assessments/new"],
  [/^\/entities\/[^/]+$/, "/entities/shell"],
  [/^\/assessments\/[^/]+$/, "/assessments/shell"],
  [/^\/responses\/[^/]+$/, "/responses/shell"],
];

export const HOME_PATH = "/";

/** `isPrecached(path)`: whether the precache holds the page at `path` (e.g. "/outbox"). */
export function shellPathFor(pathname: string, isPrecached: (path: string) => boolean): string {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  // Static pages first: `/responses/new` is a page of its own, not a response with id "new".
  if (isPrecached(path)) return path;
  for (const [pattern, shell] of SHELL_ROUTES) {
    if (pattern.test(path) && isPrecached(shell)) return shell;
  }
  return HOME_PATH;
}

/** Precache URLs that are pages (not `/_next/…` assets, icons or other files with an extension). */
export function isPagePath(url: string): boolean {
  return url.startsWith("/") && !url.startsWith("/_next/") && !/\.[a-z0-9]+$/i.test(url);
}
