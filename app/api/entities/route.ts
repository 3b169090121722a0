import { listVisibleEntities } from "@/lib/server/admin";
import { authedRoute, json } from "@/lib/server/http/route";

export const GET = authedRoute({}, async ({ auth }) => json({ entities: await listVisibleEntities(auth.user) }));
