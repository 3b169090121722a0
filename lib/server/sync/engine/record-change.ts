import "server-only";
import type { PathMap } from "@/lib/domain";
import type { RecordType, SyncRecord } from "@/lib/protocol";
import type { Tx } from "@/lib/server/db/client";
import { txSql } from "@/lib/server/db/sql";
import type { RecordRow } from "@/lib/server/queries/records";
import type { PublicUser } from "@/lib/server/queries/users";
import { decideRecordChange, type RecordChange } from "./decide";
import { loadRecordChangeState } from "./load";
import { writeRecordVersion } from "./write";

/**
 * The one-record path through the push engine's decision: a coordinator's resolution, a
 * verification, an admin's entity edit — load what the decision reads, decide, write. The caller
 * holds the record's lock and stamps the change.
 */
export async function writeRecordChange(
  tx: Tx,
  ctx: { user: PublicUser },
  type: RecordType,
  row: RecordRow,
  server: SyncRecord,
  resultPaths: PathMap,
  mutationId: string | null,
  extraColumns: Record<string, unknown> = {},
): Promise<RecordChange> {
  const sql = txSql(tx);
  const state = await loadRecordChangeState(sql, type, row, server, resultPaths);
  const change = decideRecordChange(state, ctx, type, row, server, resultPaths, mutationId, extraColumns);
  if (change.version) await writeRecordVersion(sql, type, change.row, change.version);
  return change;
}
