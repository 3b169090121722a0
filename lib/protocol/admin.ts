/**
 * Admin API (ADMIN only) and operations endpoints (PROTOCOL §2, §7).
 */
import { z } from "zod";
import { emailSchema } from "./auth";
import { roleSchema } from "./codes";
import { idSchema, isoDateTimeSchema } from "./primitives";
import { entityFieldsShape } from "./push";
import { entityRecordSchema, userSchema } from "./records";

export const createUserRequestSchema = z.object({
  email: emailSchema,
  name: z.string().trim().min(1).max(200),
  role: roleSchema,
  password: z.string().min(8).max(200),
});
export type CreateUserRequest = z.infer<typeof createUserRequestSchema>;

export const createUserResponseSchema = z.object({ user: userSchema });
export type CreateUserResponse = z.infer<typeof createUserResponseSchema>;

export const userListResponseSchema = z.object({ users: z.array(userSchema) });
export type UserListResponse = z.infer<typeof userListResponseSchema>;

/** Same field rules as an entity `create` mutation; the server generates id and offlineId. */
export const createEntityRequestSchema = z.object({
  ...entityFieldsShape,
  autoApprove: z.boolean().default(false),
});
export type CreateEntityRequest = z.infer<typeof createEntityRequestSchema>;

export const createEntityResponseSchema = z.object({ entity: entityRecordSchema });
export type CreateEntityResponse = z.infer<typeof createEntityResponseSchema>;

export const entityListResponseSchema = z.object({ entities: z.array(entityRecordSchema) });
export type EntityListResponse = z.infer<typeof entityListResponseSchema>;

/** Body of both `POST` (grant) and `DELETE` (end) `/api/admin/assignments`. */
export const assignmentRequestSchema = z.object({ userId: idSchema, entityId: idSchema });
export type AssignmentRequest = z.infer<typeof assignmentRequestSchema>;

export const assignmentSchema = z.object({
  id: idSchema,
  userId: idSchema,
  entityId: idSchema,
  /** An ended assignment stays as history with `active: false`. */
  active: z.boolean(),
  createdAt: isoDateTimeSchema,
  endedAt: isoDateTimeSchema.nullable().optional(),
});
export type Assignment = z.infer<typeof assignmentSchema>;

export const assignmentResponseSchema = z.object({ assignment: assignmentSchema });
export type AssignmentResponse = z.infer<typeof assignmentResponseSchema>;

/** `GET /api/sync/devices` (COORDINATOR, ADMIN). */
export const deviceSummarySchema = z.object({
  deviceId: idSchema,
  user: z.object({ id: idSchema, name: z.string(), email: z.string() }),
  lastPushAt: isoDateTimeSchema.nullable(),
  lastPullAt: isoDateTimeSchema.nullable(),
  pendingCount: z.int().min(0).nullable(),
  appVersion: z.string().nullable(),
  /** Extensions (sync health, README "Dashboard"): from the device's clientState; null when never told. */
  storageUsedBytes: z.number().min(0).nullable().optional(),
  storageQuotaBytes: z.number().min(0).nullable().optional(),
  oldestUnsentAt: isoDateTimeSchema.nullable().optional(),
  /** Device clock minus server clock, in ms, at its last push. */
  clockSkewMs: z.int().nullable().optional(),
  /** Mutations of this device the server refused (the log is `GET /api/sync/rejections`). */
  rejectedCount: z.int().min(0).optional(),
});
export type DeviceSummary = z.infer<typeof deviceSummarySchema>;

export const devicesResponseSchema = z.object({ devices: z.array(deviceSummarySchema) });
export type DevicesResponse = z.infer<typeof devicesResponseSchema>;

/** `GET /api/health`: 200 `{status:"ok",db:"ok"}` when the database answers, 503 `{status:"degraded",db:"unreachable"}` otherwise. */
export const healthResponseSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  db: z.enum(["ok", "unreachable"]),
});
export type HealthResponse = z.infer<typeof healthResponseSchema>;
