import { updateUserRequestSchema } from "@/lib/protocol";
import { updateUserAccount } from "@/lib/server/dashboard/admin-edits";
import { readJson } from "@/lib/server/http/body";
import { otherMethods } from "@/lib/server/http/fallback";
import { idParam } from "@/lib/server/http/params";
import { authedRoute, json } from "@/lib/server/http/route";

export const PATCH = authedRoute<{ id: string }>({ roles: ["ADMIN"] }, async ({ req, params, auth }) => {
  const body = await readJson(req, updateUserRequestSchema);
  return json({ user: await updateUserAccount(auth.user, idParam(params.id), body) });
});

export const { GET, POST, PUT, DELETE } = otherMethods("PATCH");
