import type { FetchLike } from "@/lib/client/sync/transport";
import { applyPaths, patchToPaths, readPath } from "@/lib/domain/merge";

/**
 * A small scripted stand-in for the server's sync endpoints, answering as PROTOCOL.md says
 * (applied / merged / duplicate / conflict / rejected, pull pages with cursor and scope). It is
 * deliberately simple — no auth roles, no forms, a conflict whenever both sides changed a path to
 * different values — because the real server is exercised by the integration tests. `script`
 * lets a test replace the next answers (HTTP errors, network failures).
 */

type Json = Record<string, unknown>;
type RecordType = "entity" | "assessment" | "response";

interface StoredRecord {
  type: RecordType;
  record: Json;
  history: Map<number, Json>;
}

interface StoredConflict {
  id: string;
  type: RecordType;
  recordId: string;
  recordOfflineId: string;
  status: "PENDING" | "RESOLVED";
  kind: "UPDATE" | "DELETION";
  conflictingFields: string[];
  mutationId: string;
  patch: Json;
}

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Headers;
  /** Parsed JSON body (after gunzip). */
  body?: Json;
  rawBodyBytes?: number;
}

/**
 * "network-error": the request never reaches the server. "lost-response": the server processes it
 * and the answer is lost on the way back (the case idempotency exists for).
 */
export type ScriptStep = (request: RecordedRequest) => Response | "network-error" | "lost-response" | undefined;

