import { pullQuerySchema } from "@/lib/protocol";
import { parseQuery } from "@/lib/server/http/body";
import { authedRoute, json } from "@/lib/server/http/route";
import { pullChanges } from "@/lib/server/sync/pull";

export const GET = authedRoute({}, async ({ req, auth }) => json(await pullChanges(auth.user, parseQuery(req, pullQuerySchema))));
