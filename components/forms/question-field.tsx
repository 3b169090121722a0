"use client";
import { type Control, Controller, type FieldError, type UseFormRegister } from "react-hook-form";
import type { FormData, FormValues } from "@/lib/client/forms/form-values";
import type { Question } from "@/lib/domain/forms";
import { describedBy, ErrorText, FieldLabel, fieldIds, HelpText, INPUT_CLASS, RequiredMark } from "./field-parts";

export interface FieldProps {
  formId: string;
  question: Question;
  /** The answer's path in the form values: the question id, or `items.0.quantity` in a row. */
  name: string;
  register: UseFormRegister<FormValues>;
  control: Control<FormValues, unknown, FormData>;
  error?: FieldError;
  disabled?: boolean;
  /** Overrides the question's label (a row's field in a list). */
  label?: string;
}

const CHOICE_CLASS = "flex min-h-11 items-center gap-3 rounded-lg px-2 text-base text-slate-800 hover:bg-slate-50";
const BOX_CLASS = "h-5 w-5 accent-brand-600";

/** A question with one input: label above, help and unit beside it, the message below. */
function SingleInput({ formId, question: q, name, register, error, disabled, label }: FieldProps) {
  const ids = fieldIds(formId, name);
  const message = error?.message;
  const common = {
    id: ids.input,
    disabled,
    "aria-invalid": message ? true : undefined,
    "aria-required": q.required || undefined,
    "aria-describedby": describedBy(ids, { help: q.help, unit: q.unit, error: message }),
    ...register(name),
  };
  let control: React.ReactNode;
  switch (q.kind) {
    case "int":
    case "number":
      control = (
        <div className="flex items-center gap-2">
          <input
            {...common}
            type="text"
            inputMode={q.kind === "int" && (q.min ?? 0) >= 0 ? "numeric" : "decimal"}
            autoComplete="off"
            className={`${INPUT_CLASS} max-w-40`}
          />
          {q.unit ? (
            <span id={ids.unit} className="text-base text-slate-700">
              {q.unit}
            </span>
          ) : null}
        </div>
      );
      break;
    case "longtext":
      control = <textarea {...common} rows={4} className={INPUT_CLASS} />;
      break;
    case "date":
      control = <input {...common} type="date" className={`${INPUT_CLASS} max-w-56`} />;
      break;
    case "select":
      control = (
        <select {...common} className={INPUT_CLASS}>
          <option value="">Choose…</option>
          {(q.options ?? []).map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      );
      break;
    default:
      control = <input {...common} type="text" autoComplete="off" className={INPUT_CLASS} />;
  }
  return (
    <div className="flex flex-col gap-1">
      <FieldLabel htmlFor={ids.input} required={q.required}>
        {label ?? q.label}
      </FieldLabel>
      <HelpText id={ids.help}>{q.help}</HelpText>
      {control}
      <ErrorText id={ids.error} message={message} />
    </div>
  );
}

/** A group of native radios or checkboxes under a legend (the question). */
function ChoiceGroup({
  formId,
  question: q,
  name,
  error,
  label,
  children,
  radio,
}: FieldProps & { children: React.ReactNode; radio?: boolean }) {
  const ids = fieldIds(formId, name);
  return (
    <fieldset
      role={radio ? "radiogroup" : undefined}
      className="flex flex-col gap-1"
      aria-describedby={describedBy(ids, { help: q.help, error: error?.message })}
    >
      <legend className="text-base font-medium text-slate-800">
        {label ?? q.label}
        <RequiredMark required={q.required} spoken />
      </legend>
      <HelpText id={ids.help}>{q.help}</HelpText>
      <div className="flex flex-wrap gap-x-4">{children}</div>
      <ErrorText id={ids.error} message={error?.message} />
    </fieldset>
  );
}

function YesNo(props: FieldProps) {
  const invalid = props.error?.message ? true : undefined;
  return (
    <ChoiceGroup {...props} radio>
      {[
        ["true", "Yes"],
        ["false", "No"],
      ].map(([value, text]) => (
        <label key={value} className={CHOICE_CLASS}>
          <input
            type="radio"
            value={value}
            className={BOX_CLASS}
            disabled={props.disabled}
            aria-invalid={invalid}
            {...props.register(props.name)}
          />
          {text}
        </label>
      ))}
    </ChoiceGroup>
  );
}

function Choices(props: FieldProps) {
  const invalid = props.error?.message ? true : undefined;
  return (
    <Controller
      name={props.name}
      control={props.control}
      render={({ field }) => {
        const chosen = Array.isArray(field.value) ? (field.value as string[]) : [];
        return (
          <ChoiceGroup {...props}>
            {(props.question.options ?? []).map((o, i) => (
              <label key={o.value} className={CHOICE_CLASS}>
                <input
                  type="checkbox"
                  ref={i === 0 ? field.ref : undefined}
                  className={BOX_CLASS}
                  value={o.value}
                  checked={chosen.includes(o.value)}
                  disabled={props.disabled}
                  aria-invalid={invalid}
                  onBlur={field.onBlur}
                  onChange={(e) => field.onChange(e.target.checked ? [...chosen, o.value] : chosen.filter((v) => v !== o.value))}
                />
                {o.label}
              </label>
            ))}
          </ChoiceGroup>
        );
      }}
    />
  );
}

/** One question of any kind but `items` (ItemsField), drawn from its definition. */
export function QuestionField(props: FieldProps) {
  switch (props.question.kind) {
    case "boolean":
      return <YesNo {...props} />;
    case "multiselect":
      return <Choices {...props} />;
    default:
      return <SingleInput {...props} />;
  }
}
