import type { ResolverOptions } from "react-hook-form";
import { describe, expect, it } from "vitest";
import {
  answerPatch,
  emptyValues,
  type FormValues,
  parseNumber,
  recordPatch,
  toFormData,
  toFormValues,
} from "@/lib/client/forms/form-values";
import { recordFormResolver, type ValidationMode } from "@/lib/client/forms/record-form-resolver";
import { foodForm, responseForm, shelterForm, validateFormData, washForm } from "@/lib/domain/forms";

const options = {
  fields: {},
  shouldUseNativeValidation: false,
  criteriaMode: "firstError",
  names: undefined,
} as unknown as ResolverOptions<FormValues>;

async function resolve(form = washForm, values: FormValues, mode: ValidationMode) {
  const result = await recordFormResolver(form, () => mode)(values, undefined, options);
  const messages = Object.fromEntries(
    Object.entries(result.errors).map(([k, v]) => [k, (v as { message?: string })?.message ?? v]),
  ) as Record<string, unknown>;
  return { values: result.values, errors: result.errors, messages };
}

const WASH_INPUT: FormValues = {
  ...emptyValues(washForm),
  waterSource: "BOREHOLE",
  functionalBoreholes: " 2 ",
  litresPerPersonPerDay: "12,5",
  latrines: "14",
  openDefecationObserved: "false",
  notes: "  Queue at the borehole.  ",
};

describe("parseNumber", () => {
  it.each([
    ["12", 12],
    [" -3 ", -3],
    ["2.5", 2.5],
    ["2,5", 2.5],
    [".5", 0.5],
    ["abc", Number.NaN],
    ["1e3", Number.NaN],
    ["1.2.3", Number.NaN],
  ])("%j → %d", (text, expected) => {
    expect(parseNumber(text)).toBe(expected);
  });
});

describe("inputs → answers", () => {
  it("converts every kind and drops empty inputs", () => {
    expect(toFormData(washForm, WASH_INPUT)).toEqual({
      waterSource: "BOREHOLE",
      functionalBoreholes: 2,
      litresPerPersonPerDay: 12.5,
      latrines: 14,
      openDefecationObserved: false,
      notes: "  Queue at the borehole.  ",
    });
    expect(toFormData(washForm, emptyValues(washForm))).toEqual({});
    expect(toFormData(shelterForm, { shelterTypes: ["TENTS", "OPEN_AIR"], nfiNeeded: [] })).toEqual({
      shelterTypes: ["TENTS", "OPEN_AIR"],
    });
    expect(toFormData(foodForm, { lastDistributionDate: "2026-03-01", marketFunctional: "true" })).toEqual({
      lastDistributionDate: "2026-03-01",
      marketFunctional: true,
    });
  });

  it("keeps text that is not a number as NaN, so the schema can say so", () => {
    expect(toFormData(washForm, { latrines: "many" }).latrines).toBeNaN();
  });

  it("keeps item rows in place and drops only blank rows at the end", () => {
    const rows = [
      { name: "", quantity: "", unit: "" },
      { name: "Rice", quantity: "50", unit: "kg" },
      { name: " ", quantity: "", unit: "" },
    ];
    expect(toFormData(responseForm, { items: rows }).items).toEqual([{}, { name: "Rice", quantity: 50, unit: "kg" }]);
    expect(toFormData(responseForm, { items: [{ name: "", quantity: "", unit: "" }] })).toEqual({});
  });

  it("round-trips a record's answers through the inputs", () => {
    const data = {
      items: [{ name: "Rice", quantity: 50, unit: "kg" }],
      beneficiaries: 120,
      deliveryDate: "2026-02-03",
      notes: "ok",
    };
    const values = toFormValues(responseForm, data);
    expect(values).toEqual({
      items: [{ name: "Rice", quantity: "50", unit: "kg" }],
      beneficiaries: "120",
      deliveryDate: "2026-02-03",
      notes: "ok",
    });
    expect(toFormData(responseForm, values)).toEqual(data);
    expect(toFormValues(washForm, { openDefecationObserved: true }).openDefecationObserved).toBe("true");
    expect(toFormValues(shelterForm, undefined).shelterTypes).toEqual([]);
  });
});

