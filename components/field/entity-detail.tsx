"use client";
import { useLiveQuery } from "dexie-react-hooks";
import Link from "next/link";
import { RecordStateBadge } from "@/components/records/record-state-badge";
import { useSessionUser } from "@/components/shell/session-context";
import { usePathId } from "@/components/shell/use-path-id";
import type { FieldSyncDb } from "@/lib/client/db/field-sync-db";
import type { LocalAssessment, LocalEntity, LocalResponse } from "@/lib/client/db/types";
import { relativeTime } from "@/lib/client/format/relative-time";
import { useNow } from "@/lib/client/hooks/use-now";
import { getDeviceSession } from "@/lib/client/session";
import { ASSESSMENT_TYPE_LABEL, ENTITY_TYPE_LABEL, labelOf, RESPONSE_TYPE_LABEL } from "@/lib/domain/labels";
import { ASSESSMENT_TYPES } from "@/lib/protocol";

const ENTITY_PATH = /^\/entities\/([^/]+)/;

interface EntityView {
  entity: LocalEntity;
  assessments: LocalAssessment[];
  responses: LocalResponse[];
  /** parentOfflineId → number of photos on this device's record of it. */
  photos: Map<string, number>;
}

const visible = (row: { localDeleted?: boolean }) => !row.localDeleted;
const byNewest = (a: { updatedAt?: string }, b: { updatedAt?: string }) => (b.updatedAt ?? "").localeCompare(a.updatedAt ?? "");

async function readEntityView(db: FieldSyncDb, id: string): Promise<EntityView | null> {
  return db.transaction("r", [db.entities, db.assessments, db.responses, db.media], async () => {
    const entity = (await db.entities.where("id").equals(id).first()) ?? (await db.entities.get(id));
    if (!entity || entity.localDeleted) return null;
    const entityId = entity.id ?? id;
    const [assessments, responses] = await Promise.all([
      db.assessments.where("entityId").equals(entityId).filter(visible).toArray(),
      db.responses.where("entityId").equals(entityId).filter(visible).toArray(),
    ]);
    const parents = [...assessments, ...responses].map((r) => r.offlineId);
    const media = parents.length ? await db.media.where("parentOfflineId").anyOf(parents).toArray() : [];
    const photos = new Map<string, number>();
    for (const m of media) photos.set(m.parentOfflineId, (photos.get(m.parentOfflineId) ?? 0) + 1);
    return { entity, assessments: assessments.sort(byNewest), responses: responses.sort(byNewest), photos };
  });
}

function photoText(n: number | undefined): string | null {
  return n ? `${n} photo${n === 1 ? "" : "s"}` : null;
}

/** An entity with its assessments, responses and photos, newest first, and what can be started here. */
export function EntityDetail() {
  const id = usePathId(ENTITY_PATH);
  const user = useSessionUser();
  const db = getDeviceSession()?.db;
  const view = useLiveQuery(async () => (db && id ? readEntityView(db, id) : undefined), [db, id]);
  const now = useNow(60_000);

  if (view === undefined) return <p className="text-slate-600">Loading…</p>;
  if (view === null) {
    return (
      <div className="flex flex-col gap-2">
        <h1 className="text-xl font-bold">Entity not on this device</h1>
        <p className="text-slate-700">It is not assigned to you, or it has not arrived yet. Sync, then try again.</p>
        <Link href="/" className="text-brand-700 underline">
          Back to my entities
        </Link>
      </div>
    );
  }
  const { entity, assessments, responses, photos } = view;
  const assessmentById = new Map(assessments.map((a) => [a.offlineId, a]));
  const canAssess = user.role === "ASSESSOR";

  return (
    <div className="flex flex-col gap-6">
      <div>
        <Link href="/" className="text-sm text-brand-700 underline">
          ← All entities
        </Link>
        <h1 className="mt-1 text-2xl font-bold text-slate-900">{entity?.name}</h1>
        <p className="text-sm text-slate-600">
          {labelOf(ENTITY_TYPE_LABEL, entity?.type)} · {entity?.lga} · {entity?.ward}
        </p>
      </div>

      {canAssess ? (
        <section aria-labelledby="start-heading" className="flex flex-col gap-2">
          <h2 id="start-heading" className="text-lg font-semibold">
            Start an assessment
          </h2>
          <ul className="grid grid-cols-2 gap-2 sm:grid-cols-3">
            {ASSESSMENT_TYPES.map((type) => (
              <li key={type}>
                <Link
                  href={`/entities/${entity?.id}/assessments/new?type=${type}`}
                  className="flex min-h-11 items-center justify-center rounded-lg bg-brand-600 px-3 py-2 text-center text-sm font-semibold text-white hover:bg-brand-700"
                >
                  New {ASSESSMENT_TYPE_LABEL[type]} assessment
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section aria-labelledby="assessments-heading" className="flex flex-col gap-2">
        <h2 id="assessments-heading" className="text-lg font-semibold">
          Assessments ({assessments.length})
        </h2>
        {assessments.length === 0 ? <p className="text-slate-600">None yet.</p> : null}
        <ul className="flex flex-col gap-2">
          {assessments.map((a) => (
            <li
              key={a.offlineId}
              className="relative flex flex-wrap items-center justify-between gap-2 rounded-lg bg-white p-3 ring-1 ring-slate-200"
            >
              <div>
                <Link href={`/assessments/${a.offlineId}`} className="font-medium text-slate-900 after:absolute after:inset-0">
                  {labelOf(ASSESSMENT_TYPE_LABEL, a.assessmentType)} assessment
                </Link>
                <p className="text-sm text-slate-600">
                  {[a.status === "DRAFT" ? "Draft" : "Submitted", relativeTime(a.updatedAt, now), photoText(photos.get(a.offlineId))]
                    .filter(Boolean)
                    .join(" · ")}
                </p>
              </div>
              <RecordStateBadge row={a} />
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="responses-heading" className="flex flex-col gap-2">
        <h2 id="responses-heading" className="text-lg font-semibold">
          Responses ({responses.length})
        </h2>
        {responses.length === 0 ? <p className="text-slate-600">None yet.</p> : null}
        <ul className="flex flex-col gap-2">
          {responses.map((r) => {
            const of = r.assessmentOfflineId ? assessmentById.get(r.assessmentOfflineId) : undefined;
            return (
              <li
                key={r.offlineId}
                className="relative flex flex-wrap items-center justify-between gap-2 rounded-lg bg-white p-3 ring-1 ring-slate-200"
              >
                <div>
                  <Link href={`/responses/${r.offlineId}`} className="font-medium text-slate-900 after:absolute after:inset-0">
                    {labelOf(RESPONSE_TYPE_LABEL, r.responseType)}
                  </Link>
                  <p className="text-sm text-slate-600">
                    {[
                      r.status === "DELIVERED" ? "Delivered" : "Planned",
                      of ? `for ${labelOf(ASSESSMENT_TYPE_LABEL, of.assessmentType)} assessment` : null,
                      relativeTime(r.updatedAt, now),
                      photoText(photos.get(r.offlineId)),
                    ]
                      .filter(Boolean)
                      .join(" · ")}
                  </p>
                </div>
                <RecordStateBadge row={r} />
              </li>
            );
          })}
        </ul>
      </section>
    </div>
  );
}
