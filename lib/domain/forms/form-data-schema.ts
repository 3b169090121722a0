/**
 * Builds the zod schema of a form's `data` from its definition. The schema is strict: an unknown
 * key is an error, never silently dropped (it would be a typo or a question from another form).
 */
import { z } from "zod";
import { listQuestions } from "./get-form";
import type { FormDefinition, FormMode, Question } from "./types";

export const DEFAULT_TEXT_MAX_LENGTH = 200;
export const DEFAULT_LONGTEXT_MAX_LENGTH = 2000;
export const DEFAULT_MAX_ITEMS = 100;

/** Missing or null answers read "Required" rather than zod's type-mismatch text. */
const typeError = {
  error: (issue: { input?: unknown }) => (issue.input == null ? "Required" : undefined),
};

function optionValues(q: Question): [string, ...string[]] {
  const values = (q.options ?? []).map((o) => o.value);
  if (values.length === 0) throw new Error(`Question ${q.id} (${q.kind}) has no options`);
  return values as [string, ...string[]];
}

function withBounds<S extends z.ZodNumber>(schema: S, q: Question): S {
  let out = schema;
  if (q.min !== undefined) out = out.min(q.min) as S;
  if (q.max !== undefined) out = out.max(q.max) as S;
  return out;
}

function textSchema(q: Question, complete: boolean, defaultMax: number): z.ZodType {
  const s = z
    .string(typeError)
    .trim()
    .max(q.maxLength ?? defaultMax);
  return complete && q.required ? s.min(1, { error: "Required" }) : s;
}

/**
 * The schema of one answer (never null/undefined: optionality is decided by the caller).
 * `complete` adds the submit-time rules of required questions (non-empty text, ≥ 1 entry).
 */
export function questionSchema(q: Question, complete: boolean): z.ZodType {
  switch (q.kind) {
    case "int":
      return withBounds(z.int(typeError), q);
    case "number":
      return withBounds(z.number(typeError), q);
    case "boolean":
      return z.boolean(typeError);
    case "text":
      return textSchema(q, complete, DEFAULT_TEXT_MAX_LENGTH);
    case "longtext":
      return textSchema(q, complete, DEFAULT_LONGTEXT_MAX_LENGTH);
    case "date":
      return z.iso.date(typeError);
    case "select":
      return z.enum(optionValues(q), typeError);
    case "multiselect": {
      const values = optionValues(q);
      const s = z
        .array(z.enum(values), typeError)
        .max(q.maxItems ?? values.length)
        .refine((xs) => new Set(xs).size === xs.length, { error: "Duplicate choice" });
      return complete && q.required ? s.refine((xs) => xs.length > 0, { error: "Required" }) : s;
    }
    case "items": {
      const fields = q.itemFields ?? [];
      if (fields.length === 0) throw new Error(`Question ${q.id} (items) has no itemFields`);
      // A row is always whole, even in a draft: a half-typed row lives in the UI, not in data.
      const row = z.strictObject(Object.fromEntries(fields.map((f) => [f.id, questionSchema(f, true)])));
      const s = z.array(row, typeError).max(q.maxItems ?? DEFAULT_MAX_ITEMS);
      return complete && q.required ? s.min(1, { error: "At least one item is required" }) : s;
    }
  }
}

/**
 * The schema of a whole `data` object.
 * - `partial: true` (drafts, patches): every answer optional and nullable (`null` clears it).
 * - `partial: false` (submission): required answers present and non-null; the others optional
 *   and nullable.
 */
export function formDataSchema(form: FormDefinition, options: { partial: boolean }) {
  const complete = !options.partial;
  const shape: Record<string, z.ZodType> = {};
  for (const q of listQuestions(form)) {
    const answer = questionSchema(q, complete);
    shape[q.id] = complete && q.required ? answer : answer.nullable().optional();
  }
  return z.strictObject(shape);
}

/** Schemas are pure functions of (form, mode); cache them since forms are static data. */
const cache = new WeakMap<FormDefinition, Partial<Record<"partial" | "complete", z.ZodType>>>();

export function cachedFormDataSchema(form: FormDefinition, mode: FormMode): z.ZodType {
  const key = mode === "submitted" ? "complete" : "partial";
  let entry = cache.get(form);
  if (!entry) {
    entry = {};
    cache.set(form, entry);
  }
  let schema = entry[key];
  if (!schema) {
    schema = formDataSchema(form, { partial: key === "partial" });
    entry[key] = schema;
  }
  return schema;
}
