/**
 * A coordinator's resolution of a PENDING conflict (PROTOCOL §5), as a pure function so the
 * server (when it resolves) and the ConflictResolver (when it previews) compute the same thing.
 *
 * - server: the record keeps the server's values; the client's whole patch is discarded.
 * - client: every path the client changed (relative to base) takes the client's value, applied
 *   onto the record as it is NOW: a path the client sent unchanged keeps the current value, so a
 *   resolution never writes the old snapshot back over what happened since (README "Dashboard").
 * - merge:  the client's non-conflicting changes apply; conflicting paths keep the server's values.
 * - custom: as merge, and `custom` gives the value of every conflicting path (and only those).
 *
 * `server` is the record's state now. If it moved on since the conflict was detected, paths that
 * newly conflict are held back by merge/custom like the recorded ones (the server keeps them).
 * The result is only the merged state: the caller validates it against the type's form
 * (`validateRecordData`) and, for a DELETION conflict, decides what restoring the record means.
 */
import type { FieldPath, ResolutionStrategy } from "../../protocol";
import { changedPaths, type PathMap, readPath, sortPaths } from "./paths";
import { threeWayMerge } from "./three-way-merge";

export interface ResolveWithStrategyInput {
  strategy: ResolutionStrategy;
  base: PathMap;
  server: PathMap;
  patch: PathMap;
  /** The conflicting fields recorded with the conflict (what the coordinator was shown). */
  conflictingFields: readonly FieldPath[];
  /** For `custom`: path → value for every conflicting field; null clears the field. */
  custom?: PathMap;
}

export type ResolveWithStrategyResult =
  | {
      ok: true;
      /** The record's resulting mergeable state, or null when the resolution changes nothing. */
      paths: PathMap | null;
      /** Paths whose value differs from the server's (empty when `paths` is null). */
      changedFields: FieldPath[];
    }
  | {
      ok: false;
      code: "VALIDATION_FAILED";
      message: string;
      /** Conflicting fields without a value in `custom`. */
      missing: FieldPath[];
      /** Paths in `custom` that are not conflicting fields. */
      unexpected: FieldPath[];
    };

function result(server: PathMap, paths: PathMap): ResolveWithStrategyResult {
  const changedFields = changedPaths(server, paths);
  return changedFields.length === 0 ? { ok: true, paths: null, changedFields } : { ok: true, paths, changedFields };
}

export function resolveWithStrategy(input: ResolveWithStrategyInput): ResolveWithStrategyResult {
  const { strategy, base, server, patch, conflictingFields } = input;

  if (strategy === "server") return { ok: true, paths: null, changedFields: [] };

  const merge = threeWayMerge({ base, server, patch });
  if (strategy === "client") {
    const paths: PathMap = { ...server };
    for (const path of merge.clientChanged) paths[path] = readPath(patch, path);
    return result(server, paths);
  }

  const held = new Set([...conflictingFields, ...merge.conflictingFields]);
  const paths: PathMap = { ...server };
  for (const path of merge.clientChanged) if (!held.has(path)) paths[path] = readPath(patch, path);

  if (strategy === "merge") return result(server, paths);

  const custom = input.custom ?? {};
  const recorded = new Set(conflictingFields);
  const missing = sortPaths(conflictingFields.filter((path) => !Object.hasOwn(custom, path) || custom[path] === undefined));
  const unexpected = sortPaths(Object.keys(custom).filter((path) => !recorded.has(path)));
  if (missing.length > 0 || unexpected.length > 0) {
    const parts = [
      missing.length > 0 ? `missing a value for ${missing.join(", ")}` : "",
      unexpected.length > 0 ? `not conflicting: ${unexpected.join(", ")}` : "",
    ].filter(Boolean);
    return { ok: false, code: "VALIDATION_FAILED", message: `Custom resolution ${parts.join("; ")}`, missing, unexpected };
  }
  for (const path of conflictingFields) paths[path] = readPath(custom, path);
  return result(server, paths);
}
