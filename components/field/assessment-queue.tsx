"use client";
import Link from "next/link";
import { RecordStateBadge } from "@/components/records/record-state-badge";
import type { AssessmentForResponse } from "@/lib/client/db/summaries";
import { relativeTime } from "@/lib/client/format/relative-time";
import { useNow } from "@/lib/client/hooks/use-now";
import { useAssessmentsForResponse } from "@/lib/client/hooks/use-summaries";
import { getDeviceSession } from "@/lib/client/session";
import { ASSESSMENT_TYPE_LABEL, labelOf } from "@/lib/domain/labels";

function progressText(row: AssessmentForResponse): string {
  const delivered = row.responses.filter((r) => r.status === "DELIVERED").length;
  const planned = row.responses.length - delivered;
  if (delivered > 0) return `${delivered} delivered${planned ? `, ${planned} planned` : ""}`;
  if (planned > 0) return `${planned} planned, none delivered yet`;
  return "No response yet";
}

function Row({ row, now }: { row: AssessmentForResponse; now: number }) {
  const { assessment, entity } = row;
  const type = labelOf(ASSESSMENT_TYPE_LABEL, assessment.assessmentType);
  return (
    <li className="relative flex flex-col gap-1 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 focus-within:ring-2 focus-within:ring-brand-500">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h3 className="font-semibold text-slate-900">
          <Link href={`/assessments/${assessment.offlineId}`} className="after:absolute after:inset-0 after:rounded-xl focus:outline-none">
            {type} · {entity?.name ?? "Unknown entity"}
          </Link>
        </h3>
        <RecordStateBadge row={assessment} />
      </div>
      <p className="text-sm text-slate-600">
        Assessed {relativeTime(assessment.updatedAt, now) ?? "—"} · {progressText(row)}
      </p>
    </li>
  );
}

/** The responder's home: submitted assessments in their scope, those still needing aid first. */
export function AssessmentQueue() {
  const rows = useAssessmentsForResponse(getDeviceSession()?.db);
  const now = useNow(60_000);
  if (rows === undefined) return <p className="text-slate-600">Loading…</p>;
  const open = rows.filter((r) => r.needsResponse);
  const done = rows.filter((r) => !r.needsResponse);
  return (
    <div className="flex flex-col gap-6">
      <section aria-labelledby="needs-response" className="flex flex-col gap-3">
        <h1 id="needs-response" className="text-xl font-bold text-slate-900">
          Assessments needing a response ({open.length})
        </h1>
        {open.length === 0 ? (
          <p className="rounded-lg bg-white p-4 text-slate-700 ring-1 ring-slate-200">
            Nothing waiting. New assessments arrive with each sync.
          </p>
        ) : (
          <ul className="flex flex-col gap-3" aria-label="Assessments needing a response">
            {open.map((r) => (
              <Row key={r.assessment.offlineId} row={r} now={now} />
            ))}
          </ul>
        )}
      </section>
      {done.length > 0 ? (
        <section aria-labelledby="delivered" className="flex flex-col gap-3">
          <h2 id="delivered" className="text-lg font-semibold text-slate-900">
            Delivered ({done.length})
          </h2>
          <ul className="flex flex-col gap-3" aria-label="Assessments with a delivery">
            {done.map((r) => (
              <Row key={r.assessment.offlineId} row={r} now={now} />
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
