/**
 * Push — `POST /api/sync/push` (PROTOCOL §3).
 *
 * Validation is two-level so one bad mutation never blocks the queue:
 * 1. `pushRequestSchema` checks only the envelope (deviceId, clientState, 1..200 mutations of
 *    any shape). A bad envelope is a 400 (413 for too many mutations — see `parsePushRequest`).
 * 2. `parseMutation` checks each mutation on its own; a failure becomes that mutation's
 *    `rejected` VALIDATION_FAILED result and the server moves on to the next.
 *
 * Envelopes strip unknown keys (a newer client may add fields). Record payloads (`data`) are
 * strict on top-level keys, because silently dropping a field a user typed would lose data —
 * except the server-owned fields, which PROTOCOL §1 says the server ignores: they are removed
 * before the strict check. Form answers (`data.data`) are validated in lib/domain/forms, which
 * knows each type's questions.
 */
import { z } from "zod";
import {
  assessmentStatusSchema,
  assessmentTypeSchema,
  autoResolutionMethodSchema,
  conflictKindSchema,
  entityTypeSchema,
  MAX_MUTATIONS_PER_PUSH,
  type MutationAction,
  type Priority,
  prioritySchema,
  type RecordType,
  responseStatusSchema,
  responseTypeSchema,
} from "./codes";
import { errorDetailSchema, type Issue, toIssues } from "./errors";
import { fieldPathSchema, idSchema, isoDateTimeSchema, jsonObjectSchema, latitudeSchema, longitudeSchema, MAX_INT4 } from "./primitives";
import { syncRecordSchema, versionSchema } from "./records";

/** Fields only the server sets; a client's values for them are dropped, never an error. */
export const SERVER_OWNED_FIELDS = {
  entity: ["id", "offlineId", "version", "createdAt", "updatedAt", "deletedAt"],
  assessment: [
    "id",
    "offlineId",
    "assessorId",
    "version",
    "verificationStatus",
    "verifiedById",
    "verifiedAt",
    "verificationNote",
    "createdAt",
    "updatedAt",
    "deletedAt",
  ],
  response: [
    "id",
    "offlineId",
    "responderId",
    "version",
    "verificationStatus",
    "verifiedById",
    "verifiedAt",
    "verificationNote",
    "createdAt",
    "updatedAt",
    "deletedAt",
  ],
} as const satisfies Record<RecordType, readonly string[]>;
export type ServerOwnedField<T extends RecordType = RecordType> = (typeof SERVER_OWNED_FIELDS)[T][number];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Wraps a strict payload schema so that the given keys are removed before it runs. */
function ignoringKeys<S extends z.ZodType>(keys: readonly string[], schema: S) {
  return z.preprocess((value: z.input<S>) => {
    if (!isPlainObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!keys.includes(k)) out[k] = v;
    return out;
  }, schema);
}

// ---- entity ---------------------------------------------------------------------------------

export const entityFieldsShape = {
  name: z.string().trim().min(1).max(200),
  type: entityTypeSchema,
  lga: z.string().trim().min(1).max(100),
  ward: z.string().trim().min(1).max(100),
  latitude: latitudeSchema,
  longitude: longitudeSchema,
  autoApprove: z.boolean(),
};

export const entityCreateSchema = ignoringKeys(
  SERVER_OWNED_FIELDS.entity,
  z.strictObject({ ...entityFieldsShape, autoApprove: z.boolean().default(false) }),
);
export type EntityCreate = z.infer<typeof entityCreateSchema>;

export const entityPatchSchema = ignoringKeys(SERVER_OWNED_FIELDS.entity, z.strictObject(entityFieldsShape).partial());
export type EntityPatch = z.infer<typeof entityPatchSchema>;

// ---- assessment -----------------------------------------------------------------------------

export const assessmentFieldsShape = {
  entityId: idSchema,
  assessmentType: assessmentTypeSchema,
  status: assessmentStatusSchema,
  /** Form answers keyed by question id; checked against the type's form in lib/domain/forms. */
  data: jsonObjectSchema,
};

