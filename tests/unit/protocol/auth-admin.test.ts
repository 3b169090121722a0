import { describe, expect, it } from "vitest";
import {
  assignmentRequestSchema,
  createEntityRequestSchema,
  createUserRequestSchema,
  loginRequestSchema,
  loginResponseSchema,
} from "@/lib/protocol";
import { ID } from "./fixtures";

describe("loginRequestSchema", () => {
  it("trims and lower-cases the email", () => {
    expect(loginRequestSchema.parse({ email: "  Admin@Demo.FieldSync.org ", password: "x" }).email).toBe("admin@demo.fieldsync.org");
  });

  it.each<[string, unknown]>([
    ["empty password", { email: "a@b.org", password: "" }],
    ["password over 200", { email: "a@b.org", password: "p".repeat(201) }],
    ["blank email", { email: "   ", password: "x" }],
    ["missing email", { password: "x" }],
  ])("rejects %s", (_name, input) => {
    expect(loginRequestSchema.safeParse(input).success).toBe(false);
  });

  it("parses a login response", () => {
    const body = { user: { id: ID.user, email: "a@b.org", name: "A", role: "ADMIN" }, token: "t" };
    expect(loginResponseSchema.parse(body).user.role).toBe("ADMIN");
    expect(loginResponseSchema.safeParse({ ...body, user: { ...body.user, role: "ROOT" } }).success).toBe(false);
  });
});

describe("createUserRequestSchema", () => {
  const valid = { email: "New.User@Example.org", name: "New User", role: "ASSESSOR", password: "longenough" };

  it("accepts and normalises a valid user", () => {
    expect(createUserRequestSchema.parse(valid)).toMatchObject({ email: "new.user@example.org", role: "ASSESSOR" });
  });

  it.each<[string, Record<string, unknown>]>([
    ["invalid email", { email: "not-an-email" }],
    ["short password", { password: "short" }],
    ["long password", { password: "p".repeat(201) }],
    ["empty name", { name: " " }],
    ["name over 200", { name: "n".repeat(201) }],
    ["unknown role", { role: "SUPERUSER" }],
  ])("rejects %s", (_name, override) => {
    expect(createUserRequestSchema.safeParse({ ...valid, ...override }).success).toBe(false);
  });
});

describe("createEntityRequestSchema", () => {
  const valid = { name: "Camp", type: "CAMP", lga: "Jere", ward: "Old Maiduguri", latitude: 11.8, longitude: 13.2 };

  it("defaults autoApprove to false", () => {
    expect(createEntityRequestSchema.parse(valid).autoApprove).toBe(false);
    expect(createEntityRequestSchema.parse({ ...valid, autoApprove: true }).autoApprove).toBe(true);
  });

  it.each<[string, Record<string, unknown>, boolean]>([
    ["latitude -90", { latitude: -90 }, true],
    ["longitude 180", { longitude: 180 }, true],
    ["latitude 90.1", { latitude: 90.1 }, false],
    ["longitude -180.5", { longitude: -180.5 }, false],
    ["latitude as string", { latitude: "11.8" }, false],
    ["unknown entity type", { type: "VILLAGE" }, false],
    ["empty lga", { lga: "" }, false],
  ])("%s", (_name, override, ok) => {
    expect(createEntityRequestSchema.safeParse({ ...valid, ...override }).success).toBe(ok);
  });
});

describe("assignmentRequestSchema", () => {
  it.each<[string, unknown, boolean]>([
    ["valid", { userId: ID.user, entityId: ID.entity }, true],
    ["bad userId", { userId: "u1", entityId: ID.entity }, false],
    ["missing entityId", { userId: ID.user }, false],
  ])("%s", (_name, input, ok) => {
    expect(assignmentRequestSchema.safeParse(input).success).toBe(ok);
  });
});