describe("answerPatch", () => {
  it("holds only the changed answers; a removed answer is null", () => {
    const before = { waterSource: "WELL", latrines: 3, notes: "x", functionalBoreholes: 1 };
    const after = { waterSource: "WELL", latrines: 4, functionalBoreholes: 1, openDefecationObserved: true };
    expect(answerPatch(washForm, before, after)).toEqual({ latrines: 4, notes: null, openDefecationObserved: true });
    expect(answerPatch(washForm, before, { ...before })).toEqual({});
    expect(answerPatch(washForm, undefined, {})).toEqual({});
  });

  it("is a patch the form's patch schema accepts", () => {
    const patch = answerPatch(washForm, { notes: "x" }, { latrines: 2 });
    expect(validateFormData(washForm, patch, "patch")).toEqual({ ok: true, data: { latrines: 2, notes: null } });
  });
});

describe("recordFormResolver", () => {
  it("passes a complete WASH form and hands over the parsed answers (trimmed text)", async () => {
    const { values, errors } = await resolve(washForm, WASH_INPUT, "submitted");
    expect(errors).toEqual({});
    expect(values).toEqual({
      waterSource: "BOREHOLE",
      functionalBoreholes: 2,
      litresPerPersonPerDay: 12.5,
      latrines: 14,
      openDefecationObserved: false,
      notes: "Queue at the borehole.",
    });
  });

  it("submit needs every required answer; a draft does not", async () => {
    const empty = emptyValues(washForm);
    const submitted = await resolve(washForm, empty, "submitted");
    expect(submitted.messages).toEqual({
      waterSource: "Required",
      functionalBoreholes: "Required",
      latrines: "Required",
      openDefecationObserved: "Required",
    });
    const draft = await resolve(washForm, empty, "draft");
    expect(draft.errors).toEqual({});
    expect(draft.values).toEqual({});
  });

  it.each([
    ["latrines", "many", "Enter a number"],
    ["latrines", "2.5", "Enter a whole number"],
    ["latrines", "-1", "Must be 0 or more"],
    ["litresPerPersonPerDay", "abc", "Enter a number"],
    ["litresPerPersonPerDay", "501", "Must be 500 or less"],
    ["waterSource", "LAKE", "Choose one of the options"],
    ["notes", "x".repeat(2001), "Keep it to 2000 characters"],
  ])("%s = %.10j reads %j, in a draft too", async (field, input, message) => {
    for (const mode of ["draft", "submitted"] as const) {
      const { messages } = await resolve(washForm, { ...WASH_INPUT, [field]: input }, mode);
      expect(messages[field]).toBe(message);
    }
  });

  it("reports an invalid date in plain words", async () => {
    const { messages } = await resolve(foodForm, { lastDistributionDate: "2026-02-30" }, "draft");
    expect(messages.lastDistributionDate).toBe("Enter a date");
  });

  it("puts item errors on the row and field they belong to", async () => {
    const { errors } = await resolve(
      responseForm,
      {
        items: [
          { name: "Rice", quantity: "50", unit: "kg" },
          { name: "Soap", quantity: "0", unit: "" },
        ],
        beneficiaries: "10",
      },
      "draft",
    );
    const items = errors.items as unknown as Array<Record<string, { message: string }> | undefined>;
    expect(items[0]).toBeUndefined();
    expect(items[1]?.quantity.message).toBe("Must be 1 or more");
    expect(items[1]?.unit.message).toBe("Required");
  });

  it("a delivery needs at least one item", async () => {
    const { messages } = await resolve(responseForm, { items: [], beneficiaries: "10" }, "submitted");
    expect(messages.items).toBe("Required");
  });

  it("validates in the mode asked for at the time of the call", async () => {
    let mode: ValidationMode = "draft";
    const resolver = recordFormResolver(washForm, () => mode);
    expect((await resolver(emptyValues(washForm), undefined, options)).errors).toEqual({});
    mode = "submitted";
    expect(Object.keys((await resolver(emptyValues(washForm), undefined, options)).errors)).toContain("latrines");
  });
});

describe("recordPatch", () => {
  it("holds the changed top-level fields and the changed answers only", () => {
    const base = { latrines: 3, waterSource: "WELL" };
    expect(
      recordPatch(washForm, {
        base,
        data: { latrines: 4, waterSource: "WELL" },
        before: { status: "DRAFT" },
        after: { status: "SUBMITTED" },
      }),
    ).toEqual({ status: "SUBMITTED", data: { latrines: 4 } });
    expect(recordPatch(washForm, { base, data: { ...base }, before: { status: "SUBMITTED" }, after: { status: "SUBMITTED" } })).toEqual({});
    expect(
      recordPatch(responseForm, { base: {}, data: {}, before: { responseType: "NFI" }, after: { responseType: "SHELTER_KITS" } }),
    ).toEqual({
      responseType: "SHELTER_KITS",
    });
  });
});
