"use client";
import Link from "next/link";
import { useMemo, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ASSESSMENT_FORMS } from "@/lib/domain";
import { age, conflictFieldLabels, formTitle, STRATEGY_LABEL } from "./format-value";
import { ResolveAll } from "./resolve-all";
import { useConflictList, useEntities } from "./use-dashboard-api";

type Tab = "pending" | "decided";

const selectClass = "min-h-11 rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm";

function FilterSelect(props: { label: string; value: string; onChange: (v: string) => void; options: { value: string; label: string }[] }) {
  return (
    <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
      {props.label}
      <select className={selectClass} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">All</option>
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * The conflict queue: pending conflicts newest first with filters and paging, selection for
 * "resolve all", and a second tab auditing what was decided (by people and by policy).
 */
export function ConflictQueue() {
  const [tab, setTab] = useState<Tab>("pending");
  const [form, setForm] = useState("");
  const [entityId, setEntityId] = useState("");
  const [submittedById, setSubmittedById] = useState("");
  const [kind, setKind] = useState("");
  const [selected, setSelected] = useState<Set<string>>(new Set());

  const filters = { status: tab === "pending" ? "PENDING" : "RESOLVED,AUTO_RESOLVED", form, entityId, submittedById, kind };
  const list = useConflictList(filters);
  const entities = useEntities();
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.conflicts) ?? [], [list.data]);

  // Submitters seen so far, plus the one filtered by (a coordinator cannot list all users).
  const seen = useRef(new Map<string, string>());
  const submitters = useMemo(() => {
    for (const r of rows) seen.current.set(r.submittedBy.id, r.submittedBy.name);
    return [...seen.current.entries()].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label));
  }, [rows]);

  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const allOnPage = rows.length > 0 && rows.every((r) => selected.has(r.id));

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h1 className="text-2xl font-bold">Conflicts</h1>
        <div role="tablist" aria-label="Which conflicts" className="flex gap-1 rounded-lg bg-slate-100 p-1">
          {(["pending", "decided"] as const).map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              aria-selected={tab === t}
              className={`min-h-10 rounded-md px-4 text-sm font-semibold ${tab === t ? "bg-white text-brand-700 shadow-sm" : "text-slate-700"}`}
              onClick={() => {
                setTab(t);
                setSelected(new Set());
              }}
            >
              {t === "pending" ? "Waiting for a decision" : "Decided (audit)"}
            </button>
          ))}
        </div>
      </div>

      <fieldset className="flex flex-wrap gap-3">
        <legend className="sr-only">Filters</legend>
        <FilterSelect
          label="Form"
          value={form}
          onChange={setForm}
          options={[
            ...Object.values(ASSESSMENT_FORMS).map((f) => ({ value: f.id, label: f.title })),
            { value: "RESPONSE", label: "Aid response" },
          ]}
        />
        <FilterSelect
          label="Entity"
          value={entityId}
          onChange={setEntityId}
          options={(entities.data?.entities ?? []).map((e) => ({ value: e.id, label: e.name }))}
        />
        <FilterSelect label="Submitted by" value={submittedById} onChange={setSubmittedById} options={submitters} />
        <FilterSelect
          label="Kind"
          value={kind}
          onChange={setKind}
          options={[
            { value: "UPDATE", label: "Both edited" },
            { value: "DELETION", label: "Deleted on one side" },
          ]}
        />
      </fieldset>

      {tab === "pending" ? <ResolveAll selected={rows.filter((r) => selected.has(r.id))} onDone={() => setSelected(new Set())} /> : null}

      {list.isError ? <Alert tone="error">Could not load the conflicts: {list.error.message}</Alert> : null}
      {list.isPending ? <p className="text-slate-600">Loading…</p> : null}
      {!list.isPending && rows.length === 0 ? (
        <p className="rounded-lg bg-white p-6 text-slate-600 ring-1 ring-slate-200">
          {tab === "pending" ? "No conflicts are waiting for a decision." : "No decisions match these filters."}
        </p>
      ) : null}

      {rows.length > 0 ? (
        <div className="overflow-x-auto rounded-xl bg-white ring-1 ring-slate-200">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">{tab === "pending" ? "Conflicts waiting for a decision" : "Decided conflicts"}</caption>
            <thead className="bg-slate-50 text-slate-700">
              <tr>
                {tab === "pending" ? (
                  <th scope="col" className="p-3">
                    <input
                      type="checkbox"
                      aria-label="Select all on this page"
                      className="size-5"
                      checked={allOnPage}
                      onChange={() => setSelected(allOnPage ? new Set() : new Set(rows.map((r) => r.id)))}
                    />
                  </th>
                ) : null}
                <th scope="col" className="p-3">
                  Form
                </th>
                <th scope="col" className="p-3">
                  Entity
                </th>
                <th scope="col" className="p-3">
                  Submitted by
                </th>
                <th scope="col" className="p-3">
                  Contested fields
                </th>
                <th scope="col" className="p-3">
                  {tab === "pending" ? "Waiting" : "Decision"}
                </th>
                <th scope="col" className="p-3">
                  <span className="sr-only">Open</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id} className="border-t border-slate-100 align-top" data-testid="conflict-row">
                  {tab === "pending" ? (
                    <td className="p-3">
                      <input
                        type="checkbox"
                        className="size-5"
                        aria-label={`Select the ${formTitle(c.form)} conflict at ${c.entity?.name ?? "an entity"}`}
                        checked={selected.has(c.id)}
                        onChange={() => toggle(c.id)}
                      />
                    </td>
                  ) : null}
                  <td className="p-3">
                    {formTitle(c.form)}
                    {c.kind === "DELETION" ? (
                      <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-900">Deletion</span>
                    ) : null}
                  </td>
                  <td className="p-3">{c.entity?.name}</td>
                  <td className="p-3">
                    {c.submittedBy.name}
                    <span className="block text-xs text-slate-600" title={c.deviceId}>
                      Device {c.deviceId.slice(-6)}
                    </span>
                  </td>
                  <td className="p-3">{conflictFieldLabels(c)}</td>
                  <td className="p-3">
                    {tab === "pending" ? (
                      <span title={c.detectedAt}>{age(c.detectedAt)}</span>
                    ) : (
                      <span>
                        {STRATEGY_LABEL[c.resolution?.strategy ?? c.resolution?.method ?? ""] ?? "Decided"}
                        <span className="block text-xs text-slate-600">
                          {c.resolution?.resolvedBy?.name ?? "By policy"} · {age(c.resolution?.resolvedAt)}
                          {c.resolution?.resultVersion ? ` · version ${c.resolution.resultVersion}` : " · record unchanged"}
                        </span>
                      </span>
                    )}
                  </td>
                  <td className="p-3">
                    <Link href={`/conflicts/${c.id}`} className="font-semibold text-brand-700 underline">
                      {tab === "pending" ? "Review" : "View"}
                      <span className="sr-only"> the conflict at {c.entity?.name}</span>
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {list.hasNextPage ? (
        <Button variant="secondary" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {list.isFetchingNextPage ? "Loading…" : "Show more"}
        </Button>
      ) : null}
    </div>
  );
}
