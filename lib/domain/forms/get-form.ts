import type { AssessmentType } from "../../protocol";
import { foodForm } from "./food-form";
import { healthForm } from "./health-form";
import { populationForm } from "./population-form";
import { responseForm } from "./response-form";
import { securityForm } from "./security-form";
import { shelterForm } from "./shelter-form";
import type { FormDefinition, FormId, Question } from "./types";
import { washForm } from "./wash-form";

export const ASSESSMENT_FORMS: Readonly<Record<AssessmentType, FormDefinition>> = {
  HEALTH: healthForm,
  WASH: washForm,
  SHELTER: shelterForm,
  FOOD: foodForm,
  SECURITY: securityForm,
  POPULATION: populationForm,
};

export function getAssessmentForm(type: AssessmentType): FormDefinition {
  return ASSESSMENT_FORMS[type];
}

export function getResponseForm(): FormDefinition {
  return responseForm;
}

export function getForm(id: FormId): FormDefinition {
  return id === "RESPONSE" ? responseForm : ASSESSMENT_FORMS[id];
}

export function isFormId(value: unknown): value is FormId {
  return value === "RESPONSE" || (typeof value === "string" && Object.hasOwn(ASSESSMENT_FORMS, value));
}

/** Every question of a form, in display order. */
export function listQuestions(form: FormDefinition): Question[] {
  return form.sections.flatMap((section) => section.questions);
}

export function findQuestion(form: FormDefinition, id: string): Question | undefined {
  return listQuestions(form).find((q) => q.id === id);
}
