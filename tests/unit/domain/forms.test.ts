import { describe, expect, it } from "vitest";
import {
  ASSESSMENT_FORMS,
  type FormDefinition,
  type FormId,
  formDataSchema,
  formModeForStatus,
  getAssessmentForm,
  getForm,
  getResponseForm,
  listQuestions,
  validateFormData,
  validateRecordData,
} from "@/lib/domain/forms";
import { ASSESSMENT_TYPES, type AssessmentType } from "@/lib/protocol";

/** A complete, valid submission per form, written by hand (not derived from the definitions). */
const COMPLETE: Record<FormId, Record<string, unknown>> = {
  HEALTH: { functionalFacilities: 2, staffOnDuty: 9, choleraCases: 0, malariaCases: 31, measlesCases: 1, medicineStockout: true },
  WASH: { waterSource: "BOREHOLE", functionalBoreholes: 3, latrines: 40, openDefecationObserved: false, litresPerPersonPerDay: 12.5 },
  SHELTER: { householdsWithoutShelter: 120, damagedShelters: 45, shelterTypes: ["TENTS", "HOST_FAMILY"], nfiNeeded: ["BLANKETS"] },
  FOOD: { householdsFoodInsecure: 300, lastDistributionDate: "2026-11-02", mealsPerDay: 1, marketFunctional: false },
  SECURITY: { incidentsLast7Days: 2, accessRestricted: true, gbvIncidentsReported: 1, armedPresence: false },
  POPULATION: { households: 850, individuals: 4100, newArrivals7Days: 230, femaleHeadedHouseholds: 310, under5: 700 },
  RESPONSE: {
    items: [
      { name: "Rice", quantity: 200, unit: "bags (25 kg)" },
      { name: "Vegetable oil", quantity: 100, unit: "L" },
    ],
    beneficiaries: 1200,
    deliveryDate: "2026-11-20",
    notes: "Delivered with community leaders.",
  },
};

/** Questions PROTOCOL §1 requires each form to have (id → kind). */
const PROTOCOL_QUESTIONS: Record<FormId, Record<string, string>> = {
  HEALTH: { functionalFacilities: "int", staffOnDuty: "int", choleraCases: "int", malariaCases: "int", notes: "longtext" },
  WASH: { waterSource: "select", functionalBoreholes: "int", latrines: "int", openDefecationObserved: "boolean", notes: "longtext" },
  SHELTER: { householdsWithoutShelter: "int", damagedShelters: "int", notes: "longtext" },
  FOOD: { householdsFoodInsecure: "int", lastDistributionDate: "date", notes: "longtext" },
  SECURITY: { incidentsLast7Days: "int", accessRestricted: "boolean", notes: "longtext" },
  POPULATION: { households: "int", individuals: "int", newArrivals7Days: "int", notes: "longtext" },
  RESPONSE: { items: "items", beneficiaries: "int", notes: "longtext" },
};

const FORM_IDS = [...ASSESSMENT_TYPES, "RESPONSE"] as const;

function paths(result: ReturnType<typeof validateFormData>): string[] {
  return result.ok ? [] : result.issues.map((i) => i.path.join("."));
}

function requiredIds(form: FormDefinition): string[] {
  return listQuestions(form)
    .filter((q) => q.required)
    .map((q) => q.id);
}

describe("form registry", () => {
  it("has one form per assessment type and a response form", () => {
    for (const type of ASSESSMENT_TYPES) expect(getAssessmentForm(type).id).toBe(type);
    expect(getResponseForm().id).toBe("RESPONSE");
    expect(Object.keys(ASSESSMENT_FORMS).sort()).toEqual([...ASSESSMENT_TYPES].sort());
  });

  it.each(FORM_IDS)("%s has the questions of PROTOCOL §1, unique ids and well-formed definitions", (id) => {
    const questions = listQuestions(getForm(id));
    const byId = new Map(questions.map((q) => [q.id, q]));
    expect(byId.size).toBe(questions.length);
    for (const [qid, kind] of Object.entries(PROTOCOL_QUESTIONS[id])) expect(byId.get(qid)?.kind).toBe(kind);
    for (const q of questions) {
      expect(q.id).toMatch(/^[a-z][A-Za-z0-9]*$/);
      expect(q.label.length).toBeGreaterThan(0);
      if (q.kind === "select" || q.kind === "multiselect") expect(q.options?.length).toBeGreaterThan(0);
      if (q.kind === "items") expect(q.itemFields?.length).toBeGreaterThan(0);
    }
    expect(byId.get("notes")?.maxLength).toBe(2000);
  });

  it("counts of PROTOCOL §1 are integers ≥ 0", () => {
    for (const id of FORM_IDS) {
      for (const [qid, kind] of Object.entries(PROTOCOL_QUESTIONS[id])) {
        if (kind === "int") expect(listQuestions(getForm(id)).find((q) => q.id === qid)?.min).toBe(0);
      }
    }
  });
});