const USER_ID = "20000000-0000-4000-8000-000000000001";

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export class FakeServer {
  readonly records = new Map<string, StoredRecord>();
  readonly conflicts = new Map<string, StoredConflict>();
  /** Commit log for pull: one entry per change, in commit order. */
  readonly log: { key: string; kind: "record" | "conflict" }[] = [];
  readonly processed = new Map<string, Json>();
  readonly requests: RecordedRequest[] = [];
  /** Consumed one per request, first to last; `undefined` from a step means "answer normally". */
  readonly script: ScriptStep[] = [];
  scope: string[];
  maxMutationsPerPush = 200;
  /** Offline ids whose mutations are rejected with this code. */
  readonly rejectOfflineIds = new Map<string, string>();
  private clock = Date.parse("2026-03-01T00:00:00.000Z");

  constructor(scope: string[]) {
    this.scope = scope;
  }

  private now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  readonly fetch: FetchLike = async (input, init) => {
    const url = new URL(input, "http://fake.local");
    const headers = new Headers(init.headers);
    const request: RecordedRequest = { method: init.method ?? "GET", url, headers };
    if (init.body !== undefined && init.body !== null) {
      let bytes = init.body instanceof Uint8Array ? init.body : new TextEncoder().encode(String(init.body));
      request.rawBodyBytes = bytes.byteLength;
      if (headers.get("content-encoding") === "gzip") {
        const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("gzip"));
        bytes = new Uint8Array(await new Response(stream).arrayBuffer());
      }
      request.body = JSON.parse(new TextDecoder().decode(bytes)) as Json;
    }
    this.requests.push(request);

    const step = this.script.shift();
    const scripted = step?.(request);
    if (scripted === "network-error") throw new TypeError("Failed to fetch");
    if (scripted instanceof Response) return scripted;
    const response = this.route(request);
    if (scripted === "lost-response") throw new TypeError("network connection was lost");
    return response;
  };

  private route(request: RecordedRequest): Response {
    const { url } = request;
    if (url.pathname === "/api/sync/push" && request.method === "POST") return this.push(request.body ?? {});
    if (url.pathname === "/api/sync/pull" && request.method === "GET") return this.pull(url);
    return json(404, { error: { code: "NOT_FOUND", message: "no route" } });
  }

  pushRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.url.pathname === "/api/sync/push");
  }

  pullRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.url.pathname === "/api/sync/pull");
  }

  get(offlineId: string): Json | undefined {
    return this.records.get(offlineId)?.record;
  }

  private commit(stored: StoredRecord, record: Json): void {
    stored.record = record;
    stored.history.set(record.version as number, record);
    this.log.push({ key: record.offlineId as string, kind: "record" });
  }

  /** Another user edits a record on the server. */
  serverEdit(offlineId: string, patch: Json): Json {
    const stored = this.records.get(offlineId);
    if (!stored) throw new Error(`no record ${offlineId}`);
    const next = {
      ...applyPaths(stored.record, patchToPaths(patch)),
      version: (stored.record.version as number) + 1,
      updatedAt: this.now(),
    };
    this.commit(stored, next);
    return next;
  }

  /** A coordinator resolves a conflict with the server's values (strategy `server`). */
  resolveConflictKeepServer(conflictId: string): void {
    const conflict = this.conflicts.get(conflictId);
    if (!conflict) throw new Error(`no conflict ${conflictId}`);
    conflict.status = "RESOLVED";
    this.log.push({ key: conflictId, kind: "conflict" });
  }

  private push(body: Json): Response {
    const mutations = body.mutations as Json[] | undefined;
    if (typeof body.deviceId !== "string" || !Array.isArray(mutations) || mutations.length === 0) {
      return json(400, { error: { code: "VALIDATION_FAILED", message: "bad envelope" } });
    }
    if (mutations.length > this.maxMutationsPerPush) {
      return json(413, { error: { code: "PAYLOAD_TOO_LARGE", message: "too many mutations" } });
    }
    const results = mutations.map((m) => this.applyMutation(m));
    return json(200, { results, serverTime: this.now() });
  }

  private applyMutation(m: Json): Json {
    const mutationId = m.mutationId as string;
    const offlineId = m.offlineId as string;
    const type = m.type as RecordType;
    const previous = this.processed.get(mutationId);
    if (previous) {
      const current = this.records.get(offlineId)?.record;
      return {
        ...previous,
        status: previous.status === "rejected" ? "rejected" : "duplicate",
        ...(current ? { record: current, version: current.version } : {}),
      };
    }
    const result = this.decide(m, mutationId, offlineId, type);
    this.processed.set(mutationId, result);
    return result;
  }

  private decide(m: Json, mutationId: string, offlineId: string, type: RecordType): Json {
    const reject = (code: string) => ({ mutationId, offlineId, status: "rejected", error: { code, message: code } });
    const rejectCode = this.rejectOfflineIds.get(offlineId);
    if (rejectCode) return reject(rejectCode);
    const stored = this.records.get(offlineId);
    const data = (m.data ?? {}) as Json;
    const accepted = (status: string, record: Json) => ({
      mutationId,
      offlineId,
      status,
      id: record.id,
      version: record.version,
      record,
    });

    if (m.action === "create") {
      if (stored) return accepted("duplicate", stored.record);
      let entityId = data.entityId as string | undefined;
      const extra: Json = {};
      if (type === "response") {
        const assessment = this.records.get(data.assessmentOfflineId as string);
        if (!assessment) return reject("NOT_FOUND");
        entityId = assessment.record.entityId as string;
        extra.assessmentId = assessment.record.id;
        extra.responderId = USER_ID;
      }
      if (type !== "entity" && (!entityId || !this.scope.includes(entityId))) return reject("FORBIDDEN");
      const at = this.now();
      const record: Json = {
        ...data,
        ...extra,
        id: crypto.randomUUID(),
        offlineId,
        ...(type === "assessment" ? { assessorId: USER_ID } : {}),
        version: 1,
        verificationStatus: "DRAFT",
        createdAt: at,
        updatedAt: at,
        deletedAt: null,
      };
      const fresh: StoredRecord = { type, record, history: new Map() };
      this.records.set(offlineId, fresh);
      this.commit(fresh, record);
      return accepted("applied", record);
    }

    if (!stored) return reject("NOT_FOUND");
    const current = stored.record;
    const version = current.version as number;
    const baseVersion = m.baseVersion as number;
    if (baseVersion > version) return reject("VERSION_AHEAD");

    if (m.action === "delete") {
      if (current.deletedAt !== null) return accepted("duplicate", current);
      const next = { ...current, deletedAt: this.now(), version: version + 1 };
      this.commit(stored, next);
      return { ...accepted("applied", next) };
    }

    const patch = patchToPaths(data);
    if (current.deletedAt !== null) return this.conflict(stored, mutationId, "DELETION", Object.keys(patch), data);
    if (baseVersion < version) {
      const base = stored.history.get(baseVersion) ?? {};
      const baseMap = patchToPaths(base);
      const serverMap = patchToPaths(current);
      const conflicting = Object.entries(patch)
        .filter(([path, value]) => {
          const b = JSON.stringify(readPath(baseMap, path));
          const s = JSON.stringify(readPath(serverMap, path));
          return s !== b && s !== JSON.stringify(value ?? null);
        })
        .map(([path]) => path);
      if (conflicting.length > 0) return this.conflict(stored, mutationId, "UPDATE", conflicting, data);
      const next = { ...applyPaths(current, patch), version: version + 1, updatedAt: this.now() };
      this.commit(stored, next);
      return accepted("merged", next);
    }
    const next = { ...applyPaths(current, patch), version: version + 1, updatedAt: this.now() };
    this.commit(stored, next);
    return accepted("applied", next);
  }

  private conflict(stored: StoredRecord, mutationId: string, kind: "UPDATE" | "DELETION", fields: string[], patch: Json): Json {
    const id = crypto.randomUUID();
    const record = stored.record;
    this.conflicts.set(id, {
      id,
      type: stored.type,
      recordId: record.id as string,
      recordOfflineId: record.offlineId as string,
      status: "PENDING",
      kind,
      conflictingFields: fields,
      mutationId,
      patch,
    });
    this.log.push({ key: id, kind: "conflict" });
    return {
      mutationId,
      offlineId: record.offlineId,
      status: "conflict",
      id: record.id,
      version: record.version,
      conflictId: id,
      conflictingFields: fields,
      kind,
    };
  }

  private pull(url: URL): Response {
    const from = Number(url.searchParams.get("cursor") ?? "0");
    const limit = Number(url.searchParams.get("limit") ?? "500");
    const tail = this.log.slice(from);
    // Each record at its latest version, at the position of its last change (commit order).
    const lastIndex = new Map<string, number>();
    for (const [i, entry] of tail.entries()) lastIndex.set(`${entry.kind}:${entry.key}`, i);
    const picked = tail.map((entry, i) => ({ entry, i })).filter(({ entry, i }) => lastIndex.get(`${entry.kind}:${entry.key}`) === i);
    const page = picked.slice(0, limit);
    const consumed = page.length === picked.length ? tail.length : (page.at(-1)?.i ?? -1) + 1;
    const changes = page.map(({ entry }) => this.changeFor(entry)).filter((c): c is Json => c !== undefined);
    return json(200, {
      changes,
      cursor: String(from + consumed),
      hasMore: page.length < picked.length,
      scope: { entityIds: [...this.scope] },
      serverTime: this.now(),
    });
  }

  private changeFor(entry: { key: string; kind: "record" | "conflict" }): Json | undefined {
    if (entry.kind === "conflict") {
      const c = this.conflicts.get(entry.key);
      if (!c) return undefined;
      return {
        type: "conflict",
        op: "upsert",
        id: c.id,
        record: {
          id: c.id,
          type: c.type,
          recordId: c.recordId,
          recordOfflineId: c.recordOfflineId,
          status: c.status,
          kind: c.kind,
          conflictingFields: c.conflictingFields,
          mutationId: c.mutationId,
        },
      };
    }
    const stored = this.records.get(entry.key);
    if (!stored) return undefined;
    const r = stored.record;
    const entityId = stored.type === "entity" ? (r.id as string) : (r.entityId as string);
    if (!this.scope.includes(entityId)) return undefined;
    if (r.deletedAt !== null) {
      return { type: stored.type, op: "delete", id: r.id, offlineId: r.offlineId, version: r.version };
    }
    return { type: stored.type, op: "upsert", id: r.id, offlineId: r.offlineId, version: r.version, record: r };
  }
}

export const respond = {
  status:
    (status: number, code: string, headers: Record<string, string> = {}): ScriptStep =>
    () =>
      json(status, { error: { code, message: `scripted ${status}` } }, headers),
  networkError: (): ScriptStep => () => "network-error",
  lostResponse: (): ScriptStep => () => "lost-response",
  /** Answer normally. */
  pass: (): ScriptStep => () => undefined,
};
