import { type FormDefinition, findQuestion, getForm, isFormId, questionLabel } from "@/lib/domain";
import type { VerificationItem } from "@/lib/protocol";

function formOf(form: string | null | undefined): FormDefinition | null {
  return form && isFormId(form) ? getForm(form) : null;
}

/** A value as a person reads it: labels of choices, Yes/No, item rows; "No answer" for none. */
export function formatValue(form: string | null | undefined, path: string, value: unknown): string {
  if (value === null || value === undefined || value === "") return "No answer";
  if (path === "assessmentType" && typeof value === "string") return formTitle(value);
  if ((path === "status" || path === "responseType") && typeof value === "string") {
    const words = value.toLowerCase().replaceAll("_", " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  }
  const f = formOf(form);
  const question = f && path.startsWith("data.") ? findQuestion(f, path.slice(5)) : undefined;
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (question?.kind === "select") return question.options?.find((o) => o.value === value)?.label ?? String(value);
  if (question?.kind === "multiselect" && Array.isArray(value)) {
    return value.map((v) => question.options?.find((o) => o.value === v)?.label ?? String(v)).join(", ") || "None";
  }
  if (question?.kind === "items" && Array.isArray(value)) {
    return (
      value
        .map((row) => {
          const r = row as Record<string, unknown>;
          return [r.name, r.quantity, r.unit].filter((x) => x !== undefined).join(" ");
        })
        .join("; ") || "No items"
    );
  }
  if (typeof value === "object") return JSON.stringify(value);
  return `${String(value)}${question?.unit ? ` ${question.unit}` : ""}`;
}

export function formTitle(form: string | null | undefined): string {
  if (!form) return "Entity";
  return formOf(form)?.title ?? form;
}

/** "5 min", "3 h", "2 days": how long ago. */
export function age(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "never";
  const ms = Math.max(0, now - Date.parse(iso));
  const min = Math.round(ms / 60_000);
  if (min < 1) return "just now";
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

export const STRATEGY_LABEL: Record<string, string> = {
  server: "Kept the server's values",
  client: "Took the device's values",
  merge: "Merged (server wins the contested fields)",
  custom: "Chosen field by field",
  SAME_USER_LAST_WRITE: "Automatic: same person, later edit wins",
  DELIVERED_WINS_CLIENT: "Automatic: delivery recorded on the device wins",
  DELIVERED_WINS_SERVER: "Automatic: delivery recorded on the server wins",
  SERVER_WINS: "Automatic: server wins (entity)",
};

/** A field path's label from the record's form ("data.latrines" → "Functional latrines"). */
export function fieldLabel(form: string | null | undefined, path: string): string {
  return questionLabel(form && isFormId(form) ? form : null, path);
}

/** The contested fields of a conflict by their form labels. */
export function conflictFieldLabels(c: { conflictingFields: readonly string[]; form?: string | null }): string {
  const fields = c.conflictingFields.filter((f) => f !== "deletedAt");
  if (fields.length === 0) return "Deleted on one side";
  return fields.map((f) => fieldLabel(c.form, f)).join(", ");
}

/** "3 of 5 photos received"; a file counts only once it arrived whole. */
export function photosLine(photos: VerificationItem["photos"]): string {
  if (photos.expected !== null) {
    if (photos.expected === 0) return "No photos attached";
    return `${photos.received} of ${photos.expected} photos received${photos.received < photos.expected ? " (the rest are still uploading)" : ""}`;
  }
  if (photos.received === 0) return "No photos received";
  return `${photos.received} ${photos.received === 1 ? "photo" : "photos"} received (the device did not say how many to expect)`;
}
