import "server-only";
import { randomBytes, randomUUID } from "node:crypto";
import { ERRORS, type Locker, MemoryLocker, Server, TUS_RESUMABLE, type Upload } from "@tus/server";
import type { Logger } from "pino";
import { uploadMetadataSchema } from "@/lib/protocol";
import { getScope } from "@/lib/server/admin";
import { type AuthContext, assertSameOrigin, authenticate } from "@/lib/server/auth/service";
import { getDb, getDbTarget } from "@/lib/server/db/client";
import { getEnv } from "@/lib/server/env";
import { AppError, ERROR_STATUS, errors, isAppError, SERVER_ERROR_CODES, type ServerErrorCode } from "@/lib/server/errors";
import { toErrorResponse } from "@/lib/server/http/errors";
import { getLogger } from "@/lib/server/logger";
import { findMediaByOfflineId } from "@/lib/server/queries/media";
import { isInScope } from "@/lib/server/sync/access";
import { releaseMediaBytes } from "./deleted-media";
import { createMediaStorage, type MediaStorage } from "./media-storage";
import { discardUnreferencedObject, recordVerifiedMedia } from "./record-media";
import { PostgresLocker } from "./tus-locker";
import { authorizeUploadCreation } from "./upload-policy";

/**
 * The tus 1.0.0 endpoint of PROTOCOL §6 (core, creation, creation-with-upload, termination,
 * expiration; @tus/server implements no checksum extension, so integrity is the SHA-256 check on
 * completion).
 *
 * Request flow (`handleTusRequest`): authenticate (401, JSON) → tus, whose hooks
 * - `onUploadCreate`: every refusal of upload-policy.ts (400/413/415/404/403/409) before the
 *   store creates anything; the uploader's id is stored in the upload's metadata;
 * - `onIncomingRequest` (HEAD, PATCH, DELETE): the upload belongs to the caller, else 403;
 * - `onUploadFinish`: streams the stored bytes through SHA-256; a size or hash mismatch deletes
 *   the upload and answers 460 with no record; a match promotes the bytes to a permanent object
 *   and creates the record (idempotent on offlineId), answering with `X-Media-Id`.
 * Refusals decided here are answered as `{error:{code,message}}` JSON with the tus headers;
 * tus's own protocol errors keep tus's plain-text bodies (§6: the status code is what counts).
 *
 * Upload ids are `<offlineId>_<random>`: unique per attempt (two attempts never share a file),
 * yet a HEAD on a finished upload — whose working copy is gone — can still be answered from the
 * media record: offset = length, so a client that lost the final answer resumes into "done"
 * instead of sending the file again.
 */

export const TUS_PATH = "/api/media/uploads";
export const MEDIA_ID_HEADER = "X-Media-Id";
const CLEANUP_INTERVAL_MS = 3_600_000;

interface MediaUploads {
  server: Server;
  storage: MediaStorage;
  locker: Locker;
  lastCleanupAt: number;
}

interface RequestContext {
  auth: AuthContext;
  log: Logger;
  /** A refusal decided by our hooks; answered as JSON instead of tus's text body. */
  error?: AppError;
  /** Uploads promoted during this request, freed once it is answered. */
  promoted: string[];
}

/** Hooks receive the very Request object handed to `handleWeb`, so it keys the context. */
const contexts = new WeakMap<object, RequestContext>();

// One per process, created on first use — never at import, since `next build` evaluates route
// modules — and kept on globalThis across dev-mode module reloads. The tus lock is shared by every
// process on one Postgres (tus-locker.ts); on embedded PGlite, one process by construction, it is
// tus's in-memory lock.
const globalKey = Symbol.for("fieldsync.media-uploads");
type GlobalWithMedia = typeof globalThis & { [globalKey]?: Promise<MediaUploads> };

export function getMediaUploads(): Promise<MediaUploads> {
  const g = globalThis as GlobalWithMedia;
  g[globalKey] ??= createMediaUploads().catch((error) => {
    g[globalKey] = undefined;
    throw error;
  });
  return g[globalKey];
}

export async function getMediaStorage(): Promise<MediaStorage> {
  return (await getMediaUploads()).storage;
}

/** Tests change MEDIA_DIR between files: forget the server so the next use re-reads the env. */
export function resetMediaUploadsForTests(): void {
  const g = globalThis as GlobalWithMedia;
  const previous = g[globalKey];
  g[globalKey] = undefined;
  void previous?.then(({ locker }) => (locker instanceof PostgresLocker ? locker.close() : undefined)).catch(() => {});
}

