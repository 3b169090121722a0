"use client";
import type { ReactNode } from "react";
import { ApiError } from "@/lib/client/api/http";

export const fieldClass = "min-h-11 rounded-lg border border-slate-300 bg-white px-3 py-2 text-base";

export function SelectField(props: { label: string; name: string; defaultValue?: string; required?: boolean; children: ReactNode }) {
  return (
    <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
      {props.label}
      <select name={props.name} defaultValue={props.defaultValue} required={props.required} className={fieldClass}>
        {props.children}
      </select>
    </label>
  );
}

export function errorText(error: unknown): string {
  return error instanceof ApiError ? error.message : "Could not reach the server. Try again.";
}

export const ROLE_OPTIONS = [
  { value: "ASSESSOR", label: "Field assessor" },
  { value: "RESPONDER", label: "Responder" },
  { value: "COORDINATOR", label: "Coordinator" },
  { value: "ADMIN", label: "Administrator" },
] as const;
