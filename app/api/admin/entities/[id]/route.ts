import { updateEntityRequestSchema } from "@/lib/protocol";
import { updateEntity } from "@/lib/server/dashboard/admin-edits";
import { readJson } from "@/lib/server/http/body";
import { otherMethods } from "@/lib/server/http/fallback";
import { idParam } from "@/lib/server/http/params";
import { authedRoute, json } from "@/lib/server/http/route";

export const PATCH = authedRoute<{ id: string }>({ roles: ["ADMIN"] }, async ({ req, params, auth }) => {
  const body = await readJson(req, updateEntityRequestSchema);
  return json({ entity: await updateEntity(auth.user, idParam(params.id), body) });
});

export const { GET, POST, PUT, DELETE } = otherMethods("PATCH");
