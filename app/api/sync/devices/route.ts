import { otherMethods } from "@/lib/server/http/fallback";
import { authedRoute, json } from "@/lib/server/http/route";
import { listDeviceSummaries } from "@/lib/server/sync/devices";

export const GET = authedRoute({ roles: ["COORDINATOR", "ADMIN"] }, async () => json({ devices: await listDeviceSummaries() }));

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
