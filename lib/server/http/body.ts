import "server-only";
import { gunzipSync } from "node:zlib";
import type { z } from "zod";
import { MAX_JSON_DEPTH, toIssues } from "@/lib/protocol";
import { AppError, assertStorableText, SERVER_ERROR_CODES as ERROR_CODES, errors } from "@/lib/server/errors";

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
 * decompression; malformed JSON, text Postgres cannot store (anywhere, keys included) or a body
 * that fails `schema` is a 400 VALIDATION_FAILED.
 */
export async function readJson<S extends z.ZodType>(req: Request, schema: S, options: { maxBytes?: number } = {}): Promise<z.infer<S>> {
  const raw = await readJsonValue(req, options);
  assertStorableText(raw, "Request body");
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw errors.validation("Request body has the wrong shape", toIssues(parsed.error.issues));
  return parsed.data;
}

/**
 * Whether the JSON text nests arrays/objects deeper than `max`: one pass over the characters,
 * skipping strings, no recursion. Run before JSON.parse, so nothing recursive (the text walk,
 * zod, JSON.stringify) ever sees a body nested thousands deep.
 */
export function jsonNestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * The one body reader: size limit (before and after gzip), nesting depth (MAX_JSON_DEPTH), JSON
 * syntax. Routes that validate per item (push) call it directly; the rest go through readJson.
 */
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
  const text = buf.toString("utf8");
  if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH))
    throw errors.validation(`Request body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep`);
  try {
    return JSON.parse(text);
  } catch {
    throw errors.validation("Malformed JSON in request body");
  }
}

/**
 * Query parameters: text Postgres cannot store (`%00`) is a 400 before the schema runs. (An
 * escape that is not UTF-8 arrives as U+FFFD: Next re-encodes the query before any handler or
 * proxy.ts sees it, and URLSearchParams decodes the same way.)
 */
export function parseQuery<S extends z.ZodType>(req: Request, schema: S): z.infer<S> {
  const params = Object.fromEntries(new URL(req.url).searchParams);
  assertStorableText(params, "The query string");
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw errors.validation("Query parameters have the wrong shape", toIssues(parsed.error.issues));
  return parsed.data;
}
