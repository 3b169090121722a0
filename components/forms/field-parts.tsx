import type { ReactNode } from "react";

export const INPUT_CLASS =
  "min-h-11 w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-base shadow-sm focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-100 aria-[invalid=true]:border-red-600 disabled:bg-slate-100";

/** Element ids of one question's parts, derived from the form's id and the answer's path. */
export function fieldIds(formId: string, name: string) {
  const base = `${formId}-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
  return { input: `${base}-input`, help: `${base}-help`, unit: `${base}-unit`, error: `${base}-error` };
}

/** The ids an input is described by: its help, its unit and, when there is one, its error. */
export function describedBy(ids: ReturnType<typeof fieldIds>, parts: { help?: string; unit?: string; error?: string }): string | undefined {
  const list = [parts.help ? ids.help : null, parts.unit ? ids.unit : null, parts.error ? ids.error : null].filter(Boolean);
  return list.length ? list.join(" ") : undefined;
}

/**
 * "*" for the eye. Screen readers hear "required" from aria-required on a single control; a group
 * of radios or checkboxes cannot carry it, so there (`spoken`) the legend says it in words.
 */
export function RequiredMark({ required, spoken = false }: { required: boolean; spoken?: boolean }) {
  if (!required) return null;
  return (
    <>
      <span aria-hidden="true" className="ml-0.5 text-red-700">
        *
      </span>
      {spoken ? <span className="sr-only"> (required)</span> : null}
    </>
  );
}

export function HelpText({ id, children }: { id: string; children?: ReactNode }) {
  return children ? (
    <p id={id} className="text-sm text-slate-600">
      {children}
    </p>
  ) : null;
}

/** The inline message; always in the DOM so a screen reader announces it when it appears. */
export function ErrorText({ id, message }: { id: string; message?: string }) {
  return (
    <p id={id} aria-live="polite" className={message ? "text-sm font-medium text-red-700" : "sr-only"}>
      {message ?? ""}
    </p>
  );
}

/**
 * A control's label, its star beside it rather than inside: the accessible name stays exactly
 * the question ("Functional latrines"), which is how people and tests look a field up.
 */
export function FieldLabel({ htmlFor, required, children }: { htmlFor: string; required: boolean; children: ReactNode }) {
  return (
    <div className="flex items-baseline">
      <label htmlFor={htmlFor} className="text-base font-medium text-slate-800">
        {children}
      </label>
      <RequiredMark required={required} />
    </div>
  );
}
