/**
 * Text Postgres cannot store: U+0000 (refused by text and jsonb) and lone UTF-16 surrogates — half
 * of a character, e.g. an emoji cut by a length limit — which JSON carries as "\ud83d" escapes and
 * jsonb refuses (a `text` column silently turns them into U+FFFD). Found anywhere in a request
 * (values or keys), they are a VALIDATION_FAILED naming the path, never a failed write; logs of
 * refused input store them replaced (`toStorableText`).
 *
 * Both walks are iterative or depth-capped, so a value nested thousands deep cannot overflow the
 * stack (request bodies are refused past MAX_JSON_DEPTH before they get here anyway).
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Deepest nesting of arrays and objects a request body may have. The deepest legitimate body, a
 * push with a response's items, is 7 levels; anything near this limit is hostile.
 */
export const MAX_JSON_DEPTH = 64;

export interface UnstorableText {
  path: (string | number)[];
  message: string;
}

function problemOf(text: string): string | null {
  if (text.includes("\u0000")) return "Text may not contain the NUL character (U+0000)";
  if (LONE_SURROGATE.test(text)) return "Text contains half of a character (a lone UTF-16 surrogate), e.g. an emoji cut in two";
  return null;
}

/** One value on the walk's stack; the path is rebuilt from the parents only when text is bad. */
interface Visit {
  value: unknown;
  key: string | number | null;
  parent: Visit | null;
}

function pathOf(visit: Visit, base: (string | number)[]): (string | number)[] {
  const keys: (string | number)[] = [];
  for (let v: Visit | null = visit; v && v.key !== null; v = v.parent) keys.push(v.key);
  return [...base, ...keys.reverse()];
}

/** The first string (or key) in `value` that cannot be stored, with its path; null when all can. */
export function findUnstorableText(value: unknown, path: (string | number)[] = []): UnstorableText | null {
  // Depth-first in document order, with an explicit stack instead of recursion.
  const stack: Visit[] = [{ value, key: null, parent: null }];
  while (stack.length > 0) {
    const visit = stack.pop() as Visit;
    const v = visit.value;
    if (typeof v === "string") {
      const message = problemOf(v);
      if (message) return { path: pathOf(visit, path), message };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: i, parent: visit });
    } else if (v !== null && typeof v === "object") {
      const entries = Object.entries(v);
      for (const [key] of entries) {
        const keyProblem = problemOf(key);
        if (keyProblem) return { path: pathOf({ value: null, key, parent: visit }, path), message: `${keyProblem} (in a key)` };
      }
      for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i][1], key: entries[i][0], parent: visit });
    }
  }
  return null;
}

/** The string with NUL and lone surrogates replaced by U+FFFD (the replacement character). */
export function toStorableString(text: string): string {
  return text.replaceAll("\u0000", "\uFFFD").replace(LONE_SURROGATES, "\uFFFD");
}

/** What stands in for a part of a logged value nested deeper than the log keeps. */
export const TOO_DEEP_MARK = "[nested too deeply]";

/**
 * What a `__proto__` key is renamed to: Prisma writes JSON by copying objects key by key, and
 * assigning `__proto__` sets a prototype instead, so the key and its value would silently vanish.
 */
export const PROTO_KEY_RENAMED = "\uFFFD__proto__";

/**
 * The same JSON value with NUL and lone surrogates replaced by U+FFFD in strings and keys, and a
 * `__proto__` key renamed (PROTO_KEY_RENAMED): storable as it was sent, near enough. Non-JSON
 * values become what JSON.stringify makes of them; levels beyond MAX_JSON_DEPTH become TOO_DEEP_MARK.
 */
export function toStorableText(value: unknown): unknown {
  return storable(JSON.parse(JSON.stringify(value ?? null, depthCapped()) ?? "null"), 0);
}

function storable(value: unknown, depth: number): unknown {
  if (typeof value === "string") return toStorableString(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_JSON_DEPTH) return TOO_DEEP_MARK;
  if (Array.isArray(value)) return value.map((item) => storable(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key === "__proto__" ? PROTO_KEY_RENAMED : toStorableString(key)] = storable(item, depth + 1);
  }
  return out;
}

/** A JSON.stringify replacer that cuts objects nested deeper than MAX_JSON_DEPTH (its own recursion would overflow). */
function depthCapped(): (this: unknown, key: string, value: unknown) => unknown {
  const depthOf = new WeakMap<object, number>();
  return function (this: unknown, _key: string, value: unknown) {
    if (value === null || typeof value !== "object") return value;
    const parentDepth = this !== null && typeof this === "object" ? (depthOf.get(this) ?? 0) : 0;
    const depth = parentDepth + 1;
    if (depth > MAX_JSON_DEPTH + 1) return TOO_DEEP_MARK;
    depthOf.set(value, depth);
    return value;
  };
}
