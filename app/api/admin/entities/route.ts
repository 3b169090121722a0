import { createEntityRequestSchema } from "@/lib/protocol";
import { createEntity } from "@/lib/server/admin";
import { readJson } from "@/lib/server/http/body";
import { otherMethods } from "@/lib/server/http/fallback";
import { authedRoute, json } from "@/lib/server/http/route";

export const POST = authedRoute({ roles: ["ADMIN"] }, async ({ req, auth }) => {
  const body = await readJson(req, createEntityRequestSchema);
  return json({ entity: await createEntity({ ...body, createdById: auth.user.id }) }, { status: 201 });
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
