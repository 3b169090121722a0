import { assignmentRequestSchema } from "@/lib/protocol";
import { assignUser, unassignUser } from "@/lib/server/admin";
import { readJson } from "@/lib/server/http/body";
import { otherMethods } from "@/lib/server/http/fallback";
import { authedRoute, json } from "@/lib/server/http/route";

export const POST = authedRoute({ roles: ["ADMIN"] }, async ({ req }) => {
  const body = await readJson(req, assignmentRequestSchema);
  return json({ assignment: await assignUser(body) }, { status: 201 });
});

export const DELETE = authedRoute({ roles: ["ADMIN"] }, async ({ req }) => {
  await unassignUser(await readJson(req, assignmentRequestSchema));
  return new Response(null, { status: 204 });
});

export const { GET, PUT, PATCH } = otherMethods("POST", "DELETE");
