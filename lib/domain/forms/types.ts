/**
 * Form definitions are plain data: the server validates `data` with them, the UI renders them,
 * and the conflict resolver labels field paths with them. Question ids are the keys of a
 * record's `data` and must never be renamed once records exist (rename = new question).
 */
import type { AssessmentType } from "../../protocol";

export const QUESTION_KINDS = ["int", "number", "boolean", "text", "longtext", "date", "select", "multiselect", "items"] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

export interface QuestionOption {
  /** Stored value (UPPER_SNAKE); never rename. */
  value: string;
  label: string;
}

export interface Question {
  /** Key in `data`; an identifier (letters, digits). */
  id: string;
  label: string;
  help?: string;
  kind: QuestionKind;
  /** Required to submit (assessment SUBMITTED, response DELIVERED); drafts may omit it. */
  required: boolean;
  /** int/number: inclusive bounds. */
  min?: number;
  max?: number;
  /** text/longtext: maximum length after trimming (defaults 200 / 2000). */
  maxLength?: number;
  /** select/multiselect: the allowed values. */
  options?: readonly QuestionOption[];
  /** Shown after the input, e.g. "L" or "%". */
  unit?: string;
  /** items: the fields of one row; every field of a row is required. */
  itemFields?: readonly Question[];
  /** items/multiselect: maximum number of entries. */
  maxItems?: number;
}

export interface FormSection {
  title: string;
  questions: readonly Question[];
}

/** One form per assessment type, plus the single form shared by every response type. */
export type FormId = AssessmentType | "RESPONSE";

export interface FormDefinition {
  id: FormId;
  title: string;
  sections: readonly FormSection[];
}

/** How strictly `data` is checked. */
export type FormMode =
  /** A draft / planned record: every answer optional; `null` answers are dropped. */
  | "draft"
  /** A submitted assessment / delivered response: required answers present and non-null. */
  | "submitted"
  /** The `data` of an update: every answer optional; `null` kept (it clears that answer). */
  | "patch";
