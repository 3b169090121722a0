import { describe, expect, it } from "vitest";
import { hasFormData, isMutableField, isServerOwnedField, MUTABLE_FIELDS, SERVER_OWNED_FIELDS } from "@/lib/domain/records";
import { RECORD_TYPES } from "@/lib/protocol";

describe("record field lists", () => {
  it("lists the mutable top-level fields per type", () => {
    expect([...MUTABLE_FIELDS.entity].sort()).toEqual(["autoApprove", "latitude", "lga", "longitude", "name", "type", "ward"]);
    expect([...MUTABLE_FIELDS.assessment].sort()).toEqual(["assessmentType", "data", "entityId", "status"]);
    expect([...MUTABLE_FIELDS.response].sort()).toEqual([
      "assessmentId",
      "assessmentOfflineId",
      "data",
      "entityId",
      "responseType",
      "status",
    ]);
  });

  it.each(RECORD_TYPES)("%s: mutable and server-owned fields are disjoint", (type) => {
    for (const field of MUTABLE_FIELDS[type]) expect(isServerOwnedField(type, field)).toBe(false);
    for (const field of SERVER_OWNED_FIELDS[type]) expect(isMutableField(type, field)).toBe(false);
    expect(isServerOwnedField(type, "version")).toBe(true);
  });

  it("server-owned fields include who wrote the record and its verification", () => {
    expect(isServerOwnedField("assessment", "assessorId")).toBe(true);
    expect(isServerOwnedField("response", "responderId")).toBe(true);
    expect(isServerOwnedField("assessment", "verificationStatus")).toBe(true);
    expect(isMutableField("assessment", "assessorId")).toBe(false);
  });

  it("only assessments and responses carry form data", () => {
    expect(RECORD_TYPES.filter(hasFormData)).toEqual(["assessment", "response"]);
  });
});
