import { verificationListQuerySchema } from "@/lib/protocol";
import { listVerificationQueue } from "@/lib/server/dashboard/verification-queue";
import { parseQuery } from "@/lib/server/http/body";
import { otherMethods } from "@/lib/server/http/fallback";
import { authedRoute, json } from "@/lib/server/http/route";

export const GET = authedRoute({ roles: ["COORDINATOR", "ADMIN"] }, async ({ req }) =>
  json(await listVerificationQueue(parseQuery(req, verificationListQuerySchema))),
);

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
