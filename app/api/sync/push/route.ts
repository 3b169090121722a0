import { MAX_PUSH_BYTES } from "@/lib/protocol";
import { readJsonValue } from "@/lib/server/http/body";
import { otherMethods } from "@/lib/server/http/fallback";
import { authedRoute, json } from "@/lib/server/http/route";
import { pushMutations } from "@/lib/server/sync/push";

export const POST = authedRoute({}, async ({ req, auth }) => {
  const body = await readJsonValue(req, { maxBytes: MAX_PUSH_BYTES });
  return json(await pushMutations(auth.user, body));
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
