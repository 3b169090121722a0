import { rejectionListQuerySchema } from "@/lib/protocol";
import { listRejectionLog } from "@/lib/server/dashboard/sync-health";
import { parseQuery } from "@/lib/server/http/body";
import { otherMethods } from "@/lib/server/http/fallback";
import { authedRoute, json } from "@/lib/server/http/route";

export const GET = authedRoute({ roles: ["COORDINATOR", "ADMIN"] }, async ({ req }) =>
  json(await listRejectionLog(parseQuery(req, rejectionListQuerySchema))),
);

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
