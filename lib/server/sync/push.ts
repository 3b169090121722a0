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
import { getScope } from "@/lib/server/admin";
import { type Db, getDb, type Tx } from "@/lib/server/db/client";
import { AppError, assertStorableText, errors, SERVER_ERROR_CODES } from "@/lib/server/errors";
import { releaseMediaBytes } from "@/lib/server/media/deleted-media";
import { type DeviceHealth, touchDevice } from "@/lib/server/queries/devices";
import type { PublicUser } from "@/lib/server/queries/users";
import { answerFailedMutation, applyMutationInTx, type MutationContext, recordRejection, type Stamp } from "./apply-mutation";
import { stampChanges } from "./change-seq";
import { WriteBuffer } from "./write-buffer";

/** Generous: a 200-mutation batch on a loaded machine must not hit Prisma's 5 s default. */
const BATCH_TX = { timeout: 120_000, maxWait: 60_000 } as const;

/**
 * Applies a batch: ONE transaction, the locks of every record it names taken first (in one global
 * order), then each mutation inside its own SAVEPOINT (PROTOCOL §3 allows
 * either form). In order, so a later mutation sees the earlier ones; each mutation is atomic —
 * a rejected one is rolled back to its savepoint, logged, and the rest proceed. Change numbers
 * are drawn once, as the last step (change-seq.ts). Results are returned only after COMMIT: if the
 * commit fails nothing was applied and the device's retry is processed afresh.
 * Snapshots and ledger rows are written once per batch (write-buffer.ts).
 */
export async function applyBatch(db: Db, ctx: MutationContext, mutations: readonly { raw: unknown }[]): Promise<PushResult[]> {
  const parsedAll = mutations.map(({ raw }) => unstorableRejection(raw) ?? parseMutation(raw));
  return db.$transaction(async (tx) => {
    const results: PushResult[] = [];
    const touched: Stamp[] = [];
    const buffer = new WriteBuffer();
    // Every record the batch names, locked up front in one global order and held until COMMIT.
    await buffer.lockAndPrefetch(
      tx,
      parsedAll.flatMap((p) => (p.ok ? [p.mutation] : [])),
    );
    const batchCtx: MutationContext = { ...ctx, buffer };
    for (const [i, { raw }] of mutations.entries()) {
      const parsed = parsedAll[i];
      if (!parsed.ok) {
        results.push(await rejectMalformed(tx, batchCtx, raw, parsed));
        continue;
      }
      results.push(await applyInSavepoint(tx, batchCtx, parsed.mutation, `m${i}`, touched));
    }
    await batchCtx.buffer?.flush(tx);
    await stampChanges(tx, touched);
    return results;
  }, BATCH_TX);
}

async function applyInSavepoint(tx: Tx, ctx: MutationContext, m: Mutation, name: string, touched: Stamp[]): Promise<PushResult> {
  await tx.$executeRawUnsafe(`SAVEPOINT ${name}`);
  ctx.buffer?.begin();
  try {
    const applied = await applyMutationInTx(tx, ctx, m);
    await tx.$executeRawUnsafe(`RELEASE SAVEPOINT ${name}`);
    ctx.buffer?.keep();
    touched.push(...applied.touched);
    return applied.result;
  } catch (error) {
    ctx.buffer?.discard();
    await tx.$executeRawUnsafe(`ROLLBACK TO SAVEPOINT ${name}`);
    const answer = await answerFailedMutation(tx, ctx, m, error);
    if (!answer) throw error; // not this mutation's fault (e.g. the database went away): fail the push
    return answer;
  }
}

async function rejectMalformed(
  tx: Tx,
  ctx: MutationContext,
  raw: unknown,
  parsed: Extract<ReturnType<typeof parseMutation>, { ok: false }>,
): Promise<PushResult> {
  const message = "The mutation does not match the protocol";
  const type = (raw as { type?: unknown } | null)?.type;
  await recordRejection(tx, ctx, {
    mutationId: parsed.mutationId ?? null,
    type: typeof type === "string" ? type.slice(0, 32) : null,
    offlineId: parsed.offlineId ?? null,
    payload: raw,
    code: "VALIDATION_FAILED",
    message,
  });
  return {
    mutationId: parsed.mutationId ?? null,
    offlineId: parsed.offlineId ?? null,
    status: "rejected",
    error: { code: "VALIDATION_FAILED", message, issues: parsed.issues },
  } as PushResult;
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
  const scope = await getScope(db, user);
  const results = await applyBatch(
    db,
    { user, deviceId, scope },
    mutations.map((m) => ({ raw: m })),
  );
  // Committed: the bytes of deleted records' photos that nothing holds any more can go.
  await releaseMediaBytes(results.flatMap((r) => (r.status === "applied" && r.record?.deletedAt && r.id ? [r.id] : [])));
  await touchDevice(db, {
    deviceId,
    userId: user.id,
    kind: "push",
    pendingCount: clientState?.pendingCount,
    appVersion: clientState?.appVersion,
    ...deviceHealth(clientState, mutations),
  });
  return { results, serverTime: new Date().toISOString() };
}

/** One mutation as a batch of one (seed data, scripts). */
export async function applyMutation(db: Db, ctx: MutationContext, m: Mutation): Promise<PushResult> {
  const [result] = await applyBatch(db, ctx, [{ raw: m }]);
  return result;
}
