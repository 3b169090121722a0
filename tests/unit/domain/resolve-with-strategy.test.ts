import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { changedPaths, resolveWithStrategy, threeWayMerge } from "@/lib/domain/merge";
import { mergeInputArb, same } from "./merge-arbitraries";

const base = { status: "DRAFT", "data.latrines": 4, "data.boreholes": 1, "data.notes": "a" };
const server = { status: "DRAFT", "data.latrines": 6, "data.boreholes": 2, "data.notes": "a" };
// latrines conflicts; boreholes is sent equal to base (not a client change); notes and status are client-only.
const patch = { status: "SUBMITTED", "data.latrines": 9, "data.boreholes": 1, "data.notes": "b" };
const conflictingFields = ["data.latrines"];
const input = { base, server, patch, conflictingFields };

describe("resolveWithStrategy — table", () => {
  it.each<[string, Parameters<typeof resolveWithStrategy>[0], Record<string, unknown> | null]>([
    ["server keeps the record as it is", { ...input, strategy: "server" }, null],
    [
      "client: every field the client changed takes its value; one sent unchanged keeps the current value",
      { ...input, strategy: "client" },
      { status: "SUBMITTED", "data.latrines": 9, "data.boreholes": 2, "data.notes": "b" },
    ],
    [
      "merge: non-conflicting client changes apply, conflicting keep the server's",
      { ...input, strategy: "merge" },
      { status: "SUBMITTED", "data.latrines": 6, "data.boreholes": 2, "data.notes": "b" },
    ],
    [
      "custom: as merge, plus the given values",
      { ...input, strategy: "custom", custom: { "data.latrines": 7 } },
      { status: "SUBMITTED", "data.latrines": 7, "data.boreholes": 2, "data.notes": "b" },
    ],
    [
      "custom: null clears a conflicting answer",
      { ...input, strategy: "custom", custom: { "data.latrines": null } },
      { status: "SUBMITTED", "data.latrines": null, "data.boreholes": 2, "data.notes": "b" },
    ],
    [
      "merge with only conflicting changes changes nothing",
      { base, server, patch: { "data.latrines": 9 }, conflictingFields, strategy: "merge" },
      null,
    ],
    [
      "client equal to the server changes nothing",
      { base, server, patch: { "data.latrines": 6 }, conflictingFields: [], strategy: "client" },
      null,
    ],
    [
      "custom choosing the server's values changes nothing",
      { base, server, patch: { "data.latrines": 9 }, conflictingFields, strategy: "custom", custom: { "data.latrines": 6 } },
      null,
    ],
  ])("%s", (_name, args, expected) => {
    const result = resolveWithStrategy(args);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    if (expected === null) {
      expect(result.paths).toBeNull();
      expect(result.changedFields).toEqual([]);
    } else {
      expect(result.paths).not.toBeNull();
      expect(changedPaths(result.paths ?? {}, expected)).toEqual([]);
      expect(result.changedFields).toEqual(changedPaths(server, expected));
    }
  });

  it.each<[string, Record<string, unknown> | undefined, string[], string[]]>([
    ["custom without data", undefined, ["data.latrines"], []],
    ["custom missing a conflicting field", { "data.notes": "c" }, ["data.latrines"], ["data.notes"]],
    ["custom with an undefined value", { "data.latrines": undefined }, ["data.latrines"], []],
    ["custom naming a non-conflicting field", { "data.latrines": 7, status: "DRAFT" }, [], ["status"]],
  ])("rejects %s", (_name, custom, missing, unexpected) => {
    const result = resolveWithStrategy({ ...input, strategy: "custom", custom });
    expect(result).toMatchObject({ ok: false, code: "VALIDATION_FAILED", missing, unexpected });
  });

  it("holds back fields that newly conflict after the server moved on", () => {
    const movedOn = { ...server, "data.notes": "server edit" };
    const result = resolveWithStrategy({ ...input, server: movedOn, strategy: "merge" });
    expect(result.ok && result.paths).toMatchObject({ "data.notes": "server edit", status: "SUBMITTED", "data.latrines": 6 });
  });
});

describe("resolveWithStrategy — properties", () => {
  it("merge equals the three-way merge; custom with the server's values equals merge; custom with the client's values applies them", () => {
    fc.assert(
      fc.property(mergeInputArb, ({ base, server, patch }) => {
        const merge = threeWayMerge({ base, server, patch });
        const args = { base, server, patch, conflictingFields: merge.conflictingFields };

        const merged = resolveWithStrategy({ ...args, strategy: "merge" });
        if (!merged.ok) throw new Error("merge cannot fail");
        expect(changedPaths(merged.paths ?? server, merge.mergedPaths)).toEqual([]);

        const serverValues = Object.fromEntries(merge.conflictingFields.map((p) => [p, server[p] ?? null]));
        const custom = resolveWithStrategy({ ...args, strategy: "custom", custom: serverValues });
        if (!custom.ok) throw new Error("custom with every field cannot fail");
        expect(changedPaths(custom.paths ?? server, merged.paths ?? server)).toEqual([]);

        const clientValues = Object.fromEntries(merge.conflictingFields.map((p) => [p, patch[p] ?? null]));
        const clientCustom = resolveWithStrategy({ ...args, strategy: "custom", custom: clientValues });
        if (!clientCustom.ok) throw new Error("custom with every field cannot fail");
        for (const p of merge.clientChanged) expect(same((clientCustom.paths ?? server)[p], patch[p])).toBe(true);
      }),
    );
  });

  it("server never changes anything; client applies every path the client changed and nothing else", () => {
    fc.assert(
      fc.property(mergeInputArb, ({ base, server, patch }) => {
        const args = { base, server, patch, conflictingFields: threeWayMerge({ base, server, patch }).conflictingFields };
        expect(resolveWithStrategy({ ...args, strategy: "server" })).toEqual({ ok: true, paths: null, changedFields: [] });
        const client = resolveWithStrategy({ ...args, strategy: "client" });
        if (!client.ok) throw new Error("client cannot fail");
        const { clientChanged } = threeWayMerge({ base, server, patch });
        for (const p of Object.keys(patch)) {
          const expected = clientChanged.includes(p) ? patch[p] : server[p];
          expect(same((client.paths ?? server)[p] ?? null, expected ?? null)).toBe(true);
        }
      }),
    );
  });
});
