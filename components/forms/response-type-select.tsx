"use client";
import { useId } from "react";
import type { ValidationMode } from "@/lib/client/forms/record-form-resolver";
import { RESPONSE_TYPE_LABEL } from "@/lib/domain/labels";
import { RESPONSE_TYPES, type ResponseType } from "@/lib/protocol";
import { FieldLabel, INPUT_CLASS } from "./field-parts";

export type ResponseTop = { responseType: string };

/** The response type most assessments of a kind lead to; empty when there is no obvious one. */
export function suggestedResponseType(assessmentType: unknown): string {
  const byAssessment: Record<string, ResponseType> = {
    WASH: "WASH_SUPPLIES",
    FOOD: "FOOD_DISTRIBUTION",
    HEALTH: "HEALTH_SERVICES",
    SHELTER: "SHELTER_KITS",
  };
  return typeof assessmentType === "string" ? (byAssessment[assessmentType] ?? "") : "";
}

export function checkResponseTop(top: ResponseTop, _mode: ValidationMode): string | null {
  return (RESPONSE_TYPES as readonly string[]).includes(top.responseType) ? null : "Choose the response type";
}

/** The response type, above the response form (a record field, not a form question). */
export function ResponseTypeSelect({ top, setTop }: { top: ResponseTop; setTop: (top: ResponseTop) => void }) {
  const id = useId();
  return (
    <div className="flex flex-col gap-1 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:p-5">
      <FieldLabel htmlFor={id} required>
        Response type
      </FieldLabel>
      <select
        id={id}
        aria-required="true"
        value={top.responseType}
        onChange={(e) => setTop({ responseType: e.target.value })}
        className={INPUT_CLASS}
      >
        <option value="">Choose…</option>
        {RESPONSE_TYPES.map((t) => (
          <option key={t} value={t}>
            {RESPONSE_TYPE_LABEL[t]}
          </option>
        ))}
      </select>
    </div>
  );
}

export function renderResponseTop(top: ResponseTop, setTop: (top: ResponseTop) => void) {
  return <ResponseTypeSelect top={top} setTop={setTop} />;
}
