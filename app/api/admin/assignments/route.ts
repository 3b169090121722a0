import { assignmentListQuerySchema, assignmentRequestSchema } from "@/lib/protocol";
import { assignUser, unassignUser } from "@/lib/server/admin";
import { listAssignments } from "@/lib/server/dashboard/admin-edits";
import { parseQuery, readJson } from "@/lib/server/http/body";
import { otherMethods } from "@/lib/server/http/fallback";
import { authedRoute, json } from "@/lib/server/http/route";

export const GET = authedRoute({ roles: ["ADMIN"] }, async ({ req }) =>
  json({ assignments: await listAssignments(parseQuery(req, assignmentListQuerySchema)) }),
);

export const POST = authedRoute({ roles: ["ADMIN"] }, async ({ req }) => {
  const body = await readJson(req, assignmentRequestSchema);
  return json({ assignment: await assignUser(body) }, { status: 201 });
});

export const DELETE = authedRoute({ roles: ["ADMIN"] }, async ({ req }) => {
  await unassignUser(await readJson(req, assignmentRequestSchema));
  return new Response(null, { status: 204 });
});

export const { PUT, PATCH } = otherMethods("GET", "POST", "DELETE");
