/**
 * Extensions for the coordinator dashboard (README "Dashboard"): the verification queue, the
 * pending counts of the navigation, sync health (rejections, activity per day) and the admin
 * edits PROTOCOL §2 does not list. COORDINATOR and ADMIN only; the admin routes ADMIN only.
 */
import { z } from "zod";
import { assignmentSchema } from "./admin";
import { emailSchema } from "./auth";
import { roleSchema } from "./codes";
import { clampedLimitSchema, emptyToUndefined, fieldPathSchema, idSchema, isoDateTimeSchema } from "./primitives";
import { entityFieldsShape } from "./push";
import { assessmentRecordSchema, mediaRecordSchema, responseRecordSchema, userRefSchema, versionSchema } from "./records";

export const VERIFICATION_LIST_LIMIT_DEFAULT = 50;
export const VERIFICATION_LIST_LIMIT_MAX = 200;

/** `GET /api/dashboard/counts`: the navigation's badges. */
export const dashboardCountsSchema = z.object({
  pendingConflicts: z.int().min(0),
  pendingVerifications: z.int().min(0),
});
export type DashboardCounts = z.infer<typeof dashboardCountsSchema>;

/** `GET /api/verification?type=&entityId=&cursor=&limit=`: PENDING records, oldest first. */
export const verificationListQuerySchema = z.object({
  type: z.preprocess(emptyToUndefined, z.enum(["assessment", "response"]).optional()),
  entityId: z.preprocess(emptyToUndefined, idSchema.optional()),
  cursor: z.preprocess(emptyToUndefined, z.string().max(1024).optional()),
  limit: clampedLimitSchema(VERIFICATION_LIST_LIMIT_DEFAULT, VERIFICATION_LIST_LIMIT_MAX),
});
export type VerificationListQuery = z.infer<typeof verificationListQuerySchema>;

export const fieldChangeSchema = z.object({ path: fieldPathSchema, before: z.unknown(), after: z.unknown() });
export type FieldChange = z.infer<typeof fieldChangeSchema>;

export const verificationItemSchema = z.object({
  type: z.enum(["assessment", "response"]),
  record: z.union([assessmentRecordSchema, responseRecordSchema]),
  /** The record's form: its assessment type, or RESPONSE. */
  form: z.string(),
  entity: z.object({ id: idSchema, name: z.string() }),
  submittedBy: userRefSchema,
  media: z.array(mediaRecordSchema),
  /** `received` files have arrived; `expected` is what the device said it attached (null: not said). */
  photos: z.object({ received: z.int().min(0), expected: z.int().min(0).nullable() }),
  /** Set when the record was rejected before: what the corrector changed since that decision. */
  sinceRejection: z
    .object({
      rejectedAt: isoDateTimeSchema.nullable(),
      rejectedBy: userRefSchema.nullable(),
      note: z.string().nullable(),
      rejectedVersion: versionSchema,
      changes: z.array(fieldChangeSchema),
    })
    .nullable(),
});
export type VerificationItem = z.infer<typeof verificationItemSchema>;

export const verificationListResponseSchema = z.object({
  items: z.array(verificationItemSchema),
  nextCursor: z.string().nullable(),
  /** PENDING records per entity (all of them, not only this page), most first. */
  countsByEntity: z.array(z.object({ entity: z.object({ id: idSchema, name: z.string() }), pending: z.int().min(0) })),
});
export type VerificationListResponse = z.infer<typeof verificationListResponseSchema>;

/** `GET /api/sync/rejections?deviceId=&userId=&before=&limit=`: the rejected-mutations log, newest first. */
export const rejectionListQuerySchema = z.object({
  deviceId: z.preprocess(emptyToUndefined, idSchema.optional()),
  userId: z.preprocess(emptyToUndefined, idSchema.optional()),
  before: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).optional()),
  limit: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(200).default(50)),
});
export type RejectionListQuery = z.infer<typeof rejectionListQuerySchema>;

export const rejectionSchema = z.object({
  id: z.int(),
  mutationId: z.string().nullable(),
  user: userRefSchema,
  deviceId: z.string().nullable(),
  recordType: z.string().nullable(),
  offlineId: z.string().nullable(),
  errorCode: z.string(),
  errorMessage: z.string(),
  createdAt: isoDateTimeSchema,
});
export type Rejection = z.infer<typeof rejectionSchema>;

export const rejectionListResponseSchema = z.object({ rejections: z.array(rejectionSchema), nextBefore: z.int().nullable() });
export type RejectionListResponse = z.infer<typeof rejectionListResponseSchema>;

/** `GET /api/dashboard/activity?days=`: per UTC day, records first submitted/delivered and conflicts for a human. */
export const activityQuerySchema = z.object({
  days: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(90).default(14)),
});
export const activityDaySchema = z.object({ date: z.iso.date(), submissions: z.int().min(0), conflicts: z.int().min(0) });
export type ActivityDay = z.infer<typeof activityDaySchema>;
export const activityResponseSchema = z.object({ days: z.array(activityDaySchema) });
export type ActivityResponse = z.infer<typeof activityResponseSchema>;

// ---- admin ------------------------------------------------------------------------------------

/** A user as the admin screen lists them (with `active`). */
export const adminUserSchema = z.object({ id: idSchema, email: z.string(), name: z.string(), role: roleSchema, active: z.boolean() });
export type AdminUser = z.infer<typeof adminUserSchema>;

/** `PATCH /api/admin/users/:id`: rename, change role, disable/enable, reset the password. */
export const updateUserRequestSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    email: emailSchema.optional(),
    role: roleSchema.optional(),
    active: z.boolean().optional(),
    password: z.string().min(8).max(200).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { error: "Nothing to change" });
export type UpdateUserRequest = z.infer<typeof updateUserRequestSchema>;

/** `PATCH /api/admin/entities/:id`: a versioned edit, synced to devices like any entity change. */
export const updateEntityRequestSchema = z
  .strictObject({ ...z.strictObject(entityFieldsShape).partial().shape, expectedVersion: versionSchema.optional() })
  .refine((v) => Object.keys(v).some((k) => k !== "expectedVersion"), { error: "Nothing to change" });
export type UpdateEntityRequest = z.infer<typeof updateEntityRequestSchema>;

/** `GET /api/admin/assignments?userId=&entityId=`: active assignments. */
export const assignmentListQuerySchema = z.object({
  userId: z.preprocess(emptyToUndefined, idSchema.optional()),
  entityId: z.preprocess(emptyToUndefined, idSchema.optional()),
});
export const assignmentListResponseSchema = z.object({ assignments: z.array(assignmentSchema) });
export type AssignmentListResponse = z.infer<typeof assignmentListResponseSchema>;
