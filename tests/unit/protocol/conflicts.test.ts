import { describe, expect, it } from "vitest";
import {
  CONFLICT_LIST_LIMIT_DEFAULT,
  conflictDetailSchema,
  conflictListQuerySchema,
  conflictSummarySchema,
  resolveConflictRequestSchema,
  verifyRequestSchema,
} from "@/lib/protocol";
import { assessmentRecord, ID, NOW } from "./fixtures";

describe("resolveConflictRequestSchema", () => {
  it.each<[string, unknown, boolean]>([
    ["server", { strategy: "server" }, true],
    ["client with expectedVersion", { strategy: "client", expectedVersion: 7 }, true],
    ["merge", { strategy: "merge" }, true],
    ["custom with data", { strategy: "custom", data: { "data.latrines": 9, status: "SUBMITTED" } }, true],
    ["custom with null value (clears)", { strategy: "custom", data: { "data.notes": null } }, true],
    ["custom without data", { strategy: "custom" }, false],
    ["unknown strategy", { strategy: "theirs" }, false],
    ["bad path key", { strategy: "custom", data: { "data.a.b": 1 } }, false],
    ["path with spaces", { strategy: "custom", data: { "my field": 1 } }, false],
    ["expectedVersion 0", { strategy: "merge", expectedVersion: 0 }, false],
    ["fractional expectedVersion", { strategy: "merge", expectedVersion: 1.5 }, false],
  ])("%s", (_name, input, ok) => {
    expect(resolveConflictRequestSchema.safeParse(input).success).toBe(ok);
  });

  it("names data in the custom-without-data issue", () => {
    const result = resolveConflictRequestSchema.safeParse({ strategy: "custom" });
    expect(result.error?.issues.map((i) => i.path)).toContainEqual(["data"]);
  });
});

describe("verifyRequestSchema", () => {
  it.each<[string, unknown, boolean]>([
    ["verified", { decision: "VERIFIED" }, true],
    ["rejected with note", { decision: "REJECTED", note: "Numbers do not add up" }, true],
    ["note of 2000 chars", { decision: "REJECTED", note: "n".repeat(2000) }, true],
    ["note over 2000 chars", { decision: "REJECTED", note: "n".repeat(2001) }, false],
    ["PENDING is not a decision", { decision: "PENDING" }, false],
    ["missing decision", {}, false],
  ])("%s", (_name, input, ok) => {
    expect(verifyRequestSchema.safeParse(input).success).toBe(ok);
  });
});

describe("conflictListQuerySchema", () => {
  it("defaults the limit and accepts a status", () => {
    expect(conflictListQuerySchema.parse({})).toMatchObject({ limit: CONFLICT_LIST_LIMIT_DEFAULT });
    expect(conflictListQuerySchema.parse({ status: "PENDING", cursor: "c1" })).toMatchObject({ status: ["PENDING"], cursor: "c1" });
    expect(conflictListQuerySchema.parse({ status: "RESOLVED,AUTO_RESOLVED" }).status).toEqual(["RESOLVED", "AUTO_RESOLVED"]);
    expect(conflictListQuerySchema.parse({ status: "" }).status).toBeUndefined();
  });

  it("rejects an unknown status", () => {
    expect(conflictListQuerySchema.safeParse({ status: "OPEN" }).success).toBe(false);
  });
});

describe("conflict summary and detail", () => {
  const summary = {
    id: ID.conflict,
    type: "assessment",
    recordId: ID.record,
    recordOfflineId: ID.offline,
    kind: "UPDATE",
    status: "PENDING",
    conflictingFields: ["data.latrines"],
    submittedBy: { id: ID.user, name: "Amina" },
    deviceId: ID.device,
    detectedAt: NOW,
  };

  it("parses a summary", () => {
    expect(conflictSummarySchema.parse(summary).conflictingFields).toEqual(["data.latrines"]);
  });

  it("parses a detail with full records and no resolution", () => {
    const detail = {
      ...summary,
      mutationId: ID.mutation,
      baseVersion: 2,
      serverVersion: 3,
      base: assessmentRecord({ version: 2 }),
      server: assessmentRecord({ version: 3, data: { latrines: 4 } }),
      client: assessmentRecord({ version: 2, data: { latrines: 5 } }),
      patch: { data: { latrines: 5 } },
      resolution: null,
    };
    expect(conflictDetailSchema.parse(detail).serverVersion).toBe(3);
    expect(conflictDetailSchema.safeParse({ ...detail, server: null }).success).toBe(false);
  });
});
