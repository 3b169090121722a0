/**
 * Field paths: the unit of merging (PROTOCOL §3). Every top-level field is a path (`status`),
 * and so is every key of the nested form answers (`data.latrines`).
 *
 * A `PathMap` maps paths to values. In every path map an absent path and a path whose value is
 * `null` mean the same thing ("no value"): for a `data.*` path that is "no answer", for a
 * top-level field it is null. Maps produced here keep explicit nulls where a value is cleared,
 * so applying a map to a record also clears what it should.
 */
import type { FieldPath, RecordType } from "../../protocol";
import { MUTABLE_FIELDS } from "../records";
import { deepEqual } from "./deep-equal";

export type PathMap = Record<FieldPath, unknown>;

/** Top-level fields whose keys are fields of their own. */
const NESTED_FIELDS: readonly string[] = ["data"];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function splitPath(path: FieldPath): [string, string | undefined] {
  const dot = path.indexOf(".");
  return dot === -1 ? [path, undefined] : [path.slice(0, dot), path.slice(dot + 1)];
}

/** The value at `path`, with absent and undefined read as null. */
export function readPath(map: PathMap, path: FieldPath): unknown {
  if (!Object.hasOwn(map, path)) return null;
  const value = map[path];
  return value === undefined ? null : value;
}

/** Sorted by UTF-16 code units, independent of locale: output order is part of determinism. */
export function sortPaths(paths: Iterable<FieldPath>): FieldPath[] {
  return [...new Set(paths)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * `{ status: "SUBMITTED", data: { latrines: 12 } }` → `{ status: "SUBMITTED", "data.latrines": 12 }`.
 * `null` values are kept (they clear); `undefined` values are skipped.
 */
export function patchToPaths(patch: Record<string, unknown>): PathMap {
  const out: PathMap = {};
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (NESTED_FIELDS.includes(field) && isPlainObject(value)) {
      for (const [key, nested] of Object.entries(value)) {
        if (nested !== undefined) out[`${field}.${key}`] = nested;
      }
    } else {
      out[field] = value;
    }
  }
  return out;
}

/** Inverse of `patchToPaths`: `{ "data.latrines": 12 }` → `{ data: { latrines: 12 } }`. */
export function pathsToPatch(paths: PathMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(paths)) {
    if (value === undefined) continue;
    const [field, key] = splitPath(path);
    if (key === undefined) {
      out[field] = value;
    } else {
      const nested = isPlainObject(out[field]) ? (out[field] as Record<string, unknown>) : {};
      nested[key] = value;
      out[field] = nested;
    }
  }
  return out;
}

/**
 * The mergeable state of a record: its mutable top-level fields plus one path per answer in
 * `data` (answers that are null or undefined are absent). Server-owned fields are not included.
 */
export function recordToPaths(record: object, type: RecordType): PathMap {
  const source = record as Record<string, unknown>;
  const out: PathMap = {};
  for (const field of MUTABLE_FIELDS[type]) {
    const value = source[field];
    if (value === undefined) continue;
    if (NESTED_FIELDS.includes(field) && isPlainObject(value)) {
      for (const [key, nested] of Object.entries(value)) {
        if (nested !== undefined && nested !== null) out[`${field}.${key}`] = nested;
      }
    } else if (!NESTED_FIELDS.includes(field)) {
      out[field] = value;
    }
  }
  return out;
}

/**
 * A new record with `paths` applied; the input is not modified (values are shared, not cloned).
 * A nested path (`data.x`) whose value is null or undefined removes that key; a top-level path
 * sets the field (null sets null).
 */
export function applyPaths<T extends object>(record: T, paths: PathMap): T {
  const out: Record<string, unknown> = { ...(record as Record<string, unknown>) };
  const copied = new Set<string>();
  for (const [path, value] of Object.entries(paths)) {
    const [field, key] = splitPath(path);
    if (key === undefined) {
      out[field] = value === undefined ? null : value;
      copied.delete(field);
      continue;
    }
    if (!copied.has(field)) {
      out[field] = isPlainObject(out[field]) ? { ...(out[field] as Record<string, unknown>) } : {};
      copied.add(field);
    }
    const nested = out[field] as Record<string, unknown>;
    if (value === null || value === undefined) delete nested[key];
    else nested[key] = value;
  }
  return out as T;
}

/** Paths whose values differ between `a` and `b` (deep equality, absent ≡ null), sorted. */
export function changedPaths(a: PathMap, b: PathMap): FieldPath[] {
  const keys = sortPaths([...Object.keys(a), ...Object.keys(b)]);
  return keys.filter((path) => !deepEqual(readPath(a, path), readPath(b, path)));
}

/** The changes that turn `from` into `to`, as a path map (cleared values as explicit nulls). */
export function diffPaths(from: PathMap, to: PathMap): PathMap {
  const out: PathMap = {};
  for (const path of changedPaths(from, to)) out[path] = readPath(to, path);
  return out;
}
