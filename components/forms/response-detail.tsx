"use client";
import Link from "next/link";
import type { AnyLocalRow } from "@/lib/client/db/types";
import { draftKeys } from "@/lib/client/forms/drafts";
import { getResponseForm } from "@/lib/domain/forms";
import { labelOf, RESPONSE_TYPE_LABEL } from "@/lib/domain/labels";
import type { StatusAction } from "./edit-record";
import { RecordDetail, type RecordPageConfig, type RecordPageContext } from "./record-detail";
import { checkResponseTop, type ResponseTop, renderResponseTop } from "./response-type-select";

const PATH = /^\/responses\/([^/]+)/;

const PLANNED_ACTIONS: readonly StatusAction[] = [
  { label: "Mark delivered", mode: "submitted", status: "DELIVERED" },
  { label: "Save as planned", mode: "draft" },
];
const DELIVERED_ACTIONS: readonly StatusAction[] = [{ label: "Save changes", mode: "submitted" }];

function configure(row: AnyLocalRow, { entity }: RecordPageContext) {
  const delivered = row.status === "DELIVERED";
  const back = typeof row.assessmentOfflineId === "string" ? `/assessments/${encodeURIComponent(row.assessmentOfflineId)}` : "/";
  return {
    form: getResponseForm(),
    title: `Response: ${labelOf(RESPONSE_TYPE_LABEL, row.responseType)}`,
    subtitle: `${entity?.name ?? "Entity"} · ${delivered ? "Delivered" : "Planned"}`,
    back,
    backLabel: "Assessment",
    writer: "RESPONDER",
    draftKey: draftKeys.response(row.offlineId),
    actions: delivered ? DELIVERED_ACTIONS : PLANNED_ACTIONS,
    initialTop: { responseType: typeof row.responseType === "string" ? row.responseType : "" },
    renderTop: renderResponseTop,
    checkTop: checkResponseTop,
    noun: "response",
    after: (
      <p>
        <Link href={back} className="text-brand-700 underline">
          Open the assessment
        </Link>
      </p>
    ),
  } satisfies RecordPageConfig<ResponseTop>;
}

/** `/responses/<offlineId>`: a response, planned → delivered; editable by responders until verified. */
export function ResponseDetail() {
  return <RecordDetail<ResponseTop> type="response" path={PATH} configure={configure} />;
}
