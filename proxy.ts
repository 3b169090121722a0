import type { NextRequest } from "next/server";
import { hasMalformedPathEscape, malformedPathResponse, publicFileMethodRefusal } from "@/lib/server/http/url";

/**
 * Runs before Next routes a request, for two requests Next itself would answer with a plain-text
 * 500: a path whose percent-escapes are not UTF-8 (Next fails decoding a dynamic segment such as
 * `/api/media/%ED%A0%80` or `/entities/%FF`) → JSON 400 VALIDATION_FAILED; and a write to a file of
 * `public/` (`POST /sw.js`) → JSON 405. Every other request passes through untouched. (The query
 * needs no check here: Next re-encodes it leniently, a bad escape becoming U+FFFD.)
 */
export function proxy(request: NextRequest): Response | undefined {
  if (hasMalformedPathEscape(request.url)) return malformedPathResponse();
  return publicFileMethodRefusal(request.method, request.url) ?? undefined;
}

export const config = {
  // Build output cannot be routed to a handler and is never written to; everything else is checked.
  matcher: ["/((?!_next/static|_next/image).*)"],
};
