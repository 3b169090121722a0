import { checkHealth } from "@/lib/server/health";
import { otherMethods } from "@/lib/server/http/fallback";
import { json, publicRoute } from "@/lib/server/http/route";

export const dynamic = "force-dynamic";

export const GET = publicRoute(async () => {
  const { ok } = await checkHealth();
  return ok ? json({ status: "ok", db: "ok" }) : json({ status: "degraded", db: "unreachable" }, { status: 503 });
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
