/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the protocol's own zod schemas
 * (`z.toJSONSchema`) and one typed route table. `docs/protocol.md` is the prose contract; this is
 * its machine-readable shape, served at `GET /api/openapi.json`.
 *
 * Not exported from `lib/protocol/index.ts` on purpose: the browser imports the protocol barrel,
 * and neither this table nor the converter belongs in its bundle. Import it only from the route
 * (and tests). The code → HTTP status table is the server's (`ERROR_STATUS`), passed in, so this
 * module still imports only zod.
 *
 * `tests/unit/protocol/openapi.test.ts` checks the table against `app/api/**\/route.ts` (every
 * exported method documented, nothing extra) and the document's structure;
 * `tests/integration/contract/openapi.db.test.ts` checks real answers against it.
 */
import { z } from "zod";
import {
  assignmentRequestSchema,
  assignmentResponseSchema,
  assignmentSchema,
  createEntityRequestSchema,
  createEntityResponseSchema,
  createUserRequestSchema,
  createUserResponseSchema,
  devicesResponseSchema,
  entityListResponseSchema,
  healthResponseSchema,
} from "./admin";
import { loginRequestSchema, loginResponseSchema, meResponseSchema } from "./auth";
import { ALLOWED_MEDIA_TYPES, type ErrorCode, MAX_MUTATIONS_PER_PUSH, MAX_PUSH_BYTES, type Role } from "./codes";
import {
  conflictDetailSchema,
  conflictListQuerySchema,
  conflictListResponseSchema,
  conflictSummarySchema,
  resolveConflictRequestSchema,
  resolveConflictResponseSchema,
  verifyRequestSchema,
  verifyResponseSchema,
} from "./conflicts";
import {
  activityQuerySchema,
  activityResponseSchema,
  adminUserSchema,
  assignmentListQuerySchema,
  dashboardCountsSchema,
  rejectionListQuerySchema,
  rejectionListResponseSchema,
  updateEntityRequestSchema,
  updateUserRequestSchema,
  verificationListQuerySchema,
  verificationListResponseSchema,
} from "./dashboard";
import { errorBodySchema } from "./errors";
import { idSchema, isoDateTimeSchema } from "./primitives";
import { changeSchema, pullQuerySchema, pullResponseSchema } from "./pull";
import { mutationSchema, pushRequestSchema, pushResponseSchema, pushResultSchema } from "./push";
import { assessmentRecordSchema, entityRecordSchema, mediaRecordSchema, responseRecordSchema, userSchema } from "./records";
import { PROTOCOL_VERSION } from "./version";

// ---- the route table ---------------------------------------------------------------------------

