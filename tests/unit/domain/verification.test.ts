import { describe, expect, it } from "vitest";
import { verificationFor } from "@/lib/domain";

describe("verificationFor (PROTOCOL §1)", () => {
  it.each([
    ["SUBMITTED", false, "PENDING"],
    ["SUBMITTED", true, "AUTO_VERIFIED"],
    ["DELIVERED", false, "PENDING"],
    ["DELIVERED", true, "AUTO_VERIFIED"],
    ["DRAFT", true, "DRAFT"],
    ["PLANNED", true, "DRAFT"],
  ] as const)("%s on an entity with autoApprove=%s → %s", (status, autoApprove, expected) => {
    expect(verificationFor(status, autoApprove)).toBe(expected);
  });
});
