import { otherMethods } from "@/lib/server/http/fallback";
import { handleTusRequest } from "@/lib/server/media/tus-uploads";

// tus 1.0.0 (PROTOCOL §6): POST creates, HEAD gives the offset, PATCH appends, DELETE terminates.
// No GET: bytes are served by /api/media/:id, with its scope check.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const handle = (req: Request) => handleTusRequest(req);

export const POST = handle;
export const HEAD = handle;
export const PATCH = handle;
export const DELETE = handle;
export const OPTIONS = handle;

export const { GET, PUT } = otherMethods("POST", "HEAD", "PATCH", "DELETE", "OPTIONS");
