import "server-only";
import type { Entity, Prisma } from "@/lib/generated/prisma/client";
import type { RecordType } from "@/lib/protocol";
import type { Tx } from "@/lib/server/db/client";
import { findRecordsByOfflineIds, lockRecordKeys, type RecordRow, recordKey } from "@/lib/server/queries/records";

type VersionRow = Prisma.RecordVersionCreateManyInput;
type LedgerRow = Prisma.ProcessedMutationCreateManyInput;

/**
 * Write-behind for one push batch: version snapshots and ledger rows are collected and written
 * with one INSERT each at the end of the batch transaction, before the change numbers are drawn.
 *
 * Why this is safe: nothing outside the transaction can see these rows before COMMIT whether they
 * are inserted early or late, and inside the batch every read goes through this buffer first (a
 * later mutation finds an earlier one's snapshot or ledger row here). Rows of a mutation that is
 * rolled back to its savepoint are discarded with it (`begin`/`keep`/`discard`). Entities are
 * cached for the batch, and forgotten whenever a mutation of the batch touches an entity.
 */
export class WriteBuffer {
  private readonly versions = new Map<string, VersionRow>();
  private readonly ledger = new Map<string, LedgerRow>();
  private staged: { versions: Map<string, VersionRow>; ledger: Map<string, LedgerRow> } | null = null;
  private readonly entities = new Map<string, Entity | null>();
  /** Ledger rows and records read for the whole batch at once, after its locks (see prefetch). */
  private prefetchedLedger: Map<string, { userId: string; recordType: string; offlineId: string; result: unknown }> | null = null;
  private readonly prefetchedRecords = new Map<string, RecordRow | null>();

  private readonly lockedKeys = new Set<string>();

  /**
   * Locks every record the batch names, up front and in one global order (lockRecordKeys: batches
   * naming the same records in opposite orders cannot deadlock), then reads in one query per table
   * the ledger rows of every mutationId and the current rows of every record. Under those locks
   * nobody else can write them (or their ledger rows) before COMMIT, so the reads stay true — until
   * this batch writes a record itself, which is why each prefetched record is handed out once
   * (`takeRecord`) and later lookups read the database.
   */
  async lockAndPrefetch(tx: Tx, mutations: readonly { mutationId: string; type: RecordType; offlineId: string }[]): Promise<void> {
    for (const m of mutations) this.lockedKeys.add(recordKey(m.type, m.offlineId));
    await lockRecordKeys(tx, [...this.lockedKeys]);
    const ledger = await tx.processedMutation.findMany({
      where: { mutationId: { in: [...new Set(mutations.map((m) => m.mutationId))] } },
      select: { mutationId: true, userId: true, recordType: true, offlineId: true, result: true },
    });
    this.prefetchedLedger = new Map(ledger.map((r) => [r.mutationId, r]));
    for (const type of ["entity", "assessment", "response"] as const) {
      const offlineIds = [...new Set(mutations.filter((m) => m.type === type).map((m) => m.offlineId))];
      if (offlineIds.length === 0) continue;
      for (const id of offlineIds) this.prefetchedRecords.set(recordKey(type, id), null);
      for (const row of await findRecordsByOfflineIds(tx, type, offlineIds))
        this.prefetchedRecords.set(recordKey(type, row.offlineId), row);
    }
  }

  /** Whether this batch already holds the lock of a record (see lockAndPrefetch). */
  holdsLock(type: RecordType, offlineId: string): boolean {
    return this.lockedKeys.has(recordKey(type, offlineId));
  }

  /** A ledger row read by prefetch: the row, null (none), or undefined (not prefetched: ask the database). */
  prefetchedLedgerRow(mutationId: string): { userId: string; recordType: string; offlineId: string; result: unknown } | null | undefined {
    if (!this.prefetchedLedger) return undefined;
    return this.prefetchedLedger.get(mutationId) ?? null;
  }

  /** The prefetched row of a record (null: none), once; undefined when the database must be asked. */
  takeRecord(type: RecordType, offlineId: string): RecordRow | null | undefined {
    const key = recordKey(type, offlineId);
    if (!this.prefetchedRecords.has(key)) return undefined;
    const row = this.prefetchedRecords.get(key) ?? null;
    this.prefetchedRecords.delete(key);
    return row;
  }

  /** Starts a mutation's staging area (its savepoint). */
  begin(): void {
    this.staged = { versions: new Map(), ledger: new Map() };
  }

  /** The mutation's savepoint was released: its rows join the batch. */
  keep(): void {
    if (!this.staged) return;
    for (const [k, v] of this.staged.versions) this.versions.set(k, v);
    for (const [k, v] of this.staged.ledger) this.ledger.set(k, v);
    this.staged = null;
  }

  /** The mutation was rolled back to its savepoint: its rows never existed. */
  discard(): void {
    this.staged = null;
    this.entities.clear(); // whatever the mutation read or wrote before failing is undone
  }

  addVersion(row: VersionRow): void {
    (this.staged?.versions ?? this.versions).set(versionKey(row.recordType, row.recordId, row.version), row);
  }

  findVersion(type: RecordType, recordId: string, version: number): unknown | undefined {
    const key = versionKey(type, recordId, version);
    return (this.staged?.versions.get(key) ?? this.versions.get(key))?.snapshot;
  }

  addLedger(row: LedgerRow): void {
    (this.staged?.ledger ?? this.ledger).set(row.mutationId, row);
  }

  findLedger(mutationId: string): LedgerRow | undefined {
    return this.staged?.ledger.get(mutationId) ?? this.ledger.get(mutationId);
  }

  /** An entity mutation in this batch (or its rollback) changes what later mutations must see. */
  forgetEntities(): void {
    this.entities.clear();
  }

  async entity(tx: Tx, id: string): Promise<Entity | null> {
    if (!this.entities.has(id)) this.entities.set(id, await tx.entity.findUnique({ where: { id } }));
    return this.entities.get(id) ?? null;
  }

  async flush(tx: Tx): Promise<void> {
    if (this.versions.size) await tx.recordVersion.createMany({ data: [...this.versions.values()] });
    if (this.ledger.size) await tx.processedMutation.createMany({ data: [...this.ledger.values()] });
    this.versions.clear();
    this.ledger.clear();
  }
}

function versionKey(type: string, recordId: string, version: number): string {
  return `${type}:${recordId}:${version}`;
}
