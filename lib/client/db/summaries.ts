import type { FieldSyncDb } from "./field-sync-db";
import type { LocalAssessment, LocalEntity, LocalResponse } from "./types";

/** What the home list shows of one entity. */
export interface EntitySummary {
  entity: LocalEntity;
  /** The newest assessment of each type (by updatedAt). */
  latestByType: Record<string, LocalAssessment>;
  /** Records with changes not yet accepted by the server (queued or being sent). */
  unsent: number;
  /** Refused by the server (parked) or awaiting a coordinator (conflict). */
  attention: number;
  /** Rejected by a coordinator: needs correcting. */
  rejected: number;
}

const visible = (row: { localDeleted?: boolean }) => !row.localDeleted;
const newer = (a?: string, b?: string) => (a ?? "") > (b ?? "");

function tally(summary: EntitySummary, row: LocalAssessment | LocalResponse): void {
  if (row.syncState === "pending") summary.unsent++;
  else if (row.syncState === "parked" || row.syncState === "conflict") summary.attention++;
  if (row.verificationStatus === "REJECTED") summary.rejected++;
}

/** One pass over the device's scope; a few thousand rows at most, so no index is needed. */
export async function listEntitySummaries(db: FieldSyncDb): Promise<EntitySummary[]> {
  return db.transaction("r", [db.entities, db.assessments, db.responses], async () => {
    const [entities, assessments, responses] = await Promise.all([
      db.entities.filter(visible).sortBy("name"),
      db.assessments.filter(visible).toArray(),
      db.responses.filter(visible).toArray(),
    ]);
    const byId = new Map<string, EntitySummary>();
    const summaries = entities.map((entity) => {
      const summary: EntitySummary = { entity, latestByType: {}, unsent: 0, attention: 0, rejected: 0 };
      if (entity.id) byId.set(entity.id, summary);
      return summary;
    });
    for (const a of assessments) {
      const summary = a.entityId ? byId.get(a.entityId) : undefined;
      if (!summary) continue;
      tally(summary, a);
      const type = a.assessmentType;
      if (type && newer(a.updatedAt, summary.latestByType[type]?.updatedAt)) summary.latestByType[type] = a;
      else if (type && !summary.latestByType[type]) summary.latestByType[type] = a;
    }
    for (const r of responses) {
      const summary = r.entityId ? byId.get(r.entityId) : undefined;
      if (summary) tally(summary, r);
    }
    return summaries;
  });
}

/** An assessment as a responder sees it: which entity, and how far the aid has come. */
export interface AssessmentForResponse {
  assessment: LocalAssessment;
  entity: LocalEntity | undefined;
  responses: LocalResponse[];
  /** No response yet, or only planned ones. */
  needsResponse: boolean;
}

/**
 * Submitted assessments with their responses; the ones still needing a delivery first, oldest
 * first among them (they have waited longest), then the rest newest first.
 */
export async function listAssessmentsForResponse(db: FieldSyncDb): Promise<AssessmentForResponse[]> {
  return db.transaction("r", [db.entities, db.assessments, db.responses], async () => {
    const [entities, assessments, responses] = await Promise.all([
      db.entities.filter(visible).toArray(),
      db.assessments.filter((a) => visible(a) && a.status === "SUBMITTED").toArray(),
      db.responses.filter(visible).toArray(),
    ]);
    const entityById = new Map(entities.filter((e) => e.id).map((e) => [e.id as string, e]));
    const responsesOf = new Map<string, LocalResponse[]>();
    for (const r of responses) {
      if (!r.assessmentOfflineId) continue;
      const list = responsesOf.get(r.assessmentOfflineId) ?? [];
      list.push(r);
      responsesOf.set(r.assessmentOfflineId, list);
    }
    const rows = assessments.map((assessment) => {
      const own = responsesOf.get(assessment.offlineId) ?? [];
      return {
        assessment,
        entity: assessment.entityId ? entityById.get(assessment.entityId) : undefined,
        responses: own,
        needsResponse: !own.some((r) => r.status === "DELIVERED"),
      };
    });
    return rows.sort((a, b) => {
      if (a.needsResponse !== b.needsResponse) return a.needsResponse ? -1 : 1;
      const order = (a.assessment.updatedAt ?? "").localeCompare(b.assessment.updatedAt ?? "");
      return a.needsResponse ? order : -order;
    });
  });
}
