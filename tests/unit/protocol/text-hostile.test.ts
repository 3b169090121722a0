import { describe, expect, it } from "vitest";
import { findUnstorableText, MAX_JSON_DEPTH, PROTO_KEY_RENAMED, TOO_DEEP_MARK, toStorableString, toStorableText } from "@/lib/protocol";

const HIGH = "\uD83D"; // first half of 💧

/** `levels` arrays nested inside each other around `inner`. */
function nested(levels: number, inner: unknown): unknown {
  let value = inner;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

describe("findUnstorableText on hostile shapes", () => {
  it("walks 100,000 levels without recursion and finds the bad string at the bottom", () => {
    const found = findUnstorableText(nested(100_000, "x\u0000"));
    expect(found?.path).toHaveLength(100_000);
    expect(found?.message).toMatch(/NUL/);
  });

  it("reports the first bad text in document order", () => {
    expect(findUnstorableText({ a: ["ok", { b: "\u0000" }], c: HIGH })?.path).toEqual(["a", 1, "b"]);
  });

  it("checks a __proto__ key like any other key", () => {
    const value = JSON.parse(`{"__proto__":{"x\\u0000":1}}`);
    expect(findUnstorableText(value)?.path).toEqual(["__proto__", "x\u0000"]);
  });
});

describe("toStorableText on hostile shapes", () => {
  it("replaces NUL and lone halves in keys too", () => {
    const value = JSON.parse(`{"a\\u0000":{"b\\ud800":["\\udc00"]}}`);
    expect(toStorableText(value)).toEqual({ "a\uFFFD": { "b\uFFFD": ["\uFFFD"] } });
    expect(findUnstorableText(toStorableText(value))).toBeNull();
  });

  it("renames a __proto__ key, which Prisma would drop with its value, and sets no prototype", () => {
    const out = toStorableText(JSON.parse(`{"__proto__":{"polluted":true},"n":1}`)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, "__proto__")).toBe(false);
    expect(out).toEqual({ [PROTO_KEY_RENAMED]: { polluted: true }, n: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("cuts a value nested deeper than MAX_JSON_DEPTH instead of overflowing the stack", () => {
    const out = toStorableText(nested(50_000, "deep"));
    let level = out;
    let depth = 0;
    while (Array.isArray(level)) {
      level = level[0];
      depth++;
    }
    expect(level).toBe(TOO_DEEP_MARK);
    expect(depth).toBeGreaterThanOrEqual(MAX_JSON_DEPTH - 1);
    expect(depth).toBeLessThanOrEqual(MAX_JSON_DEPTH + 1);
  });

  it("keeps a value within the limit whole", () => {
    const value = nested(MAX_JSON_DEPTH - 2, { s: "💧" });
    expect(toStorableText(value)).toEqual(value);
  });

  it("turns what JSON cannot carry into what JSON.stringify makes of it", () => {
    expect(toStorableText(undefined)).toBeNull();
    expect(toStorableText({ d: new Date(0), u: undefined, n: Number.NaN })).toEqual({ d: "1970-01-01T00:00:00.000Z", n: null });
  });
});

describe("toStorableString", () => {
  it.each([
    ["plain", "abc", "abc"],
    ["an emoji whole", "💧", "💧"],
    ["NUL", "a\u0000b", "a\uFFFDb"],
    ["a lone first half", `x${HIGH}`, "x\uFFFD"],
    ["halves in the wrong order", "\uDCA7\uD83D", "\uFFFD\uFFFD"],
  ])("%s", (_, input, output) => {
    expect(toStorableString(input)).toBe(output);
  });
});
