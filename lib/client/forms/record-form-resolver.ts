/**
 * The react-hook-form resolver of every record form: the inputs are converted to answers
 * (form-values.ts), then checked by the form's own schema (lib/domain/forms) — the same schema the
 * server applies — in the mode the pressed button asks for. Messages are plain words.
 */
import { zodResolver } from "@hookform/resolvers/zod";
import type { Resolver } from "react-hook-form";
import type { z } from "zod";
import { cachedFormDataSchema, type FormDefinition, type FormMode } from "@/lib/domain/forms";
import { type FormData, type FormValues, toFormData } from "./form-values";

type RawIssue = z.core.$ZodRawIssue;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * zod's issue → a sentence for the person filling the form. Undefined keeps the schema's own
 * message ("Required", "Duplicate choice", "At least one item is required").
 */
export function friendlyMessage(issue: RawIssue): string | undefined {
  const i = issue as RawIssue & {
    expected?: string;
    origin?: string;
    minimum?: number | bigint;
    maximum?: number | bigint;
    format?: string;
  };
  switch (i.code) {
    case "invalid_type":
      if (i.input === undefined || i.input === null) return "Required";
      if (i.expected === "int") return "Enter a whole number";
      if (i.expected === "number") return "Enter a number";
      if (i.expected === "boolean") return "Choose yes or no";
      return "This answer is not valid";
    case "too_small":
      if (i.origin === "number") return `Must be ${i.minimum} or more`;
      if (i.origin === "array") return `Choose at least ${i.minimum}`;
      return "Required";
    case "too_big":
      if (i.origin === "number") return `Must be ${i.maximum} or less`;
      if (i.origin === "string") return `Keep it to ${plural(Number(i.maximum), "character", "characters")}`;
      if (i.origin === "array") return `At most ${i.maximum}`;
      return undefined;
    case "invalid_format":
      return i.format === "date" ? "Enter a date" : "This answer is not valid";
    case "invalid_value":
      return "Choose one of the options";
    case "unrecognized_keys":
      return "This form has no such question";
    default:
      return undefined;
  }
}

/** Which schema a button checks with: "submitted" (complete) or "draft" (partial). */
export type ValidationMode = Extract<FormMode, "submitted" | "draft">;

/**
 * A resolver that validates in the mode `getMode()` returns at the time of the call, so one form
 * can check "Submit" completely and "Save draft" partially. On success react-hook-form receives
 * the parsed answers (numbers, booleans, trimmed text; no empty answers).
 */
export function recordFormResolver(form: FormDefinition, getMode: () => ValidationMode): Resolver<FormValues, unknown, FormData> {
  return (values, context, options) => {
    const schema = cachedFormDataSchema(form, getMode()) as z.ZodType<FormData, FormData>;
    const resolve = zodResolver(schema, { error: friendlyMessage }) as unknown as Resolver<FormData, unknown, FormData>;
    return resolve(toFormData(form, values), context, options as never) as ReturnType<Resolver<FormValues, unknown, FormData>>;
  };
}
