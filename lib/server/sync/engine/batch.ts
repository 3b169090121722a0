import "server-only";
import { type Mutation, type PushResult, type parseMutation, toStorableString, toStorableText } from "@/lib/protocol";
import type { Db } from "@/lib/server/db/client";
import { isTransientDbError, sqlStateOf } from "@/lib/server/db/errors";
import { type Sql, withSqlTransaction } from "@/lib/server/db/sql";
import { AppError, SERVER_ERROR_CODES } from "@/lib/server/errors";
import { getLogger } from "@/lib/server/logger";
import type { RejectionInsert } from "@/lib/server/queries/push-sql";
import { insertRejections, lockRecordKeys } from "@/lib/server/queries/push-sql";
import { recordKey } from "@/lib/server/queries/records";
import { type DecideContext, decideMutation, type Effects, overlay } from "./decide";
import { loadBatchState } from "./load";
import { NotLoaded } from "./state";
import { writeEffects } from "./write";

/** Generous: a 200-mutation batch on a loaded machine must not hit Prisma's 5 s default. */
const BATCH_TX = { timeout: 120_000, maxWait: 60_000 } as const;

export type Parsed = ReturnType<typeof parseMutation>;
type Malformed = Extract<Parsed, { ok: false }>;

export interface BatchOptions {
  /**
   * "set" (default): the batch as a set — a few statements whatever its size, falling back to
   * "per-mutation" if any of them fails. "per-mutation": every mutation in its own SAVEPOINT,
   * loaded, decided and written alone (the property test compares the two).
   */
  engine?: "set" | "per-mutation";
}

/**
 * Applies a push batch in ONE transaction. The advisory locks of every record it names are taken
 * first, in one global order (lockRecordKeys: batches naming the same records in opposite orders
 * cannot deadlock), and held until COMMIT. Mutations are decided in order, so a later one sees the
 * earlier ones; each is atomic — a rejected one writes nothing but its rejection-log row and the
 * rest proceed. Change numbers are drawn once, as the last step (change-seq.ts). Results are
 * returned only after COMMIT: if the commit fails nothing was applied and the retry starts afresh.
 *
 * The set path (the default): load everything in a few statements (load.ts), decide every
 * mutation in memory against the batch's overlay (decide.ts), write with one statement per table
 * (write.ts). Every check that can refuse a mutation is made by the decision, so the writes do not
 * fail on one mutation's data; if they fail anyway (a race no lock covers, a constraint the
 * decision does not know), the transaction is rolled back and the batch is applied again
 * mutation by mutation, each in a SAVEPOINT, where a database refusal is pinned on the one
 * mutation that caused it. Deadlocks, lost connections and timeouts are not data errors: the push
 * fails and the device retries.
 */
export async function applyBatch(
  db: Db,
  ctx: DecideContext,
  parsedAll: readonly { raw: unknown; parsed: Parsed }[],
  options: BatchOptions = {},
): Promise<PushResult[]> {
  if ((options.engine ?? "set") === "set") {
    try {
      return await withSqlTransaction(db, BATCH_TX, (sql) => applySet(sql, ctx, parsedAll));
    } catch (error) {
      if (!(error instanceof SetFailed)) throw error;
      getLogger().warn(
        { mutations: parsedAll.length, cause: error.cause instanceof Error ? error.cause.message : String(error.cause) },
        "push: the batch could not be written as a set; applying it mutation by mutation",
      );
    }
  }
  return withSqlTransaction(db, BATCH_TX, (sql) => applyPerMutation(sql, ctx, parsedAll));
}

/** The set path failed for a reason that is not transient: roll back and go mutation by mutation. */
class SetFailed extends Error {
  constructor(readonly cause: unknown) {
    super("The batch could not be applied as a set");
  }
}

async function lockBatch(sql: Sql, parsedAll: readonly { parsed: Parsed }[]): Promise<Mutation[]> {
  const valid = parsedAll.flatMap(({ parsed }) => (parsed.ok ? [parsed.mutation] : []));
  await lockRecordKeys(
    sql,
    valid.map((m) => recordKey(m.type, m.offlineId)),
  );
  return valid;
}

async function applySet(sql: Sql, ctx: DecideContext, parsedAll: readonly { raw: unknown; parsed: Parsed }[]): Promise<PushResult[]> {
  const valid = await lockBatch(sql, parsedAll);
  try {
    const state = await loadBatchState(sql, valid, ctx.scope);
    const results: PushResult[] = [];
    const effects: Effects[] = [];
    const rejections: RejectionInsert[] = [];
    const now = new Date();
    for (const { raw, parsed } of parsedAll) {
      if (!parsed.ok) {
        const r = malformed(ctx, raw, parsed);
        rejections.push(r.row);
        results.push(r.answer);
        continue;
      }
      try {
        const e = decideMutation(state, ctx, parsed.mutation, now);
        overlay(state, e);
        effects.push(e);
        results.push(e.result);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        const r = rejected(ctx, parsed.mutation, error);
        rejections.push(r.row);
        results.push(r.answer);
      }
    }
    await writeEffects(sql, effects, rejections);
    return results;
  } catch (error) {
    if (isTransientDbError(error)) throw error;
    if (error instanceof NotLoaded || isDatabaseRefusal(error)) throw new SetFailed(error);
    throw error;
  }
}

