/**
 * Conflict review (PROTOCOL §5) and verification. COORDINATOR and ADMIN only.
 */
import { z } from "zod";
import {
  assessmentTypeSchema,
  CONFLICT_LIST_LIMIT_DEFAULT,
  CONFLICT_LIST_LIMIT_MAX,
  conflictKindSchema,
  conflictStatusSchema,
  MAX_NOTE_LENGTH,
  recordTypeSchema,
  resolutionStrategySchema,
  verificationDecisionSchema,
} from "./codes";
import { clampedLimitSchema, emptyToUndefined, fieldPathSchema, idSchema, isoDateTimeSchema, jsonObjectSchema } from "./primitives";
import { conflictResolutionSchema, mediaRecordSchema, syncRecordSchema, userRefSchema, versionSchema } from "./records";

/** `a,b` in a query string → `["a", "b"]`; empty → undefined. */
function commaList(value: unknown): unknown {
  const v = emptyToUndefined(value);
  return typeof v === "string" ? v.split(",").filter(Boolean) : v;
}

/**
 * `GET /api/conflicts?status=&cursor=&limit=` (query-string values). Extension (the dashboard's
 * queue): `status` may list several (`RESOLVED,AUTO_RESOLVED`); `type` (record type), `form`
 * (assessment type, or RESPONSE), `entityId`, `submittedById` and `kind` filter.
 */
export const conflictListQuerySchema = z.object({
  status: z.preprocess(commaList, z.array(conflictStatusSchema).min(1).max(3).optional()),
  type: z.preprocess(emptyToUndefined, recordTypeSchema.optional()),
  form: z.preprocess(emptyToUndefined, z.union([assessmentTypeSchema, z.literal("RESPONSE")]).optional()),
  entityId: z.preprocess(emptyToUndefined, idSchema.optional()),
  submittedById: z.preprocess(emptyToUndefined, idSchema.optional()),
  kind: z.preprocess(emptyToUndefined, conflictKindSchema.optional()),
  cursor: z.preprocess(emptyToUndefined, z.string().max(1024).optional()),
  limit: clampedLimitSchema(CONFLICT_LIST_LIMIT_DEFAULT, CONFLICT_LIST_LIMIT_MAX),
});
export type ConflictListQuery = z.infer<typeof conflictListQuerySchema>;

export const conflictSummarySchema = z.object({
  id: idSchema,
  type: recordTypeSchema,
  recordId: idSchema,
  recordOfflineId: idSchema,
  kind: conflictKindSchema,
  status: conflictStatusSchema,
  /** Paths changed on both sides to different values, sorted. Empty for some DELETION conflicts. */
  conflictingFields: z.array(fieldPathSchema),
  submittedBy: userRefSchema,
  deviceId: idSchema,
  detectedAt: isoDateTimeSchema,
  /** Extension: the record's entity and form (assessment type, or RESPONSE), for the queue. */
  entity: z.object({ id: idSchema, name: z.string() }).optional(),
  form: z.string().nullable().optional(),
  /** Extension: how it was decided (RESOLVED, AUTO_RESOLVED), for the audit tab. */
  resolution: conflictResolutionSchema.nullable().optional(),
});
export type ConflictSummary = z.infer<typeof conflictSummarySchema>;

/** Newest first; `nextCursor` null on the last page. */
export const conflictListResponseSchema = z.object({
  conflicts: z.array(conflictSummarySchema),
  nextCursor: z.string().nullable(),
});
export type ConflictListResponse = z.infer<typeof conflictListResponseSchema>;

/**
 * `GET /api/conflicts/:id`. `base` (snapshot at baseVersion), `server` (the record when the
 * conflict was detected) and `client` (base + patch) are full records; `patch` is the
 * mutation's `data` exactly as pushed. `base`/`client` are null when they do not exist
 * (e.g. the client's side of a delete).
 */
export const conflictDetailSchema = conflictSummarySchema.extend({
  mutationId: idSchema,
  baseVersion: z.int().min(0),
  serverVersion: versionSchema,
  base: syncRecordSchema.nullable(),
  server: syncRecordSchema,
  client: syncRecordSchema.nullable(),
  patch: jsonObjectSchema,
  resolution: conflictResolutionSchema.nullable(),
  /**
   * Extension: the record as it is now (a resolution applies onto it; its `version` is the
   * `expectedVersion` to send) and its photos and files (both sides').
   */
  current: syncRecordSchema.nullable().optional(),
  /** Extension: what the device sent — an edit (`patch`) or a delete (then `patch` is empty). */
  clientAction: z.enum(["update", "delete"]).optional(),
  media: z.array(mediaRecordSchema.extend({ uploadedBy: userRefSchema.nullable().optional() })).optional(),
});
export type ConflictDetail = z.infer<typeof conflictDetailSchema>;

/**
 * `POST /api/conflicts/:id/resolve`. `data` maps a path to its value (`{"data.latrines": 9}`)
 * and is required for `custom` (ignored otherwise); it must name every conflicting field and is
 * validated by the type's form. `expectedVersion` guards against resolving a record that moved
 * on since the coordinator looked (409 STALE_RESOLUTION).
 */
export const resolveConflictRequestSchema = z
  .object({
    strategy: resolutionStrategySchema,
    data: z.record(fieldPathSchema, z.unknown()).optional(),
    expectedVersion: versionSchema.optional(),
  })
  .refine((req) => req.strategy !== "custom" || req.data !== undefined, {
    error: "custom resolution requires data",
    path: ["data"],
  });
export type ResolveConflictRequest = z.infer<typeof resolveConflictRequestSchema>;

export const resolveConflictResponseSchema = z.object({
  conflict: conflictDetailSchema,
  record: syncRecordSchema,
  /**
   * Present when the resolution restored a deleted record: its media (ids) brought back with it,
   * and those whose bytes were removed while it was deleted — they stay deleted (README "Media of
   * deleted records").
   */
  media: z.object({ restored: z.array(idSchema), gone: z.array(idSchema) }).optional(),
});
export type ResolveConflictResponse = z.infer<typeof resolveConflictResponseSchema>;

/** `POST /api/assessments/:id/verify`, `/api/responses/:id/verify`. */
export const verifyRequestSchema = z.object({
  decision: verificationDecisionSchema,
  note: z.string().trim().max(MAX_NOTE_LENGTH).optional(),
});
export type VerifyRequest = z.infer<typeof verifyRequestSchema>;

export const verifyResponseSchema = z.object({ record: syncRecordSchema });
export type VerifyResponse = z.infer<typeof verifyResponseSchema>;