export const HTTP_METHODS = ["get", "post", "put", "patch", "delete", "head", "options"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Who may call: anyone, any signed-in user, or signed-in users with one of these roles. */
export type Access = "public" | "signed-in" | readonly Role[];

/** A success (or non-JSON) answer. `schema` is a zod schema for JSON bodies; `content` names another type. */
export interface SuccessSpec {
  description: string;
  schema?: z.ZodType;
  /** A non-JSON body (media bytes); JSON when `schema` is given. */
  content?: string;
  headers?: Record<string, string>;
}

export interface OperationSpec {
  method: HttpMethod;
  /** OpenAPI path, `{param}` style. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  /** Query-string parameters: a zod object of the parsed query (values arrive as strings). */
  query?: z.ZodObject;
  /** Path parameters: all are UUIDs except where `pathParams` says otherwise. */
  pathParams?: Record<string, string>;
  /** JSON request body (zod, documented as its input type), or a non-JSON body. */
  body?: { schema: z.ZodType; description?: string; gzip?: boolean } | { content: string; description: string };
  requestHeaders?: Record<string, { description: string; required?: boolean }>;
  responses: Record<number, SuccessSpec>;
  /** Codes this operation may answer besides those every operation of its kind may (see `impliedCodes`). */
  errors: readonly ErrorCode[];
  /** Push only: the codes a `rejected` result may carry (documented as `x-rejection-codes`). */
  rejectionCodes?: readonly ErrorCode[];
}

/** The body of every error answer. */
const ERROR_REF = "#/components/schemas/Error";

/** Push as documented: each element of `mutations` is a Mutation (the server checks them one by one). */
const pushRequestDocSchema = pushRequestSchema.extend({
  mutations: z
    .array(mutationSchema)
    .min(1)
    .max(MAX_MUTATIONS_PER_PUSH)
    .describe(
      "Applied in order. An element that fails the Mutation schema does not fail the push: its result is `rejected` VALIDATION_FAILED and the others proceed.",
    ),
});

const adminUserListResponseSchema = z.object({ users: z.array(adminUserSchema) });
const adminUserResponseSchema = z.object({ user: adminUserSchema });
const entityResponseSchema = z.object({ entity: entityRecordSchema });

const TUS_HEADERS = {
  "Tus-Resumable": { description: "`1.0.0` on every request but OPTIONS.", required: true },
} as const;

const UPLOAD_METADATA_DESCRIPTION =
  "tus `Upload-Metadata`: comma-separated `key base64(value)` pairs. Keys: `offlineId` (uuid, idempotency key), " +
  "`parentType` (assessment|response), `parentOfflineId` (uuid), `filename` (no path separators or control characters, ≤ 255), " +
  `\`mimeType\` (${ALLOWED_MEDIA_TYPES.join(", ")}), \`sha256\` (hex, checked on completion), optional \`capturedAt\` (ISO date-time), ` +
  "`latitude`, `longitude`. Unknown keys are ignored.";

const REVIEWERS: readonly Role[] = ["COORDINATOR", "ADMIN"];
const ADMINS: readonly Role[] = ["ADMIN"];

/**
 * Every operation the API serves. `app/api/[[...path]]/route.ts` (the JSON 404 for any /api path
 * no route takes) and the JSON 405 answers (`otherMethods`) are not operations; they are described
 * in the document's `info.description`.
 */
export const OPERATIONS: readonly OperationSpec[] = [
  // ---- auth
  {
    method: "post",
    path: "/api/auth/login",
    operationId: "login",
    tag: "auth",
    summary: "Sign in: a bearer token and an httpOnly session cookie",
    description:
      "The email is trimmed and lower-cased. A request carrying a foreign `Origin` is refused (403). After too many failures for one email " +
      "(or distinct emails failing from one client address) inside the window, 429 with `Retry-After`.",
    access: "public",
    body: { schema: loginRequestSchema },
    responses: {
      200: {
        description: "Signed in. `Set-Cookie: fs_session=…; Path=/; HttpOnly; SameSite=Lax; Expires=…` (`Secure` over HTTPS).",
        schema: loginResponseSchema,
        headers: { "Set-Cookie": "The session cookie (browsers); devices use `token` as a bearer token." },
      },
    },
    errors: ["INVALID_CREDENTIALS", "RATE_LIMITED", "FORBIDDEN"],
  },
  {
    method: "post",
    path: "/api/auth/logout",
    operationId: "logout",
    tag: "auth",
    summary: "End this session (cookie or bearer token)",
    access: "signed-in",
    responses: { 204: { description: "Signed out; the cookie is cleared.", headers: { "Set-Cookie": "Clears the session cookie." } } },
    errors: [],
  },
  {
    method: "get",
    path: "/api/auth/me",
    operationId: "me",
    tag: "auth",
    summary: "The signed-in user",
    access: "signed-in",
    responses: { 200: { description: "The user.", schema: meResponseSchema } },
    errors: [],
  },
  // ---- sync
  {
    method: "post",
    path: "/api/sync/push",
    operationId: "push",
    tag: "sync",
    summary: "Send a batch of mutations; one result per mutation, in order",
    description:
      `Up to ${MAX_MUTATIONS_PER_PUSH} mutations and ${MAX_PUSH_BYTES} bytes after decompression (\`Content-Encoding: gzip\` accepted); ` +
      "more is 413. The batch is one transaction, each mutation atomic; results are sent after the commit. " +
      "A mutation is answered applied, merged, duplicate, conflict or rejected — a rejected one is logged and the rest proceed. " +
      "A transient database failure fails the whole push with 503 and `Retry-After`: resend it unchanged.",
    access: "signed-in",
    body: { schema: pushRequestDocSchema, gzip: true },
    responses: { 200: { description: "`results[i]` answers `mutations[i]`.", schema: pushResponseSchema } },
    errors: [],
    rejectionCodes: ["VALIDATION_FAILED", "FORBIDDEN", "NOT_FOUND", "ENTITY_MISMATCH", "VERSION_AHEAD"],
  },
  {
    method: "get",
    path: "/api/sync/pull",
    operationId: "pull",
    tag: "sync",
    summary: "Changes in the caller's scope after a cursor, in commit order",
    description:
      "No cursor: everything in scope at its current version. With a cursor: every change committed after it. " +
      "A cursor the server cannot continue from (malformed, another format, or beyond this database's counter) is 400 VALIDATION_FAILED " +
      "with an issue at `cursor`: drop it and pull from the start.",
    access: "signed-in",
    query: pullQuerySchema,
    responses: { 200: { description: "One page; `hasMore` means pull again with `cursor`.", schema: pullResponseSchema } },
    errors: [],
  },
  {
    method: "get",
    path: "/api/sync/devices",
    operationId: "listDevices",
    tag: "operations",
    summary: "Every device that pushed or pulled, with its last sync state",
    access: REVIEWERS,
    responses: { 200: { description: "Devices.", schema: devicesResponseSchema } },
    errors: [],
  },
  {
    method: "get",
    path: "/api/sync/rejections",
    operationId: "listRejections",
    tag: "operations",
    summary: "The rejected-mutations log, newest first",
    access: REVIEWERS,
    query: rejectionListQuerySchema,
    responses: { 200: { description: "One page; pass `nextBefore` as `before` for the next.", schema: rejectionListResponseSchema } },
    errors: [],
  },
  // ---- conflicts and verification
  {
    method: "get",
    path: "/api/conflicts",
    operationId: "listConflicts",
    tag: "conflicts",
    summary: "Conflicts, newest first",
    access: REVIEWERS,
    query: conflictListQuerySchema,
    responses: { 200: { description: "One page; `nextCursor` null on the last.", schema: conflictListResponseSchema } },
    errors: [],
  },
  {
    method: "get",
    path: "/api/conflicts/{id}",
    operationId: "getConflict",
    tag: "conflicts",
    summary: "One conflict with base, server and client states",
    access: REVIEWERS,
    responses: { 200: { description: "The conflict.", schema: conflictDetailSchema } },
    errors: ["NOT_FOUND"],
  },
  {
    method: "post",
    path: "/api/conflicts/{id}/resolve",
    operationId: "resolveConflict",
    tag: "conflicts",
    summary: "Decide a PENDING conflict (server, client, merge or custom)",
    description:
      "Applied onto the record as it is now. A resolution that changes the record writes a new version devices pull. " +
      "`expectedVersion` not matching the record → 409 STALE_RESOLUTION; a conflict that is not PENDING → 409 CONFLICT_ALREADY_RESOLVED; " +
      "a `custom` value the form refuses, or `data` that does not name exactly the conflicting fields → 400.",
    access: REVIEWERS,
    body: { schema: resolveConflictRequestSchema },
    responses: { 200: { description: "The decided conflict and the record after it.", schema: resolveConflictResponseSchema } },
    errors: ["NOT_FOUND", "CONFLICT_ALREADY_RESOLVED", "STALE_RESOLUTION"],
  },
  {
    method: "post",
    path: "/api/assessments/{id}/verify",
    operationId: "verifyAssessment",
    tag: "conflicts",
    summary: "Verify or reject a submitted assessment",
    description: "Only a SUBMITTED assessment can be decided (else 400). A decision writes a new version devices pull.",
    access: REVIEWERS,
    body: { schema: verifyRequestSchema },
    responses: { 200: { description: "The record after the decision.", schema: verifyResponseSchema } },
    errors: ["NOT_FOUND"],
  },
  {
    method: "post",
    path: "/api/responses/{id}/verify",
    operationId: "verifyResponse",
    tag: "conflicts",
    summary: "Verify or reject a delivered response",
    description: "Only a DELIVERED response can be decided (else 400). A decision writes a new version devices pull.",
    access: REVIEWERS,
    body: { schema: verifyRequestSchema },
    responses: { 200: { description: "The record after the decision.", schema: verifyResponseSchema } },
    errors: ["NOT_FOUND"],
  },
  {
    method: "get",
    path: "/api/verification",
    operationId: "listVerificationQueue",
    tag: "dashboard",
    summary: "PENDING records, oldest first, with photos received and changes since a rejection",
    access: REVIEWERS,
    query: verificationListQuerySchema,
    responses: { 200: { description: "One page.", schema: verificationListResponseSchema } },
    errors: [],
  },
  {
    method: "get",
    path: "/api/dashboard/counts",
    operationId: "dashboardCounts",
    tag: "dashboard",
    summary: "Pending conflicts and verifications (navigation badges)",
    access: REVIEWERS,
    responses: { 200: { description: "Counts.", schema: dashboardCountsSchema } },
    errors: [],
  },
  {
    method: "get",
    path: "/api/dashboard/activity",
    operationId: "dashboardActivity",
    tag: "dashboard",
    summary: "Per UTC day: records first submitted or delivered, and conflicts for a human",
    access: REVIEWERS,
    query: activityQuerySchema,
    responses: { 200: { description: "Oldest day first.", schema: activityResponseSchema } },
    errors: [],
  },
  // ---- entities and admin
  {
    method: "get",
    path: "/api/entities",
    operationId: "listEntities",
    tag: "admin",
    summary: "The entities in the caller's scope (all, for coordinators and admins)",
    access: "signed-in",
    responses: { 200: { description: "Entities.", schema: entityListResponseSchema } },
    errors: [],
  },
  {
    method: "get",
    path: "/api/admin/users",
    operationId: "listUsers",
    tag: "admin",
    summary: "Every user, with `active`",
    access: ADMINS,
    responses: { 200: { description: "Users.", schema: adminUserListResponseSchema } },
    errors: [],
  },
  {
    method: "post",
    path: "/api/admin/users",
    operationId: "createUser",
    tag: "admin",
    summary: "Create a user",
    access: ADMINS,
    body: { schema: createUserRequestSchema },
    responses: { 201: { description: "Created.", schema: createUserResponseSchema } },
    errors: ["ALREADY_EXISTS"],
  },
  {
    method: "patch",
    path: "/api/admin/users/{id}",
    operationId: "updateUser",
    tag: "admin",
    summary: "Rename, change email or role, disable/enable, or reset the password of a user",
    description:
      "Disabling or a new password ends the user's sessions. An admin cannot disable or demote themselves (400). A taken email → 409.",
    access: ADMINS,
    body: { schema: updateUserRequestSchema },
    responses: { 200: { description: "The user after the edit.", schema: adminUserResponseSchema } },
    errors: ["NOT_FOUND", "ALREADY_EXISTS"],
  },
  {
    method: "post",
    path: "/api/admin/entities",
    operationId: "createEntity",
    tag: "admin",
    summary: "Create an entity (devices pull it)",
    access: ADMINS,
    body: { schema: createEntityRequestSchema },
    responses: { 201: { description: "Created.", schema: createEntityResponseSchema } },
    errors: [],
  },
  {
    method: "patch",
    path: "/api/admin/entities/{id}",
    operationId: "updateEntity",
    tag: "admin",
    summary: "Edit an entity: a new version devices pull",
    description: "`expectedVersion` not matching the entity's version → 409 STALE_RESOLUTION (reload and edit again).",
    access: ADMINS,
    body: { schema: updateEntityRequestSchema },
    responses: { 200: { description: "The entity after the edit.", schema: entityResponseSchema } },
    errors: ["NOT_FOUND", "STALE_RESOLUTION"],
  },
  {
    method: "get",
    path: "/api/admin/assignments",
    operationId: "listAssignments",
    tag: "admin",
    summary: "Active assignments, optionally for one user or entity",
    access: ADMINS,
    query: assignmentListQuerySchema,
    responses: { 200: { description: "Assignments.", schema: z.object({ assignments: z.array(assignmentSchema) }) } },
    errors: [],
  },
  {
    method: "post",
    path: "/api/admin/assignments",
    operationId: "assign",
    tag: "admin",
    summary: "Assign a user to an entity (devices backfill its records)",
    access: ADMINS,
    body: { schema: assignmentRequestSchema },
    responses: { 201: { description: "The assignment (an ended one is made active again).", schema: assignmentResponseSchema } },
    errors: ["NOT_FOUND"],
  },
  {
    method: "delete",
    path: "/api/admin/assignments",
    operationId: "unassign",
    tag: "admin",
    summary: "End an assignment (it stays as history, inactive)",
    access: ADMINS,
    body: { schema: assignmentRequestSchema },
    responses: { 204: { description: "Ended (also when there was no active one). A deleted entity's assignment can be ended." } },
    errors: ["NOT_FOUND"],
  },
  // ---- media
  {
    method: "options",
    path: "/api/media/uploads",
    operationId: "tusOptions",
    tag: "media",
    summary: "tus discovery: version, extensions, maximum size",
    access: "public",
    responses: {
      204: {
        description: "tus capabilities.",
        headers: {
          "Tus-Version": "1.0.0",
          "Tus-Extension":
            "As the store reports it (file store: creation, creation-with-upload, creation-defer-length, termination, expiration); a deferred length is still refused (400).",
          "Tus-Max-Size": "MEDIA_MAX_BYTES",
        },
      },
    },
    errors: [],
  },
  {
    method: "post",
    path: "/api/media/uploads",
    operationId: "tusCreate",
    tag: "media",
    summary: "tus creation (and creation-with-upload): refused before any byte is stored when it cannot succeed",
    description:
      "Checked in order: `Upload-Length` present (400) and ≤ MEDIA_MAX_BYTES (413) → type allowed (415) → metadata valid (400) → parent " +
      "known and not deleted (404) → caller may write the parent's type and its entity is in scope (403) → an existing media record under " +
      "the same offlineId names the same file (else 409 ALREADY_EXISTS). The upload URL is `Location`.",
    access: "signed-in",
    requestHeaders: {
      ...TUS_HEADERS,
      "Upload-Length": { description: "The file's size in bytes (a deferred length is refused).", required: true },
      "Upload-Metadata": { description: UPLOAD_METADATA_DESCRIPTION, required: true },
    },
    body: {
      content: "application/offset+octet-stream",
      description: "Optional (creation-with-upload): the first bytes of the file.",
    },
    responses: {
      201: {
        description: "Created; with creation-with-upload, `Upload-Offset` says how much arrived.",
        headers: { Location: "The upload's URL (`/api/media/uploads/{uploadId}`).", "Upload-Offset": "Bytes received so far." },
      },
    },
    errors: ["NOT_FOUND", "ALREADY_EXISTS", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "CHECKSUM_MISMATCH", "TUS_VERSION_UNSUPPORTED"],
  },
  {
    method: "head",
    path: "/api/media/uploads/{uploadId}",
    operationId: "tusOffset",
    tag: "media",
    summary: "The offset to resume from",
    description:
      "For an upload that already completed (its record exists and the caller may see it), `Upload-Offset` = `Upload-Length` and `X-Media-Id`. " +
      "Another user's upload is 403; an unknown one 404, an expired one 410 (a HEAD answer has no body: the codes are listed for the status).",
    access: "signed-in",
    pathParams: { uploadId: "The id from `Location`: `<offlineId>_<random>`." },
    requestHeaders: TUS_HEADERS,
    responses: {
      200: {
        description: "The offset.",
        headers: {
          "Upload-Offset": "Bytes stored.",
          "Upload-Length": "The declared size.",
          "X-Media-Id": "Set when the upload completed.",
        },
      },
    },
    errors: ["FORBIDDEN", "NOT_FOUND", "UPLOAD_GONE", "TUS_VERSION_UNSUPPORTED"],
  },
  {
    method: "patch",
    path: "/api/media/uploads/{uploadId}",
    operationId: "tusAppend",
    tag: "media",
    summary: "Append bytes at `Upload-Offset`; the last PATCH verifies size and SHA-256 and creates the media record",
    description:
      "A dropped connection keeps what arrived; HEAD tells where to resume. On completion a size or SHA-256 mismatch discards the upload " +
      "(460 CHECKSUM_MISMATCH, no record); a match creates the media record (idempotent on offlineId) and answers `X-Media-Id`. " +
      "The parent is checked again at completion (deleted → 404, out of scope → 403, another file under the offlineId → 409 ALREADY_EXISTS). " +
      "A wrong `Upload-Offset` is 409 UPLOAD_OFFSET_MISMATCH (HEAD tells the right one); an expired or terminated upload 410 UPLOAD_GONE.",
    access: "signed-in",
    pathParams: { uploadId: "The id from `Location`." },
    requestHeaders: {
      ...TUS_HEADERS,
      "Upload-Offset": {
        description: "Where these bytes start; must equal the server's offset (else 409 UPLOAD_OFFSET_MISMATCH).",
        required: true,
      },
    },
    body: { content: "application/offset+octet-stream", description: "The next bytes of the file (any other Content-Type is 415)." },
    responses: {
      204: {
        description: "Stored. On the last chunk, the upload was verified and recorded.",
        headers: { "Upload-Offset": "The new offset.", "X-Media-Id": "The media record's id, on completion." },
      },
    },
    errors: [
      "NOT_FOUND",
      "ALREADY_EXISTS",
      "UNSUPPORTED_MEDIA_TYPE",
      "CHECKSUM_MISMATCH",
      "PAYLOAD_TOO_LARGE",
      "UPLOAD_OFFSET_MISMATCH",
      "UPLOAD_GONE",
      "TUS_VERSION_UNSUPPORTED",
    ],
  },
  {
    method: "delete",
    path: "/api/media/uploads/{uploadId}",
    operationId: "tusTerminate",
    tag: "media",
    summary: "tus termination: discard an unfinished upload",
    description: "Another user's upload is 403; an unknown one 404; one already expired or terminated 410.",
    access: "signed-in",
    pathParams: { uploadId: "The id from `Location`." },
    requestHeaders: TUS_HEADERS,
    responses: { 204: { description: "Discarded." } },
    errors: ["NOT_FOUND", "UPLOAD_GONE", "TUS_VERSION_UNSUPPORTED"],
  },
  {
    method: "get",
    path: "/api/media/{id}",
    operationId: "getMedia",
    tag: "media",
    summary: "The bytes of a media file (users whose scope holds its entity)",
    description:
      "`ETag` is the quoted SHA-256; `If-None-Match` → 304. One `Range` is served (206) where the store supports it; an unsatisfiable " +
      "range is 416. `Cache-Control: private, no-cache`. A deleted media record is 404.",
    access: "signed-in",
    requestHeaders: {
      Range: { description: "`bytes=start-end` (one range)." },
      "If-None-Match": { description: "A previous `ETag`." },
      "If-Range": { description: "Serve the range only if the ETag still matches." },
    },
    responses: {
      200: { description: "The file.", content: "application/octet-stream", headers: { ETag: "Quoted SHA-256 of the bytes." } },
      206: {
        description: "The requested range.",
        content: "application/octet-stream",
        headers: { "Content-Range": "bytes start-end/size" },
      },
      304: { description: "Not modified." },
      416: { description: "Range not satisfiable (no body).", headers: { "Content-Range": "bytes */size" } },
    },
    errors: ["NOT_FOUND"],
  },
  // ---- operations
  {
    method: "get",
    path: "/api/health",
    operationId: "health",
    tag: "operations",
    summary: "Liveness and database check",
    access: "public",
    responses: {
      200: { description: "The database answers.", schema: healthResponseSchema },
      503: { description: "The database does not answer.", schema: healthResponseSchema },
    },
    errors: [],
  },
  {
    method: "get",
    path: "/api/openapi.json",
    operationId: "openapi",
    tag: "operations",
    summary: "This document",
    access: "public",
    responses: { 200: { description: "OpenAPI 3.1.", content: "application/json" } },
    errors: [],
  },
];

/**
 * Codes an operation may answer because of what it is, beyond its own list: every operation may
 * fail with INTERNAL (500) or SERVICE_UNAVAILABLE (503, transient database failure); a signed-in
 * one with UNAUTHENTICATED, and FORBIDDEN for a role it lacks or a cookie-authenticated write with a
 * foreign Origin; a JSON body with VALIDATION_FAILED and PAYLOAD_TOO_LARGE (1 MiB unless stated);
 * a query string or a path id with VALIDATION_FAILED.
 */
export function impliedCodes(op: OperationSpec): ErrorCode[] {
  const codes = new Set<ErrorCode>(["INTERNAL", "SERVICE_UNAVAILABLE"]);
  if (op.access !== "public") codes.add("UNAUTHENTICATED");
  if (Array.isArray(op.access) && op.access.length < 4) codes.add("FORBIDDEN");
  if (op.access !== "public" && !["get", "head", "options"].includes(op.method)) codes.add("FORBIDDEN");
  if (op.body && "schema" in op.body) {
    codes.add("VALIDATION_FAILED");
    codes.add("PAYLOAD_TOO_LARGE");
  }
  if (op.query || op.path.includes("{") || op.body) codes.add("VALIDATION_FAILED");
  return [...codes];
}

/** Every code an operation may answer, in ERROR_CODES order. */
export function operationCodes(op: OperationSpec): ErrorCode[] {
  return [...new Set<ErrorCode>([...impliedCodes(op), ...op.errors])];
}

// ---- generation ---------------------------------------------------------------------------------

type Json = Record<string, unknown>;

/** Named components: responses are documented as their output type, requests as their input type. */
const OUTPUT_COMPONENTS: Record<string, z.ZodType> = {
  Error: errorBodySchema,
  Uuid: idSchema,
  DateTime: isoDateTimeSchema,
  User: userSchema,
  AdminUser: adminUserSchema,
  EntityRecord: entityRecordSchema,
  AssessmentRecord: assessmentRecordSchema,
  ResponseRecord: responseRecordSchema,
  MediaRecord: mediaRecordSchema,
  Assignment: assignmentSchema,
  PushResult: pushResultSchema,
  PushResponse: pushResponseSchema,
  Change: changeSchema,
  PullResponse: pullResponseSchema,
  ConflictSummary: conflictSummarySchema,
  ConflictDetail: conflictDetailSchema,
};
const INPUT_COMPONENTS: Record<string, z.ZodType> = {
  Uuid: idSchema,
  DateTime: isoDateTimeSchema,
  Mutation: mutationSchema,
  PushRequest: pushRequestDocSchema,
};

const componentRef = (id: string) => `#/components/schemas/${id}`;

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/**
 * Every schema the document names, per direction: the shared components above, then each
 * operation's request body (`<OperationId>Request`) and JSON answers (`<OperationId>Response`, with
 * the status appended for a second one). A schema used twice keeps its first name.
 */
function namedSchemas(io: "input" | "output"): Map<z.ZodType, string> {
  const names = new Map<z.ZodType, string>();
  for (const [id, schema] of Object.entries(io === "input" ? INPUT_COMPONENTS : OUTPUT_COMPONENTS)) names.set(schema, id);
  for (const op of OPERATIONS) {
    if (io === "input" && op.body && "schema" in op.body && !names.has(op.body.schema))
      names.set(op.body.schema, `${pascal(op.operationId)}Request`);
    if (io === "output") {
      const statuses = Object.keys(op.responses);
      for (const [status, r] of Object.entries(op.responses)) {
        if (!r.schema || names.has(r.schema)) continue;
        names.set(r.schema, `${pascal(op.operationId)}Response${status === statuses[0] ? "" : status}`);
      }
    }
  }
  return names;
}

/**
 * Plain `z.object`s strip unknown keys rather than refuse them, and a newer server may add fields
 * an older client must ignore: only strict objects keep `additionalProperties: false`.
 */
function openObjects(ctx: { zodSchema: z.core.$ZodTypes; jsonSchema: z.core.JSONSchema.BaseSchema }): void {
  const def = ctx.zodSchema._zod.def;
  if (def.type === "object" && def.catchall === undefined && ctx.jsonSchema.additionalProperties === false)
    delete ctx.jsonSchema.additionalProperties;
}

/** Drops the JSON Schema document keywords zod adds at each root (`$schema`, and a fragment `$id`). */
function stripRootKeywords(schema: Json): Json {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/** Converts every named schema of one direction; references between them become `$ref`s. */
function convertNamed(names: Map<z.ZodType, string>, io: "input" | "output"): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of names) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { io, uri: componentRef, unrepresentable: "throw", override: openObjects });
  if ("__shared" in schemas) throw new Error("Unnamed shared definitions: name the schema that is reused");
  return Object.fromEntries(Object.entries(schemas).map(([id, s]) => [id, stripRootKeywords(s as Json)]));
}

