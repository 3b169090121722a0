import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { changedPaths, threeWayMerge } from "@/lib/domain/merge";
import { mergeInputArb, PATHS, same, valueArb } from "./merge-arbitraries";

describe("threeWayMerge — examples", () => {
  it("separates client-only, server-only, same and conflicting changes", () => {
    const base = { status: "DRAFT", "data.latrines": 4, "data.functionalBoreholes": 1, "data.notes": "a" };
    const server = { status: "DRAFT", "data.latrines": 6, "data.functionalBoreholes": 2, "data.notes": "b" };
    const patch = { status: "SUBMITTED", "data.latrines": 9, "data.functionalBoreholes": 2, "data.notes": "a" };
    expect(threeWayMerge({ base, server, patch })).toEqual({
      clientChanged: ["data.functionalBoreholes", "data.latrines", "status"],
      serverChanged: ["data.functionalBoreholes", "data.latrines", "data.notes"],
      conflictingFields: ["data.latrines"],
      sameChanges: ["data.functionalBoreholes"],
      mergedPaths: { status: "SUBMITTED", "data.latrines": 6, "data.functionalBoreholes": 2, "data.notes": "b" },
    });
  });

  it("a cleared answer is a change, kept as an explicit null in the merge", () => {
    const result = threeWayMerge({ base: { "data.notes": "a" }, server: { "data.notes": "a" }, patch: { "data.notes": null } });
    expect(result.clientChanged).toEqual(["data.notes"]);
    expect(result.mergedPaths).toEqual({ "data.notes": null });
  });

  it("clearing on one side and editing on the other conflicts; clearing on both does not", () => {
    const base = { "data.notes": "a" };
    expect(threeWayMerge({ base, server: {}, patch: { "data.notes": "b" } }).conflictingFields).toEqual(["data.notes"]);
    expect(threeWayMerge({ base, server: {}, patch: { "data.notes": null } })).toMatchObject({
      conflictingFields: [],
      sameChanges: ["data.notes"],
    });
  });

  it("compares item lists deeply", () => {
    const items = [{ name: "Rice", quantity: 1, unit: "kg" }];
    const reordered = [{ unit: "kg", quantity: 1, name: "Rice" }];
    const result = threeWayMerge({ base: { "data.items": items }, server: { "data.items": items }, patch: { "data.items": reordered } });
    expect(result.clientChanged).toEqual([]);
  });
});

describe("threeWayMerge — properties", () => {
  it("a field is conflicting iff both sides changed it to different values", () => {
    fc.assert(
      fc.property(mergeInputArb, ({ base, server, patch }) => {
        const { conflictingFields, sameChanges, clientChanged, serverChanged } = threeWayMerge({ base, server, patch });
        for (const p of PATHS) {
          const clientChangedIt = Object.hasOwn(patch, p) && !same(patch[p], base[p]);
          const serverChangedIt = !same(server[p], base[p]);
          expect(clientChanged.includes(p)).toBe(clientChangedIt);
          expect(serverChanged.includes(p)).toBe(serverChangedIt);
          expect(conflictingFields.includes(p)).toBe(clientChangedIt && serverChangedIt && !same(patch[p], server[p]));
          expect(sameChanges.includes(p)).toBe(clientChangedIt && serverChangedIt && same(patch[p], server[p]));
        }
      }),
    );
  });

  it("disjoint edits never conflict", () => {
    const arb = fc
      .record({
        base: fc.dictionary(fc.constantFrom(...PATHS), valueArb),
        clientSide: fc.array(fc.boolean(), { minLength: PATHS.length, maxLength: PATHS.length }),
        values: fc.array(valueArb, { minLength: PATHS.length, maxLength: PATHS.length }),
        touched: fc.array(fc.boolean(), { minLength: PATHS.length, maxLength: PATHS.length }),
      })
      .map(({ base, clientSide, values, touched }) => {
        const server = { ...base };
        const patch: Record<string, unknown> = {};
        PATHS.forEach((p, i) => {
          if (!touched[i]) return;
          if (clientSide[i]) patch[p] = values[i];
          else server[p] = values[i];
        });
        return { base, server, patch };
      });
    fc.assert(
      fc.property(arb, (input) => {
        expect(threeWayMerge(input).conflictingFields).toEqual([]);
      }),
    );
  });

  it("equal changes on both sides are never conflicts", () => {
    fc.assert(
      fc.property(mergeInputArb, ({ base, server, patch }) => {
        // The client makes the server's changes too (plus its own edits elsewhere).
        const mirrored = Object.fromEntries(changedPaths(base, server).map((p) => [p, server[p] ?? null]));
        const result = threeWayMerge({ base, server, patch: { ...patch, ...mirrored } });
        expect(result.conflictingFields).toEqual([]);
        expect(result.sameChanges).toEqual(result.clientChanged.filter((p) => result.serverChanged.includes(p)));
        expect(result.sameChanges).toEqual(result.serverChanged);
      }),
    );
  });

  it("the merge keeps every client-only and server-only change; conflicting fields keep the server's value", () => {
    fc.assert(
      fc.property(mergeInputArb, ({ base, server, patch }) => {
        const { clientChanged, serverChanged, conflictingFields, mergedPaths } = threeWayMerge({ base, server, patch });
        for (const p of clientChanged.filter((x) => !serverChanged.includes(x))) expect(same(mergedPaths[p], patch[p])).toBe(true);
        for (const p of serverChanged.filter((x) => !clientChanged.includes(x))) expect(same(mergedPaths[p], server[p])).toBe(true);
        for (const p of conflictingFields) expect(same(mergedPaths[p], server[p])).toBe(true);
        // Nothing else moves: every path the merge changed relative to the server is a client change.
        for (const p of changedPaths(server, mergedPaths)) expect(clientChanged).toContain(p);
      }),
    );
  });

  it("is deterministic, pure and sorted", () => {
    fc.assert(
      fc.property(mergeInputArb, (input) => {
        const snapshot = structuredClone(input);
        const first = threeWayMerge(input);
        const second = threeWayMerge(structuredClone(input));
        expect(second).toEqual(first);
        expect(input).toEqual(snapshot);
        for (const list of [first.clientChanged, first.serverChanged, first.conflictingFields, first.sameChanges]) {
          expect(list).toEqual([...list].sort());
        }
      }),
    );
  });

  it("key order of the inputs does not change the output", () => {
    fc.assert(
      fc.property(mergeInputArb, ({ base, server, patch }) => {
        const reverse = (m: Record<string, unknown>) => Object.fromEntries(Object.entries(m).reverse());
        const a = threeWayMerge({ base, server, patch });
        const b = threeWayMerge({ base: reverse(base), server: reverse(server), patch: reverse(patch) });
        expect(b.conflictingFields).toEqual(a.conflictingFields);
        expect(changedPaths(a.mergedPaths, b.mergedPaths)).toEqual([]);
      }),
    );
  });

  it("with no server changes the merge is base + patch; with an empty patch it is the server", () => {
    fc.assert(
      fc.property(mergeInputArb, ({ base, server, patch }) => {
        const noServer = threeWayMerge({ base, server: base, patch });
        expect(noServer.conflictingFields).toEqual([]);
        for (const p of Object.keys(patch)) expect(same(noServer.mergedPaths[p], patch[p])).toBe(true);
        const noClient = threeWayMerge({ base, server, patch: {} });
        expect(changedPaths(noClient.mergedPaths, server)).toEqual([]);
      }),
    );
  });
});
