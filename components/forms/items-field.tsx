"use client";
import { type Control, type FieldError, useFieldArray } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { emptyRow, type InputRow } from "@/lib/client/forms/form-values";
import { DEFAULT_MAX_ITEMS } from "@/lib/domain/forms";
import { describedBy, ErrorText, fieldIds, HelpText, RequiredMark } from "./field-parts";
import { type FieldProps, QuestionField } from "./question-field";

type RowErrors = Record<string, FieldError | undefined> | undefined;
type ItemsError = FieldError & { root?: FieldError } & Record<number, RowErrors>;

/** An `items` question: an editable list of rows, each row the question's item fields. */
export function ItemsField(props: FieldProps) {
  const { formId, question: q, name, control, disabled } = props;
  const rows = useFieldArray({ control: control as unknown as Control<Record<string, InputRow[]>>, name });
  const error = props.error as ItemsError | undefined;
  const listMessage = error?.message ?? error?.root?.message;
  const ids = fieldIds(formId, name);
  const max = q.maxItems ?? DEFAULT_MAX_ITEMS;
  const rowLabel = q.itemFields?.[0]?.label ?? "Item";

  return (
    <fieldset className="flex flex-col gap-3" aria-describedby={describedBy(ids, { help: q.help, error: listMessage })}>
      <legend className="text-base font-medium text-slate-800">
        {q.label}
        <RequiredMark required={q.required} spoken />
      </legend>
      <HelpText id={ids.help}>{q.help}</HelpText>
      {rows.fields.length === 0 ? <p className="text-sm text-slate-600">No {q.label.toLowerCase()} yet.</p> : null}
      <ol className="flex flex-col gap-3">
        {rows.fields.map((row, index) => (
          <li key={row.id}>
            <fieldset className="grid grid-cols-1 gap-3 rounded-lg border border-slate-200 p-3 sm:grid-cols-[2fr_1fr_1fr]">
              <legend className="px-1 text-sm font-semibold text-slate-700">
                {rowLabel} {index + 1}
              </legend>
              {(q.itemFields ?? []).map((f) => (
                <QuestionField key={f.id} {...props} question={f} name={`${name}.${index}.${f.id}`} error={error?.[index]?.[f.id]} />
              ))}
              <div className="sm:col-span-3">
                <Button variant="ghost" disabled={disabled} onClick={() => rows.remove(index)} className="text-red-700">
                  Remove {rowLabel.toLowerCase()} {index + 1}
                </Button>
              </div>
            </fieldset>
          </li>
        ))}
      </ol>
      <div>
        <Button variant="secondary" disabled={disabled || rows.fields.length >= max} onClick={() => rows.append(emptyRow(q))}>
          Add {rowLabel.toLowerCase()}
        </Button>
      </div>
      <ErrorText id={ids.error} message={listMessage} />
    </fieldset>
  );
}
