import "server-only";
import type { Assessment, Entity, Media, Response as ResponseRow } from "@/lib/generated/prisma/client";
import type { AssessmentRecord, EntityRecord, MediaRecord, ResponseRecord } from "@/lib/protocol";

// Database rows → the protocol's records. The one place that decides what a client sees.

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);
const asObject = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export function toEntityRecord(row: Entity): EntityRecord {
  return {
    id: row.id,
    offlineId: row.offlineId,
    name: row.name,
    type: row.type,
    lga: row.lga,
    ward: row.ward,
    latitude: row.latitude,
    longitude: row.longitude,
    autoApprove: row.autoApprove,
    version: row.version,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    deletedAt: isoOrNull(row.deletedAt),
  };
}

export function toAssessmentRecord(row: Assessment): AssessmentRecord {
  return {
    id: row.id,
    offlineId: row.offlineId,
    entityId: row.entityId,
    assessorId: row.assessorId,
    assessmentType: row.assessmentType,
    status: row.status,
    data: asObject(row.data),
    version: row.version,
    verificationStatus: row.verificationStatus,
    verifiedById: row.verifiedById,
    verifiedAt: isoOrNull(row.verifiedAt),
    verificationNote: row.verificationNote,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    deletedAt: isoOrNull(row.deletedAt),
  };
}

export function toResponseRecord(row: ResponseRow & { assessment?: { offlineId: string } }, assessmentOfflineId?: string): ResponseRecord {
  return {
    id: row.id,
    offlineId: row.offlineId,
    assessmentId: row.assessmentId,
    assessmentOfflineId: assessmentOfflineId ?? row.assessment?.offlineId ?? row.assessmentId,
    entityId: row.entityId,
    responderId: row.responderId,
    responseType: row.responseType,
    status: row.status,
    data: asObject(row.data),
    version: row.version,
    verificationStatus: row.verificationStatus,
    verifiedById: row.verifiedById,
    verifiedAt: isoOrNull(row.verifiedAt),
    verificationNote: row.verificationNote,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    deletedAt: isoOrNull(row.deletedAt),
  };
}

export function toMediaRecord(row: Media): MediaRecord {
  return {
    id: row.id,
    offlineId: row.offlineId,
    parentType: row.parentType,
    parentId: row.parentId,
    parentOfflineId: row.parentOfflineId,
    entityId: row.entityId,
    filename: row.filename,
    mimeType: row.mimeType as MediaRecord["mimeType"],
    size: Number(row.size),
    sha256: row.sha256,
    url: `/api/media/${row.id}`,
    capturedAt: isoOrNull(row.capturedAt),
    latitude: row.latitude,
    longitude: row.longitude,
    createdAt: iso(row.createdAt),
  };
}
