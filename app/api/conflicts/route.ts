import { conflictListQuerySchema } from "@/lib/protocol";
import { parseQuery } from "@/lib/server/http/body";
import { otherMethods } from "@/lib/server/http/fallback";
import { authedRoute, json } from "@/lib/server/http/route";
import { listConflictsPage } from "@/lib/server/sync/conflicts";

export const GET = authedRoute({ roles: ["COORDINATOR", "ADMIN"] }, async ({ req }) =>
  json(await listConflictsPage(parseQuery(req, conflictListQuerySchema))),
);

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