export const assessmentCreateSchema = ignoringKeys(
  SERVER_OWNED_FIELDS.assessment,
  z.strictObject({
    ...assessmentFieldsShape,
    status: assessmentStatusSchema.default("DRAFT"),
    data: jsonObjectSchema.default(() => ({})),
  }),
);
export type AssessmentCreate = z.infer<typeof assessmentCreateSchema>;

/** In `data`, a `null` answer clears that answer (PROTOCOL §3). */
export const assessmentPatchSchema = ignoringKeys(SERVER_OWNED_FIELDS.assessment, z.strictObject(assessmentFieldsShape).partial());
export type AssessmentPatch = z.infer<typeof assessmentPatchSchema>;

// ---- response -------------------------------------------------------------------------------

export const responseFieldsShape = {
  assessmentId: idSchema,
  assessmentOfflineId: idSchema,
  entityId: idSchema,
  responseType: responseTypeSchema,
  status: responseStatusSchema,
  data: jsonObjectSchema,
};

/** Names its assessment by `assessmentId` or `assessmentOfflineId` (at least one; both must agree). */
export const responseCreateSchema = ignoringKeys(
  SERVER_OWNED_FIELDS.response,
  z
    .strictObject({
      ...responseFieldsShape,
      assessmentId: idSchema.optional(),
      assessmentOfflineId: idSchema.optional(),
      status: responseStatusSchema.default("PLANNED"),
      data: jsonObjectSchema.default(() => ({})),
    })
    .refine((v) => v.assessmentId !== undefined || v.assessmentOfflineId !== undefined, {
      error: "assessmentId or assessmentOfflineId is required",
      path: ["assessmentOfflineId"],
    }),
);
export type ResponseCreate = z.infer<typeof responseCreateSchema>;

export const responsePatchSchema = ignoringKeys(SERVER_OWNED_FIELDS.response, z.strictObject(responseFieldsShape).partial());
export type ResponsePatch = z.infer<typeof responsePatchSchema>;

/** Top-level fields a client may write, per record type (the mergeable top-level paths). */
export const MUTABLE_FIELDS = {
  entity: Object.keys(entityFieldsShape) as (keyof typeof entityFieldsShape)[],
  assessment: Object.keys(assessmentFieldsShape) as (keyof typeof assessmentFieldsShape)[],
  response: Object.keys(responseFieldsShape) as (keyof typeof responseFieldsShape)[],
} as const;
export type MutableField<T extends RecordType = RecordType> = (typeof MUTABLE_FIELDS)[T][number];

// ---- mutations ------------------------------------------------------------------------------

const mutationBaseShape = {
  /** Client-generated; the idempotency key of this edit. */
  mutationId: idSchema,
  /** The record's client-generated id. */
  offlineId: idSchema,
  /** Server version the edit started from; 0 for create (ignored there). */
  baseVersion: z.int().min(0).max(MAX_INT4),
  priority: prioritySchema.default("NORMAL"),
  /** Recorded for audit, never used to order anything. */
  clientTime: isoDateTimeSchema.optional(),
  /**
   * Extension: how many photos/files the device has attached to this record (assessment,
   * response), so the verification queue can say "3 of 5 photos received". Ignored for entities.
   */
  mediaCount: z.int().min(0).max(1000).optional(),
};

/** Builds the create/update/delete variants of one record type; `delete` carries no data. */
function mutationsOf<T extends RecordType, C extends z.ZodType, P extends z.ZodType>(type: T, create: C, patch: P) {
  return z.discriminatedUnion("action", [
    z.object({ ...mutationBaseShape, type: z.literal(type), action: z.literal("create"), data: create }),
    z.object({ ...mutationBaseShape, type: z.literal(type), action: z.literal("update"), data: patch }),
    z.object({ ...mutationBaseShape, type: z.literal(type), action: z.literal("delete") }),
  ]);
}

export const entityMutationSchema = mutationsOf("entity", entityCreateSchema, entityPatchSchema);
export const assessmentMutationSchema = mutationsOf("assessment", assessmentCreateSchema, assessmentPatchSchema);
export const responseMutationSchema = mutationsOf("response", responseCreateSchema, responsePatchSchema);

