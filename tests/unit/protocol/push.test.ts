import { describe, expect, it } from "vitest";
import {
  MAX_MUTATIONS_PER_PUSH,
  type Mutation,
  parseMutation,
  parsePushRequest,
  pushRequestSchema,
  pushResponseSchema,
  pushResultSchema,
  type WireMutation,
} from "@/lib/protocol";
import { assessmentRecord, ID, NOW } from "./fixtures";

function mutation(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    mutationId: ID.mutation,
    type: "assessment",
    action: "create",
    offlineId: ID.offline,
    baseVersion: 0,
    data: { entityId: ID.entity, assessmentType: "WASH", data: { waterSource: "BOREHOLE" } },
    ...overrides,
  };
}

function without(obj: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _, ...rest } = obj;
  return rest;
}

describe("pushRequestSchema (envelope only)", () => {
  const valid = { deviceId: ID.device, mutations: [mutation()] };

  it.each<[string, unknown, boolean]>([
    ["minimal envelope", valid, true],
    ["with clientState", { ...valid, clientState: { pendingCount: 3, appVersion: "1.4.0" } }, true],
    ["empty clientState", { ...valid, clientState: {} }, true],
    ["mutations of any shape (checked one by one later)", { ...valid, mutations: [42, "x", null] }, true],
    ["unknown envelope keys are stripped", { ...valid, extra: 1 }, true],
    ["v7 deviceId", { ...valid, deviceId: ID.v7 }, true],
    ["exactly 200 mutations", { ...valid, mutations: Array(MAX_MUTATIONS_PER_PUSH).fill({}) }, true],
    ["not an object", [], false],
    ["null", null, false],
    ["missing deviceId", { mutations: [mutation()] }, false],
    ["deviceId not a uuid", { ...valid, deviceId: "device-1" }, false],
    ["missing mutations", { deviceId: ID.device }, false],
    ["mutations not an array", { ...valid, mutations: {} }, false],
    ["empty mutations", { ...valid, mutations: [] }, false],
    ["201 mutations", { ...valid, mutations: Array(MAX_MUTATIONS_PER_PUSH + 1).fill({}) }, false],
    ["negative pendingCount", { ...valid, clientState: { pendingCount: -1 } }, false],
    ["fractional pendingCount", { ...valid, clientState: { pendingCount: 1.5 } }, false],
    ["appVersion over 64 chars", { ...valid, clientState: { appVersion: "x".repeat(65) } }, false],
  ])("%s", (_name, input, ok) => {
    expect(pushRequestSchema.safeParse(input).success).toBe(ok);
  });

  it("strips unknown envelope keys", () => {
    const parsed = pushRequestSchema.parse({ ...valid, extra: 1 });
    expect(parsed).not.toHaveProperty("extra");
  });
});

