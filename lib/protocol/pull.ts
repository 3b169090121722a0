/**
 * Pull — `GET /api/sync/pull?cursor=&limit=&deviceId=` (PROTOCOL §4).
 * The cursor is opaque to clients: they store it and send it back, nothing else.
 */
import { z } from "zod";
import { changeOpSchema, PULL_LIMIT_DEFAULT, PULL_LIMIT_MAX } from "./codes";
import { clampedLimitSchema, emptyToUndefined, idSchema, isoDateTimeSchema } from "./primitives";
import {
  assessmentRecordSchema,
  conflictChangeRecordSchema,
  entityRecordSchema,
  mediaRecordSchema,
  responseRecordSchema,
  versionSchema,
} from "./records";

export const pullQuerySchema = z.object({
  cursor: z.preprocess(emptyToUndefined, z.string().max(1024).optional()),
  limit: clampedLimitSchema(PULL_LIMIT_DEFAULT, PULL_LIMIT_MAX),
  deviceId: z.preprocess(emptyToUndefined, idSchema.optional()),
});
export type PullQuery = z.infer<typeof pullQuerySchema>;

const changeBaseShape = {
  op: changeOpSchema,
  id: idSchema,
  offlineId: idSchema.optional(),
  /** The record's version at this change (absent for conflicts). */
  version: versionSchema.optional(),
};

export const entityChangeSchema = z.object({
  ...changeBaseShape,
  type: z.literal("entity"),
  record: entityRecordSchema.optional(),
});
export const assessmentChangeSchema = z.object({
  ...changeBaseShape,
  type: z.literal("assessment"),
  record: assessmentRecordSchema.optional(),
});
export const responseChangeSchema = z.object({
  ...changeBaseShape,
  type: z.literal("response"),
  record: responseRecordSchema.optional(),
});
export const mediaChangeSchema = z.object({
  ...changeBaseShape,
  type: z.literal("media"),
  record: mediaRecordSchema.optional(),
});
export const conflictChangeSchema = z.object({
  ...changeBaseShape,
  type: z.literal("conflict"),
  record: conflictChangeRecordSchema.optional(),
});

/**
 * One change, at the record's latest version. An `upsert` carries the full `record`;
 * a `delete` carries only ids and version (the client removes its copy).
 */
export const changeSchema = z
  .discriminatedUnion("type", [entityChangeSchema, assessmentChangeSchema, responseChangeSchema, mediaChangeSchema, conflictChangeSchema])
  .refine((change) => change.op !== "upsert" || change.record !== undefined, {
    error: "An upsert change carries its record",
    path: ["record"],
  });
export type Change = z.infer<typeof changeSchema>;

export const pullResponseSchema = z.object({
  /** In commit order. */
  changes: z.array(changeSchema),
  /** Send it back to get every change committed after this page; never skips a change. */
  cursor: z.string(),
  /** More changes are waiting: pull again with `cursor`. */
  hasMore: z.boolean(),
  /**
   * Entities the user may see now. The client drops local records outside it (except records with
   * unsent changes); no delete changes are sent for records that left the scope.
   */
  scope: z.object({ entityIds: z.array(idSchema) }),
  serverTime: isoDateTimeSchema,
});
export type PullResponse = z.infer<typeof pullResponseSchema>;
