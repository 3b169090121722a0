import "server-only";
import {
  type ClientState,
  findUnstorableText,
  type Mutation,
  type PushResponse,
  type PushResult,
  parseMutation,
  parsePushRequest,
} from "@/lib/protocol";
import { readScope } from "@/lib/server/admin";
import { type Db, getDb } from "@/lib/server/db/client";
import { dbSql } from "@/lib/server/db/sql";
import { AppError, assertStorableText, errors, SERVER_ERROR_CODES } from "@/lib/server/errors";
import { releaseMediaBytes } from "@/lib/server/media/deleted-media";
import { type DeviceHealth, touchDevice } from "@/lib/server/queries/devices";
import type { PublicUser } from "@/lib/server/queries/users";
import { applyBatch as applyParsedBatch, type BatchOptions } from "./engine/batch";
import type { DecideContext } from "./engine/decide";

export type MutationContext = DecideContext;

/** Applies a push batch (engine/batch.ts): each raw mutation parsed, then the batch in one transaction. */
export function applyBatch(
  db: Db,
  ctx: MutationContext,
  mutations: readonly { raw: unknown }[],
  options: BatchOptions = {},
): Promise<PushResult[]> {
  return applyParsedBatch(
    db,
    ctx,
    mutations.map(({ raw }) => ({ raw, parsed: unstorableRejection(raw) ?? parseMutation(raw) })),
    options,
  );
}

/**
 * Text Postgres cannot store (U+0000, half a UTF-16 character): refused per mutation with its path,
 * instead of failing the insert — and with it the whole push, again on every retry.
 */
function unstorableRejection(raw: unknown): Extract<ReturnType<typeof parseMutation>, { ok: false }> | null {
  const found = findUnstorableText(raw);
  if (!found) return null;
  const r = (raw ?? {}) as { mutationId?: unknown; offlineId?: unknown };
  const short = (v: unknown) => (typeof v === "string" && v.length <= 128 && findUnstorableText(v) === null ? v : undefined);
  return {
    ok: false,
    mutationId: short(r.mutationId),
    offlineId: short(r.offlineId),
    issues: [{ code: "invalid_string", path: found.path, message: found.message }],
  };
}

/**
 * The sync-health fields of a push (README "Dashboard"). Clock skew is the device clock minus the
 * server's: exact from `clientState.sentAt`; without it, the newest mutation `clientTime` gives a
 * lower bound only when it is ahead of the server (an older one may just be an offline edit).
 */
export function deviceHealth(clientState: ClientState | undefined, mutations: unknown[], now = Date.now()): DeviceHealth {
  let clockSkewMs: number | undefined;
  if (clientState?.sentAt) clockSkewMs = Date.parse(clientState.sentAt) - now;
  else {
    const times = mutations
      .map((m) => Date.parse(String((m as { clientTime?: unknown } | null)?.clientTime ?? "")))
      .filter(Number.isFinite);
    const ahead = times.length ? Math.max(...times) - now : 0;
    if (ahead > 0) clockSkewMs = ahead;
  }
  const clamp = (ms: number) => Math.max(-2_000_000_000, Math.min(2_000_000_000, Math.round(ms)));
  return {
    storageUsedBytes: clientState?.storageUsedBytes,
    storageQuotaBytes: clientState?.storageQuotaBytes,
    oldestUnsentAt:
      clientState?.oldestUnsentAt === undefined ? undefined : clientState.oldestUnsentAt ? new Date(clientState.oldestUnsentAt) : null,
    clockSkewMs: clockSkewMs === undefined ? undefined : clamp(clockSkewMs),
  };
}

/** POST /api/sync/push (PROTOCOL §3). */
export async function pushMutations(user: PublicUser, raw: unknown): Promise<PushResponse> {
  const envelope = parsePushRequest(raw);
  if (!envelope.ok) {
    if (envelope.code === "PAYLOAD_TOO_LARGE")
      throw new AppError(SERVER_ERROR_CODES.PAYLOAD_TOO_LARGE, "Too many mutations in one push", { issues: envelope.issues });
    throw errors.validation("Push body has the wrong shape", envelope.issues);
  }
  const { deviceId, clientState, mutations } = envelope.request;
  // The envelope is stored as device state: refused whole (400) before any write. Mutations are
  // checked one by one in applyBatch, so one bad edit never blocks the queue.
  assertStorableText({ deviceId, clientState }, "Push body");
  const db = await getDb();
  const apply = async () =>
    applyBatch(
      db,
      { user, deviceId, scope: await readScope(dbSql(db), user) },
      mutations.map((m) => ({ raw: m })),
    );
  // The device's state is stamped beside the batch (on its own connection on a Postgres server,
  // off the batch's critical path): it records that the device pushed, whatever the batch answers.
  const [results] = await Promise.all([
    apply(),
    touchDevice(dbSql(db), {
      deviceId,
      userId: user.id,
      kind: "push",
      pendingCount: clientState?.pendingCount,
      appVersion: clientState?.appVersion,
      ...deviceHealth(clientState, mutations),
    }),
  ]);
  // Committed: the bytes of deleted records' photos that nothing holds any more can go (no
  // statement at all when the batch deleted nothing).
  await releaseMediaBytes(results.flatMap((r) => (r.status === "applied" && r.record?.deletedAt && r.id ? [r.id] : [])));
  return { results, serverTime: new Date().toISOString() };
}

/** One mutation as a batch of one (seed data, scripts). */
export async function applyMutation(db: Db, ctx: MutationContext, m: Mutation): Promise<PushResult> {
  const [result] = await applyBatch(db, ctx, [{ raw: m }]);
  return result;
}