/** One mutation, discriminated on `type`, then `action`. */
export const mutationSchema = z.discriminatedUnion("type", [entityMutationSchema, assessmentMutationSchema, responseMutationSchema]);
export type Mutation = z.infer<typeof mutationSchema>;
/** What a client builds (defaults such as `priority` may be left out). */
export type MutationInput = z.input<typeof mutationSchema>;
export type EntityMutation = z.infer<typeof entityMutationSchema>;
export type AssessmentMutation = z.infer<typeof assessmentMutationSchema>;
export type ResponseMutation = z.infer<typeof responseMutationSchema>;
/** Narrow a mutation by type and action, e.g. `MutationOf<"assessment", "update">`. */
export type MutationOf<T extends RecordType, A extends Mutation["action"]> = Extract<Mutation, { type: T; action: A }>;

/**
 * A mutation as a client builds and queues it, before per-type validation: a flat shape that is
 * convenient to store (e.g. an outbox row). `parseMutation` turns it into a `Mutation`.
 */
export interface WireMutation {
  mutationId: string;
  type: RecordType;
  action: MutationAction;
  offlineId: string;
  baseVersion: number;
  priority?: Priority;
  /** Required for create/update; omitted for delete. */
  data?: Record<string, unknown>;
  clientTime?: string;
  mediaCount?: number;
}

export type ParseMutationResult =
  | { ok: true; mutation: Mutation }
  | { ok: false; mutationId?: string; offlineId?: string; issues: Issue[] };

/** Longest id echoed back from an invalid mutation (keeps a garbage value out of results/logs). */
const MAX_ECHOED_ID_LENGTH = 128;

function echoedString(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 && value.length <= MAX_ECHOED_ID_LENGTH ? value : undefined;
}

/**
 * Validates one mutation of a push. Never throws. On failure it still returns the mutationId and
 * offlineId it could read (when they are short strings), so the server can log and answer the
 * rejection against them.
 */
export function parseMutation(raw: unknown): ParseMutationResult {
  const result = mutationSchema.safeParse(raw);
  if (result.success) return { ok: true, mutation: result.data };
  const failure: ParseMutationResult = { ok: false, issues: toIssues(result.error.issues) };
  if (isPlainObject(raw)) {
    const mutationId = echoedString(raw.mutationId);
    const offlineId = echoedString(raw.offlineId);
    if (mutationId !== undefined) failure.mutationId = mutationId;
    if (offlineId !== undefined) failure.offlineId = offlineId;
  }
  return failure;
}

// ---- request --------------------------------------------------------------------------------

export const clientStateSchema = z.object({
  /** Mutations still queued on the device after this push (for the devices dashboard). */
  pendingCount: z.int().min(0).max(MAX_INT4).optional(),
  appVersion: z.string().max(64).optional(),
  /** Extension (sync health): bytes the app uses on the device and may use (StorageManager.estimate). */
  storageUsedBytes: z.int().min(0).optional(),
  storageQuotaBytes: z.int().min(0).optional(),
  /** Extension: when the oldest edit still queued on the device was made (device clock). */
  oldestUnsentAt: isoDateTimeSchema.nullable().optional(),
  /** Extension: the device's clock when it sent this push; the server derives the clock skew. */
  sentAt: isoDateTimeSchema.optional(),
});
export type ClientState = z.infer<typeof clientStateSchema>;

/** The envelope only: each element of `mutations` is checked by `parseMutation`. */
export const pushRequestSchema = z.object({
  deviceId: idSchema,
  clientState: clientStateSchema.optional(),
  mutations: z.array(z.unknown()).min(1).max(MAX_MUTATIONS_PER_PUSH),
});
export type PushRequest = z.infer<typeof pushRequestSchema>;

export type ParsePushRequestResult =
  | { ok: true; request: PushRequest }
  | { ok: false; code: "VALIDATION_FAILED" | "PAYLOAD_TOO_LARGE"; issues: Issue[] };

