import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  assessmentRecordSchema,
  ERROR_CODES,
  entityRecordSchema,
  errorBodySchema,
  MAX_PUSH_BYTES,
  PROTOCOL_HISTORY,
  PROTOCOL_VERSION,
  responseRecordSchema,
  toIssues,
  userSchema,
} from "@/lib/protocol";
import { assessmentRecord, entityRecord, ID, responseRecord } from "./fixtures";

describe("codes", () => {
  it("ERROR_CODES maps every code to itself and covers PROTOCOL §3", () => {
    for (const [key, value] of Object.entries(ERROR_CODES)) expect(value).toBe(key);
    for (const code of [
      "VALIDATION_FAILED",
      "UNAUTHENTICATED",
      "INVALID_CREDENTIALS",
      "FORBIDDEN",
      "NOT_FOUND",
      "ENTITY_MISMATCH",
      "VERSION_AHEAD",
      "PAYLOAD_TOO_LARGE",
      "RATE_LIMITED",
      "ALREADY_EXISTS",
      "CONFLICT_ALREADY_RESOLVED",
      "STALE_RESOLUTION",
      "INTERNAL",
    ]) {
      expect(ERROR_CODES).toHaveProperty(code, code);
    }
  });

  it("has a 2 MiB push limit", () => {
    expect(MAX_PUSH_BYTES).toBe(2_097_152);
  });

  it("the history ends at the current version with dated entries", () => {
    expect(PROTOCOL_HISTORY.at(-1)?.version).toBe(PROTOCOL_VERSION);
    for (const entry of PROTOCOL_HISTORY) expect(entry.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe("errorBodySchema", () => {
  it.each<[string, unknown, boolean]>([
    ["code and message", { error: { code: "NOT_FOUND", message: "Assessment not found" } }, true],
    [
      "with issues",
      { error: { code: "VALIDATION_FAILED", message: "bad", issues: [{ code: "too_small", path: ["mutations"], message: "x" }] } },
      true,
    ],
    ["unknown code", { error: { code: "TEAPOT", message: "" } }, false],
    ["flat body", { code: "NOT_FOUND", message: "" }, false],
    ["missing message", { error: { code: "NOT_FOUND" } }, false],
  ])("%s", (_name, input, ok) => {
    expect(errorBodySchema.safeParse(input).success).toBe(ok);
  });
});

describe("toIssues", () => {
  it("keeps code/path/message (and keys), prefixes paths and leaks no input values", () => {
    const result = z.strictObject({ n: z.int() }).safeParse({ n: "secret", extra: 1 });
    const issues = toIssues(result.error?.issues ?? [], ["data"]);
    expect(issues).toContainEqual({ code: "invalid_type", path: ["data", "n"], message: expect.any(String) });
    expect(issues).toContainEqual({ code: "unrecognized_keys", path: ["data"], message: expect.any(String), keys: ["extra"] });
    expect(JSON.stringify(issues)).not.toContain("secret");
  });
});

describe("record schemas", () => {
  it("parse server records and keep ISO strings", () => {
    expect(entityRecordSchema.parse(entityRecord()).createdAt).toBe("2026-11-21T10:00:00.000Z");
    expect(assessmentRecordSchema.parse(assessmentRecord()).data).toEqual({ waterSource: "BOREHOLE" });
    expect(responseRecordSchema.parse(responseRecord({ verifiedById: ID.user, verifiedAt: null })).verifiedById).toBe(ID.user);
  });

  it.each<[string, z.ZodType, unknown]>([
    ["entity with Date timestamps", entityRecordSchema, entityRecord({ createdAt: new Date() })],
    ["entity version 0", entityRecordSchema, entityRecord({ version: 0 })],
    ["assessment with unknown status", assessmentRecordSchema, assessmentRecord({ status: "DONE" })],
    ["assessment with data array", assessmentRecordSchema, assessmentRecord({ data: [] })],
    ["response without responderId", responseRecordSchema, responseRecord({ responderId: undefined })],
    ["response with an assessment status", responseRecordSchema, responseRecord({ status: "SUBMITTED" })],
  ])("reject %s", (_name, schema, input) => {
    expect(schema.safeParse(input).success).toBe(false);
  });

  it("userSchema requires a known role", () => {
    expect(userSchema.safeParse({ id: ID.user, email: "a@b.org", name: "A", role: "RESPONDER" }).success).toBe(true);
    expect(userSchema.safeParse({ id: ID.user, email: "a@b.org", name: "A", role: "GUEST" }).success).toBe(false);
  });
});
