import { otherMethods } from "@/lib/server/http/fallback";
import { idParam } from "@/lib/server/http/params";
import { authedRoute } from "@/lib/server/http/route";
import { serveMedia } from "@/lib/server/media/serve-media";

export const runtime = "nodejs";

export const GET = authedRoute<{ id: string }>({}, async ({ req, params, auth }) => serveMedia(auth.user, idParam(params.id), req.headers));

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