describe("parsePushRequest", () => {
  it("answers PAYLOAD_TOO_LARGE for more than 200 mutations", () => {
    const result = parsePushRequest({ deviceId: ID.device, mutations: Array(201).fill({}) });
    expect(result).toMatchObject({ ok: false, code: "PAYLOAD_TOO_LARGE" });
  });

  it.each<[string, unknown]>([
    ["no deviceId", { mutations: [{}] }],
    ["empty mutations", { deviceId: ID.device, mutations: [] }],
    ["a string body", "hello"],
  ])("answers VALIDATION_FAILED with issues for %s", (_name, input) => {
    const result = parsePushRequest(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe("VALIDATION_FAILED");
    expect(result.issues.length).toBeGreaterThan(0);
  });

  it("accepts a valid envelope", () => {
    const result = parsePushRequest({ deviceId: ID.device, mutations: [mutation()] });
    expect(result).toMatchObject({ ok: true, request: { deviceId: ID.device } });
  });
});

describe("parseMutation", () => {
  type Case = [string, Record<string, unknown> | unknown, boolean, (string | number)[]?];
  const cases: Case[] = [
    // accepted
    ["assessment create", mutation(), true],
    [
      "assessment update with status and data patch",
      mutation({ action: "update", baseVersion: 4, data: { status: "SUBMITTED", data: { latrines: 12 } } }),
      true,
    ],
    ["update with null answer (clears it)", mutation({ action: "update", baseVersion: 1, data: { data: { notes: null } } }), true],
    ["empty update patch", mutation({ action: "update", baseVersion: 1, data: {} }), true],
    ["delete without data", without(mutation({ action: "delete", baseVersion: 2 }), "data"), true],
    ["delete with data (ignored)", mutation({ action: "delete", baseVersion: 2 }), true],
    ["priority HIGH", mutation({ priority: "HIGH" }), true],
    ["clientTime", mutation({ clientTime: "2026-11-21T10:00:00Z" }), true],
    ["clientTime with offset", mutation({ clientTime: "2026-11-21T11:00:00+01:00" }), true],
    [
      "entity create",
      mutation({
        type: "entity",
        data: { name: "Camp A", type: "CAMP", lga: "Jere", ward: "Mashamari", latitude: 11.8, longitude: 13.1 },
      }),
      true,
    ],
    ["entity update", mutation({ type: "entity", action: "update", baseVersion: 2, data: { autoApprove: true } }), true],
    [
      "response create by assessmentOfflineId",
      mutation({
        type: "response",
        data: { assessmentOfflineId: ID.offline, entityId: ID.entity, responseType: "NFI", data: {} },
      }),
      true,
    ],
    [
      "response create by assessmentId",
      mutation({ type: "response", data: { assessmentId: ID.assessment, entityId: ID.entity, responseType: "NFI" } }),
      true,
    ],
    ["response update", mutation({ type: "response", action: "update", baseVersion: 1, data: { status: "DELIVERED" } }), true],
    [
      "server-owned fields are ignored, not refused",
      mutation({
        action: "update",
        baseVersion: 2,
        data: { status: "SUBMITTED", version: 99, assessorId: ID.user, verificationStatus: "VERIFIED", createdAt: NOW },
      }),
      true,
    ],
    // rejected
    ["not an object", "mutation", false, []],
    ["missing mutationId", without(mutation(), "mutationId"), false, ["mutationId"]],
    ["mutationId not a uuid", mutation({ mutationId: "m-1" }), false, ["mutationId"]],
    ["offlineId not a uuid", mutation({ offlineId: "123" }), false, ["offlineId"]],
    ["unknown type", mutation({ type: "media" }), false, ["type"]],
    ["unknown action", mutation({ action: "upsert" }), false, ["action"]],
    ["missing baseVersion", without(mutation(), "baseVersion"), false, ["baseVersion"]],
    ["negative baseVersion", mutation({ baseVersion: -1 }), false, ["baseVersion"]],
    ["fractional baseVersion", mutation({ baseVersion: 1.5 }), false, ["baseVersion"]],
    ["unknown priority", mutation({ priority: "URGENT" }), false, ["priority"]],
    ["clientTime not ISO", mutation({ clientTime: "yesterday" }), false, ["clientTime"]],
    ["create without data", without(mutation(), "data"), false, ["data"]],
    ["update without data", without(mutation({ action: "update", baseVersion: 1 }), "data"), false, ["data"]],
    ["data not an object", mutation({ data: [1, 2] }), false, ["data"]],
    [
      "unknown top-level key in create data",
      mutation({ data: { entityId: ID.entity, assessmentType: "WASH", data: {}, colour: "red" } }),
      false,
      ["data"],
    ],
    ["unknown top-level key in update patch", mutation({ action: "update", baseVersion: 1, data: { colour: "red" } }), false, ["data"]],
    ["bad entityId", mutation({ data: { entityId: "E1", assessmentType: "WASH" } }), false, ["data", "entityId"]],
    ["unknown assessmentType", mutation({ data: { entityId: ID.entity, assessmentType: "EDUCATION" } }), false, ["data", "assessmentType"]],
    ["unknown status", mutation({ action: "update", baseVersion: 1, data: { status: "DONE" } }), false, ["data", "status"]],
    ["top-level null in a patch", mutation({ action: "update", baseVersion: 1, data: { status: null } }), false, ["data", "status"]],
    [
      "response create naming no assessment",
      mutation({ type: "response", data: { entityId: ID.entity, responseType: "NFI" } }),
      false,
      ["data", "assessmentOfflineId"],
    ],
    [
      "response with an assessment status",
      mutation({ type: "response", action: "update", baseVersion: 1, data: { status: "SUBMITTED" } }),
      false,
      ["data", "status"],
    ],
    [
      "entity latitude out of range",
      mutation({
        type: "entity",
        data: { name: "A", type: "CAMP", lga: "L", ward: "W", latitude: 91, longitude: 0 },
      }),
      false,
      ["data", "latitude"],
    ],
    ["entity empty name", mutation({ type: "entity", action: "update", baseVersion: 1, data: { name: "  " } }), false, ["data", "name"]],
  ];

  it.each(cases)("%s", (_name, input, ok, path) => {
    const result = parseMutation(input);
    expect(result.ok).toBe(ok);
    if (!result.ok && path) expect(result.issues.map((i) => i.path)).toContainEqual(path);
  });

  it("defaults priority to NORMAL and assessment status to DRAFT", () => {
    const result = parseMutation(mutation({ data: { entityId: ID.entity, assessmentType: "HEALTH" } }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.mutation.priority).toBe("NORMAL");
    expect(result.mutation).toMatchObject({ action: "create", data: { status: "DRAFT", data: {} } });
  });

  it("defaults response status to PLANNED and entity autoApprove to false", () => {
    const response = parseMutation(
      mutation({ type: "response", data: { assessmentId: ID.assessment, entityId: ID.entity, responseType: "NFI" } }),
    );
    expect(response.ok && response.mutation.action === "create" && response.mutation.data).toMatchObject({ status: "PLANNED" });
    const entity = parseMutation(
      mutation({ type: "entity", data: { name: "A", type: "CAMP", lga: "L", ward: "W", latitude: 0, longitude: 0 } }),
    );
    expect(entity.ok && entity.mutation.action === "create" && entity.mutation.data).toMatchObject({ autoApprove: false });
  });

  it("strips server-owned fields from the parsed data", () => {
    const result = parseMutation(
      mutation({ action: "update", baseVersion: 2, data: { status: "SUBMITTED", version: 99, assessorId: ID.user, id: ID.record } }),
    );
    expect(result.ok).toBe(true);
    if (result.ok && result.mutation.action === "update") expect(result.mutation.data).toEqual({ status: "SUBMITTED" });
  });

  it("drops the data of a delete", () => {
    const result = parseMutation(mutation({ action: "delete", baseVersion: 2 }));
    expect(result.ok && result.mutation).not.toHaveProperty("data");
  });

  it("narrows by type and action", () => {
    const result = parseMutation(mutation({ action: "update", baseVersion: 4, data: { data: { latrines: 12 } } }));
    if (!result.ok) throw new Error("expected ok");
    const m: Mutation = result.mutation;
    if (m.type === "assessment" && m.action === "update") expect(m.data.data).toEqual({ latrines: 12 });
    else throw new Error("wrong narrowing");
  });

  it("echoes the mutationId and offlineId of a rejected mutation when readable", () => {
    expect(parseMutation(mutation({ type: "nope" }))).toMatchObject({ ok: false, mutationId: ID.mutation, offlineId: ID.offline });
    expect(parseMutation(mutation({ mutationId: "not-a-uuid" }))).toMatchObject({ ok: false, mutationId: "not-a-uuid" });
    const noIds = parseMutation({ type: "assessment" });
    expect(noIds.ok).toBe(false);
    expect(noIds).not.toHaveProperty("mutationId");
    expect(parseMutation(mutation({ mutationId: "x".repeat(500) }))).not.toHaveProperty("mutationId");
  });

  it("never throws, whatever the input", () => {
    for (const input of [undefined, null, 0, "", [], {}, { data: { data: null } }, Object.create(null)]) {
      expect(() => parseMutation(input)).not.toThrow();
    }
  });

  it("accepts the flat WireMutation shape a client queues", () => {
    const wire: WireMutation = {
      mutationId: ID.mutation,
      type: "assessment",
      action: "update",
      offlineId: ID.offline,
      baseVersion: 1,
      priority: "LOW",
      data: { data: { latrines: 3 } },
    };
    expect(parseMutation(wire).ok).toBe(true);
  });
});

describe("pushResultSchema / pushResponseSchema", () => {
  const record = assessmentRecord();
  const base = { mutationId: ID.mutation, offlineId: ID.offline, id: ID.record, version: 3 };

  it.each<[string, unknown, boolean]>([
    ["applied", { ...base, status: "applied", record }, true],
    ["merged", { ...base, status: "merged", record }, true],
    [
      "merged by policy",
      { ...base, status: "merged", record, conflictId: ID.conflict, method: "SAME_USER_LAST_WRITE", conflictingFields: ["data.latrines"] },
      true,
    ],
    ["duplicate", { ...base, status: "duplicate", record }, true],
    ["conflict", { ...base, status: "conflict", conflictId: ID.conflict, conflictingFields: ["data.latrines", "status"] }, true],
    ["conflict of kind DELETION", { ...base, status: "conflict", conflictId: ID.conflict, conflictingFields: [], kind: "DELETION" }, true],
    ["rejected", { mutationId: ID.mutation, offlineId: ID.offline, status: "rejected", error: { code: "FORBIDDEN", message: "no" } }, true],
    [
      "rejected without readable ids, with issues",
      {
        mutationId: null,
        status: "rejected",
        error: { code: "VALIDATION_FAILED", message: "bad", issues: [{ code: "invalid_type", path: ["mutationId"], message: "Required" }] },
      },
      true,
    ],
    ["applied without record", { ...base, status: "applied" }, false],
    ["conflict without conflictId", { ...base, status: "conflict", conflictingFields: [] }, false],
    ["rejected with an unknown code", { mutationId: ID.mutation, status: "rejected", error: { code: "OOPS", message: "" } }, false],
    ["unknown status", { ...base, status: "ok", record }, false],
    ["version 0", { ...base, version: 0, status: "applied", record }, false],
  ])("%s", (_name, input, ok) => {
    expect(pushResultSchema.safeParse(input).success).toBe(ok);
  });

  it("parses a full response", () => {
    const body = {
      results: [{ ...base, status: "applied", record }],
      serverTime: NOW,
    };
    expect(pushResponseSchema.parse(body).results[0]?.status).toBe("applied");
  });
});
