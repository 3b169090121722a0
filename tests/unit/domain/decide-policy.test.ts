import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { changedPaths, decidePolicy, type PolicyInput } from "@/lib/domain/merge";
import type { RecordType } from "@/lib/protocol";
import { mergeInputArb, same } from "./merge-arbitraries";

type Expected = {
  outcome: "merged" | "conflict";
  method: string | null;
  conflictingFields: string[];
  result?: Record<string, unknown>;
};

const assessmentConflict = {
  base: { status: "DRAFT", "data.latrines": 4, "data.notes": "a" },
  server: { status: "DRAFT", "data.latrines": 6, "data.notes": "a" },
  patch: { "data.latrines": 9, "data.notes": "b" },
};

const cases: [string, RecordType, PolicyInput, Expected][] = [
  [
    "no conflicting fields → merged, method null (any type)",
    "assessment",
    { base: { "data.a": 1, "data.b": 1 }, server: { "data.a": 2, "data.b": 1 }, patch: { "data.b": 3 } },
    { outcome: "merged", method: null, conflictingFields: [], result: { "data.a": 2, "data.b": 3 } },
  ],
  [
    "assessment, different user → conflict",
    "assessment",
    { ...assessmentConflict, sameUser: false },
    { outcome: "conflict", method: null, conflictingFields: ["data.latrines"] },
  ],
  [
    "assessment, user unknown → conflict",
    "assessment",
    assessmentConflict,
    { outcome: "conflict", method: null, conflictingFields: ["data.latrines"] },
  ],
  [
    "assessment, same user → later edit (client) wins",
    "assessment",
    { ...assessmentConflict, sameUser: true },
    {
      outcome: "merged",
      method: "SAME_USER_LAST_WRITE",
      conflictingFields: ["data.latrines"],
      result: { status: "DRAFT", "data.latrines": 9, "data.notes": "b" },
    },
  ],
  [
    "response, only the client sets DELIVERED → client wins",
    "response",
    {
      base: { status: "PLANNED", "data.beneficiaries": 100 },
      server: { status: "PLANNED", "data.beneficiaries": 120 },
      patch: { status: "DELIVERED", "data.beneficiaries": 95 },
    },
    {
      outcome: "merged",
      method: "DELIVERED_WINS_CLIENT",
      conflictingFields: ["data.beneficiaries"],
      result: { status: "DELIVERED", "data.beneficiaries": 95 },
    },
  ],
  [
    "response, only the server set DELIVERED → server wins, rest of patch applies",
    "response",
    {
      base: { status: "PLANNED", "data.beneficiaries": 100, "data.notes": "x" },
      server: { status: "DELIVERED", "data.beneficiaries": 120, "data.notes": "x" },
      patch: { "data.beneficiaries": 95, "data.notes": "y" },
    },
    {
      outcome: "merged",
      method: "DELIVERED_WINS_SERVER",
      conflictingFields: ["data.beneficiaries"],
      result: { status: "DELIVERED", "data.beneficiaries": 120, "data.notes": "y" },
    },
  ],
  [
    "response, both set DELIVERED → human",
    "response",
    {
      base: { status: "PLANNED", "data.beneficiaries": 100 },
      server: { status: "DELIVERED", "data.beneficiaries": 120 },
      patch: { status: "DELIVERED", "data.beneficiaries": 95 },
    },
    { outcome: "conflict", method: null, conflictingFields: ["data.beneficiaries"] },
  ],
  [
    "response, neither sets DELIVERED → human",
    "response",
    {
      base: { status: "PLANNED", "data.beneficiaries": 100 },
      server: { status: "PLANNED", "data.beneficiaries": 120 },
      patch: { "data.beneficiaries": 95 },
    },
    { outcome: "conflict", method: null, conflictingFields: ["data.beneficiaries"] },
  ],
  [
    "response, already DELIVERED at base (nobody sets it) → human",
    "response",
    {
      base: { status: "DELIVERED", "data.beneficiaries": 100 },
      server: { status: "DELIVERED", "data.beneficiaries": 120 },
      patch: { status: "DELIVERED", "data.beneficiaries": 95 },
    },
    { outcome: "conflict", method: null, conflictingFields: ["data.beneficiaries"] },
  ],
  [
    "response, no conflicting fields even with DELIVERED → merged, method null",
    "response",
    {
      base: { status: "PLANNED", "data.beneficiaries": 100 },
      server: { status: "PLANNED", "data.beneficiaries": 120 },
      patch: { status: "DELIVERED" },
    },
    { outcome: "merged", method: null, conflictingFields: [], result: { status: "DELIVERED", "data.beneficiaries": 120 } },
  ],
  [
    "entity → server wins conflicting fields, rest of patch applies",
    "entity",
    {
      base: { name: "Camp A", ward: "W1", autoApprove: false },
      server: { name: "Camp Alpha", ward: "W1", autoApprove: false },
      patch: { name: "Camp A1", autoApprove: true },
    },
    {
      outcome: "merged",
      method: "SERVER_WINS",
      conflictingFields: ["name"],
      result: { name: "Camp Alpha", ward: "W1", autoApprove: true },
    },
  ],
];

