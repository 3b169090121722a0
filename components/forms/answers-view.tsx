import type { FormDefinition, Question } from "@/lib/domain/forms";

function optionLabel(q: Question, value: unknown): string {
  return q.options?.find((o) => o.value === value)?.label ?? String(value);
}

/** One answer as text, in the words of the form ("Yes", "Borehole", "12 L", "Rice — 50 kg"). */
export function formatAnswer(q: Question, value: unknown): string | null {
  if (value === undefined || value === null || value === "") return null;
  switch (q.kind) {
    case "boolean":
      return value ? "Yes" : "No";
    case "select":
      return optionLabel(q, value);
    case "multiselect":
      return Array.isArray(value) && value.length ? value.map((v) => optionLabel(q, v)).join(", ") : null;
    case "int":
    case "number":
      return q.unit ? `${value} ${q.unit}` : String(value);
    case "date":
      return typeof value === "string" ? new Date(`${value}T00:00:00`).toLocaleDateString() : String(value);
    default:
      return String(value);
  }
}

function ItemsAnswer({ q, value }: { q: Question; value: unknown }) {
  const rows = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
  if (!rows.length) return <span className="text-slate-500">Not answered</span>;
  const [first, ...rest] = q.itemFields ?? [];
  return (
    <ul className="list-disc pl-5">
      {rows.map((row, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id and are shown in their stored order
        <li key={i}>
          {first ? String(row[first.id] ?? "") : ""}
          {rest.length ? ` — ${rest.map((f) => formatAnswer(f, row[f.id]) ?? "").join(" ")}` : ""}
        </li>
      ))}
    </ul>
  );
}

/** A record's answers, read-only, section by section (a verified record; someone else's). */
export function AnswersView({ form, data }: { form: FormDefinition; data: Record<string, unknown> | undefined }) {
  return (
    <div className="flex flex-col gap-4">
      {form.sections.map((section) => (
        <section key={section.title} className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:p-5">
          <h2 className="mb-2 text-lg font-semibold text-slate-900">{section.title}</h2>
          <dl className="grid grid-cols-1 gap-x-4 gap-y-2 sm:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
            {section.questions.map((q) => {
              const value = data?.[q.id];
              const text = q.kind === "items" ? null : formatAnswer(q, value);
              return (
                <div key={q.id} className="contents">
                  <dt className="text-sm font-medium text-slate-600">{q.label}</dt>
                  <dd className="mb-2 whitespace-pre-wrap text-base text-slate-900 sm:mb-0">
                    {q.kind === "items" ? (
                      <ItemsAnswer q={q} value={value} />
                    ) : (
                      (text ?? <span className="text-slate-500">Not answered</span>)
                    )}
                  </dd>
                </div>
              );
            })}
          </dl>
        </section>
      ))}
    </div>
  );
}