/**
 * Envelope check with the status split of PROTOCOL §3: more than MAX_MUTATIONS_PER_PUSH
 * mutations is PAYLOAD_TOO_LARGE (413), any other envelope problem VALIDATION_FAILED (400).
 * The byte limit is the transport's job (it needs the decompressed length).
 */
export function parsePushRequest(raw: unknown): ParsePushRequestResult {
  if (isPlainObject(raw) && Array.isArray(raw.mutations) && raw.mutations.length > MAX_MUTATIONS_PER_PUSH) {
    return {
      ok: false,
      code: "PAYLOAD_TOO_LARGE",
      issues: [
        {
          code: "too_big",
          path: ["mutations"],
          message: `At most ${MAX_MUTATIONS_PER_PUSH} mutations per push`,
        },
      ],
    };
  }
  const result = pushRequestSchema.safeParse(raw);
  if (result.success) return { ok: true, request: result.data };
  return { ok: false, code: "VALIDATION_FAILED", issues: toIssues(result.error.issues) };
}

// ---- results --------------------------------------------------------------------------------

const acceptedResultShape = {
  mutationId: idSchema,
  offlineId: idSchema,
  id: idSchema,
  version: versionSchema,
};

/** Accepted as sent; `record` is the server's full record after it. */
export const appliedResultSchema = z.object({
  ...acceptedResultShape,
  status: z.literal("applied"),
  record: syncRecordSchema,
});

/**
 * The record had moved on and the edit was merged (PROTOCOL §5). When a policy decided
 * conflicting fields, the AUTO_RESOLVED log entry is named by `conflictId` with its `method`.
 */
export const mergedResultSchema = z.object({
  ...acceptedResultShape,
  status: z.literal("merged"),
  record: syncRecordSchema,
  conflictId: idSchema.optional(),
  method: autoResolutionMethodSchema.nullable().optional(),
  conflictingFields: z.array(fieldPathSchema).optional(),
});

/** Already processed (or a create whose offlineId exists): the record's current state. */
export const duplicateResultSchema = z.object({
  ...acceptedResultShape,
  status: z.literal("duplicate"),
  record: syncRecordSchema,
  /**
   * The version this mutation produced when it was first applied (absent for a create whose
   * offlineId existed). A device that lost the first answer bases its queued edits on it, so an
   * edit made by someone else in between is merged against, not silently overwritten.
   */
  appliedVersion: versionSchema.optional(),
});

/** Not applied at all; kept whole for a human. `version` is the server's current one. */
export const conflictResultSchema = z.object({
  ...acceptedResultShape,
  status: z.literal("conflict"),
  conflictId: idSchema,
  conflictingFields: z.array(fieldPathSchema),
  kind: conflictKindSchema.optional(),
});

/**
 * Not applied. `mutationId`/`offlineId` echo what the mutation carried (null when it had none
 * readable — results are matched by index anyway).
 */
export const rejectedResultSchema = z.object({
  mutationId: z.string().nullable(),
  offlineId: z.string().nullable().optional(),
  status: z.literal("rejected"),
  id: idSchema.optional(),
  error: errorDetailSchema,
});

export const pushResultSchema = z.discriminatedUnion("status", [
  appliedResultSchema,
  mergedResultSchema,
  duplicateResultSchema,
  conflictResultSchema,
  rejectedResultSchema,
]);
export type PushResult = z.infer<typeof pushResultSchema>;
export type AppliedResult = z.infer<typeof appliedResultSchema>;
export type MergedResult = z.infer<typeof mergedResultSchema>;
export type DuplicateResult = z.infer<typeof duplicateResultSchema>;
export type ConflictResult = z.infer<typeof conflictResultSchema>;
export type RejectedResult = z.infer<typeof rejectedResultSchema>;

/** `results[i]` answers `mutations[i]`. */
export const pushResponseSchema = z.object({
  results: z.array(pushResultSchema),
  serverTime: isoDateTimeSchema,
});
export type PushResponse = z.infer<typeof pushResponseSchema>;
