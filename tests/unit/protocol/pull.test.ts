import { describe, expect, it } from "vitest";
import { changeSchema, PULL_LIMIT_DEFAULT, PULL_LIMIT_MAX, pullQuerySchema, pullResponseSchema } from "@/lib/protocol";
import { assessmentRecord, entityRecord, ID, NOW, responseRecord } from "./fixtures";

describe("pullQuerySchema", () => {
  it.each<[string, Record<string, unknown>, number]>([
    ["absent limit → default", {}, PULL_LIMIT_DEFAULT],
    ["empty limit → default", { limit: "" }, PULL_LIMIT_DEFAULT],
    ["null limit (URLSearchParams#get) → default", { limit: null }, PULL_LIMIT_DEFAULT],
    ["string limit coerced", { limit: "25" }, 25],
    ["number limit", { limit: 7 }, 7],
    ["above max clamped", { limit: "5000" }, PULL_LIMIT_MAX],
    ["zero clamped to 1", { limit: "0" }, 1],
    ["negative clamped to 1", { limit: "-3" }, 1],
    ["max itself", { limit: String(PULL_LIMIT_MAX) }, PULL_LIMIT_MAX],
  ])("%s", (_name, query, limit) => {
    expect(pullQuerySchema.parse(query).limit).toBe(limit);
  });

  it.each<[string, Record<string, unknown>]>([
    ["non-numeric limit", { limit: "lots" }],
    ["fractional limit", { limit: "2.5" }],
    ["deviceId not a uuid", { deviceId: "phone" }],
    ["cursor too long", { cursor: "c".repeat(2000) }],
  ])("rejects %s", (_name, query) => {
    expect(pullQuerySchema.safeParse(query).success).toBe(false);
  });

  it("keeps cursor and deviceId; treats empty strings as absent", () => {
    expect(pullQuerySchema.parse({ cursor: "abc", deviceId: ID.device })).toMatchObject({ cursor: "abc", deviceId: ID.device });
    const empty = pullQuerySchema.parse({ cursor: "", deviceId: "" });
    expect(empty.cursor).toBeUndefined();
    expect(empty.deviceId).toBeUndefined();
  });
});

describe("changeSchema", () => {
  it.each<[string, unknown, boolean]>([
    ["entity upsert", { type: "entity", op: "upsert", id: ID.entity, offlineId: ID.offline, version: 1, record: entityRecord() }, true],
    ["assessment upsert", { type: "assessment", op: "upsert", id: ID.record, version: 3, record: assessmentRecord() }, true],
    ["response upsert", { type: "response", op: "upsert", id: ID.record, version: 1, record: responseRecord() }, true],
    ["response delete without record", { type: "response", op: "delete", id: ID.record, offlineId: ID.offline, version: 4 }, true],
    [
      "conflict upsert",
      {
        type: "conflict",
        op: "upsert",
        id: ID.conflict,
        record: {
          id: ID.conflict,
          type: "assessment",
          recordId: ID.record,
          recordOfflineId: ID.offline,
          status: "RESOLVED",
          kind: "UPDATE",
          conflictingFields: ["data.latrines"],
          resolution: { strategy: "merge", resolvedAt: NOW, resolvedBy: { id: ID.user, name: "Coordinator" } },
          mutationId: ID.mutation,
        },
      },
      true,
    ],
    [
      "media upsert",
      {
        type: "media",
        op: "upsert",
        id: ID.record,
        record: {
          id: ID.record,
          offlineId: ID.offline,
          parentType: "assessment",
          parentId: ID.assessment,
          parentOfflineId: ID.mutation2,
          entityId: ID.entity,
          filename: "latrine.jpg",
          mimeType: "image/jpeg",
          size: 1024,
          sha256: "a".repeat(64),
          url: `/api/media/${ID.record}`,
          capturedAt: null,
          latitude: null,
          longitude: null,
          createdAt: NOW,
        },
      },
      true,
    ],
    ["upsert without record", { type: "assessment", op: "upsert", id: ID.record, version: 3 }, false],
    ["record of the wrong type", { type: "entity", op: "upsert", id: ID.record, record: assessmentRecord() }, false],
    ["unknown change type", { type: "user", op: "upsert", id: ID.record }, false],
    ["unknown op", { type: "entity", op: "insert", id: ID.record }, false],
  ])("%s", (_name, input, ok) => {
    expect(changeSchema.safeParse(input).success).toBe(ok);
  });
});

describe("pullResponseSchema", () => {
  it("parses a page", () => {
    const body = {
      changes: [{ type: "assessment", op: "upsert", id: ID.record, version: 3, record: assessmentRecord() }],
      cursor: "opaque",
      hasMore: false,
      scope: { entityIds: [ID.entity] },
      serverTime: NOW,
    };
    expect(pullResponseSchema.parse(body).changes).toHaveLength(1);
  });

  it("requires scope and cursor", () => {
    expect(pullResponseSchema.safeParse({ changes: [], hasMore: false, serverTime: NOW }).success).toBe(false);
  });
});
