import { pullQuerySchema } from "@/lib/protocol";
import { parseQuery } from "@/lib/server/http/body";
import { otherMethods } from "@/lib/server/http/fallback";
import { authedRoute, json } from "@/lib/server/http/route";
import { pullChanges } from "@/lib/server/sync/pull";

export const GET = authedRoute({}, async ({ req, auth }) => json(await pullChanges(auth.user, parseQuery(req, pullQuerySchema))));

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
