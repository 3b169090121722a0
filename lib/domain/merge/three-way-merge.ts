/**
 * Field-by-field three-way merge (PROTOCOL §5). Pure and deterministic: the same input always
 * yields the same output, with every path list sorted.
 *
 * Invariants (tested as properties):
 * - a path is conflicting ⇔ the client and the server both changed it relative to base, to
 *   values that differ from each other;
 * - a path changed on both sides to the same value is a "same change", never a conflict;
 * - `mergedPaths` holds the server's state with every non-conflicting client change applied;
 *   it therefore contains every client-only and every server-only change, and conflicting
 *   paths keep the server's value.
 */
import type { FieldPath } from "../../protocol";
import { deepEqual } from "./deep-equal";
import { type PathMap, readPath, sortPaths } from "./paths";

export interface ThreeWayMergeInput {
  /** The record's mergeable state at the client's `baseVersion` (`recordToPaths`). */
  base: PathMap;
  /** The record's current mergeable state on the server. */
  server: PathMap;
  /** The client's patch as paths (`patchToPaths`): only the fields it sent. */
  patch: PathMap;
}

export interface ThreeWayMergeResult {
  /** Patch paths whose value differs from base. */
  clientChanged: FieldPath[];
  /** Paths whose server value differs from base. */
  serverChanged: FieldPath[];
  /** Changed on both sides to different values. */
  conflictingFields: FieldPath[];
  /** Changed on both sides to the same value (agreement, not a conflict). */
  sameChanges: FieldPath[];
  /** Server state + the client's non-conflicting changes; cleared values kept as explicit null. */
  mergedPaths: PathMap;
}

export function threeWayMerge({ base, server, patch }: ThreeWayMergeInput): ThreeWayMergeResult {
  const clientChanged = sortPaths(Object.keys(patch)).filter((path) => !deepEqual(readPath(patch, path), readPath(base, path)));
  const serverChanged = sortPaths([...Object.keys(base), ...Object.keys(server)]).filter(
    (path) => !deepEqual(readPath(server, path), readPath(base, path)),
  );
  const serverChangedSet = new Set(serverChanged);

  const conflictingFields: FieldPath[] = [];
  const sameChanges: FieldPath[] = [];
  for (const path of clientChanged) {
    if (!serverChangedSet.has(path)) continue;
    if (deepEqual(readPath(patch, path), readPath(server, path))) sameChanges.push(path);
    else conflictingFields.push(path);
  }

  const conflicting = new Set(conflictingFields);
  const mergedPaths: PathMap = { ...server };
  for (const path of clientChanged) {
    if (!conflicting.has(path)) mergedPaths[path] = readPath(patch, path);
  }
  return { clientChanged, serverChanged, conflictingFields, sameChanges, mergedPaths };
}

/** `paths` with each of `fields` taking its value from `source` (absent → explicit null). */
export function takeFields(paths: PathMap, fields: readonly FieldPath[], source: PathMap): PathMap {
  const out: PathMap = { ...paths };
  for (const path of fields) out[path] = readPath(source, path);
  return out;
}
