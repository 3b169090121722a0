import "server-only";
import type { Entity } from "@/lib/generated/prisma/client";
import type { RecordType } from "@/lib/protocol";
import type { RecordRow } from "@/lib/server/queries/records";

/** What replay needs of a ledger row. */
export interface LedgerView {
  userId: string;
  recordType: string;
  offlineId: string;
  result: unknown;
}

/**
 * The decision asked for something the loader did not read. Never a user's fault: the set path
 * falls back to the per-mutation path; in the per-mutation path it is a bug and fails the push.
 */
export class NotLoaded extends Error {
  constructor(what: string) {
    super(`The push engine's loader did not read ${what}`);
    this.name = "NotLoaded";
  }
}

const recordKey = (type: RecordType, offlineId: string) => `${type}:${offlineId}`;
const idKey = (type: RecordType, id: string) => `${type}#${id}`;
const versionKey = (type: string, recordId: string, version: number) => `${type}:${recordId}:${version}`;

/**
 * Everything a batch's decisions read, in memory: what the loader read from the database (under
 * the batch's record locks) overlaid, mutation by mutation, with what the earlier mutations of the
 * batch wrote. A decision reads only this — never the database — so deciding is pure, and a
 * later mutation sees the earlier ones exactly as it would have read them back from the database.
 *
 * Every lookup distinguishes "read, and there is none" (null) from "never read" (NotLoaded).
 */
export class BatchState {
  private readonly records = new Map<string, RecordRow | null>();
  private readonly byId = new Map<string, RecordRow | null>();
  private readonly versions = new Map<string, unknown | null>();
  private readonly ledger = new Map<string, LedgerView | null>();

  // ---- filled by the loader ----

  loadedRecord(type: RecordType, offlineId: string, row: RecordRow | null): void {
    if (row) this.putRecord(type, row);
    else if (!this.records.has(recordKey(type, offlineId))) this.records.set(recordKey(type, offlineId), null);
  }

  loadedById(type: RecordType, id: string, row: RecordRow | null): void {
    if (row) this.putRecord(type, row);
    else if (!this.byId.has(idKey(type, id))) this.byId.set(idKey(type, id), null);
  }

  loadedVersion(type: string, recordId: string, version: number, snapshot: unknown | null): void {
    this.versions.set(versionKey(type, recordId, version), snapshot);
  }

  loadedLedger(mutationId: string, row: LedgerView | null): void {
    this.ledger.set(mutationId, row);
  }

  has(type: RecordType, offlineId: string): boolean {
    return this.records.has(recordKey(type, offlineId));
  }

  hasId(type: RecordType, id: string): boolean {
    return this.byId.has(idKey(type, id));
  }

  hasVersion(type: RecordType, recordId: string, version: number): boolean {
    return this.versions.has(versionKey(type, recordId, version));
  }

  // ---- read by decisions ----

  record(type: RecordType, offlineId: string): RecordRow | null {
    const key = recordKey(type, offlineId);
    if (!this.records.has(key)) throw new NotLoaded(`the ${type} ${offlineId}`);
    return this.records.get(key) ?? null;
  }

  recordById(type: RecordType, id: string): RecordRow | null {
    const key = idKey(type, id);
    if (!this.byId.has(key)) throw new NotLoaded(`the ${type} with id ${id}`);
    return this.byId.get(key) ?? null;
  }

  entity(id: string): Entity | null {
    return this.recordById("entity", id) as Entity | null;
  }

  version(type: RecordType, recordId: string, version: number): unknown | null {
    const key = versionKey(type, recordId, version);
    if (!this.versions.has(key)) throw new NotLoaded(`version ${version} of ${type} ${recordId}`);
    return this.versions.get(key) ?? null;
  }

  ledgerRow(mutationId: string): LedgerView | null {
    if (!this.ledger.has(mutationId)) throw new NotLoaded(`the ledger row of ${mutationId}`);
    return this.ledger.get(mutationId) ?? null;
  }

  // ---- written by decisions (the overlay) ----

  putRecord(type: RecordType, row: RecordRow): void {
    this.records.set(recordKey(type, row.offlineId), row);
    this.byId.set(idKey(type, row.id), row);
  }

  putVersion(type: RecordType, recordId: string, version: number, snapshot: unknown): void {
    this.versions.set(versionKey(type, recordId, version), snapshot);
  }

  putLedger(mutationId: string, row: LedgerView): void {
    this.ledger.set(mutationId, row);
  }
}
