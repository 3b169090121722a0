import { describe, expect, it } from "vitest";
import { getAssessmentForm, questionLabel } from "@/lib/domain/forms";

describe("questionLabel", () => {
  it.each<[string, Parameters<typeof questionLabel>[0], Parameters<typeof questionLabel>[1], string]>([
    ["a data path by form id", "WASH", "data.latrines", "Functional latrines"],
    ["a data path by form definition", getAssessmentForm("HEALTH"), "data.choleraCases", "Suspected cholera cases"],
    ["a top-level field", "WASH", "status", "Status"],
    ["assessment type", "HEALTH", "assessmentType", "Assessment type"],
    ["an entity field without a form", null, "lga", "LGA"],
    ["the response form", "RESPONSE", "data.beneficiaries", "Beneficiaries (individuals)"],
    ["an item field from an issue path", "RESPONSE", ["data", "items", 0, "quantity"], "Items #1 — Quantity"],
    ["an item row", "RESPONSE", "data.items.2", "Items #3"],
    ["an unknown question falls back to its id", "WASH", "data.mystery", "mystery"],
    ["an unknown top-level field falls back to the path", null, "colour", "colour"],
    ["a data path without a form", null, "data.latrines", "latrines"],
    ["the data field itself", "WASH", "data", "Answers"],
  ])("%s", (_name, form, path, label) => {
    expect(questionLabel(form, path)).toBe(label);
  });
});
