import { activityQuerySchema } from "@/lib/protocol";
import { getActivity } from "@/lib/server/dashboard/sync-health";
import { parseQuery } from "@/lib/server/http/body";
import { otherMethods } from "@/lib/server/http/fallback";
import { authedRoute, json } from "@/lib/server/http/route";

export const GET = authedRoute({ roles: ["COORDINATOR", "ADMIN"] }, async ({ req }) =>
  json(await getActivity(parseQuery(req, activityQuerySchema).days)),
);

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
