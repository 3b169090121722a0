import { otherMethods } from "@/lib/server/http/fallback";
import { authedRoute, json } from "@/lib/server/http/route";

export const GET = authedRoute({}, async ({ auth }) => json({ user: auth.user }));

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
