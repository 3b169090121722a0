import { authedRoute, json } from "@/lib/server/http/route";

export const GET = authedRoute({}, async ({ auth }) => json({ user: auth.user }));
