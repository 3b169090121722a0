/**
 * Text Postgres cannot store: U+0000 (refused by text and jsonb) and lone UTF-16 surrogates — half
 * of a character, e.g. an emoji cut by a length limit — which JSON carries as "\ud83d" escapes and
 * jsonb refuses. Found anywhere in a request (values or keys), they are a VALIDATION_FAILED naming
 * the path, never a failed write; logs of refused input store them replaced (`toStorableText`).
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export interface UnstorableText {
  path: (string | number)[];
  message: string;
}

function problemOf(text: string): string | null {
  if (text.includes("\u0000")) return "Text may not contain the NUL character (U+0000)";
  if (LONE_SURROGATE.test(text)) return "Text contains half of a character (a lone UTF-16 surrogate), e.g. an emoji cut in two";
  return null;
}

/** The first string (or key) in `value` that cannot be stored, with its path; null when all can. */
export function findUnstorableText(value: unknown, path: (string | number)[] = []): UnstorableText | null {
  if (typeof value === "string") {
    const message = problemOf(value);
    return message ? { path, message } : null;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findUnstorableText(item, [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = problemOf(key);
      if (keyProblem) return { path: [...path, key], message: `${keyProblem} (in a key)` };
      const found = findUnstorableText(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

/** The same JSON value with NUL and lone surrogates replaced by U+FFFD: storable as it was sent, near enough. */
export function toStorableText(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value ?? null, (_key, v) =>
      typeof v === "string" ? v.replaceAll("\u0000", "\uFFFD").replace(LONE_SURROGATES, "\uFFFD") : v,
    ),
  );
}
