import { ASSESSMENT_TYPES, type AssessmentType, type Issue, type JsonObject, type RecordType, toIssues } from "../../protocol";
import { cachedFormDataSchema } from "./form-data-schema";
import { getAssessmentForm, getResponseForm } from "./get-form";
import type { FormDefinition, FormMode } from "./types";

export type ValidateFormDataResult = { ok: true; data: JsonObject } | { ok: false; issues: Issue[] };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Validates form answers. Issue paths are relative to `data` (`["latrines"]`).
 * Output is normalised (text trimmed). In `draft` and `submitted` mode `null` answers are
 * dropped, because a stored record never holds null answers; in `patch` mode they are kept,
 * because there `null` means "clear this answer".
 */
export function validateFormData(form: FormDefinition, data: unknown, mode: FormMode): ValidateFormDataResult {
  if (!isPlainObject(data)) {
    return { ok: false, issues: [{ code: "invalid_type", path: [], message: "Expected an object of answers" }] };
  }
  const result = cachedFormDataSchema(form, mode).safeParse(data);
  if (!result.success) return { ok: false, issues: toIssues(result.error.issues) };
  const parsed = result.data as JsonObject;
  if (mode === "patch") return { ok: true, data: parsed };
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(parsed)) if (value !== null && value !== undefined) out[key] = value;
  return { ok: true, data: out };
}

/** SUBMITTED assessments and DELIVERED responses must be complete; everything else is a draft. */
export function formModeForStatus(status: string): "draft" | "submitted" {
  return status === "SUBMITTED" || status === "DELIVERED" ? "submitted" : "draft";
}

function isAssessmentType(value: unknown): value is AssessmentType {
  return typeof value === "string" && (ASSESSMENT_TYPES as readonly string[]).includes(value);
}

/** The form that governs a record's `data`, or an issue when the record names no valid form. */
export function formForRecord(
  type: "assessment" | "response",
  record: { assessmentType?: unknown },
): { ok: true; form: FormDefinition } | { ok: false; issues: Issue[] } {
  if (type === "response") return { ok: true, form: getResponseForm() };
  if (isAssessmentType(record.assessmentType)) return { ok: true, form: getAssessmentForm(record.assessmentType) };
  return {
    ok: false,
    issues: [{ code: "invalid_value", path: ["assessmentType"], message: "Unknown assessment type" }],
  };
}

/**
 * Validates the `data` of a whole record (after a create, a merge or a resolution) in the mode
 * its `status` implies. Issue paths are record paths (`["data", "latrines"]`), as the push
 * result and the conflict API report them.
 */
export function validateRecordData(
  type: RecordType,
  record: { assessmentType?: unknown; status?: unknown; data?: unknown },
): ValidateFormDataResult {
  if (type === "entity") return { ok: true, data: {} };
  const found = formForRecord(type, record);
  if (!found.ok) return found;
  const mode = formModeForStatus(typeof record.status === "string" ? record.status : "");
  const result = validateFormData(found.form, record.data ?? {}, mode);
  if (result.ok) return result;
  return { ok: false, issues: result.issues.map((issue) => ({ ...issue, path: ["data", ...issue.path] })) };
}
