import fc from "fast-check";

/**
 * Generators of hostile requests for tests/integration/hostile: what an attacker, a broken client
 * or a bad proxy can send. Values are JSON-serialisable on purpose (JSON.stringify writes a lone
 * surrogate as a "\ud800" escape and NUL as "\u0000", exactly as a hostile client would), and the
 * raw-text variants cover what JSON.stringify cannot produce: truncated JSON, invalid UTF-8,
 * nesting thousands deep, duplicate keys, numbers JSON.parse turns into Infinity.
 */

// ---- scalars ------------------------------------------------------------------------------------

/** Strings Postgres, zod, regexes, path handling or a careless log would trip over. */
export const NASTY_STRINGS = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\uD800",
  "\uDFFF",
  "x\uD83D",
  "\uDCA7\uD83D",
  "💧",
  "\uFEFF",
  "\u202Eevil",
  '\'; DROP TABLE "User"; --',
  "' OR '1'='1",
  "1; SELECT pg_sleep(10)",
  "$1",
  "%",
  "%00",
  "%s%s%n",
  "\\",
  "\\u0000",
  "../../../etc/passwd",
  "<script>alert(1)</script>",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "null",
  "undefined",
  "NaN",
  "-1",
  "1e999",
  "9007199254740993",
  "2026-02-30T25:61:61Z",
  "00000000-0000-0000-0000-000000000000",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
] as const;

export const KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "hasOwnProperty",
  "k\u0000",
  "k\uD800",
  "\uDC00",
  "",
  "data",
  "status",
  "id",
  "$where",
];

/** 100,000 characters: long enough to hit every length limit, cheap enough to send often. */
export const HUGE_STRING = "x".repeat(100_000);

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.constant(HUGE_STRING) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.string({ maxLength: 5 }), fc.constantFrom("\u0000", "\uD800", "\uDC00")).map(([s, bad]) => s + bad + s),
  },
);

/** Numbers a JSON client can send (JSON has no NaN or Infinity; see RAW_TEXTS for 1e999). */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, -1, 1, 0.5, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...KEYS) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

/** Any JSON value built from the hostile scalars, a few levels deep. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(hostileKey, tie("value"), { maxKeys: 5 }),
  ),
})).value;

/** Depths around the body reader's limit and far beyond it (a few thousand levels). */
export const hostileDepth = fc.constantFrom(63, 64, 65, 100, 1000, 5000, 20_000);

