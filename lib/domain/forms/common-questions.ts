import { MAX_NOTE_LENGTH } from "../../protocol";
import type { Question } from "./types";

/** A count of people, things or events: an integer ≥ 0. */
export function count(id: string, label: string, extra: Partial<Question> = {}): Question {
  return { id, label, kind: "int", required: false, min: 0, ...extra };
}

export function yesNo(id: string, label: string, extra: Partial<Question> = {}): Question {
  return { id, label, kind: "boolean", required: false, ...extra };
}

/** Every form ends with free-text notes (≤ MAX_NOTE_LENGTH characters). */
export const notesQuestion: Question = {
  id: "notes",
  label: "Notes",
  help: "Anything the questions above did not capture.",
  kind: "longtext",
  required: false,
  maxLength: MAX_NOTE_LENGTH,
};
