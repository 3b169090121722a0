/**
 * Type policies for conflicting fields (PROTOCOL §5), decided without a human:
 *
 * | type       | conflicting fields are decided by                                   | outcome  |
 * |------------|---------------------------------------------------------------------|----------|
 * | (any)      | none conflicting: the patch applies                                 | merged, method null |
 * | assessment | same user made the server's latest change: client (later edit) wins | merged, SAME_USER_LAST_WRITE |
 * | assessment | otherwise a human                                                   | conflict |
 * | response   | only the client set status DELIVERED: client wins                   | merged, DELIVERED_WINS_CLIENT |
 * | response   | only the server set status DELIVERED: server wins                   | merged, DELIVERED_WINS_SERVER |
 * | response   | otherwise (neither or both set it) a human                          | conflict |
 * | entity     | server wins; the rest of the patch applies                          | merged, SERVER_WINS |
 *
 * "Sets status DELIVERED" means that side changed `status` relative to base, to DELIVERED.
 * A merged outcome with a non-null method must be logged as an AUTO_RESOLVED conflict.
 */
import type { AutoResolutionMethod, FieldPath, RecordType } from "../../protocol";
import { changedPaths, type PathMap, readPath } from "./paths";
import { type ThreeWayMergeInput, type ThreeWayMergeResult, takeFields, threeWayMerge } from "./three-way-merge";

export interface PolicyInput extends ThreeWayMergeInput {
  /** The user who made the server's latest change is the one pushing (assessment policy). */
  sameUser?: boolean;
}

interface DecisionBase {
  conflictingFields: FieldPath[];
  merge: ThreeWayMergeResult;
}

export type PolicyDecision =
  | (DecisionBase & {
      outcome: "merged";
      /** null: nothing conflicted (not an auto-resolution, not logged as a conflict). */
      method: AutoResolutionMethod | null;
      /** The record's resulting mergeable state; apply with `applyPaths(serverRecord, resultPaths)`. */
      resultPaths: PathMap;
      /** Paths whose value differs from the server's; empty → no new version. */
      changedFields: FieldPath[];
    })
  | (DecisionBase & { outcome: "conflict"; method: null; resultPaths: null; changedFields: [] });

const DELIVERED = "DELIVERED";

export function decidePolicy(type: RecordType, input: PolicyInput): PolicyDecision {
  const merge = threeWayMerge(input);
  const { conflictingFields } = merge;

  const merged = (method: AutoResolutionMethod | null, resultPaths: PathMap): PolicyDecision => ({
    outcome: "merged",
    method,
    conflictingFields,
    merge,
    resultPaths,
    changedFields: changedPaths(input.server, resultPaths),
  });
  const clientWins = () => takeFields(merge.mergedPaths, conflictingFields, input.patch);

  if (conflictingFields.length === 0) return merged(null, merge.mergedPaths);

  switch (type) {
    case "entity":
      return merged("SERVER_WINS", merge.mergedPaths);
    case "assessment":
      if (input.sameUser === true) return merged("SAME_USER_LAST_WRITE", clientWins());
      break;
    case "response": {
      const clientSets = merge.clientChanged.includes("status") && readPath(input.patch, "status") === DELIVERED;
      const serverSets = merge.serverChanged.includes("status") && readPath(input.server, "status") === DELIVERED;
      if (clientSets && !serverSets) return merged("DELIVERED_WINS_CLIENT", clientWins());
      if (serverSets && !clientSets) return merged("DELIVERED_WINS_SERVER", merge.mergedPaths);
      break;
    }
  }
  return { outcome: "conflict", method: null, conflictingFields, merge, resultPaths: null, changedFields: [] };
}
