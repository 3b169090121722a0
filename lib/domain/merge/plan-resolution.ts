/**
 * What resolving a conflict does to its record (PROTOCOL §5, README "Dashboard"), as one pure
 * function: the server executes the plan, the ConflictResolver shows it as the preview, so the
 * screen shows exactly what the server stores.
 *
 * The strategy is applied onto the record as it is NOW (`current`), not the snapshot taken when
 * the conflict was detected; `expectedVersion` guards the race between preview and resolve.
 *
 * | record now | conflict                       | strategy            | action                                      |
 * |------------|--------------------------------|---------------------|---------------------------------------------|
 * | deleted    | an edit (UPDATE or DELETION)   | client, custom      | restore: undelete with the resolved values  |
 * | deleted    | any                            | server, merge       | none: it stays deleted                      |
 * | deleted    | a stale delete (no edit)       | any                 | none: the delete is already done            |
 * | live       | a stale delete (no edit)       | client              | delete                                      |
 * | live       | a stale delete (no edit)       | custom              | write the coordinator's values, keep it     |
 * | live       | a stale delete (no edit)       | server, merge       | none: keep it                               |
 * | live       | an edit                        | any                 | write the resolved values (none if equal)   |
 */
import {
  assessmentPatchSchema,
  type ConflictDetail,
  entityPatchSchema,
  type FieldPath,
  type Issue,
  MUTABLE_FIELDS,
  type RecordType,
  type ResolutionStrategy,
  responsePatchSchema,
  toIssues,
} from "../../protocol";
import { validateRecordData } from "../forms/validate-form-data";
import { applyPaths, type PathMap, patchToPaths, recordToPaths } from "./paths";
import { resolveWithStrategy } from "./resolve-with-strategy";

export type ResolutionAction = "none" | "write" | "restore" | "delete";

export interface PlanResolutionInput {
  type: RecordType;
  kind: "UPDATE" | "DELETION";
  /** The record at the client's base version. */
  base: object | null;
  /** The record as it is now (with `deletedAt`). */
  current: object;
  /** The mutation's `data` as pushed; null for a delete. */
  patch: Record<string, unknown> | null;
  /** The conflicting fields recorded with the conflict. */
  conflictingFields: readonly FieldPath[];
  strategy: ResolutionStrategy;
  /** For `custom`: path → value for every conflicting field. */
  custom?: PathMap;
}

export type ResolutionPlan =
  | {
      ok: true;
      action: ResolutionAction;
      /** The mergeable state to write (write/restore); null otherwise. */
      paths: PathMap | null;
      /** Paths whose value differs from the record now. */
      changedFields: FieldPath[];
      /** The record after the resolution (server-set fields such as version are not advanced). */
      record: Record<string, unknown>;
      /** Whether the record is deleted afterwards. */
      deleted: boolean;
    }
  | {
      ok: false;
      code: "VALIDATION_FAILED";
      message: string;
      missing: FieldPath[];
      unexpected: FieldPath[];
      /** Form or field problems of the resulting record, at record paths (`["data", "latrines"]`). */
      issues: Issue[];
    };

/** The conflicting fields a strategy decides; `deletedAt` marks a deletion, it is not a value to pick. */
export function decidableFields(kind: "UPDATE" | "DELETION", conflictingFields: readonly FieldPath[]): FieldPath[] {
  return kind === "DELETION" ? conflictingFields.filter((f) => f !== "deletedAt") : [...conflictingFields];
}

const FIELD_SCHEMAS = { entity: entityPatchSchema, assessment: assessmentPatchSchema, response: responsePatchSchema } as const;

/** The record's top-level fields checked by the type's field rules, and its answers by its form. */
export function resultIssues(type: RecordType, record: Record<string, unknown>): Issue[] {
  const fields = Object.fromEntries(
    (MUTABLE_FIELDS[type] as readonly string[]).filter((f) => record[f] !== undefined).map((f) => [f, record[f]]),
  );
  const shaped = FIELD_SCHEMAS[type].safeParse(fields);
  if (!shaped.success) return toIssues(shaped.error.issues);
  const check = validateRecordData(type, record);
  return check.ok ? [] : check.issues;
}

export function planResolution(input: PlanResolutionInput): ResolutionPlan {
  const { type, kind, current, patch, strategy } = input;
  const currentRecord = current as Record<string, unknown>;
  const currentPaths = recordToPaths(current, type);
  const outcome = resolveWithStrategy({
    strategy,
    base: input.base ? recordToPaths(input.base, type) : currentPaths,
    server: currentPaths,
    patch: patchToPaths(patch ?? {}),
    conflictingFields: decidableFields(kind, input.conflictingFields),
    custom: input.custom,
  });
  if (!outcome.ok) return { ...outcome, issues: [] };

  const isDeleted = currentRecord.deletedAt != null;
  const keepsClientSide = strategy === "client" || strategy === "custom";
  const none = (): ResolutionPlan => ({
    ok: true,
    action: "none",
    paths: null,
    changedFields: [],
    record: currentRecord,
    deleted: isDeleted,
  });

  let action: ResolutionAction;
  let paths: PathMap | null = outcome.paths;
  if (isDeleted) {
    if (!patch || !keepsClientSide) return none();
    action = "restore";
    paths = outcome.paths ?? {};
  } else if (kind === "DELETION" && !patch) {
    if (strategy === "client") {
      return { ok: true, action: "delete", paths: null, changedFields: [], record: currentRecord, deleted: true };
    }
    if (strategy !== "custom" || !outcome.paths) return none();
    action = "write";
  } else {
    if (!outcome.paths) return none();
    action = "write";
  }

  const record = applyPaths(currentRecord, paths ?? {});
  if (action === "restore") record.deletedAt = null;
  const issues = resultIssues(type, record);
  if (issues.length > 0) {
    return { ok: false, code: "VALIDATION_FAILED", message: "The resulting record is not valid", missing: [], unexpected: [], issues };
  }
  return { ok: true, action, paths, changedFields: outcome.changedFields, record, deleted: false };
}

/** The plan for a conflict as the API details it (`current` is the record now): what the resolver previews. */
export function planConflictResolution(
  detail: Pick<ConflictDetail, "type" | "kind" | "base" | "server" | "current" | "patch" | "clientAction" | "conflictingFields">,
  choice: { strategy: ResolutionStrategy; custom?: PathMap },
): ResolutionPlan {
  return planResolution({
    type: detail.type,
    kind: detail.kind,
    base: detail.base,
    current: detail.current ?? detail.server,
    patch: detail.clientAction === "delete" ? null : detail.patch,
    conflictingFields: detail.conflictingFields,
    strategy: choice.strategy,
    custom: choice.custom,
  });
}