describe.each(FORM_IDS)("%s form", (id) => {
  const form = getForm(id);
  const complete = COMPLETE[id];

  it("accepts a complete valid submission", () => {
    const result = validateFormData(form, complete, "submitted");
    expect(paths(result)).toEqual([]);
  });

  it("rejects unknown keys in every mode", () => {
    for (const mode of ["draft", "submitted", "patch"] as const) {
      const result = validateFormData(form, { ...complete, colour: "red" }, mode);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.issues).toContainEqual(expect.objectContaining({ code: "unrecognized_keys", keys: ["colour"] }));
    }
  });

  it("accepts an empty draft and an empty patch", () => {
    expect(validateFormData(form, {}, "draft")).toEqual({ ok: true, data: {} });
    expect(validateFormData(form, {}, "patch")).toEqual({ ok: true, data: {} });
  });

  it.each(requiredIds(form))("a submission missing %s fails naming that path; a draft without it passes", (qid) => {
    const { [qid]: _, ...rest } = complete;
    const submitted = validateFormData(form, rest, "submitted");
    expect(paths(submitted)).toEqual([qid]);
    if (!submitted.ok) expect(submitted.issues[0]?.message).toBe("Required");
    expect(validateFormData(form, rest, "draft").ok).toBe(true);
    expect(paths(validateFormData(form, { ...complete, [qid]: null }, "submitted"))).toEqual([qid]);
  });

  it("rejects negative counts and non-integers", () => {
    for (const q of listQuestions(form).filter((x) => x.kind === "int")) {
      expect(paths(validateFormData(form, { [q.id]: -1 }, "draft"))).toEqual([q.id]);
      expect(paths(validateFormData(form, { [q.id]: 1.5 }, "draft"))).toEqual([q.id]);
      expect(paths(validateFormData(form, { [q.id]: "3" }, "draft"))).toEqual([q.id]);
    }
  });

  it("rejects notes longer than 2000 characters", () => {
    expect(validateFormData(form, { notes: "n".repeat(2000) }, "draft").ok).toBe(true);
    expect(paths(validateFormData(form, { notes: "n".repeat(2001) }, "draft"))).toEqual(["notes"]);
  });

  it("drops null answers in draft mode and keeps them in patch mode", () => {
    expect(validateFormData(form, { notes: null }, "draft")).toEqual({ ok: true, data: {} });
    expect(validateFormData(form, { notes: null }, "patch")).toEqual({ ok: true, data: { notes: null } });
  });

  it("formDataSchema is strict in both modes", () => {
    for (const partial of [true, false]) {
      expect(formDataSchema(form, { partial }).safeParse({ ...complete, zzz: 1 }).success).toBe(false);
    }
  });
});

