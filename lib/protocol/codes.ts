/**
 * Codes and limits of the wire contract (PROTOCOL.md). Every code set is an `as const` tuple
 * (or object, for error codes) with a derived union type and a zod enum schema beside it, so
 * client and server share one list. Values are part of the wire format: never rename one.
 */
import { z } from "zod";

export const ROLES = ["ASSESSOR", "RESPONDER", "COORDINATOR", "ADMIN"] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES);

export const ENTITY_TYPES = ["CAMP", "COMMUNITY", "FACILITY"] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];
export const entityTypeSchema = z.enum(ENTITY_TYPES);

export const ASSESSMENT_TYPES = ["HEALTH", "WASH", "SHELTER", "FOOD", "SECURITY", "POPULATION"] as const;
export type AssessmentType = (typeof ASSESSMENT_TYPES)[number];
export const assessmentTypeSchema = z.enum(ASSESSMENT_TYPES);

export const RESPONSE_TYPES = ["FOOD_DISTRIBUTION", "WASH_SUPPLIES", "NFI", "HEALTH_SERVICES", "SHELTER_KITS"] as const;
export type ResponseType = (typeof RESPONSE_TYPES)[number];
export const responseTypeSchema = z.enum(RESPONSE_TYPES);

export const ASSESSMENT_STATUSES = ["DRAFT", "SUBMITTED"] as const;
export type AssessmentStatus = (typeof ASSESSMENT_STATUSES)[number];
export const assessmentStatusSchema = z.enum(ASSESSMENT_STATUSES);

export const RESPONSE_STATUSES = ["PLANNED", "DELIVERED"] as const;
export type ResponseStatus = (typeof RESPONSE_STATUSES)[number];
export const responseStatusSchema = z.enum(RESPONSE_STATUSES);

/**
 * DRAFT: draft assessment / PLANNED response. PENDING: submitted, awaiting a coordinator.
 * AUTO_VERIFIED: submitted for an entity with `autoApprove`. VERIFIED / REJECTED: decided.
 */
export const VERIFICATION_STATUSES = ["DRAFT", "PENDING", "AUTO_VERIFIED", "VERIFIED", "REJECTED"] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];
export const verificationStatusSchema = z.enum(VERIFICATION_STATUSES);

/** Decisions a coordinator may take on a submitted record (POST …/verify). */
export const VERIFICATION_DECISIONS = ["VERIFIED", "REJECTED"] as const;
export type VerificationDecision = (typeof VERIFICATION_DECISIONS)[number];
export const verificationDecisionSchema = z.enum(VERIFICATION_DECISIONS);

/** Record types a client may write through push. */
export const RECORD_TYPES = ["entity", "assessment", "response"] as const;
export type RecordType = (typeof RECORD_TYPES)[number];
export const recordTypeSchema = z.enum(RECORD_TYPES);

/** Change types a client may receive through pull (a superset of RECORD_TYPES). */
export const CHANGE_TYPES = ["entity", "assessment", "response", "media", "conflict"] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];
export const changeTypeSchema = z.enum(CHANGE_TYPES);

export const CHANGE_OPS = ["upsert", "delete"] as const;
export type ChangeOp = (typeof CHANGE_OPS)[number];
export const changeOpSchema = z.enum(CHANGE_OPS);

export const MUTATION_ACTIONS = ["create", "update", "delete"] as const;
export type MutationAction = (typeof MUTATION_ACTIONS)[number];
export const mutationActionSchema = z.enum(MUTATION_ACTIONS);

/** Client-side upload order hint. The server records it; it never reorders a push by it. */
export const PRIORITIES = ["HIGH", "NORMAL", "LOW"] as const;
export type Priority = (typeof PRIORITIES)[number];
export const prioritySchema = z.enum(PRIORITIES);

export const PUSH_STATUSES = ["applied", "merged", "duplicate", "conflict", "rejected"] as const;
export type PushStatus = (typeof PUSH_STATUSES)[number];
export const pushStatusSchema = z.enum(PUSH_STATUSES);

export const CONFLICT_STATUSES = ["PENDING", "RESOLVED", "AUTO_RESOLVED"] as const;
export type ConflictStatus = (typeof CONFLICT_STATUSES)[number];
export const conflictStatusSchema = z.enum(CONFLICT_STATUSES);

/** UPDATE: both sides edited the same fields. DELETION: an edit of a record deleted on the server. */
export const CONFLICT_KINDS = ["UPDATE", "DELETION"] as const;
export type ConflictKind = (typeof CONFLICT_KINDS)[number];
export const conflictKindSchema = z.enum(CONFLICT_KINDS);

