"use client";
import { useId } from "react";
import type { FieldInputSpec } from "./custom-value";

const inputClass =
  "min-h-11 w-full max-w-md rounded-lg border border-slate-300 bg-white px-3 py-2 text-base focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-100";

/** A typed value for one contested field, as its question asks for it; errors shown as you type. */
export function CustomValueInput(props: {
  spec: FieldInputSpec;
  label: string;
  text: string;
  onChange: (text: string) => void;
  error?: string;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const { spec } = props;
  const q = spec.question;
  const common = {
    id,
    "aria-invalid": props.error ? true : undefined,
    "aria-describedby": props.error ? errorId : undefined,
    className: inputClass,
  } as const;
  let control: React.ReactNode;
  const options = q?.options ?? spec.options;
  if (q?.kind === "boolean") {
    control = (
      <select {...common} value={props.text} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">No answer</option>
        <option value="true">Yes</option>
        <option value="false">No</option>
      </select>
    );
  } else if ((q?.kind === "select" || !q) && options) {
    control = (
      <select {...common} value={props.text} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">No answer</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else if (q?.kind === "longtext" || q?.kind === "items" || q?.kind === "multiselect") {
    control = (
      <textarea {...common} rows={q.kind === "longtext" ? 4 : 5} value={props.text} onChange={(e) => props.onChange(e.target.value)} />
    );
  } else {
    const type = q?.kind === "int" || q?.kind === "number" ? "number" : q?.kind === "date" ? "date" : "text";
    control = (
      <input
        {...common}
        type={type}
        inputMode={q?.kind === "int" ? "numeric" : undefined}
        step={q?.kind === "number" ? "any" : undefined}
        value={props.text}
        onChange={(e) => props.onChange(e.target.value)}
      />
    );
  }
  return (
    <div className="mt-2 flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium text-slate-700">
        {props.label}
        {q?.unit ? ` (${q.unit})` : ""}
      </label>
      {control}
      {q?.kind === "items" ? <p className="text-xs text-slate-600">One entry per item: name, quantity and unit, as a list.</p> : null}
      {props.error ? (
        <p id={errorId} className="text-sm text-red-800">
          {props.error}
        </p>
      ) : null}
    </div>
  );
}
