import "server-only";
import { getDb } from "@/lib/server/db/client";

export async function checkHealth(): Promise<{ ok: boolean }> {
  try {
    const db = await getDb();
    await db.$queryRaw`SELECT 1`;
    return { ok: true };
  } catch {
    return { ok: false };
  }
}
