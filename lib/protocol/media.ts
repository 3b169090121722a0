/**
 * Media uploads over tus 1.0.0 (PROTOCOL §6). `Upload-Metadata` values arrive as strings
 * (after base64 decoding), so numbers are coerced and empty values mean "not given".
 * Unknown metadata keys (tus clients add `filetype`, `name`, …) are dropped.
 */
import { z } from "zod";
import { allowedMediaTypeSchema, mediaParentTypeSchema } from "./codes";
import { emptyToUndefined, idSchema, isoDateTimeSchema } from "./primitives";

/** A file name, not a path: no separators and no control characters. */
const filenameSchema = z
  .string()
  .trim()
  .min(1)
  .max(255)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  .regex(/^[^/\\\u0000-\u001f\u007f]+$/, { error: "Invalid file name" });

function coordinate(limit: number) {
  return z.preprocess(emptyToUndefined, z.coerce.number().min(-limit).max(limit).optional());
}

export const uploadMetadataSchema = z.object({
  /** Idempotency key: the same file uploaded twice yields one media record. */
  offlineId: idSchema,
  parentType: mediaParentTypeSchema,
  parentOfflineId: idSchema,
  filename: filenameSchema,
  mimeType: z.string().trim().toLowerCase().pipe(allowedMediaTypeSchema),
  /** Checked against the received bytes on completion; a mismatch discards the upload. */
  sha256: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[0-9a-f]{64}$/, { error: "Expected a hex SHA-256" }),
  capturedAt: z.preprocess(emptyToUndefined, isoDateTimeSchema.optional()),
  latitude: coordinate(90),
  longitude: coordinate(180),
});
export type UploadMetadata = z.infer<typeof uploadMetadataSchema>;
