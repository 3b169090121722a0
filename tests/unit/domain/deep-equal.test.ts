import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { deepEqual } from "@/lib/domain/merge";

describe("deepEqual", () => {
  it.each<[string, unknown, unknown, boolean]>([
    ["same number", 1, 1, true],
    ["different numbers", 1, 2, false],
    ["NaN", Number.NaN, Number.NaN, true],
    ["+0 and -0", 0, -0, true],
    ["number vs string", 1, "1", false],
    ["null vs undefined", null, undefined, false],
    ["null vs object", null, {}, false],
    ["strings", "a", "a", true],
    ["booleans", true, false, false],
    ["equal arrays", [1, [2, 3]], [1, [2, 3]], true],
    ["arrays in another order", [1, 2], [2, 1], false],
    ["arrays of different length", [1], [1, 1], false],
    ["array vs object", [1], { 0: 1 }, false],
    ["objects, keys in any order", { a: 1, b: { c: [1] } }, { b: { c: [1] }, a: 1 }, true],
    ["objects with different values", { a: 1 }, { a: 2 }, false],
    ["objects with extra key", { a: 1 }, { a: 1, b: 2 }, false],
    ["undefined-valued key counts as absent", { a: 1, b: undefined }, { a: 1 }, true],
    ["null-valued key does not", { a: 1, b: null }, { a: 1 }, false],
    ["response items", [{ name: "Rice", quantity: 2, unit: "kg" }], [{ unit: "kg", quantity: 2, name: "Rice" }], true],
    ["items differing in quantity", [{ name: "Rice", quantity: 2 }], [{ name: "Rice", quantity: 3 }], false],
    ["equal dates", new Date(5), new Date(5), true],
    ["different dates", new Date(5), new Date(6), false],
    ["date vs object", new Date(5), {}, false],
  ])("%s", (_name, a, b, expected) => {
    expect(deepEqual(a, b)).toBe(expected);
    expect(deepEqual(b, a)).toBe(expected);
  });

  it("agrees with JSON round-trips: a value equals its clone", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(deepEqual(value, JSON.parse(JSON.stringify(value)))).toBe(true);
      }),
    );
  });

  it("is symmetric and matches canonical JSON equality", () => {
    const canonical = (v: unknown): string =>
      JSON.stringify(v, (_k, x) =>
        x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
      );
    const small = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small" },
        fc.constantFrom(0, 1, "a", "b", true, null),
        fc.array(tie("value"), { maxLength: 2 }),
        fc.dictionary(fc.constantFrom("x", "y"), tie("value"), { maxKeys: 2 }),
      ),
    })).value;
    fc.assert(
      fc.property(small, small, (a, b) => {
        expect(deepEqual(a, b)).toBe(deepEqual(b, a));
        expect(deepEqual(a, b)).toBe(canonical(a) === canonical(b));
      }),
    );
  });
});
