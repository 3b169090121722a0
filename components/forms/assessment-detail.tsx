"use client";
import { useLiveQuery } from "dexie-react-hooks";
import Link from "next/link";
import { RecordStateBadge } from "@/components/records/record-state-badge";
import type { FieldSyncDb } from "@/lib/client/db/field-sync-db";
import type { AnyLocalRow } from "@/lib/client/db/types";
import { draftKeys } from "@/lib/client/forms/drafts";
import { getAssessmentForm } from "@/lib/domain/forms";
import { ASSESSMENT_TYPE_LABEL, labelOf, RESPONSE_TYPE_LABEL } from "@/lib/domain/labels";
import { ASSESSMENT_TYPES, type AssessmentType } from "@/lib/protocol";
import type { StatusAction } from "./edit-record";
import { RecordDetail, type RecordPageConfig, type RecordPageContext } from "./record-detail";
import { NotHere } from "./screen-parts";

const PATH = /^\/assessments\/([^/]+)/;

const DRAFT_ACTIONS: readonly StatusAction[] = [
  { label: "Submit", mode: "submitted", status: "SUBMITTED" },
  { label: "Save draft", mode: "draft" },
];
const SUBMITTED_ACTIONS: readonly StatusAction[] = [{ label: "Save changes", mode: "submitted" }];
const NO_TOP = {};

function ResponsesOf({ db, assessmentOfflineId }: { db: FieldSyncDb; assessmentOfflineId: string }) {
  const responses = useLiveQuery(
    () =>
      db.responses
        .where("assessmentOfflineId")
        .equals(assessmentOfflineId)
        .filter((r) => !r.localDeleted)
        .toArray(),
    [db, assessmentOfflineId],
  );
  if (!responses?.length) return null;
  return (
    <section className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:p-5">
      <h2 className="mb-2 text-lg font-semibold text-slate-900">Responses</h2>
      <ul className="flex flex-col gap-2">
        {responses.map((r) => (
          <li key={r.offlineId} className="flex flex-wrap items-center gap-2">
            <Link href={`/responses/${r.offlineId}`} className="font-medium text-brand-700 underline">
              {labelOf(RESPONSE_TYPE_LABEL, r.responseType)} — {r.status === "DELIVERED" ? "delivered" : "planned"}
            </Link>
            <RecordStateBadge row={r} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function configure(row: AnyLocalRow, { db, entity, role }: RecordPageContext) {
  const type = row.assessmentType as AssessmentType;
  if (!(ASSESSMENT_TYPES as readonly string[]).includes(type)) {
    return <NotHere title="Unknown assessment type">This assessment has a type this version of the app does not know.</NotHere>;
  }
  const entityName = entity?.name ?? "Entity";
  const changed = typeof row.updatedAt === "string" ? ` · last changed ${new Date(row.updatedAt).toLocaleString()}` : "";
  return {
    form: getAssessmentForm(type),
    title: `${labelOf(ASSESSMENT_TYPE_LABEL, type)} assessment`,
    subtitle: `${entityName} · ${row.status === "SUBMITTED" ? "Submitted" : "Draft"}${changed}`,
    back: `/entities/${encodeURIComponent(String(row.entityId ?? ""))}`,
    backLabel: entityName,
    writer: "ASSESSOR",
    draftKey: draftKeys.assessment(row.offlineId),
    actions: row.status === "SUBMITTED" ? SUBMITTED_ACTIONS : DRAFT_ACTIONS,
    initialTop: NO_TOP,
    noun: "assessment",
    before:
      role === "RESPONDER" ? (
        <div>
          <Link
            href={`/responses/new?assessment=${encodeURIComponent(row.offlineId)}`}
            className="inline-flex min-h-11 items-center rounded-lg bg-brand-600 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-700"
          >
            Record a response
          </Link>
        </div>
      ) : null,
    after: <ResponsesOf db={db} assessmentOfflineId={row.offlineId} />,
  } satisfies RecordPageConfig<typeof NO_TOP>;
}

/** `/assessments/<offlineId>`: an assessment with its state and photos; editable by assessors until verified. */
export function AssessmentDetail() {
  return <RecordDetail type="assessment" path={PATH} configure={configure} />;
}
