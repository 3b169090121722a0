"use client";
import { type ReactNode, useMemo, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import type { FieldSyncDb } from "@/lib/client/db/field-sync-db";
import type { AnyLocalRow, JsonObject } from "@/lib/client/db/types";
import { deleteDraft } from "@/lib/client/forms/drafts";
import { type FormData, recordPatch, toFormValues } from "@/lib/client/forms/form-values";
import type { ValidationMode } from "@/lib/client/forms/record-form-resolver";
import { removeMedia } from "@/lib/client/media/remove-media";
import { deleteRecord, updateRecord } from "@/lib/client/outbox/local-writes";
import { getDeviceSession, notifyLocalWrite } from "@/lib/client/session";
import type { FormDefinition } from "@/lib/domain/forms";
import { type EditorAction, RecordEditor } from "./record-editor";

export interface StatusAction {
  label: string;
  mode: ValidationMode;
  /** The status the record gets; absent keeps it. */
  status?: string;
}

interface Props<Top extends JsonObject> {
  db: FieldSyncDb;
  type: "assessment" | "response";
  row: AnyLocalRow;
  form: FormDefinition;
  draftKey: string;
  actions: readonly StatusAction[];
  /** Fields beside the questions and their values on the record. */
  initialTop: Top;
  renderTop?: (top: Top, setTop: (top: Top) => void) => ReactNode;
  checkTop?: (top: Top, mode: ValidationMode) => string | null;
  /** "assessment" / "response", for the delete confirmation. */
  noun: string;
  onDeleted: () => void;
}

/**
 * The form of a record on this device, saved as a patch of only what changed (updateRecord),
 * and its deletion after a confirmation.
 */
export function EditRecord<Top extends JsonObject>({
  db,
  type,
  row,
  form,
  draftKey,
  actions,
  initialTop,
  renderTop,
  checkTop,
  noun,
  onDeleted,
}: Props<Top>) {
  const offlineId = row.offlineId;
  const recordData = (row.data ?? {}) as FormData;
  const [notice, setNotice] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  // The inputs are drawn from the record once, when the form opens; later pulls do not overwrite typing.
  const [recordValues] = useState(() => toFormValues(form, recordData));
  const currentStatus = row.status;

  const editorActions = useMemo(
    () =>
      actions.map(
        (action): EditorAction<Top> => ({
          label: action.label,
          mode: action.mode,
          onSave: async ({ data, base, top, commit }) => {
            const before = { ...initialTop, status: currentStatus } as Record<string, unknown>;
            const after = { ...top, status: action.status ?? currentStatus } as Record<string, unknown>;
            const patch = recordPatch(form, { base, data, before, after });
            await commit(
              async () => {
                if (Object.keys(patch).length) await updateRecord(db, type, offlineId, patch);
              },
              { keepOpen: true },
            );
            if (!Object.keys(patch).length) {
              setNotice("Nothing changed.");
              return;
            }
            notifyLocalWrite();
            setNotice("Changes saved on this device.");
          },
        }),
      ),
    [actions, initialTop, currentStatus, form, db, type, offlineId],
  );

  async function remove() {
    setDeleting(false);
    await deleteRecord(db, type, offlineId);
    await deleteDraft(db, draftKey);
    const media = getDeviceSession()?.media;
    for (const photo of await db.media.where("parentOfflineId").equals(offlineId).toArray()) {
      await removeMedia(db, photo.offlineId, media);
    }
    notifyLocalWrite();
    onDeleted();
  }

  return (
    <>
      {notice ? <Alert>{notice}</Alert> : null}
      <RecordEditor<Top>
        db={db}
        form={form}
        draftKey={draftKey}
        parentType={type}
        offlineId={offlineId}
        recordValues={recordValues}
        recordData={recordData}
        initialTop={initialTop}
        renderTop={renderTop}
        checkTop={checkTop}
        actions={editorActions}
        extraButtons={
          <Button variant="ghost" className="text-red-700" onClick={() => setDeleting(true)}>
            Delete {noun}
          </Button>
        }
      />
      <ConfirmDialog
        open={deleting}
        title={`Delete this ${noun}?`}
        confirmLabel={`Delete ${noun}`}
        onConfirm={() => void remove()}
        onCancel={() => setDeleting(false)}
      >
        The {noun} and its answers will be deleted
        {row.serverVersion ? " here and, once this device syncs, on the server" : " from this device"}. Photos not yet sent are lost with
        it.
      </ConfirmDialog>
    </>
  );
}
