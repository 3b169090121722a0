import { getDashboardCounts } from "@/lib/server/dashboard/sync-health";
import { otherMethods } from "@/lib/server/http/fallback";
import { authedRoute, json } from "@/lib/server/http/route";

export const GET = authedRoute({ roles: ["COORDINATOR", "ADMIN"] }, async () => json(await getDashboardCounts()));

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
