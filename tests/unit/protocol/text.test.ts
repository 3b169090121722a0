import { describe, expect, it } from "vitest";
import { findUnstorableText, toStorableText } from "@/lib/protocol";

const HIGH = "\uD83D"; // first half of 💧
const LOW = "\uDCA7"; // second half

describe("findUnstorableText", () => {
  it.each([
    ["plain text and emoji", { notes: "Water 💧 ok", n: 3, list: ["a", { b: "é" }] }, null],
    ["an emoji cut after its first half", { data: { notes: `broken ${HIGH}` } }, ["data", "notes"]],
    ["a second half with no first", { items: [{ name: `x${LOW}y` }] }, ["items", 0, "name"]],
    ["halves in the wrong order", { s: `${LOW}${HIGH}` }, ["s"]],
    ["NUL", { a: { b: "x\u0000" } }, ["a", "b"]],
    ["a bad key", { [`k${HIGH}`]: 1 }, [`k${HIGH}`]],
    ["a bare string", `${HIGH}`, []],
  ])("%s", (_, value, path) => {
    const found = findUnstorableText(value);
    if (path === null) expect(found).toBeNull();
    else expect(found?.path).toEqual(path);
  });

  it("says what is wrong", () => {
    expect(findUnstorableText("a\u0000")?.message).toMatch(/NUL/);
    expect(findUnstorableText(HIGH)?.message).toMatch(/half of a character/);
  });
});

describe("toStorableText", () => {
  it("replaces NUL and lone halves with U+FFFD and keeps everything else", () => {
    expect(toStorableText({ a: `x${HIGH}`, b: ["\u0000", "💧"], n: 1, z: null })).toEqual({
      a: "x\uFFFD",
      b: ["\uFFFD", "💧"],
      n: 1,
      z: null,
    });
  });
});
