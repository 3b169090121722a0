"use client";
import { type ReactNode, useEffect, useId, useMemo, useRef, useState } from "react";
import { type FieldError, useForm } from "react-hook-form";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import type { FormData, FormValues } from "@/lib/client/forms/form-values";
import { recordFormResolver, type ValidationMode } from "@/lib/client/forms/record-form-resolver";
import type { FormDefinition } from "@/lib/domain/forms";
import { ItemsField } from "./items-field";
import { QuestionField } from "./question-field";

export interface FormAction {
  label: string;
  /** "submitted": the complete schema (Submit, Mark delivered); "draft": the partial one. */
  mode: ValidationMode;
  variant?: "primary" | "secondary";
  /** Runs with the parsed answers once they pass; a thrown error is shown above the buttons. */
  onValid: (data: FormData) => Promise<void> | void;
}

interface Props {
  form: FormDefinition;
  defaultValues: FormValues;
  actions: readonly FormAction[];
  /** Every change the user makes (typing, choosing, adding a row), for saving the draft. */
  onValuesChange?: (values: FormValues) => void;
  /** Shown before the questions (e.g. a response's type). */
  header?: ReactNode;
  /** Shown after the questions, before the buttons (photos). */
  children?: ReactNode;
  /** Extra buttons after the actions (discard, delete). */
  extraButtons?: ReactNode;
}

function countErrors(errors: unknown): number {
  if (!errors || typeof errors !== "object") return 0;
  if (typeof (errors as FieldError).message === "string") return 1;
  return Object.values(errors).reduce((n: number, e) => n + countErrors(e), 0);
}

/**
 * Any assessment or response form, drawn from its definition: sections as fieldsets, one field
 * per question, messages as you type. Each action validates with its own schema mode; the answers
 * it receives are already parsed (numbers, booleans, trimmed text, no empty answers).
 */
export function RecordForm({ form, defaultValues, actions, onValuesChange, header, children, extraButtons }: Props) {
  const formId = useId();
  const mode = useRef<ValidationMode>("submitted");
  const resolver = useMemo(() => recordFormResolver(form, () => mode.current), [form]);
  const { register, control, handleSubmit, watch, formState } = useForm<FormValues, unknown, FormData>({
    resolver,
    defaultValues,
    mode: "onChange",
    reValidateMode: "onChange",
  });
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const [invalidCount, setInvalidCount] = useState(0);

  const onChange = useRef(onValuesChange);
  onChange.current = onValuesChange;
  useEffect(() => {
    const subscription = watch((values, { name }) => {
      // A change by the user names a field; a reset does not.
      if (name !== undefined) onChange.current?.(values as FormValues);
    });
    return () => subscription.unsubscribe();
  }, [watch]);

  async function run(action: FormAction) {
    mode.current = action.mode;
    setFailure(null);
    setBusy(true);
    try {
      await handleSubmit(
        async (data) => {
          setInvalidCount(0);
          await action.onValid(data);
        },
        (errors) => setInvalidCount(countErrors(errors)),
      )();
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
    } finally {
      mode.current = "submitted";
      setBusy(false);
    }
  }

  const errors = formState.errors;
  return (
    <form
      noValidate
      aria-label={form.title}
      className="flex flex-col gap-5"
      onSubmit={(e) => {
        // Enter in a field must not submit a half-filled assessment.
        e.preventDefault();
      }}
    >
      {header}
      {form.sections.map((section) => (
        <fieldset key={section.title} className="flex flex-col gap-4 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:p-5">
          <legend className="float-left mb-1 w-full text-lg font-semibold text-slate-900">{section.title}</legend>
          {section.questions.map((q) => {
            const props = { formId, question: q, name: q.id, register, control, error: errors[q.id] as FieldError | undefined };
            return q.kind === "items" ? <ItemsField key={q.id} {...props} /> : <QuestionField key={q.id} {...props} />;
          })}
        </fieldset>
      ))}
      {children}
      {invalidCount > 0 ? (
        <Alert tone="error">
          {invalidCount === 1 ? "One answer needs" : `${invalidCount} answers need`} attention — see the messages above.
        </Alert>
      ) : null}
      {failure ? <Alert tone="error">Not saved: {failure}</Alert> : null}
      <div className="flex flex-wrap gap-2">
        {actions.map((action, i) => (
          <Button
            key={action.label}
            variant={action.variant ?? (i === 0 ? "primary" : "secondary")}
            disabled={busy}
            onClick={() => void run(action)}
          >
            {action.label}
          </Button>
        ))}
        {extraButtons}
      </div>
    </form>
  );
}
