import { verifyRequestSchema } from "@/lib/protocol";
import { readJson } from "@/lib/server/http/body";
import { otherMethods } from "@/lib/server/http/fallback";
import { idParam } from "@/lib/server/http/params";
import { authedRoute, json } from "@/lib/server/http/route";
import { verifyRecord } from "@/lib/server/sync/verify";

export const POST = authedRoute<{ id: string }>({ roles: ["COORDINATOR", "ADMIN"] }, async ({ req, params, auth }) => {
  const body = await readJson(req, verifyRequestSchema);
  return json({ record: await verifyRecord(auth.user, "response", idParam(params.id), body) });
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