/** How a coordinator resolves a PENDING conflict (PROTOCOL §5). */
export const RESOLUTION_STRATEGIES = ["server", "client", "merge", "custom"] as const;
export type ResolutionStrategy = (typeof RESOLUTION_STRATEGIES)[number];
export const resolutionStrategySchema = z.enum(RESOLUTION_STRATEGIES);

/**
 * How a type's policy decided conflicting fields without a human (logged as AUTO_RESOLVED):
 * - SAME_USER_LAST_WRITE: assessment, the server's latest change was by the pushing user; client wins.
 * - DELIVERED_WINS_CLIENT / DELIVERED_WINS_SERVER: response, only that side set status DELIVERED.
 * - SERVER_WINS: entity, the server keeps the conflicting fields; the rest of the patch applies.
 */
export const AUTO_RESOLUTION_METHODS = ["SAME_USER_LAST_WRITE", "DELIVERED_WINS_CLIENT", "DELIVERED_WINS_SERVER", "SERVER_WINS"] as const;
export type AutoResolutionMethod = (typeof AUTO_RESOLUTION_METHODS)[number];
export const autoResolutionMethodSchema = z.enum(AUTO_RESOLUTION_METHODS);

export const MEDIA_PARENT_TYPES = ["assessment", "response"] as const;
export type MediaParentType = (typeof MEDIA_PARENT_TYPES)[number];
export const mediaParentTypeSchema = z.enum(MEDIA_PARENT_TYPES);

export const ALLOWED_MEDIA_TYPES = ["image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf", "video/mp4"] as const;
export type AllowedMediaType = (typeof ALLOWED_MEDIA_TYPES)[number];
export const allowedMediaTypeSchema = z.enum(ALLOWED_MEDIA_TYPES);

/** Default upper bound of one media upload (`Upload-Length`), in bytes. */
export const MAX_MEDIA_BYTES = 25 * 1024 * 1024;

/**
 * Every error code the server may answer, in HTTP error bodies and in `rejected` push results.
 * The first block is PROTOCOL §3; the rest are additions for media uploads (§6), the health check
 * (§7) and requests no route takes. Clients branch on these, never on message text.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: "VALIDATION_FAILED",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  INVALID_CREDENTIALS: "INVALID_CREDENTIALS",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  ENTITY_MISMATCH: "ENTITY_MISMATCH",
  VERSION_AHEAD: "VERSION_AHEAD",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  RATE_LIMITED: "RATE_LIMITED",
  ALREADY_EXISTS: "ALREADY_EXISTS",
  CONFLICT_ALREADY_RESOLVED: "CONFLICT_ALREADY_RESOLVED",
  STALE_RESOLUTION: "STALE_RESOLUTION",
  INTERNAL: "INTERNAL",
  /** 415: media type not in ALLOWED_MEDIA_TYPES. */
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  /** 460: uploaded bytes do not match the declared size or SHA-256. */
  CHECKSUM_MISMATCH: "CHECKSUM_MISMATCH",
  /** 503: a dependency (the database) is unreachable. */
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  /** 405: the path exists but not with this method (the answer carries `Allow`). */
  METHOD_NOT_ALLOWED: "METHOD_NOT_ALLOWED",
  /** 409 (tus): a PATCH whose Upload-Offset is not the upload's offset; HEAD tells the right one. */
  UPLOAD_OFFSET_MISMATCH: "UPLOAD_OFFSET_MISMATCH",
  /** 410 (tus): the upload expired or was terminated; start a new one. */
  UPLOAD_GONE: "UPLOAD_GONE",
  /** 412 (tus): a request without `Tus-Resumable: 1.0.0`. */
  TUS_VERSION_UNSUPPORTED: "TUS_VERSION_UNSUPPORTED",
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];
export const ERROR_CODE_VALUES = Object.values(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];
export const errorCodeSchema = z.enum(ERROR_CODE_VALUES);

/** Push limits: more mutations or more bytes (after decompression) → 413 PAYLOAD_TOO_LARGE. */
export const MAX_MUTATIONS_PER_PUSH = 200;
export const MAX_PUSH_BYTES = 2 * 1024 * 1024;

/** Pull page size: default when absent, requests outside 1..MAX are clamped, not refused. */
export const PULL_LIMIT_DEFAULT = 500;
export const PULL_LIMIT_MAX = 2000;

/** Conflict list page size. */
export const CONFLICT_LIST_LIMIT_DEFAULT = 50;
export const CONFLICT_LIST_LIMIT_MAX = 200;

/** Upper bound of a free-text note (form `notes`, verification notes). */
export const MAX_NOTE_LENGTH = 2000;
