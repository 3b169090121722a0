import "server-only";
import { gunzipSync } from "node:zlib";
import type { z } from "zod";
import { findUnstorableText, toIssues } from "@/lib/protocol";
import { AppError, SERVER_ERROR_CODES as ERROR_CODES, errors } from "@/lib/server/errors";

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

function tooLarge(maxBytes: number) {
  return new AppError(ERROR_CODES.PAYLOAD_TOO_LARGE, `Request body exceeds ${maxBytes} bytes`);
}

/** Reads the raw body, refusing to buffer more than `limit` bytes. */
async function readLimited(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!req.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * Parses a JSON body: `Content-Encoding: gzip` is accepted and `maxBytes` applies after
 * decompression; malformed JSON or a body that fails `schema` is a 400 VALIDATION_FAILED.
 */
export async function readJson<S extends z.ZodType>(req: Request, schema: S, options: { maxBytes?: number } = {}): Promise<z.infer<S>> {
  const raw = await readJsonValue(req, options);
  const unstorable = findUnstorableText(raw);
  if (unstorable)
    throw errors.validation("Request body has text that cannot be stored", [
      { code: "invalid_string", path: unstorable.path, message: unstorable.message },
    ]);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw errors.validation("Request body has the wrong shape", toIssues(parsed.error.issues));
  return parsed.data;
}

export async function readJsonValue(req: Request, options: { maxBytes?: number } = {}): Promise<unknown> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  const encoding = (req.headers.get("content-encoding") ?? "identity").toLowerCase();
  let buf = await readLimited(req, maxBytes);
  if (encoding === "gzip") {
    try {
      buf = gunzipSync(buf, { maxOutputLength: maxBytes });
    } catch (error) {
      if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" || error instanceof RangeError) throw tooLarge(maxBytes);
      throw errors.validation("Body is not valid gzip");
    }
  } else if (encoding !== "identity") {
    throw errors.validation(`Unsupported Content-Encoding: ${encoding}`);
  }
  if (buf.length === 0) throw errors.validation("Request body is empty; JSON expected");
  try {
    return JSON.parse(buf.toString("utf8"));
  } catch {
    throw errors.validation("Malformed JSON in request body");
  }
}

export function parseQuery<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  const params = Object.fromEntries(new URL(req.url).searchParams);
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw errors.validation("Query parameters have the wrong shape", toIssues(parsed.error.issues));
  return parsed.data;
}
