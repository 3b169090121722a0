import { buildOpenApiDocument } from "@/lib/protocol/openapi";
import { ERROR_STATUS } from "@/lib/server/errors";
import { otherMethods } from "@/lib/server/http/fallback";
import { json, publicRoute } from "@/lib/server/http/route";

// The OpenAPI 3.1 document (lib/protocol/openapi.ts), public. Built once per process: it depends on
// the code only. Cache-able for a few minutes; the service worker never caches /api (lib/sw/sw.ts).
let document: ReturnType<typeof buildOpenApiDocument> | undefined;

export const GET = publicRoute(async () => {
  document ??= buildOpenApiDocument(ERROR_STATUS);
  return json(document, { headers: { "cache-control": "public, max-age=300" } });
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
