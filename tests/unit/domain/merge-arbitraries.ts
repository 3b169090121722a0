/** Shared fast-check generators for merge properties. Small value domains make collisions common. */
import fc from "fast-check";
import type { PathMap } from "@/lib/domain/merge";

export const PATHS = ["status", "entityId", "data.a", "data.b", "data.c", "data.items"] as const;

export const valueArb = fc.oneof(
  fc.constantFrom<unknown>(0, 1, 2, "x", "y", true, null),
  fc.constantFrom<unknown>([{ name: "Rice", quantity: 1 }], [{ quantity: 1, name: "Rice" }], [{ name: "Rice", quantity: 2 }], []),
);

export const pathMapArb: fc.Arbitrary<PathMap> = fc.dictionary(fc.constantFrom(...PATHS), valueArb);

/** base, a server that edited some paths, and a client patch over some paths. */
export const mergeInputArb = fc
  .record({ base: pathMapArb, serverEdits: pathMapArb, patch: pathMapArb })
  .map(({ base, serverEdits, patch }) => ({ base, server: { ...base, ...serverEdits }, patch }));

/** Canonical equality oracle, independent of deepEqual: absent ≡ null, key order ignored. */
export function same(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): string =>
    JSON.stringify(v ?? null, (_k, x) =>
      x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => (p < q ? -1 : 1))) : x,
    );
  return canonical(a) === canonical(b);
}
