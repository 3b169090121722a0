import "server-only";
import { z } from "zod";
import { errors } from "@/lib/server/errors";

/**
 * The pull cursor, opaque to clients (base64url JSON of a few numbers, so it stays small however
 * many entities a user covers):
 * - `s`: every change numbered ≤ s in the entities covered by `a` has been delivered;
 * - `a`: the assignment watermark — entities whose (re)activated assignment is numbered ≤ a are
 *   covered up to s. An assignment numbered > a joined the scope since: its entity's older
 *   records (≤ s) are not "after s" and must be backfilled;
 * - `b`: a backfill in progress for entities whose assignment is numbered in (a, b.ha]: their
 *   records numbered ≤ s are sent in change order, resuming after b.after.
 */
const seq = z.string().regex(/^\d{1,19}$/);
const cursorSchema = z.object({
  v: z.literal(2),
  s: seq,
  a: seq,
  b: z.object({ ha: seq, after: seq }).optional(),
});

export interface PullCursor {
  seq: bigint;
  assignmentSeq: bigint;
  backfill?: { upTo: bigint; after: bigint };
}

export function encodeCursor(c: PullCursor): string {
  const body = {
    v: 2,
    s: c.seq.toString(),
    a: c.assignmentSeq.toString(),
    ...(c.backfill ? { b: { ha: c.backfill.upTo.toString(), after: c.backfill.after.toString() } } : {}),
  };
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}

/**
 * A cursor this server will not continue from: 400 VALIDATION_FAILED with an issue at ["cursor"],
 * which tells a client to drop its cursor and pull again from the start (lib/client/sync).
 */
export function refusedCursor(message: string) {
  return errors.validation(message, [{ code: "invalid_cursor", path: ["cursor"], message }]);
}

export function decodeCursor(raw: string): PullCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    throw refusedCursor("The cursor is not one this server issued");
  }
  const result = cursorSchema.safeParse(parsed);
  if (!result.success) throw refusedCursor("The cursor is not one this server issued");
  const c = result.data;
  return {
    seq: BigInt(c.s),
    assignmentSeq: BigInt(c.a),
    backfill: c.b ? { upTo: BigInt(c.b.ha), after: BigInt(c.b.after) } : undefined,
  };
}
