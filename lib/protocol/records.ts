/**
 * Server records as they travel in pull changes, push results and conflict details.
 * Timestamps are ISO strings; `deletedAt` is null for live records. Record schemas strip
 * unknown keys (they are read, not written), so a newer server may add fields without breaking
 * an older client.
 */
import { z } from "zod";
import {
  allowedMediaTypeSchema,
  assessmentStatusSchema,
  assessmentTypeSchema,
  autoResolutionMethodSchema,
  conflictKindSchema,
  conflictStatusSchema,
  entityTypeSchema,
  mediaParentTypeSchema,
  recordTypeSchema,
  resolutionStrategySchema,
  responseStatusSchema,
  responseTypeSchema,
  roleSchema,
  verificationStatusSchema,
} from "./codes";
import {
  fieldPathSchema,
  idSchema,
  isoDateTimeSchema,
  jsonObjectSchema,
  latitudeSchema,
  longitudeSchema,
  MAX_INT4,
  sha256HexSchema,
} from "./primitives";

/** Record version: 1 on creation, +1 on every change that alters the record. */
export const versionSchema = z.int().min(1).max(MAX_INT4);

const timestamps = {
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
  deletedAt: isoDateTimeSchema.nullable(),
};

export const entityRecordSchema = z.object({
  id: idSchema,
  offlineId: idSchema,
  name: z.string(),
  type: entityTypeSchema,
  lga: z.string(),
  ward: z.string(),
  latitude: latitudeSchema,
  longitude: longitudeSchema,
  autoApprove: z.boolean(),
  version: versionSchema,
  ...timestamps,
});
export type EntityRecord = z.infer<typeof entityRecordSchema>;

const verification = {
  verificationStatus: verificationStatusSchema,
  verifiedById: idSchema.nullable().optional(),
  verifiedAt: isoDateTimeSchema.nullable().optional(),
  verificationNote: z.string().nullable().optional(),
};

export const assessmentRecordSchema = z.object({
  id: idSchema,
  offlineId: idSchema,
  entityId: idSchema,
  assessorId: idSchema,
  assessmentType: assessmentTypeSchema,
  status: assessmentStatusSchema,
  /** Form answers keyed by question id (lib/domain/forms). */
  data: jsonObjectSchema,
  version: versionSchema,
  ...verification,
  ...timestamps,
});
export type AssessmentRecord = z.infer<typeof assessmentRecordSchema>;

export const responseRecordSchema = z.object({
  id: idSchema,
  offlineId: idSchema,
  /** Both ids of the assessment are always resolved on the server, whichever the client sent. */
  assessmentId: idSchema,
  assessmentOfflineId: idSchema,
  /** Always equal to the assessment's entityId (ENTITY_MISMATCH otherwise). */
  entityId: idSchema,
  responderId: idSchema,
  responseType: responseTypeSchema,
  status: responseStatusSchema,
  data: jsonObjectSchema,
  version: versionSchema,
  ...verification,
  ...timestamps,
});
export type ResponseRecord = z.infer<typeof responseRecordSchema>;

/** Any record a client can write (the `record` of push results and conflict states). */
export const syncRecordSchema = z.union([entityRecordSchema, assessmentRecordSchema, responseRecordSchema]);
export type SyncRecord = z.infer<typeof syncRecordSchema>;

export const mediaRecordSchema = z.object({
  id: idSchema,
  offlineId: idSchema,
  parentType: mediaParentTypeSchema,
  parentId: idSchema,
  parentOfflineId: idSchema,
  /** The parent's entity; decides who may see the media. */
  entityId: idSchema,
  filename: z.string(),
  mimeType: allowedMediaTypeSchema,
  size: z.int().min(0),
  sha256: sha256HexSchema,
  /** Where to GET the bytes (`/api/media/:id`); may be relative to the app origin. */
  url: z.string().min(1),
  capturedAt: isoDateTimeSchema.nullable(),
  latitude: latitudeSchema.nullable(),
  longitude: longitudeSchema.nullable(),
  createdAt: isoDateTimeSchema,
});
export type MediaRecord = z.infer<typeof mediaRecordSchema>;

export const userSchema = z.object({
  id: idSchema,
  // Not format-checked on the way out: whatever the server stored is what it returns.
  email: z.string().min(1),
  name: z.string(),
  role: roleSchema,
});
export type User = z.infer<typeof userSchema>;

/** A user as named inside other records (`submittedBy`, `resolvedBy`). */
export const userRefSchema = z.object({ id: idSchema, name: z.string() });
export type UserRef = z.infer<typeof userRefSchema>;

/**
 * How a conflict was decided. A coordinator's resolution has `strategy` and `resolvedBy`;
 * a policy decision (status AUTO_RESOLVED) has `method`, `strategy: null` and no `resolvedBy`.
 */
export const conflictResolutionSchema = z.object({
  strategy: resolutionStrategySchema.nullable(),
  method: autoResolutionMethodSchema.nullable().optional(),
  resolvedAt: isoDateTimeSchema,
  resolvedBy: userRefSchema.nullable().optional(),
  /** The record version the resolution wrote; absent when the record did not change. */
  resultVersion: versionSchema.nullable().optional(),
});
export type ConflictResolution = z.infer<typeof conflictResolutionSchema>;

/**
 * A conflict as the device that submitted the edit receives it in pull, so it learns when its
 * "awaiting review" edit was decided (`mutationId` names the edit in its outbox).
 */
export const conflictChangeRecordSchema = z.object({
  id: idSchema,
  type: recordTypeSchema,
  recordId: idSchema,
  recordOfflineId: idSchema,
  status: conflictStatusSchema,
  kind: conflictKindSchema,
  conflictingFields: z.array(fieldPathSchema),
  resolution: conflictResolutionSchema.nullable().optional(),
  mutationId: idSchema,
});
export type ConflictChangeRecord = z.infer<typeof conflictChangeRecordSchema>;