function queryParameters(query: z.ZodObject): Json[] {
  const converted = z.toJSONSchema(query, { io: "input", unrepresentable: "throw", override: openObjects }) as Json;
  const properties = (converted.properties ?? {}) as Record<string, Json>;
  const required = new Set((converted.required ?? []) as string[]);
  return Object.entries(properties).map(([name, schema]) => ({
    name,
    in: "query",
    required: required.has(name),
    schema,
  }));
}

function pathParameters(op: OperationSpec): Json[] {
  return [...op.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    description: op.pathParams?.[name] ?? "A UUID; anything else is 400 VALIDATION_FAILED.",
    schema: op.pathParams?.[name] ? { type: "string" } : { $ref: componentRef("Uuid") },
  }));
}

function headerObjects(headers: Record<string, string> | undefined): Json | undefined {
  if (!headers) return undefined;
  return Object.fromEntries(Object.entries(headers).map(([name, description]) => [name, { description, schema: { type: "string" } }]));
}

function errorResponses(op: OperationSpec, errorStatus: Readonly<Record<ErrorCode, number>>): Record<string, Json> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of operationCodes(op)) {
    const status = errorStatus[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<string, Json> = {};
  for (const [status, codes] of [...byStatus.entries()].sort((a, b) => a[0] - b[0])) {
    const headers: Record<string, string> = {};
    if (codes.includes("RATE_LIMITED") || codes.includes("SERVICE_UNAVAILABLE"))
      headers["Retry-After"] = "Seconds to wait before retrying.";
    out[String(status)] = {
      description: codes.join(", "),
      "x-error-codes": codes,
      ...(Object.keys(headers).length > 0 ? { headers: headerObjects(headers) } : {}),
      // A HEAD answer has no body: its error answers name their codes only.
      ...(op.method === "head" ? {} : { content: { "application/json": { schema: { $ref: ERROR_REF } } } }),
    };
  }
  return out;
}

function operationObject(op: OperationSpec, errorStatus: Readonly<Record<ErrorCode, number>>, names: Names): Json {
  const parameters: Json[] = [...pathParameters(op), ...(op.query ? queryParameters(op.query) : [])];
  for (const [name, h] of Object.entries(op.requestHeaders ?? {})) {
    parameters.push({ name, in: "header", required: h.required ?? false, description: h.description, schema: { type: "string" } });
  }
  const responses: Record<string, Json> = {};
  for (const [status, r] of Object.entries(op.responses)) {
    const content = r.schema
      ? { "application/json": { schema: { $ref: componentRef(names.output.get(r.schema) as string) } } }
      : r.content
        ? {
            [r.content]: {
              schema: r.content === "application/json" ? { type: "object" } : { type: "string", contentMediaType: r.content },
            },
          }
        : undefined;
    responses[status] = {
      description: r.description,
      ...(r.headers ? { headers: headerObjects(r.headers) } : {}),
      ...(content ? { content } : {}),
    };
  }
  // Errors documented with the same status as a success (the health check's 503) keep the success's body.
  for (const [status, r] of Object.entries(errorResponses(op, errorStatus))) responses[status] ??= r;

  const out: Json = {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    "x-access": op.access === "public" || op.access === "signed-in" ? op.access : [...op.access],
    ...(op.rejectionCodes ? { "x-rejection-codes": [...op.rejectionCodes] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    responses,
  };
  if (op.access === "public") out.security = [];
  if (op.body) {
    out.requestBody =
      "schema" in op.body
        ? {
            required: true,
            ...(op.body.gzip ? { description: "`Content-Encoding: gzip` is accepted; the size limit applies after decompression." } : {}),
            content: { "application/json": { schema: { $ref: componentRef(names.input.get(op.body.schema) as string) } } },
          }
        : {
            required: false,
            description: op.body.description,
            content: { [op.body.content]: { schema: { type: "string", contentMediaType: op.body.content } } },
          };
  }
  return out;
}

function mergeComponents(a: Record<string, Json>, b: Record<string, Json>): Record<string, Json> {
  const out = { ...a };
  for (const [id, schema] of Object.entries(b)) {
    if (id in out && JSON.stringify(out[id]) !== JSON.stringify(schema))
      throw new Error(`Component ${id} differs between request and response use; give them different names`);
    out[id] = schema;
  }
  return out;
}

const INFO_DESCRIPTION = [
  "The Field Sync HTTP API. The prose contract, with every guarantee and error code, is `docs/protocol.md` in the repository.",
  "",
  '- Every JSON error body is `{"error":{"code","message","issues"?}}` (the `Error` schema); `x-error-codes` on each error answer lists the codes it may carry.',
  "- Any `/api` path no operation takes answers `404 NOT_FOUND` as JSON (`app/api/[[...path]]`); a method a path does not serve answers `405 METHOD_NOT_ALLOWED` with `Allow`.",
  "- `x-access` names who may call: `public`, `signed-in`, or the roles.",
  "- Every answer carries `X-Request-Id` (the client's, when it sent a well-formed one).",
].join("\n");

interface Names {
  input: Map<z.ZodType, string>;
  output: Map<z.ZodType, string>;
}

/** The OpenAPI 3.1 document. `errorStatus` is the server's code → HTTP status table. */
export function buildOpenApiDocument(errorStatus: Readonly<Record<ErrorCode, number>>): Json {
  const names: Names = { input: namedSchemas("input"), output: namedSchemas("output") };
  const paths: Record<string, Record<string, Json>> = {};
  for (const op of OPERATIONS) {
    paths[op.path] ??= {};
    if (paths[op.path][op.method]) throw new Error(`Duplicate operation ${op.method.toUpperCase()} ${op.path}`);
    paths[op.path][op.method] = operationObject(op, errorStatus, names);
  }
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
    info: { title: "Field Sync API", version: String(PROTOCOL_VERSION), description: INFO_DESCRIPTION },
    tags: [...new Set(OPERATIONS.map((op) => op.tag))].map((name) => ({ name })),
    security: [{ bearerAuth: [] }, { cookieAuth: [] }],
    paths,
    components: {
      schemas: mergeComponents(convertNamed(names.output, "output"), convertNamed(names.input, "input")),
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "The `token` from login." },
        cookieAuth: {
          type: "apiKey",
          in: "cookie",
          name: "fs_session",
          description: "Set by login. A state-changing request authenticated by it must carry the app's own `Origin`.",
        },
      },
    },
  };
}