/** Deletes unfinished uploads older than MEDIA_UPLOAD_EXPIRY_HOURS; returns how many. */
export async function cleanupExpiredUploads(): Promise<number> {
  const uploads = await getMediaUploads();
  uploads.lastCleanupAt = Date.now();
  return uploads.storage.deleteExpiredUploads();
}

function context(req: object): RequestContext {
  const ctx = contexts.get(req);
  if (!ctx) throw errors.unauthenticated();
  return ctx;
}

/** What our hooks throw: tus answers it with this status; the wrapper swaps in the JSON body. */
function refuse(req: object, error: unknown): { status_code: number; body: string } {
  if (error && typeof error === "object" && "status_code" in error && "body" in error && !isAppError(error)) {
    return error as { status_code: number; body: string }; // tus's own protocol error
  }
  const ctx = contexts.get(req);
  const appError = isAppError(error) ? error : new AppError(SERVER_ERROR_CODES.INTERNAL, "Something went wrong on the server");
  if (!isAppError(error)) (ctx?.log ?? getLogger()).error({ err: error }, "media upload hook failed");
  if (ctx) ctx.error = appError;
  return { status_code: ERROR_STATUS[appError.code] ?? 500, body: `${appError.message}\n` };
}

async function guarded<T>(req: object, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw refuse(req, error);
  }
}

function uploadIdFor(metadata: Record<string, string | null> | undefined): string {
  const offlineId = uploadMetadataSchema.shape.offlineId.safeParse(metadata?.offlineId);
  return `${offlineId.success ? offlineId.data : "upload"}_${randomBytes(12).toString("hex")}`;
}

async function createMediaUploads(): Promise<MediaUploads> {
  const storage = await createMediaStorage();
  const target = await getDbTarget();
  const locker = target.kind === "postgres" ? new PostgresLocker({ url: target.url }) : new MemoryLocker();
  const server = new Server({
    path: TUS_PATH,
    datastore: storage.datastore,
    locker,
    relativeLocation: true,
    maxSize: () => getEnv().MEDIA_MAX_BYTES,
    // Same-origin app: no cross-origin uploads.
    allowedOrigins: [],
    exposedHeaders: [MEDIA_ID_HEADER],
    namingFunction: (_req, metadata) => uploadIdFor(metadata),

    onIncomingRequest: (req, uploadId) =>
      guarded(req, async () => {
        if (req.method === "POST") return;
        const ctx = context(req);
        const upload = await storage.datastore.getUpload(uploadId).catch(() => null);
        // Unknown ids fall through to tus (404/410); see handleTusRequest for finished ones.
        if (upload && upload.metadata?.uploadedById !== ctx.auth.user.id) throw errors.forbidden("This upload belongs to another user");
      }),

    onUploadCreate: (req, upload) =>
      guarded(req, async () => {
        const ctx = context(req);
        const { metadata } = await authorizeUploadCreation(await getDb(), ctx.auth.user, {
          raw: upload.metadata ?? undefined,
          declaredLength: upload.size,
          maxBytes: getEnv().MEDIA_MAX_BYTES,
        });
        // Normalised values (lower-case sha256 and type) plus the owner, checked on every request.
        return { metadata: { ...upload.metadata, sha256: metadata.sha256, mimeType: metadata.mimeType, uploadedById: ctx.auth.user.id } };
      }),

    onUploadFinish: (req, upload) => guarded(req, () => finishUpload(req, storage, upload)),

    onResponseError: (req, error) => {
      if ("status_code" in error) {
        // The size limit is checked by tus before our hooks run; answer it like ours.
        if (error === ERRORS.ERR_MAX_SIZE_EXCEEDED)
          refuse(req, new AppError(SERVER_ERROR_CODES.PAYLOAD_TOO_LARGE, "The media file is too large"));
        return undefined;
      }
      return refuse(req, error); // an unexpected Error: logged, never echoed
    },
  });
  return { server, storage, locker, lastCleanupAt: 0 };
}

