import { findQuestion, getForm, isFormId, type Question, questionSchema } from "@/lib/domain";

/** How a contested field's custom value is typed: the question (for form answers) or a top-level field. */
export interface FieldInputSpec {
  path: string;
  question: Question | null;
  /** For top-level fields with fixed values (status, types). */
  options?: { value: string; label: string }[];
  required: boolean;
}

const STATUS_OPTIONS: Record<string, { value: string; label: string }[]> = {
  assessment: [
    { value: "DRAFT", label: "Draft" },
    { value: "SUBMITTED", label: "Submitted" },
  ],
  response: [
    { value: "PLANNED", label: "Planned" },
    { value: "DELIVERED", label: "Delivered" },
  ],
};

export function fieldInputSpec(type: string, form: string | null | undefined, path: string, submitted: boolean): FieldInputSpec {
  if (path.startsWith("data.")) {
    const question = form && isFormId(form) ? (findQuestion(getForm(form), path.slice(5)) ?? null) : null;
    return { path, question, required: !!question?.required && submitted };
  }
  if (path === "status") return { path, question: null, options: STATUS_OPTIONS[type], required: true };
  return { path, question: null, required: true };
}

/** The text an input shows for a value. */
export function toInputText(spec: FieldInputSpec, value: unknown): string {
  if (value === null || value === undefined) return "";
  const kind = spec.question?.kind;
  if (kind === "items" || kind === "multiselect" || (typeof value === "object" && value !== null)) return JSON.stringify(value, null, 1);
  return String(value);
}

export type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * Parses what the coordinator typed into the value to send, and checks it with the form's own
 * schema for that question as they type (the server checks the whole record again on resolve).
 */
export function parseCustomValue(spec: FieldInputSpec, text: string): Parsed {
  const q = spec.question;
  const trimmed = text.trim();
  if (trimmed === "")
    return spec.required ? { ok: false, message: "An answer is required for a submitted record" } : { ok: true, value: null };
  let value: unknown = trimmed;
  switch (q?.kind) {
    case "int":
    case "number":
      value = Number(trimmed);
      if (!Number.isFinite(value)) return { ok: false, message: "Enter a number" };
      break;
    case "boolean":
      value = trimmed === "true";
      break;
    case "items":
    case "multiselect":
      try {
        value = JSON.parse(trimmed);
      } catch {
        return { ok: false, message: 'Enter a list, e.g. [{"name":"Rice","quantity":10,"unit":"kg"}]' };
      }
      break;
    case "text":
    case "longtext":
      value = text;
      break;
    default:
      break;
  }
  if (!q) {
    if (spec.options && !spec.options.some((o) => o.value === value)) return { ok: false, message: "Choose one of the options" };
    return { ok: true, value };
  }
  const result = questionSchema(q, spec.required).safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length > 0 ? ` (row ${Number(issue.path[0]) + 1}${issue.path[1] ? `, ${String(issue.path[1])}` : ""})` : "";
    return { ok: false, message: `${issue.message}${where}` };
  }
  return { ok: true, value };
}
