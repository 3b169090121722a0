"use client";
import { type ReactNode, useRef, useState } from "react";
import { PhotoPicker } from "@/components/media/photo-picker";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import type { FieldSyncDb } from "@/lib/client/db/field-sync-db";
import type { JsonObject } from "@/lib/client/db/types";
import type { FormData, FormValues } from "@/lib/client/forms/form-values";
import type { ValidationMode } from "@/lib/client/forms/record-form-resolver";
import type { FormDefinition } from "@/lib/domain/forms";
import type { MediaParentType } from "@/lib/protocol";
import { RecordForm } from "./record-form";
import { type FormDraft, useFormDraft } from "./use-form-draft";

/** What a save receives: the parsed answers, the fields beside the form, and the draft to commit. */
export interface SaveContext<Top extends JsonObject> {
  data: FormData;
  top: Top;
  offlineId: string;
  /** The answers the edit started from (an existing record's, when the form was first opened). */
  base: FormData;
  commit: FormDraft["commit"];
}

export interface EditorAction<Top extends JsonObject> {
  label: string;
  mode: ValidationMode;
  onSave: (ctx: SaveContext<Top>) => Promise<void>;
}

interface Props<Top extends JsonObject> {
  db: FieldSyncDb;
  form: FormDefinition;
  draftKey: string;
  parentType: MediaParentType;
  /** An existing record's offlineId; absent for a new record (the draft's or a new one is used). */
  offlineId?: string;
  /** The inputs when there is no draft (the record's answers, or empty). */
  recordValues: FormValues;
  /** The record's answers (the base of the patch); {} for a new record. */
  recordData: FormData;
  /** Fields beside the questions (a response's type), restored from the draft too. */
  initialTop: Top;
  renderTop?: (top: Top, setTop: (top: Top) => void) => ReactNode;
  /** A message when the fields beside the questions block saving. */
  checkTop?: (top: Top, mode: ValidationMode) => string | null;
  actions: readonly EditorAction<Top>[];
  /** Buttons after the actions (delete). */
  extraButtons?: ReactNode;
}

function readMeta<Top extends JsonObject>(meta: JsonObject | undefined, fallbackTop: Top, fallbackBase: FormData) {
  const top = (meta?.top as Top | undefined) ?? fallbackTop;
  const base = (meta?.base as FormData | undefined) ?? fallbackBase;
  return { top, base };
}

/**
 * A record's form with its draft and photos: what is typed is kept on this device as it is typed
 * and restored when the form opens again; "Discard draft" (confirmed) returns to the saved record
 * (for a new record: to an empty form, photos removed).
 */
export function RecordEditor<Top extends JsonObject>(props: Props<Top>) {
  const draft = useFormDraft(props.db, props.draftKey, props.offlineId);
  if (!draft.ready) return <p className="text-slate-600">Loading…</p>;
  // Keyed by the form only: saving or discarding must not remount the form under the user.
  return <LoadedEditor key={props.draftKey} {...props} draft={draft} />;
}

function LoadedEditor<Top extends JsonObject>({
  db,
  form,
  parentType,
  offlineId,
  recordValues,
  recordData,
  initialTop,
  renderTop,
  checkTop,
  actions,
  extraButtons,
  draft,
}: Props<Top> & { draft: FormDraft }) {
  const restored = draft.restored;
  const start = readMeta(restored?.meta, initialTop, recordData);
  const [formKey, setFormKey] = useState(0);
  const [top, setTopState] = useState<Top>(start.top);
  const [topError, setTopError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [restoredAt, setRestoredAt] = useState(restored?.updatedAt);
  const values = useRef<FormValues>((restored?.values as FormValues | undefined) ?? recordValues);
  const base = useRef<FormData>(start.base);
  const isNew = offlineId === undefined;

  const meta = (t: Top): JsonObject => ({ top: t, base: base.current });
  const setTop = (next: Top) => {
    setTopState(next);
    setTopError(null);
    draft.save(values.current, meta(next));
  };

  async function discard() {
    setConfirming(false);
    await draft.discard();
    values.current = recordValues;
    base.current = recordData;
    setTopState(initialTop);
    setRestoredAt(undefined);
    setFormKey((k) => k + 1);
  }

  const formActions = actions.map((action) => ({
    label: action.label,
    mode: action.mode,
    onValid: async (data: FormData) => {
      const problem = checkTop?.(top, action.mode) ?? null;
      setTopError(problem);
      if (problem) return;
      await action.onSave({ data, top, offlineId: draft.offlineId, base: base.current, commit: draft.commit });
      // An existing record stays open: later edits are measured from what was just saved.
      base.current = data;
      setRestoredAt(undefined);
    },
  }));

  return (
    <div className="flex flex-col gap-4">
      {restoredAt ? (
        <Alert>Restored what you typed on this device ({new Date(restoredAt).toLocaleString()}). It is not saved to the record yet.</Alert>
      ) : null}
      <RecordForm
        key={formKey}
        form={form}
        defaultValues={values.current}
        actions={formActions}
        onValuesChange={(v) => {
          values.current = v;
          draft.save(v, meta(top));
        }}
        header={
          renderTop ? (
            <div className="flex flex-col gap-1">
              {renderTop(top, setTop)}
              {topError ? (
                <p className="text-sm font-medium text-red-700" role="alert">
                  {topError}
                </p>
              ) : null}
            </div>
          ) : null
        }
        extraButtons={
          <>
            {draft.exists ? (
              <Button variant="ghost" onClick={() => setConfirming(true)}>
                Discard draft
              </Button>
            ) : null}
            {extraButtons}
          </>
        }
      >
        <PhotoPicker
          db={db}
          parentType={parentType}
          parentOfflineId={draft.offlineId}
          onCaptured={isNew ? () => draft.saveNow(values.current, meta(top)) : undefined}
        />
      </RecordForm>
      <ConfirmDialog
        open={confirming}
        title="Discard this draft?"
        confirmLabel="Discard draft"
        onConfirm={() => void discard()}
        onCancel={() => setConfirming(false)}
      >
        {isNew
          ? "Everything typed in this form and the photos taken for it will be deleted from this device."
          : "The changes typed since the last save will be lost. The saved record and its photos stay."}
      </ConfirmDialog>
    </div>
  );
}