/** An object with `key` set as an own property, even when it is `__proto__`. */
export function withKey(base: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const out = { ...base };
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

/**
 * A JSON object shaped like `base` with some fields made hostile: replaced by a hostile value,
 * deleted, or joined by a hostile key — so requests get past the first checks and reach deeper code.
 */
export function mangled(base: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(base);
  const add = fc.record({ kind: fc.constant("add" as const), key: hostileKey, value: hostileJson });
  const edit = keys.length
    ? fc.oneof(
        fc.record({ kind: fc.constant("set" as const), key: fc.constantFrom(...keys), value: hostileJson }),
        fc.record({ kind: fc.constant("drop" as const), key: fc.constantFrom(...keys), value: fc.constant(null) }),
        add,
      )
    : add;
  return fc.array(edit, { maxLength: 3 }).map((edits) => {
    let out: Record<string, unknown> = { ...base };
    for (const e of edits) {
      if (e.kind === "drop") delete out[e.key];
      else out = withKey(out, e.key, e.value);
    }
    return out;
  });
}

// ---- raw bodies ---------------------------------------------------------------------------------

const MiB = 1024 * 1024;

/** Bodies as text or bytes that JSON.stringify could never produce. */
export function rawBodies(valid: unknown): fc.Arbitrary<string | Uint8Array> {
  const text = JSON.stringify(valid);
  return fc.oneof(
    fc.nat({ max: Math.max(0, text.length - 1) }).map((n) => text.slice(0, n)), // truncated
    fc.constantFrom(
      "",
      "null",
      "[]",
      "{}",
      "0",
      '"x"',
      "{",
      "}{",
      "{'single':'quotes'}",
      '{"a":1e999}',
      '{"a":-1e999}',
      '{"a":1,"a":2}',
      '{"__proto__":{"admin":true}}',
      '{"constructor":{"prototype":{"admin":true}}}',
      "\uFEFF{}",
      '{"a":"\\ud800"}',
      '{"a\\u0000":1}',
      "NaN",
      "undefined",
    ),
    hostileDepth.map((n) => `${"[".repeat(n)}${"]".repeat(n)}`),
    hostileDepth.map((n) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`),
    hostileDepth.map((n) => `{"deviceId":"x","mutations":[${"[".repeat(n)}${"]".repeat(n)}]}`),
    fc.constant(`{"a":"${"x".repeat(3 * MiB)}"}`), // over every body limit
    fc.uint8Array({ maxLength: 64 }), // arbitrary bytes: invalid UTF-8 and all
    fc.constant(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d])), // {"a":"<CESU surrogate>"}
    fc.constant(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])), // a key of bytes that are no UTF-8
  );
}

/** A JSON body: mostly a hostile value serialised, sometimes raw text or bytes. */
export function hostileBody(valid: Record<string, unknown>): fc.Arbitrary<string | Uint8Array> {
  return fc.oneof(
    { weight: 4, arbitrary: mangled(valid).map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: hostileJson.map((v) => JSON.stringify(v)) },
    {
      // Built as text: JSON.stringify itself overflows the stack on values this deep.
      weight: 1,
      arbitrary: fc
        .tuple(hostileDepth, hostileJson, fc.boolean())
        .map(([n, v, arrays]) =>
          arrays ? `${"[".repeat(n)}${JSON.stringify(v)}${"]".repeat(n)}` : `${'{"a":'.repeat(n)}${JSON.stringify(v)}${"}".repeat(n)}`,
        ),
    },
    { weight: 2, arbitrary: rawBodies(valid) },
  );
}

// ---- URLs and headers ---------------------------------------------------------------------------

/** Percent-escapes that do not decode to UTF-8, and some that do but mean trouble. */
export const BAD_ESCAPES = ["%ED%A0%80", "%ED%BF%BF", "%FF", "%C0%AF", "%E0%A4%A", "%", "%Z9", "%F0%9F%92", "%00", "%2F", "%2e%2e", "%25"];

/** One path segment: a known id, a hostile string encoded, or bad escapes spliced in. */
export function pathSegment(known: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...known) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: hostileString.map((s) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, "")) || "x") },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...known, "abc", ""), fc.constantFrom(...BAD_ESCAPES), fc.constantFrom("", "x", "%A0"))
        .map(([a, bad, b]) => `${a}${bad}${b}`),
    },
  );
}

/** A query string (with the `?`): hostile names and values, bad escapes, repeated names. */
export function queryString(names: readonly string[]): fc.Arbitrary<string> {
  const value = fc.oneof(
    hostileString.map((s) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, "")).slice(0, 4000)),
    fc.constantFrom(...BAD_ESCAPES, "1", "0", "-1", "2000", "99999999999999999999", "PENDING", "RESOLVED,AUTO_RESOLVED"),
    fc.uuid(),
  );
  const pair = fc.tuple(fc.oneof(fc.constantFrom(...names), fc.constantFrom(...BAD_ESCAPES, "__proto__", "")), value);
  return fc.array(pair, { maxLength: 4 }).map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}` : ""));
}

/** A header value a real HTTP parser lets through: visible Latin-1, spaces and tabs. */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({
    unit: fc
      .integer({ min: 0x20, max: 0xff })
      .filter((c) => c !== 0x7f)
      .map((c) => String.fromCharCode(c)),
    maxLength: 60,
  }),
  fc.constantFrom(
    "",
    " ",
    "\t",
    "-1",
    "0",
    "1e3",
    "99999999999999999999",
    "NaN",
    "bytes=0-",
    "bytes=-1",
    "bytes=5-1",
    "*",
    "gzip",
    "x".repeat(8000),
  ),
);

export const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/offset+octet-stream",
  "application/json; charset=utf-16",
  "",
] as const;

/** Who sends the request. `cookie-foreign` is a cookie session writing from another origin. */
export type Credential = "admin" | "coordinator" | "assessor" | "responder" | "none" | "garbage" | "cookie" | "cookie-foreign";

export const credential: fc.Arbitrary<Credential> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<Credential>("admin", "coordinator", "assessor", "responder") },
  { weight: 1, arbitrary: fc.constantFrom<Credential>("none", "garbage", "cookie", "cookie-foreign") },
);

/** Extra headers: wrong content types and encodings, hostile forwarding and range headers. */
export const extraHeaders: fc.Arbitrary<Record<string, string>> = fc
  .record(
    {
      "content-type": fc.constantFrom(...CONTENT_TYPES),
      "content-encoding": fc.constantFrom("gzip", "deflate", "br", "identity", "GZIP", "x-unknown"),
      "content-length": fc.constantFrom("0", "-1", "1", "99999999999", "abc"),
      "x-forwarded-for": headerValue,
      "x-request-id": headerValue,
      range: headerValue,
      "if-none-match": headerValue,
      origin: fc.constantFrom("http://evil.test", "null", "http://app.test", ""),
    },
    { requiredKeys: [] },
  )
  .map((headers) => {
    // A content-length a fetch client would never send is dropped by undici; keep the rest.
    const { "content-length": _ignored, ...rest } = headers;
    return rest;
  });

/** One HTTP request as the suite sends it. */
export interface HostileRequest {
  method: string;
  /** Path and query, raw: may hold escapes that do not decode. */
  target: string;
  credential: Credential;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}
