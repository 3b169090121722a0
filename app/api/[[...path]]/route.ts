import { unknownApiPath } from "@/lib/server/http/fallback";

// Any /api path no other route matches: a JSON 404 instead of the HTML not-found page.
export const dynamic = "force-dynamic";

export const { GET, POST, PUT, PATCH, DELETE } = unknownApiPath();
