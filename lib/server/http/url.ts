import "server-only";
import type { ErrorBody } from "@/lib/protocol";

/**
 * Whether the URL's path has a percent-escape that does not decode to UTF-8 text: `%ED%A0%80`
 * (half of a UTF-16 character), `%FF` (no character at all), `%E0%A4%A` (cut short). Next decodes
 * each dynamic path segment with decodeURIComponent and answers such a one with a plain-text 500
 * before any route runs (proxy.ts refuses it first).
 */
export function hasMalformedPathEscape(url: string): boolean {
  const { pathname } = new URL(url);
  if (!pathname.includes("%")) return false;
  try {
    decodeURIComponent(pathname);
    return false;
  } catch {
    return true;
  }
}

/** The 400 for such a path, in the API's error shape. */
export function malformedPathResponse(): Response {
  const body: ErrorBody = {
    error: { code: "VALIDATION_FAILED", message: "The path of the URL has a percent-escape that is not valid UTF-8" },
  };
  return Response.json(body, { status: 400, headers: { "cache-control": "no-store" } });
}

/**
 * Files served from `public/` (the service worker and the icons; keep in step with that folder,
 * a unit test checks it). Next answers any method but GET and HEAD on one with a plain-text 500.
 */
const PUBLIC_FILE = /^\/(?:sw\.js(?:\.map)?|icons\/[^/]+)$/;

/** A 405 for a write to a public file, or null when the request may go on. */
export function publicFileMethodRefusal(method: string, url: string): Response | null {
  if (method === "GET" || method === "HEAD" || !PUBLIC_FILE.test(new URL(url).pathname)) return null;
  const body: ErrorBody = { error: { code: "METHOD_NOT_ALLOWED", message: `${method} is not allowed here; use GET` } };
  return Response.json(body, { status: 405, headers: { allow: "GET, HEAD", "cache-control": "no-store" } });
}

/** Whether a path names a file in `public/` (exported for the test that keeps PUBLIC_FILE in step). */
export function isPublicFilePath(pathname: string): boolean {
  return PUBLIC_FILE.test(pathname);
}
