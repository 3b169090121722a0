import { otherMethods } from "@/lib/server/http/fallback";
import { idParam } from "@/lib/server/http/params";
import { authedRoute, json } from "@/lib/server/http/route";
import { getConflictDetail } from "@/lib/server/sync/conflicts";

export const GET = authedRoute<{ id: string }>({ roles: ["COORDINATOR", "ADMIN"] }, async ({ params }) =>
  json(await getConflictDetail(idParam(params.id))),
);

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
