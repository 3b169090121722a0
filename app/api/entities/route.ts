import { listVisibleEntities } from "@/lib/server/admin";
import { otherMethods } from "@/lib/server/http/fallback";
import { authedRoute, json } from "@/lib/server/http/route";

export const GET = authedRoute({}, async ({ auth }) => json({ entities: await listVisibleEntities(auth.user) }));

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
