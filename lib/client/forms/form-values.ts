/**
 * The one place where what a form's inputs hold (strings, as typed) becomes a record's `data`
 * (numbers, booleans, arrays), and back.
 *
 * Contracts:
 * - An empty input is an absent answer, never `""` or `0`: the schema then says "Required" for a
 *   required question and nothing for an optional one.
 * - Text that is not a number stays NaN (not absent), so the schema reports "Enter a number"
 *   instead of silently dropping what the user typed.
 * - Rows of an `items` question keep their positions (an error on row 2 belongs to row 2); only
 *   blank rows at the end are dropped, since nothing follows them.
 */

import { type FormDefinition, listQuestions, type Question } from "@/lib/domain/forms";
import { deepEqual } from "@/lib/domain/merge/deep-equal";

export type InputRow = Record<string, string>;
/** What one question's input holds: a string, the chosen values of a checkbox group, or rows. */
export type InputValue = string | string[] | InputRow[];
export type FormValues = Record<string, InputValue>;
export type FormData = Record<string, unknown>;

const INT = /^[-+]?\d+$/;
const DECIMAL = /^[-+]?(\d+([.,]\d*)?|[.,]\d+)$/;

/** `"12"` → 12, `"2,5"` → 2.5 (a decimal comma is common on phones), `"abc"` → NaN. */
export function parseNumber(text: string): number {
  const t = text.trim();
  if (INT.test(t)) return Number(t);
  if (DECIMAL.test(t)) return Number(t.replace(",", "."));
  return Number.NaN;
}

function emptyInput(q: Question): InputValue {
  return q.kind === "multiselect" || q.kind === "items" ? [] : "";
}

/** Inputs of a form with nothing filled in. */
export function emptyValues(form: FormDefinition): FormValues {
  return Object.fromEntries(listQuestions(form).map((q) => [q.id, emptyInput(q)]));
}

/** An empty row of an `items` question. */
export function emptyRow(q: Question): InputRow {
  return Object.fromEntries((q.itemFields ?? []).map((f) => [f.id, ""]));
}

function answerToInput(q: Question, answer: unknown): InputValue {
  if (answer === undefined || answer === null) return emptyInput(q);
  switch (q.kind) {
    case "multiselect":
      return Array.isArray(answer) ? answer.map(String) : [];
    case "items":
      return Array.isArray(answer)
        ? answer.map((row) => {
            const r = (typeof row === "object" && row !== null ? row : {}) as Record<string, unknown>;
            return Object.fromEntries((q.itemFields ?? []).map((f) => [f.id, answerToInput(f, r[f.id]) as string]));
          })
        : [];
    default:
      return String(answer);
  }
}

/** The inputs showing a record's answers. */
export function toFormValues(form: FormDefinition, data: FormData | undefined): FormValues {
  return Object.fromEntries(listQuestions(form).map((q) => [q.id, answerToInput(q, data?.[q.id])]));
}

function isBlankRow(row: InputRow | undefined): boolean {
  return !row || Object.values(row).every((v) => typeof v !== "string" || v.trim() === "");
}

/** One input as an answer; undefined = not answered. */
function inputToAnswer(q: Question, input: unknown): unknown {
  switch (q.kind) {
    case "int":
    case "number": {
      if (typeof input === "number") return input;
      const text = typeof input === "string" ? input.trim() : "";
      return text === "" ? undefined : parseNumber(text);
    }
    case "boolean":
      return input === "true" || input === true ? true : input === "false" || input === false ? false : undefined;
    case "multiselect": {
      const values = Array.isArray(input) ? input.filter((v): v is string => typeof v === "string") : [];
      return values.length ? values : undefined;
    }
    case "items": {
      const rows = Array.isArray(input) ? [...(input as InputRow[])] : [];
      while (rows.length && isBlankRow(rows.at(-1))) rows.pop();
      if (!rows.length) return undefined;
      return rows.map((row) => {
        const out: FormData = {};
        for (const f of q.itemFields ?? []) {
          const v = inputToAnswer(f, row?.[f.id]);
          if (v !== undefined) out[f.id] = v;
        }
        return out;
      });
    }
    default: {
      if (typeof input !== "string") return undefined;
      return input.trim() === "" ? undefined : input;
    }
  }
}

/** The answers the inputs hold, unvalidated (validation is the form schema's job). */
export function toFormData(form: FormDefinition, values: Partial<FormValues> | Record<string, unknown>): FormData {
  const data: FormData = {};
  for (const q of listQuestions(form)) {
    const answer = inputToAnswer(q, values[q.id]);
    if (answer !== undefined) data[q.id] = answer;
  }
  return data;
}

/**
 * The `data` patch from `before` to `after`: only the answers that changed; an answer removed
 * becomes `null` (which clears it, PROTOCOL §3). Empty when nothing changed.
 */
export function answerPatch(form: FormDefinition, before: FormData | undefined, after: FormData): FormData {
  const patch: FormData = {};
  for (const q of listQuestions(form)) {
    const was = before?.[q.id] ?? undefined;
    const now = after[q.id] ?? undefined;
    if (!deepEqual(was, now)) patch[q.id] = now === undefined ? null : now;
  }
  return patch;
}

/**
 * The patch of an edit: top-level fields (`status`, `responseType`) whose value changed, and under
 * `data` the answers that changed since `base` (the answers the edit started from — not the
 * record's current ones, so a change pulled meanwhile is never reverted). Empty: nothing to save.
 */
export function recordPatch(
  form: FormDefinition,
  edit: { base: FormData | undefined; data: FormData; before?: Record<string, unknown>; after?: Record<string, unknown> },
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(edit.after ?? {})) {
    if (value !== undefined && !deepEqual(edit.before?.[field], value)) patch[field] = value;
  }
  const data = answerPatch(form, edit.base, edit.data);
  if (Object.keys(data).length) patch.data = data;
  return patch;
}
