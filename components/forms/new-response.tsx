"use client";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { useSessionUser } from "@/components/shell/session-context";
import { useSearchParam } from "@/components/shell/use-path-id";
import { Alert } from "@/components/ui/alert";
import type { FieldSyncDb } from "@/lib/client/db/field-sync-db";
import type { AnyLocalRow } from "@/lib/client/db/types";
import { draftKeys } from "@/lib/client/forms/drafts";
import { emptyValues } from "@/lib/client/forms/form-values";
import { createRecord } from "@/lib/client/outbox/local-writes";
import { getDeviceSession, notifyLocalWrite } from "@/lib/client/session";
import { getResponseForm } from "@/lib/domain/forms";
import { ASSESSMENT_TYPE_LABEL, labelOf } from "@/lib/domain/labels";
import type { ResponseStatus } from "@/lib/protocol";
import { type EditorAction, RecordEditor, type SaveContext } from "./record-editor";
import { checkResponseTop, type ResponseTop, renderResponseTop, suggestedResponseType } from "./response-type-select";
import { flashSaved, Loading, NotHere, ScreenHeader, useEntity, useLocalRecord } from "./screen-parts";

/** `/responses/new?assessment=<offlineId>`: a responder plans or records a delivery for an assessment. */
export function NewResponse() {
  const assessmentOfflineId = useSearchParam("assessment");
  const user = useSessionUser();
  const db = getDeviceSession()?.db;
  const assessment = useLocalRecord(db, "assessment", assessmentOfflineId ?? undefined);

  if (assessmentOfflineId === undefined) return <Loading />;
  if (!assessmentOfflineId) return <NotHere title="No assessment chosen">Open an assessment, then choose “Record a response”.</NotHere>;
  if (user.role !== "RESPONDER") {
    return (
      <NotHere title="Responders record responses">
        Signed in as a {user.role.toLowerCase()}, you can read responses but not record them.
      </NotHere>
    );
  }
  if (!db || assessment === undefined) return <Loading />;
  if (assessment === null || typeof assessment.entityId !== "string") {
    return (
      <NotHere title="Assessment not on this device">It is not assigned to you, or it has not arrived yet. Sync, then try again.</NotHere>
    );
  }
  return <NewResponseForm db={db} assessment={assessment} entityId={assessment.entityId} />;
}

function NewResponseForm({ db, assessment, entityId }: { db: FieldSyncDb; assessment: AnyLocalRow; entityId: string }) {
  const router = useRouter();
  const form = getResponseForm();
  const entity = useEntity(db, entityId);
  const [saved, setSaved] = useState(false);
  const recordValues = useMemo(() => emptyValues(form), [form]);
  const assessmentOfflineId = assessment.offlineId;
  const initialTop = useMemo<ResponseTop>(
    () => ({ responseType: suggestedResponseType(assessment.assessmentType) }),
    [assessment.assessmentType],
  );

  const actions = useMemo(() => {
    const create =
      (status: ResponseStatus) =>
      async ({ data, top, offlineId, commit }: SaveContext<ResponseTop>) => {
        await commit(() =>
          createRecord(db, "response", { assessmentOfflineId, entityId, responseType: top.responseType, status, data }, { offlineId }),
        );
        setSaved(true);
        flashSaved(offlineId);
        notifyLocalWrite();
        router.push(`/responses/${offlineId}`);
      };
    return [
      { label: "Save as planned", mode: "draft", onSave: create("PLANNED") },
      { label: "Mark delivered", mode: "submitted", onSave: create("DELIVERED") },
    ] satisfies EditorAction<ResponseTop>[];
  }, [db, assessmentOfflineId, entityId, router]);

  const entityName = entity?.name ?? "Entity";
  return (
    <div className="mx-auto flex w-full max-w-2xl flex-col gap-4">
      <ScreenHeader
        back={`/assessments/${encodeURIComponent(assessmentOfflineId)}`}
        backLabel={`${labelOf(ASSESSMENT_TYPE_LABEL, assessment.assessmentType)} assessment`}
        title="New response"
      >
        <p className="text-sm text-slate-600">
          {entityName}. Save it as planned now and mark it delivered later; delivering needs every starred answer.
        </p>
      </ScreenHeader>
      {saved ? <Alert>Saved on this device.</Alert> : null}
      <RecordEditor<ResponseTop>
        db={db}
        form={form}
        draftKey={draftKeys.newResponse(assessmentOfflineId)}
        parentType="response"
        recordValues={recordValues}
        recordData={{}}
        initialTop={initialTop}
        renderTop={renderResponseTop}
        checkTop={checkResponseTop}
        actions={actions}
      />
    </div>
  );
}
