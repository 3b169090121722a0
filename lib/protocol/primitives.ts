/**
 * Scalar building blocks shared by every protocol schema. Ids are RFC 9562 UUIDs (v4 or v7 in
 * practice; `z.uuid()` checks the version and variant nibbles, so hand-written ids such as
 * `00000000-0000-0000-0000-000000000001` are refused — use `crypto.randomUUID()` in fixtures).
 */
import { z } from "zod";

export const idSchema = z.uuid();

/** ISO-8601 date-time; `Date#toISOString()` output and explicit offsets both pass. */
export const isoDateTimeSchema = z.iso.datetime({ offset: true });

/** Calendar date `YYYY-MM-DD` (form answers such as `lastDistributionDate`). */
export const isoDateSchema = z.iso.date();

/**
 * Largest value of a Postgres `integer` column (versions, counts): a larger number sent for one is
 * refused by the schema, never an "integer out of range" from the database after other writes.
 */
export const MAX_INT4 = 2_147_483_647;

export const latitudeSchema = z.number().min(-90).max(90);
export const longitudeSchema = z.number().min(-180).max(180);

/** A JSON object whose keys are not known to the protocol (form answers, full records). */
/**
 * A JSON object (form answers). A `__proto__` key would vanish when copied (it sets the prototype
 * instead of a property), so it is refused rather than silently dropped.
 */
export const jsonObjectSchema = z.preprocess(
  (value, ctx) => {
    if (value !== null && typeof value === "object" && Object.hasOwn(value, "__proto__"))
      ctx.addIssue({ code: "custom", message: "The key __proto__ is not allowed", path: ["__proto__"], input: value });
    return value;
  },
  z.record(z.string(), z.unknown()),
);
export type JsonObject = z.infer<typeof jsonObjectSchema>;

/**
 * A mergeable field path (PROTOCOL §3): a top-level field (`status`) or a key of the nested form
 * answers (`data.latrines`). Question ids and field names are identifiers, so a path has at most
 * one dot.
 */
export const fieldPathSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?$/, { error: "Invalid field path" });
export type FieldPath = z.infer<typeof fieldPathSchema>;

/** Lower-case hex SHA-256 digest. */
export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, { error: "Expected a lower-case hex SHA-256" });

/** Query-string values: absent, null (URLSearchParams#get) and "" all mean "not given". */
export function emptyToUndefined(value: unknown): unknown {
  return value === null || value === "" ? undefined : value;
}

/**
 * A query-string page size: coerced to an integer and clamped into `1..max` (out-of-range
 * values are clamped, not refused); missing gives `fallback`; a non-integer is an error.
 */
export function clampedLimitSchema(fallback: number, max: number) {
  return z.preprocess(
    emptyToUndefined,
    z.coerce
      .number()
      .int()
      .transform((n) => Math.min(max, Math.max(1, n)))
      .default(fallback),
  );
}
