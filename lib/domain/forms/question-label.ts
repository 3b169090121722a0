import type { FieldPath } from "../../protocol";
import { findQuestion, getForm, isFormId } from "./get-form";
import type { FormDefinition, FormId } from "./types";

/** Labels of top-level record fields, for every record type. */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  name: "Name",
  type: "Type",
  lga: "LGA",
  ward: "Ward",
  latitude: "Latitude",
  longitude: "Longitude",
  autoApprove: "Auto-approve submissions",
  entityId: "Entity",
  assessmentType: "Assessment type",
  assessmentId: "Assessment",
  assessmentOfflineId: "Assessment",
  responseType: "Response type",
  status: "Status",
  data: "Answers",
  version: "Version",
  verificationStatus: "Verification",
};

/**
 * A human label for a field path: `data.latrines` → "Functional latrines", `status` → "Status".
 * Deeper paths from validation issues (`data.items.0.quantity`) read "Items #1 — Quantity".
 * Unknown paths fall back to the path itself, so a label is always available.
 * `formOrType` null means "no form" (entities).
 */
export function questionLabel(formOrType: FormDefinition | FormId | null, path: FieldPath | readonly (string | number)[]): string {
  const segments = typeof path === "string" ? path.split(".") : path.map(String);
  const [head, key, ...rest] = segments;
  if (head === undefined || head === "") return "";
  if (head !== "data" || key === undefined) return FIELD_LABELS[head] ?? segments.join(".");

  const form = formOrType === null ? undefined : isFormId(formOrType) ? getForm(formOrType) : formOrType;
  const question = form ? findQuestion(form, key) : undefined;
  if (!question) return [key, ...rest].join(".");

  const [index, field] = rest;
  if (index === undefined) return question.label;
  const position = /^\d+$/.test(index) ? ` #${Number(index) + 1}` : ` ${index}`;
  if (field === undefined) return `${question.label}${position}`;
  const sub = question.itemFields?.find((f) => f.id === field);
  return `${question.label}${position} — ${sub?.label ?? field}`;
}
