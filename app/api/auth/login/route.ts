import { loginRequestSchema } from "@/lib/protocol";
import { clientIp, sessionCookie } from "@/lib/server/auth/cookies";
import { assertLoginOrigin, login } from "@/lib/server/auth/service";
import { readJson } from "@/lib/server/http/body";
import { otherMethods } from "@/lib/server/http/fallback";
import { json, publicRoute } from "@/lib/server/http/route";

export const POST = publicRoute(async ({ req }) => {
  assertLoginOrigin(req);
  const body = await readJson(req, loginRequestSchema);
  const { user, token, expiresAt } = await login({ ...body, ip: clientIp(req) });
  return json({ user, token }, { headers: { "set-cookie": sessionCookie(req, token, expiresAt) } });
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
