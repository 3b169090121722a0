"use client";
import Link from "next/link";
import { useId, useMemo, useState } from "react";
import { RecordStateBadge } from "@/components/records/record-state-badge";
import type { EntitySummary } from "@/lib/client/db/summaries";
import { relativeTime } from "@/lib/client/format/relative-time";
import { useNow } from "@/lib/client/hooks/use-now";
import { useEntitySummaries } from "@/lib/client/hooks/use-summaries";
import { getDeviceSession } from "@/lib/client/session";
import { ASSESSMENT_TYPE_LABEL, ENTITY_TYPE_LABEL, labelOf } from "@/lib/domain/labels";
import { ASSESSMENT_TYPES, ENTITY_TYPES } from "@/lib/protocol";

function Counter({ n, label, tone }: { n: number; label: string; tone: string }) {
  if (n === 0) return null;
  return <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${tone}`}>{`${n} ${label}`}</span>;
}

function EntityCard({ summary, now }: { summary: EntitySummary; now: number }) {
  const { entity, latestByType } = summary;
  const latest = ASSESSMENT_TYPES.filter((t) => latestByType[t]);
  return (
    <li className="relative rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 focus-within:ring-2 focus-within:ring-brand-500">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="text-base font-semibold text-slate-900">
          {/* The whole card is the link's target area (after:inset-0); its name stays short. */}
          <Link href={`/entities/${entity.id}`} className="after:absolute after:inset-0 after:rounded-xl focus:outline-none">
            {entity.name}
          </Link>
        </h2>
        <span className="text-xs text-slate-600">
          {labelOf(ENTITY_TYPE_LABEL, entity.type)} · {entity.lga} · {entity.ward}
        </span>
      </div>
      <div className="mt-2 flex flex-wrap gap-1.5">
        <Counter n={summary.unsent} label="unsent" tone="bg-slate-800 text-white" />
        <Counter n={summary.attention} label="need attention" tone="bg-red-100 text-red-900" />
        <Counter n={summary.rejected} label="sent back" tone="bg-amber-100 text-amber-900" />
      </div>
      {latest.length > 0 ? (
        <ul className="mt-2 grid grid-cols-1 gap-1 text-sm sm:grid-cols-2" aria-label={`Latest assessments of ${entity.name}`}>
          {latest.map((type) => {
            const a = latestByType[type];
            return (
              <li key={type} className="flex items-center justify-between gap-2 rounded bg-slate-50 px-2 py-1">
                <span>
                  <span className="font-medium">{ASSESSMENT_TYPE_LABEL[type]}</span>{" "}
                  <span className="text-slate-600">{relativeTime(a.updatedAt, now) ?? ""}</span>
                </span>
                <RecordStateBadge row={a} />
              </li>
            );
          })}
        </ul>
      ) : (
        <p className="mt-2 text-sm text-slate-600">No assessments yet.</p>
      )}
    </li>
  );
}

/** The assessor's home: assigned entities, searchable and filterable, each with its latest assessments. */
export function EntityList() {
  const summaries = useEntitySummaries(getDeviceSession()?.db);
  const now = useNow(60_000);
  const [query, setQuery] = useState("");
  const [lga, setLga] = useState("");
  const [type, setType] = useState("");
  const ids = { search: useId(), lga: useId(), type: useId() };

  const lgas = useMemo(() => [...new Set((summaries ?? []).map((s) => s.entity.lga).filter(Boolean))].sort() as string[], [summaries]);
  const shown = useMemo(() => {
    const q = query.trim().toLocaleLowerCase();
    return (summaries ?? []).filter(
      (s) =>
        (!q || (s.entity.name ?? "").toLocaleLowerCase().includes(q)) &&
        (!lga || s.entity.lga === lga) &&
        (!type || s.entity.type === type),
    );
  }, [summaries, query, lga, type]);

  return (
    <section aria-labelledby="entities-heading" className="flex flex-col gap-3">
      <h1 id="entities-heading" className="text-xl font-bold text-slate-900">
        My entities
      </h1>
      <div className="grid grid-cols-1 gap-2 sm:grid-cols-3">
        <div className="flex flex-col gap-1">
          <label htmlFor={ids.search} className="text-sm font-medium text-slate-700">
            Search by name
          </label>
          <input
            id={ids.search}
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            className="min-h-11 rounded-lg border border-slate-300 bg-white px-3 text-base"
          />
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor={ids.lga} className="text-sm font-medium text-slate-700">
            LGA
          </label>
          <select
            id={ids.lga}
            value={lga}
            onChange={(e) => setLga(e.target.value)}
            className="min-h-11 rounded-lg border border-slate-300 bg-white px-3 text-base"
          >
            <option value="">All LGAs</option>
            {lgas.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor={ids.type} className="text-sm font-medium text-slate-700">
            Type
          </label>
          <select
            id={ids.type}
            value={type}
            onChange={(e) => setType(e.target.value)}
            className="min-h-11 rounded-lg border border-slate-300 bg-white px-3 text-base"
          >
            <option value="">All types</option>
            {ENTITY_TYPES.map((t) => (
              <option key={t} value={t}>
                {ENTITY_TYPE_LABEL[t]}
              </option>
            ))}
          </select>
        </div>
      </div>
      {summaries === undefined ? (
        <p className="text-slate-600">Loading…</p>
      ) : summaries.length === 0 ? (
        <p className="rounded-lg bg-white p-4 text-slate-700 ring-1 ring-slate-200">
          No entities on this device yet. They arrive with the first sync after a coordinator assigns you.
        </p>
      ) : (
        <>
          <p className="text-sm text-slate-600" aria-live="polite">
            {shown.length} of {summaries.length} entities
          </p>
          <ul className="flex flex-col gap-3" aria-label="Entities">
            {shown.map((s) => (
              <EntityCard key={s.entity.offlineId} summary={s} now={now} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