async function finishUpload(req: object, storage: MediaStorage, upload: Upload): Promise<{ headers: Record<string, string> }> {
  const ctx = context(req);
  const parsed = uploadMetadataSchema.safeParse(upload.metadata ?? {});
  if (!parsed.success) {
    await storage.removeUpload(upload.id);
    throw errors.validation("Upload-Metadata is invalid");
  }
  const digest = await storage.digestUpload(upload.id);
  if (digest.size !== upload.size || digest.sha256 !== parsed.data.sha256) {
    await storage.removeUpload(upload.id);
    ctx.log.warn({ uploadId: upload.id, size: digest.size, declaredSize: upload.size }, "media upload failed verification");
    throw new AppError(SERVER_ERROR_CODES.CHECKSUM_MISMATCH, "The uploaded bytes do not match the declared size and SHA-256");
  }
  const storageKey = await storage.promote(upload, digest.sha256);
  ctx.promoted.push(upload.id);
  const discard = () =>
    discardUnreferencedObject(storageKey, (key) => storage.deleteObject(key)).catch((err) =>
      ctx.log.warn({ err, storageKey }, "removing an unreferenced media object failed"),
    );
  let recorded: Awaited<ReturnType<typeof recordVerifiedMedia>>;
  try {
    recorded = await recordVerifiedMedia(ctx.auth.user, {
      metadata: parsed.data,
      size: digest.size,
      storageKey,
      ensureObject: async () => {
        if (!(await storage.hasObject(storageKey))) await storage.promote(upload, digest.sha256);
      },
    });
  } catch (error) {
    await discard(); // refused at completion: its bytes must not stay behind
    throw error;
  }
  const { media, created } = recorded;
  if (!created && media.storageKey !== storageKey) await discard(); // the record keeps its own copy
  ctx.log.info({ mediaId: media.id, offlineId: media.offlineId, size: digest.size, created }, "media upload verified");
  return { headers: { [MEDIA_ID_HEADER]: media.id } };
}

/**
 * HEAD on an upload the store no longer holds: if it finished (its offlineId has a media record
 * the caller may see), answer as tus would for a complete upload.
 */
async function headOfFinished(req: Request, auth: AuthContext): Promise<Response | null> {
  const uploadId = decodeURIComponent(new URL(req.url).pathname.split("/").pop() ?? "");
  const offlineId = uploadMetadataSchema.shape.offlineId.safeParse(uploadId.split("_")[0]);
  if (!offlineId.success) return null;
  const db = await getDb();
  const media = await findMediaByOfflineId(db, offlineId.data);
  if (!media || media.deletedAt) return null;
  if (media.uploadedById !== auth.user.id && !isInScope(await getScope(db, auth.user), media.entityId)) return null;
  const size = String(media.size);
  return new Response(null, {
    status: 200,
    headers: {
      "Tus-Resumable": TUS_RESUMABLE,
      "Upload-Offset": size,
      "Upload-Length": size,
      "Cache-Control": "no-store",
      [MEDIA_ID_HEADER]: media.id,
    },
  });
}

function maybeCleanup(uploads: MediaUploads, log: Logger): void {
  if (Date.now() - uploads.lastCleanupAt < CLEANUP_INTERVAL_MS) return;
  uploads.lastCleanupAt = Date.now();
  uploads.storage.deleteExpiredUploads().then(
    (removed) => removed > 0 && log.info({ removed }, "expired media uploads removed"),
    (error) => log.warn({ err: error }, "expired media upload cleanup failed"),
  );
  // Bytes of deleted records' media left behind by a crash between a delete's commit and their removal.
  void releaseMediaBytes(null).then((removed) => removed > 0 && log.info({ removed }, "bytes of deleted media removed"));
}

/**
 * The request with a body that *ends* instead of failing when the connection drops mid-PATCH.
 * tus appends whatever arrived and the next HEAD reports it, so a cut costs the client only the
 * bytes still in flight — not also those already received but buffered on their way to disk,
 * which an erroring stream would discard (tusd keeps them the same way). Offsets stay exact: the
 * store counts the bytes it wrote.
 */
