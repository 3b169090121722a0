"use client";
import { useRouter } from "next/navigation";
import type { ReactNode } from "react";
import { PhotoPicker } from "@/components/media/photo-picker";
import { RecordStateBadge } from "@/components/records/record-state-badge";
import { useSessionUser } from "@/components/shell/session-context";
import { usePathId } from "@/components/shell/use-path-id";
import { Alert } from "@/components/ui/alert";
import type { FieldSyncDb } from "@/lib/client/db/field-sync-db";
import type { AnyLocalRow, JsonObject, LocalEntity } from "@/lib/client/db/types";
import { getDeviceSession } from "@/lib/client/session";
import type { FormDefinition } from "@/lib/domain/forms";
import type { Role } from "@/lib/protocol";
import { AnswersView } from "./answers-view";
import { EditRecord, type StatusAction } from "./edit-record";
import { badgeRow, isVerified, Loading, NotHere, ScreenHeader, useEntity, useLocalRecord, useSavedFlash } from "./screen-parts";

/** How one kind of record is shown; everything else about a record page is shared. */
export interface RecordPageConfig<Top extends JsonObject> {
  form: FormDefinition;
  title: string;
  subtitle: string;
  back: string;
  backLabel: string;
  /** The role that writes this kind of record. */
  writer: Role;
  draftKey: string;
  actions: readonly StatusAction[];
  initialTop: Top;
  renderTop?: (top: Top, setTop: (top: Top) => void) => ReactNode;
  checkTop?: (top: Top, mode: "draft" | "submitted") => string | null;
  noun: string;
  /** Above the form (a link to act on the record). */
  before?: ReactNode;
  /** Below the form. */
  after?: ReactNode;
}

export interface RecordPageContext {
  db: FieldSyncDb;
  entity: LocalEntity | null | undefined;
  role: Role;
}

interface Props<Top extends JsonObject> {
  type: "assessment" | "response";
  path: RegExp;
  /** The page of this record, or what to show instead (a record this app cannot show). */
  configure: (row: AnyLocalRow, ctx: RecordPageContext) => RecordPageConfig<Top> | ReactNode;
}

function isConfig<Top extends JsonObject>(value: unknown): value is RecordPageConfig<Top> {
  return typeof value === "object" && value !== null && "form" in value && "draftKey" in value;
}

/**
 * A record's page: its state, the coordinator's note, its answers and photos — as a form while
 * the signed-in role writes this kind of record and no coordinator has verified it, else read-only.
 */
export function RecordDetail<Top extends JsonObject>({ type, path, configure }: Props<Top>) {
  const offlineId = usePathId(path);
  const justSaved = useSavedFlash(offlineId);
  const user = useSessionUser();
  const router = useRouter();
  const db = getDeviceSession()?.db;
  const row = useLocalRecord(db, type, offlineId);
  const entity = useEntity(db, typeof row?.entityId === "string" ? row.entityId : undefined);

  if (!db || row === undefined) return <Loading />;
  if (row === null) {
    return (
      <NotHere title={`${type === "assessment" ? "Assessment" : "Response"} not on this device`}>
        It was deleted, or it is not assigned to you, or it has not arrived yet. Sync, then try again.
      </NotHere>
    );
  }
  const config = configure(row, { db, entity, role: user.role });
  if (!isConfig<Top>(config)) return <>{config}</>;
  const verified = isVerified(row);
  const editable = user.role === config.writer && !verified;

  return (
    <div className="mx-auto flex w-full max-w-2xl flex-col gap-4">
      <ScreenHeader back={config.back} backLabel={config.backLabel} title={config.title}>
        <p className="text-sm text-slate-600">{config.subtitle}</p>
        <RecordStateBadge row={badgeRow(row)} detailed />
      </ScreenHeader>
      {justSaved ? <Alert>Saved on this device.</Alert> : null}
      {config.before}
      {editable ? (
        <EditRecord<Top>
          db={db}
          type={type}
          row={row}
          form={config.form}
          draftKey={config.draftKey}
          actions={config.actions}
          initialTop={config.initialTop}
          renderTop={config.renderTop}
          checkTop={config.checkTop}
          noun={config.noun}
          onDeleted={() => router.push(config.back)}
        />
      ) : (
        <>
          {verified && user.role === config.writer ? <Alert>Verified by a coordinator: it can no longer be changed.</Alert> : null}
          <AnswersView form={config.form} data={row.data as Record<string, unknown> | undefined} />
          <PhotoPicker db={db} parentType={type} parentOfflineId={row.offlineId} editable={false} />
        </>
      )}
      {config.after}
    </div>
  );
}
