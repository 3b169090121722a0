import type { NextRequest } from "next/server";
import { hasMalformedPathEscape, malformedPathResponse } from "@/lib/server/http/url";

/**
 * Runs before Next routes a request. One job: a path whose percent-escapes are not UTF-8 is a
 * JSON 400 VALIDATION_FAILED, where Next would answer a plain-text 500 while decoding a dynamic
 * segment (`/api/media/%ED%A0%80`, `/entities/%FF`). Every other request passes through untouched.
 * (The query needs no check here: Next re-encodes it leniently, a bad escape becoming U+FFFD.)
 */
export function proxy(request: NextRequest): Response | undefined {
  return hasMalformedPathEscape(request.url) ? malformedPathResponse() : undefined;
}

export const config = {
  // Build output and static files cannot be routed to a handler; everything else is checked.
  matcher: ["/((?!_next/static|_next/image|icons/|sw\\.js|favicon\\.ico).*)"],
};
