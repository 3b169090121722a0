import "server-only";
import { Readable } from "node:stream";
import { getScope } from "@/lib/server/admin";
import { getDb } from "@/lib/server/db/client";
import { errors } from "@/lib/server/errors";
import { findMediaById, isMediaParentGone } from "@/lib/server/queries/media";
import type { PublicUser } from "@/lib/server/queries/users";
import { isInScope } from "@/lib/server/sync/access";
import { getMediaStorage } from "./tus-uploads";

/**
 * `GET /api/media/:id` (PROTOCOL §6): the bytes, to users whose scope holds the media's entity.
 * `ETag` is the quoted SHA-256 — the bytes under an id never change — so `If-None-Match` answers
 * 304 without touching storage. `Cache-Control: private, no-cache`: a browser may keep a copy but
 * revalidates each use, so an ended assignment takes effect at once. A single `Range` is served
 * (206) where the store supports it, which video playback needs.
 */

// Rendered inline only where browsers treat the type as inert; anything else downloads.
const INLINE_TYPES = new Set(["image/jpeg", "image/png", "image/webp", "video/mp4"]);

function etagMatches(header: string | null, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t === etag || t === `W/${etag}`;
  });
}

/** One `bytes=` range, clamped to the file; null = serve it whole; "unsatisfiable" → 416. */
export function parseRange(header: string | null, size: number): { start: number; end: number } | null | "unsatisfiable" {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return null; // multiple or malformed ranges: ignore
  if (match[1] === "") {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}

function contentDisposition(filename: string, mimeType: string): string {
  const kind = INLINE_TYPES.has(mimeType) ? "inline" : "attachment";
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export async function serveMedia(user: PublicUser, id: string, headers: Headers): Promise<Response> {
  const db = await getDb();
  const media = await findMediaById(db, id);
  // Media of a deleted record (or of a record of a deleted entity) are gone for everyone, in or
  // out of scope, whoever uploaded them (deleted-media.ts); the parent is checked too, so media
  // hidden by nothing but their record's deletion still answer 404.
  if (!media || media.deletedAt || (await isMediaParentGone(db, media))) throw errors.notFound("Media");
  if (!isInScope(await getScope(db, user), media.entityId)) throw errors.forbidden("That media belongs to an entity not assigned to you");

  const size = Number(media.size);
  const etag = `"${media.sha256}"`;
  const common: Record<string, string> = {
    ETag: etag,
    "Cache-Control": "private, no-cache",
    "X-Content-Type-Options": "nosniff",
  };
  if (etagMatches(headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers: common });

  const storage = await getMediaStorage();
  const ifRange = headers.get("if-range");
  const range = storage.supportsRanges && (!ifRange || ifRange === etag) ? parseRange(headers.get("range"), size) : null;
  if (range === "unsatisfiable") {
    return new Response(null, { status: 416, headers: { ...common, "Content-Range": `bytes */${size}` } });
  }
  const stream = await storage.openObject(media.storageKey, range ?? undefined);
  const body = Readable.toWeb(stream) as ReadableStream<Uint8Array>;
  const length = range ? range.end - range.start + 1 : size;
  return new Response(body, {
    status: range ? 206 : 200,
    headers: {
      ...common,
      "Content-Type": media.mimeType,
      "Content-Length": String(length),
      "Content-Disposition": contentDisposition(media.filename, media.mimeType),
      ...(storage.supportsRanges ? { "Accept-Ranges": "bytes" } : {}),
      ...(range ? { "Content-Range": `bytes ${range.start}-${range.end}/${size}` } : {}),
    },
  });
}
