import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyPaths, changedPaths, diffPaths, patchToPaths, pathsToPatch, recordToPaths } from "@/lib/domain/merge";

const assessment = {
  id: "r1",
  offlineId: "o1",
  entityId: "e1",
  assessorId: "u1",
  assessmentType: "WASH",
  status: "DRAFT",
  data: { latrines: 4, waterSource: "WELL", notes: null },
  version: 3,
  verificationStatus: "DRAFT",
  createdAt: "t",
  updatedAt: "t",
  deletedAt: null,
};

describe("patchToPaths / pathsToPatch", () => {
  it("flattens the nested data into paths and back", () => {
    const patch = { status: "SUBMITTED", data: { latrines: 12, notes: null } };
    const paths = patchToPaths(patch);
    expect(paths).toEqual({ status: "SUBMITTED", "data.latrines": 12, "data.notes": null });
    expect(pathsToPatch(paths)).toEqual(patch);
  });

  it("keeps array and object answers as one field", () => {
    const items = [{ name: "Rice", quantity: 1, unit: "kg" }];
    expect(patchToPaths({ data: { items } })).toEqual({ "data.items": items });
  });

  it("skips undefined values", () => {
    expect(patchToPaths({ status: undefined, data: { a: undefined, b: 1 } })).toEqual({ "data.b": 1 });
  });

  it("round-trips any patch of the protocol's shape", () => {
    const key = fc.constantFrom("a", "b", "latrines", "notes");
    const value = fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }));
    const patch = fc.record(
      { status: fc.constantFrom("DRAFT", "SUBMITTED"), entityId: fc.string(), data: fc.dictionary(key, value, { minKeys: 1 }) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(patch, (p) => {
        expect(pathsToPatch(patchToPaths(p))).toEqual(p);
      }),
    );
  });
});

describe("recordToPaths", () => {
  it("includes only mutable fields and non-null answers", () => {
    expect(recordToPaths(assessment, "assessment")).toEqual({
      entityId: "e1",
      assessmentType: "WASH",
      status: "DRAFT",
      "data.latrines": 4,
      "data.waterSource": "WELL",
    });
  });

  it("covers the entity's fields", () => {
    const entity = { id: "e", name: "Camp", type: "CAMP", lga: "L", ward: "W", latitude: 1, longitude: 2, autoApprove: false, version: 1 };
    expect(Object.keys(recordToPaths(entity, "entity")).sort()).toEqual(
      ["autoApprove", "latitude", "lga", "longitude", "name", "type", "ward"].sort(),
    );
  });
});

describe("applyPaths", () => {
  it("sets values, removes cleared answers and leaves the input untouched", () => {
    const before = structuredClone(assessment);
    const after = applyPaths(assessment, { status: "SUBMITTED", "data.latrines": 12, "data.waterSource": null, "data.new": true });
    expect(after.status).toBe("SUBMITTED");
    expect(after.data).toEqual({ latrines: 12, notes: null, new: true });
    expect(assessment).toEqual(before);
    expect(after.version).toBe(3);
  });

  it("null on a top-level field sets null", () => {
    expect(applyPaths({ a: 1, deletedAt: "x" }, { deletedAt: null })).toEqual({ a: 1, deletedAt: null });
  });

  it("creates data when the record had none", () => {
    expect(applyPaths({ status: "DRAFT" } as Record<string, unknown>, { "data.x": 1 })).toEqual({ status: "DRAFT", data: { x: 1 } });
  });

  it("does not mutate a whole-data value passed in paths", () => {
    const data = { a: 1 };
    const after = applyPaths({} as Record<string, unknown>, { data, "data.b": 2 });
    expect(after).toEqual({ data: { a: 1, b: 2 } });
    expect(data).toEqual({ a: 1 });
  });

  it("applying a record's own paths changes nothing", () => {
    const paths = recordToPaths(assessment, "assessment");
    const after = applyPaths(assessment, paths);
    expect(changedPaths(recordToPaths(after, "assessment"), paths)).toEqual([]);
  });
});

describe("changedPaths / diffPaths", () => {
  it("uses deep equality and treats absent as null", () => {
    const a = { status: "DRAFT", "data.items": [{ name: "Rice", quantity: 1 }], "data.x": null };
    const b = { status: "DRAFT", "data.items": [{ quantity: 1, name: "Rice" }], "data.y": 2 };
    expect(changedPaths(a, b)).toEqual(["data.y"]);
    expect(diffPaths(b, a)).toEqual({ "data.y": null });
  });

  it("is sorted and symmetric", () => {
    const map = fc.dictionary(
      fc.constantFrom("status", "data.a", "data.b", "entityId"),
      fc.oneof(fc.integer({ min: 0, max: 2 }), fc.constant(null)),
    );
    fc.assert(
      fc.property(map, map, (a, b) => {
        const changed = changedPaths(a, b);
        expect(changed).toEqual([...changed].sort());
        expect(changedPaths(b, a)).toEqual(changed);
      }),
    );
  });

  it("applying a diff to a record turns its paths into the target", () => {
    const map = fc.dictionary(fc.constantFrom("status", "data.a", "data.b"), fc.oneof(fc.integer({ min: 0, max: 2 }), fc.constant(null)));
    fc.assert(
      fc.property(map, map, (from, to) => {
        const record = applyPaths({ status: null, data: {} } as Record<string, unknown>, from);
        const result = applyPaths(record, diffPaths(from, to));
        expect(changedPaths(recordToPaths(result, "assessment"), to)).toEqual([]);
      }),
    );
  });
});
