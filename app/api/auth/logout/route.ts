import { clearedSessionCookie } from "@/lib/server/auth/cookies";
import { logout } from "@/lib/server/auth/service";
import { otherMethods } from "@/lib/server/http/fallback";
import { authedRoute } from "@/lib/server/http/route";

export const POST = authedRoute({}, async ({ auth }) => {
  await logout(auth.token);
  return new Response(null, { status: 204, headers: { "set-cookie": clearedSessionCookie() } });
});

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
