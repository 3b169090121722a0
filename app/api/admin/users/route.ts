import { createUserRequestSchema } from "@/lib/protocol";
import { createUserAccount } from "@/lib/server/admin";
import { listUsersForAdmin } from "@/lib/server/dashboard/admin-edits";
import { getDb } from "@/lib/server/db/client";
import { readJson } from "@/lib/server/http/body";
import { otherMethods } from "@/lib/server/http/fallback";
import { authedRoute, json } from "@/lib/server/http/route";

export const GET = authedRoute({ roles: ["ADMIN"] }, async () => json({ users: await listUsersForAdmin() }));

export const POST = authedRoute({ roles: ["ADMIN"] }, async ({ req }) => {
  const body = await readJson(req, createUserRequestSchema);
  return json({ user: await createUserAccount(await getDb(), body) }, { status: 201 });
});

export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST");
