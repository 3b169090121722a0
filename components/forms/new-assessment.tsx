"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { useSessionUser } from "@/components/shell/session-context";
import { usePathId, useSearchParam } from "@/components/shell/use-path-id";
import { Alert } from "@/components/ui/alert";
import type { FieldSyncDb } from "@/lib/client/db/field-sync-db";
import { draftKeys } from "@/lib/client/forms/drafts";
import { emptyValues } from "@/lib/client/forms/form-values";
import { createRecord } from "@/lib/client/outbox/local-writes";
import { getDeviceSession, notifyLocalWrite } from "@/lib/client/session";
import { getAssessmentForm } from "@/lib/domain/forms";
import { ASSESSMENT_TYPE_LABEL } from "@/lib/domain/labels";
import { ASSESSMENT_TYPES, type AssessmentStatus, type AssessmentType } from "@/lib/protocol";
import { type EditorAction, RecordEditor, type SaveContext } from "./record-editor";
import { flashSaved, Loading, NotHere, ScreenHeader, useEntity } from "./screen-parts";

const PATH = /^\/entities\/([^/]+)\/assessments\/new/;

function isAssessmentType(value: unknown): value is AssessmentType {
  return typeof value === "string" && (ASSESSMENT_TYPES as readonly string[]).includes(value);
}

/** `/entities/<id>/assessments/new?type=WASH`: a new assessment of one entity. */
export function NewAssessment() {
  const entityId = usePathId(PATH);
  const type = useSearchParam("type");
  const user = useSessionUser();
  const db = getDeviceSession()?.db;
  const entity = useEntity(db, entityId);

  if (type === undefined || entityId === undefined) return <Loading />;
  const back = `/entities/${encodeURIComponent(entityId)}`;
  if (!isAssessmentType(type)) {
    return (
      <NotHere title="Unknown assessment type" back={back}>
        <p>{type ? `There is no “${type}” assessment.` : "No assessment type was chosen."} Start one of these:</p>
        <ul className="mt-2 flex flex-wrap gap-2">
          {ASSESSMENT_TYPES.map((t) => (
            <li key={t}>
              <Link href={`${back}/assessments/new?type=${t}`} className="text-brand-700 underline">
                {ASSESSMENT_TYPE_LABEL[t]}
              </Link>
            </li>
          ))}
        </ul>
      </NotHere>
    );
  }
  if (user.role !== "ASSESSOR") {
    return (
      <NotHere title="Assessors record assessments" back={back}>
        Signed in as a {user.role.toLowerCase()}, you can read assessments and record responses to them.
      </NotHere>
    );
  }
  if (!db || entity === undefined) return <Loading />;
  if (entity === null || !entity.id) {
    return <NotHere title="Entity not on this device">It is not assigned to you, or it has not arrived yet. Sync, then try again.</NotHere>;
  }
  return <NewAssessmentForm db={db} entityId={entity.id} entityName={entity.name ?? ""} type={type} back={back} />;
}

function NewAssessmentForm({
  db,
  entityId,
  entityName,
  type,
  back,
}: {
  db: FieldSyncDb;
  entityId: string;
  entityName: string;
  type: AssessmentType;
  back: string;
}) {
  const router = useRouter();
  const form = getAssessmentForm(type);
  const [saved, setSaved] = useState(false);
  const recordValues = useMemo(() => emptyValues(form), [form]);

  const actions = useMemo(() => {
    const create =
      (status: AssessmentStatus) =>
      async ({ data, offlineId, commit }: SaveContext<Record<string, never>>) => {
        await commit(() => createRecord(db, "assessment", { entityId, assessmentType: type, status, data }, { offlineId }));
        setSaved(true);
        flashSaved(offlineId);
        notifyLocalWrite();
        router.push(`/assessments/${offlineId}`);
      };
    return [
      { label: "Submit", mode: "submitted", onSave: create("SUBMITTED") },
      { label: "Save draft", mode: "draft", onSave: create("DRAFT") },
    ] satisfies EditorAction<Record<string, never>>[];
  }, [db, entityId, type, router]);

  return (
    <div className="mx-auto flex w-full max-w-2xl flex-col gap-4">
      <ScreenHeader back={back} backLabel={entityName || "Entity"} title={`New ${form.title} assessment`}>
        <p className="text-sm text-slate-600">
          {entityName}. Questions marked <span aria-hidden="true">*</span>
          <span className="sr-only">with a star</span> are needed to submit; a draft can be saved without them.
        </p>
      </ScreenHeader>
      {saved ? <Alert>Saved on this device.</Alert> : null}
      <RecordEditor
        db={db}
        form={form}
        draftKey={draftKeys.newAssessment(entityId, type)}
        parentType="assessment"
        recordValues={recordValues}
        recordData={{}}
        initialTop={{}}
        actions={actions}
      />
    </div>
  );
}