async function applyPerMutation(
  sql: Sql,
  ctx: DecideContext,
  parsedAll: readonly { raw: unknown; parsed: Parsed }[],
): Promise<PushResult[]> {
  await lockBatch(sql, parsedAll);
  const results: PushResult[] = [];
  for (const [i, { raw, parsed }] of parsedAll.entries()) {
    if (!parsed.ok) {
      const r = malformed(ctx, raw, parsed);
      await insertRejections(sql, [r.row]);
      results.push(r.answer);
      continue;
    }
    const m = parsed.mutation;
    await sql.exec(`SAVEPOINT m${i}`);
    try {
      const e = decideMutation(await loadBatchState(sql, [m], ctx.scope), ctx, m);
      await writeEffects(sql, [e]);
      await sql.exec(`RELEASE SAVEPOINT m${i}`);
      results.push(e.result);
    } catch (error) {
      await sql.exec(`ROLLBACK TO SAVEPOINT m${i}`);
      const answer = await answerFailedMutation(sql, ctx, m, error);
      if (!answer) throw error; // not this mutation's fault (e.g. the database went away): fail the push
      results.push(answer);
    }
  }
  return results;
}

/** The answer for a mutation whose savepoint was rolled back; null when the error is not the mutation's fault. */
async function answerFailedMutation(sql: Sql, ctx: DecideContext, m: Mutation, error: unknown): Promise<PushResult | null> {
  if (sqlStateOf(error) === "23505") {
    // Lost a race the advisory lock did not cover (one mutationId reused for another record by a
    // concurrent push): the ledger row is there now, and the mutation is answered as a resend.
    const state = await loadBatchState(sql, [m], ctx.scope);
    const prior = state.ledgerRow(m.mutationId);
    if (prior && prior.userId === ctx.user.id) {
      try {
        return decideMutation(state, ctx, m).result;
      } catch (replayError) {
        error = replayError;
      }
    }
  }
  const rejection = toRejection(error);
  if (!rejection) return null;
  const r = rejected(ctx, m, rejection);
  await insertRejections(sql, [r.row]);
  return r.answer;
}

/** A database refusal of the data (constraint, type, value): pinned on its mutation by the per-mutation path. */
function isDatabaseRefusal(error: unknown): boolean {
  const state = sqlStateOf(error);
  if (state) return /^(22|23)/.test(state);
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && /^P2\d{3}$/.test(code);
}

function toRejection(
  error: unknown,
): { code: (typeof SERVER_ERROR_CODES)[keyof typeof SERVER_ERROR_CODES]; message: string; issues?: unknown } | null {
  if (error instanceof AppError) return { code: error.code, message: error.message, issues: error.details?.issues };
  // Deadlocks, serialization failures, timeouts, lost connections: the push fails as a whole and
  // the device retries it — never "your data is invalid" (found by the opposite-order batches test).
  if (isTransientDbError(error)) return null;
  if (isDatabaseRefusal(error)) return { code: SERVER_ERROR_CODES.VALIDATION_FAILED, message: "The database refused this record's data" };
  return null;
}

/**
 * The rejection-log row (who, what, why): no captured data vanishes without trace. Every field
 * goes through toStorableText: whatever the mutation carried (NUL, half a character, in a value or
 * a key), the log row can be written — it is what fails to be stored that is refused.
 */
function rejectionRow(
  ctx: Pick<DecideContext, "user" | "deviceId">,
  r: { mutationId: string | null; type: string | null; offlineId: string | null; payload: unknown; code: string; message: string },
): RejectionInsert {
  const text = (value: string | null) => (value === null ? null : toStorableString(value));
  return {
    mutationId: text(r.mutationId),
    userId: ctx.user.id,
    deviceId: ctx.deviceId,
    recordType: text(r.type),
    offlineId: text(r.offlineId),
    payload: toStorableText(r.payload) ?? null,
    errorCode: r.code,
    errorMessage: toStorableString(r.message),
  };
}

function rejected(ctx: DecideContext, m: Mutation, e: { code: string; message: string; issues?: unknown } | AppError) {
  const issues = e instanceof AppError ? e.details?.issues : e.issues;
  return {
    row: rejectionRow(ctx, {
      mutationId: m.mutationId,
      type: m.type,
      offlineId: m.offlineId,
      payload: m,
      code: e.code,
      message: e.message,
    }),
    answer: {
      mutationId: m.mutationId,
      offlineId: m.offlineId,
      status: "rejected",
      error: { code: e.code, message: e.message, ...(issues ? { issues } : {}) },
    } as PushResult,
  };
}

function malformed(ctx: DecideContext, raw: unknown, parsed: Malformed) {
  const message = "The mutation does not match the protocol";
  const type = (raw as { type?: unknown } | null)?.type;
  return {
    row: rejectionRow(ctx, {
      mutationId: parsed.mutationId ?? null,
      type: typeof type === "string" ? type.slice(0, 32) : null,
      offlineId: parsed.offlineId ?? null,
      payload: raw,
      code: "VALIDATION_FAILED",
      message,
    }),
    answer: {
      mutationId: parsed.mutationId ?? null,
      offlineId: parsed.offlineId ?? null,
      status: "rejected",
      error: { code: "VALIDATION_FAILED", message, issues: parsed.issues },
    } as PushResult,
  };
}