function keepingWhatArrives(req: Request): Request {
  if (!req.body || (req.method !== "PATCH" && req.method !== "POST")) return req;
  const reader = req.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch {
        controller.close();
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
  // @ts-expect-error undici needs `duplex` for a streamed body; lib.dom's RequestInit lacks it
  return new Request(req.url, { method: req.method, headers: req.headers, body, signal: req.signal, duplex: "half" });
}

/** tus 1.0.0: a PATCH body must be `application/offset+octet-stream`; anything else is 415. */
function assertPatchContentType(req: Request): void {
  if (req.method !== "PATCH") return;
  const type = req.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/offset+octet-stream")
    throw new AppError(SERVER_ERROR_CODES.UNSUPPORTED_MEDIA_TYPE, "A PATCH body must be sent as application/offset+octet-stream");
}

/** Our JSON error, carrying the tus headers of the response it replaces. */
function jsonRefusal(error: AppError, tusResponse: Response | null, log: Logger): Response {
  const response = toErrorResponse(error, log);
  response.headers.set("Tus-Resumable", TUS_RESUMABLE);
  for (const name of ["upload-offset", "access-control-expose-headers", "connection"]) {
    const value = tusResponse?.headers.get(name);
    if (value) response.headers.set(name, value);
  }
  return response;
}

/** tus's own plain-text refusals by status (the status tus clients act on is kept, but see tusErrorAsJson). */
const TUS_ERROR_CODES: Partial<Record<number, ServerErrorCode>> = {
  400: SERVER_ERROR_CODES.VALIDATION_FAILED,
  // tus answers a missing Upload-Offset or Content-Type with 403: a malformed request, not a refusal of the user.
  403: SERVER_ERROR_CODES.VALIDATION_FAILED,
  404: SERVER_ERROR_CODES.NOT_FOUND,
  409: SERVER_ERROR_CODES.UPLOAD_OFFSET_MISMATCH,
  410: SERVER_ERROR_CODES.UPLOAD_GONE,
  412: SERVER_ERROR_CODES.TUS_VERSION_UNSUPPORTED,
  413: SERVER_ERROR_CODES.PAYLOAD_TOO_LARGE,
  415: SERVER_ERROR_CODES.UNSUPPORTED_MEDIA_TYPE,
  460: SERVER_ERROR_CODES.CHECKSUM_MISMATCH,
  // An extension this server does not offer (Upload-Concat, Upload-Defer-Length): the request's fault.
  501: SERVER_ERROR_CODES.VALIDATION_FAILED,
};

/**
 * A refusal tus wrote itself (plain text) in the API's error shape, with the tus headers: every
 * error a client can get is `{error:{code,message}}`. tus's messages are its fixed protocol
 * texts; anything else it answers 5xx with is logged and answered as a generic 500 (or 503 for
 * its lock timeout, which a retry cures).
 */
async function tusErrorAsJson(tusResponse: Response, log: Logger): Promise<Response> {
  const text = (await tusResponse.text()).trim();
  const code = TUS_ERROR_CODES[tusResponse.status];
  if (code) return jsonRefusal(new AppError(code, text.slice(0, 300) || "The upload request was refused"), tusResponse, log);
  if (text === ERRORS.ERR_LOCK_TIMEOUT.body.trim())
    return jsonRefusal(
      new AppError(SERVER_ERROR_CODES.SERVICE_UNAVAILABLE, "The upload is busy; try again shortly", { retryAfterSeconds: 2 }),
      tusResponse,
      log,
    );
  const response = toErrorResponse(new Error(`tus answered ${tusResponse.status}: ${text}`), log);
  response.headers.set("Tus-Resumable", TUS_RESUMABLE);
  return response;
}

/** The route handler for every method of /api/media/uploads[/:id]. */
export async function handleTusRequest(incomingReq: Request): Promise<Response> {
  const req = keepingWhatArrives(incomingReq);
  const incoming = req.headers.get("x-request-id");
  const requestId = incoming && /^[A-Za-z0-9._-]{8,128}$/.test(incoming) ? incoming : randomUUID();
  let log = getLogger().child({ requestId, method: req.method, path: new URL(req.url).pathname });
  const started = performance.now();
  let response: Response;
  try {
    const uploads = await getMediaUploads();
    maybeCleanup(uploads, log);
    if (req.method === "OPTIONS") {
      response = await uploads.server.handleWeb(req);
    } else {
      const auth = await authenticate(req);
      assertSameOrigin(req, auth);
      assertPatchContentType(req);
      log = log.child({ userId: auth.user.id });
      const ctx: RequestContext = { auth, log, promoted: [] };
      contexts.set(req, ctx);
      try {
        response = await uploads.server.handleWeb(req);
      } finally {
        for (const id of ctx.promoted)
          await uploads.storage.releasePromoted(id).catch((err) => log.warn({ err }, "freeing a promoted upload failed"));
      }
      if (ctx.error) response = jsonRefusal(ctx.error, response, log);
      else if (req.method === "HEAD" && (response.status === 404 || response.status === 410)) {
        response = (await headOfFinished(req, auth)) ?? response;
      }
      // A HEAD answer has no body to shape.
      if (response.status >= 400 && !ctx.error && req.method !== "HEAD") response = await tusErrorAsJson(response, log);
    }
  } catch (error) {
    response = isAppError(error) ? jsonRefusal(error, null, log) : toErrorResponse(error, log);
  }
  response.headers.set("x-request-id", requestId);
  if (!response.headers.has("cache-control")) response.headers.set("cache-control", "no-store");
  log.info({ status: response.status, ms: Math.round(performance.now() - started) }, "request");
  return response;
}