describe("decidePolicy — table", () => {
  it.each(cases)("%s", (_name, type, input, expected) => {
    const decision = decidePolicy(type, input);
    expect(decision.outcome).toBe(expected.outcome);
    expect(decision.method).toBe(expected.method);
    expect(decision.conflictingFields).toEqual(expected.conflictingFields);
    if (expected.result) {
      expect(decision.resultPaths).not.toBeNull();
      expect(changedPaths(decision.resultPaths ?? {}, expected.result)).toEqual([]);
    } else {
      expect(decision.resultPaths).toBeNull();
    }
  });

  it("reports no changed fields when the server keeps everything (no new version)", () => {
    const decision = decidePolicy("entity", {
      base: { name: "A" },
      server: { name: "B" },
      patch: { name: "C" },
    });
    expect(decision).toMatchObject({ outcome: "merged", method: "SERVER_WINS", changedFields: [] });
  });

  it("reports the changed fields of a merge", () => {
    const decision = decidePolicy("assessment", {
      base: { "data.a": 1 },
      server: { "data.a": 1, "data.b": 2 },
      patch: { "data.a": 5, "data.c": null },
    });
    expect(decision.changedFields).toEqual(["data.a"]);
  });
});

describe("decidePolicy — properties", () => {
  const typeArb = fc.constantFrom<RecordType>("entity", "assessment", "response");

  it("merged with a null method iff nothing conflicts; conflict only for assessment/response", () => {
    fc.assert(
      fc.property(typeArb, mergeInputArb, fc.boolean(), (type, input, sameUser) => {
        const decision = decidePolicy(type, { ...input, sameUser });
        const nothingConflicts = decision.conflictingFields.length === 0;
        expect(decision.outcome === "merged" && decision.method === null).toBe(nothingConflicts);
        if (type === "entity") expect(decision.outcome).toBe("merged");
        if (type === "assessment" && sameUser) expect(decision.outcome).toBe("merged");
      }),
    );
  });

  it("a merged result holds every non-conflicting client change and one side's value on conflicting fields", () => {
    fc.assert(
      fc.property(typeArb, mergeInputArb, fc.boolean(), (type, input, sameUser) => {
        const decision = decidePolicy(type, { ...input, sameUser });
        if (decision.outcome !== "merged") return;
        const { clientChanged, conflictingFields } = decision.merge;
        for (const p of clientChanged.filter((x) => !conflictingFields.includes(x))) {
          expect(same(decision.resultPaths[p], input.patch[p])).toBe(true);
        }
        const clientWins = decision.method === "SAME_USER_LAST_WRITE" || decision.method === "DELIVERED_WINS_CLIENT";
        for (const p of conflictingFields) {
          expect(same(decision.resultPaths[p], clientWins ? input.patch[p] : input.server[p])).toBe(true);
        }
        expect(decision.changedFields).toEqual(changedPaths(input.server, decision.resultPaths));
      }),
    );
  });
});