describe("question-specific rules", () => {
  const wash = getAssessmentForm("WASH");
  const food = getAssessmentForm("FOOD");
  const shelter = getAssessmentForm("SHELTER");
  const response = getResponseForm();

  it.each<[string, FormDefinition, Record<string, unknown>, string[]]>([
    ["unknown waterSource", wash, { waterSource: "RAIN" }, ["waterSource"]],
    ["litres above max", wash, { litresPerPersonPerDay: 501 }, ["litresPerPersonPerDay"]],
    ["litres fractional ok", wash, { litresPerPersonPerDay: 7.5 }, []],
    ["boolean as string", wash, { openDefecationObserved: "yes" }, ["openDefecationObserved"]],
    ["date with time", food, { lastDistributionDate: "2026-11-02T10:00:00Z" }, ["lastDistributionDate"]],
    ["impossible date", food, { lastDistributionDate: "2026-02-30" }, ["lastDistributionDate"]],
    ["meals above 10", food, { mealsPerDay: 11 }, ["mealsPerDay"]],
    ["price increase infinite", food, { priceIncreasePercent: Number.POSITIVE_INFINITY }, ["priceIncreasePercent"]],
    ["multiselect unknown option", shelter, { shelterTypes: ["CASTLE"] }, ["shelterTypes.0"]],
    ["multiselect duplicate", shelter, { shelterTypes: ["TENTS", "TENTS"] }, ["shelterTypes"]],
    ["multiselect not an array", shelter, { shelterTypes: "TENTS" }, ["shelterTypes"]],
    ["item quantity 0", response, { items: [{ name: "Rice", quantity: 0, unit: "kg" }] }, ["items.0.quantity"]],
    ["item quantity fractional", response, { items: [{ name: "Rice", quantity: 1.5, unit: "kg" }] }, ["items.0.quantity"]],
    ["item without unit", response, { items: [{ name: "Rice", quantity: 1 }] }, ["items.0.unit"]],
    ["item with empty name", response, { items: [{ name: " ", quantity: 1, unit: "kg" }] }, ["items.0.name"]],
    ["item name over 200", response, { items: [{ name: "n".repeat(201), quantity: 1, unit: "kg" }] }, ["items.0.name"]],
    ["item unit over 50", response, { items: [{ name: "Rice", quantity: 1, unit: "u".repeat(51) }] }, ["items.0.unit"]],
    ["item with an unknown key", response, { items: [{ name: "Rice", quantity: 1, unit: "kg", colour: "red" }] }, ["items.0"]],
    ["negative beneficiaries", response, { beneficiaries: -5 }, ["beneficiaries"]],
    ["empty items in a draft", response, { items: [] }, []],
  ])("draft: %s", (_name, form, data, expected) => {
    expect(paths(validateFormData(form, data, "draft"))).toEqual(expected);
  });

  it("a delivery needs at least one item", () => {
    const result = validateFormData(response, { ...COMPLETE.RESPONSE, items: [] }, "submitted");
    expect(paths(result)).toEqual(["items"]);
  });

  it("trims text answers", () => {
    const result = validateFormData(wash, { notes: "  muddy  " }, "draft");
    expect(result).toEqual({ ok: true, data: { notes: "muddy" } });
  });

  it("rejects a data value that is not an object", () => {
    for (const data of [null, [], "x", 3]) expect(validateFormData(wash, data, "draft").ok).toBe(false);
  });
});

describe("validateRecordData", () => {
  it.each<[string, "assessment" | "response", Record<string, unknown>, string[]]>([
    ["draft assessment, partial", "assessment", { assessmentType: "WASH", status: "DRAFT", data: { latrines: 3 } }, []],
    [
      "submitted assessment, missing answers",
      "assessment",
      { assessmentType: "SECURITY", status: "SUBMITTED", data: { incidentsLast7Days: 1 } },
      ["data.accessRestricted"],
    ],
    ["submitted assessment, complete", "assessment", { assessmentType: "HEALTH", status: "SUBMITTED", data: COMPLETE.HEALTH }, []],
    ["unknown assessment type", "assessment", { assessmentType: "EDUCATION", status: "DRAFT", data: {} }, ["assessmentType"]],
    ["planned response, no items yet", "response", { status: "PLANNED", data: {} }, []],
    ["delivered response, no items", "response", { status: "DELIVERED", data: { beneficiaries: 10 } }, ["data.items"]],
    ["delivered response, complete", "response", { status: "DELIVERED", data: COMPLETE.RESPONSE }, []],
    ["answer of another form", "assessment", { assessmentType: "FOOD", status: "DRAFT", data: { latrines: 1 } }, ["data"]],
  ])("%s", (_name, type, record, expected) => {
    const result = validateRecordData(type, record);
    expect(result.ok ? [] : result.issues.map((i) => i.path.join("."))).toEqual(expected);
  });

  it("entities have no form data", () => {
    expect(validateRecordData("entity", { data: { anything: 1 } }).ok).toBe(true);
  });

  it("maps statuses to form modes", () => {
    expect(formModeForStatus("SUBMITTED")).toBe("submitted");
    expect(formModeForStatus("DELIVERED")).toBe("submitted");
    expect(formModeForStatus("DRAFT")).toBe("draft");
    expect(formModeForStatus("PLANNED")).toBe("draft");
  });
});

describe("every assessment type validates its own complete fixture only", () => {
  it.each(ASSESSMENT_TYPES)("%s fixture fails on other forms", (type: AssessmentType) => {
    for (const other of ASSESSMENT_TYPES) {
      if (other === type) continue;
      expect(validateFormData(getAssessmentForm(other), COMPLETE[type], "draft").ok).toBe(false);
    }
  });
});
