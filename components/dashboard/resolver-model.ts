import {
  decidableFields,
  getForm,
  isFormId,
  listQuestions,
  type PathMap,
  patchToPaths,
  readPath,
  recordToPaths,
  sortPaths,
  threeWayMerge,
} from "@/lib/domain";
import type { ConflictDetail, ResolutionStrategy } from "@/lib/protocol";
import { type FieldInputSpec, type Parsed, parseCustomValue } from "./custom-value";
import { fieldLabel } from "./format-value";

/**
 * The ConflictResolver's decisions as plain data (tested without a browser): the rows it shows
 * and the request a set of per-field choices becomes. The preview of that request is
 * `planConflictResolution`, the server's own code.
 */
export type Choice = "server" | "client" | "custom";
export type Mode = "fields" | "server" | "client" | "merge";

export interface FieldDecision {
  choice: Choice;
  text: string;
}

export interface Row {
  path: string;
  label: string;
  base: unknown;
  server: unknown;
  client: unknown;
  /** held: changed on both sides since, but after the conflict was recorded; the server's value stays. */
  status: "contested" | "held" | "device-only" | "server-only" | "same";
}

export const STATUS_NOTE: Record<Row["status"], string> = {
  contested: "Contested",
  held: "Changed on both sides since: the server's value stays",
  "device-only": "Merged: changed on the device only",
  "server-only": "Changed on the server only",
  same: "",
};

/** Every field of the form (and the record's top-level fields), contested first. */
export function buildRows(d: ConflictDetail, current: object): Row[] {
  const type = d.type;
  const base = d.base ? recordToPaths(d.base, type) : {};
  const server = recordToPaths(current, type);
  const patch = d.clientAction === "delete" ? {} : patchToPaths(d.patch);
  const client: PathMap = { ...base, ...patch };
  const merge = threeWayMerge({ base, server, patch });
  const contested = new Set(decidableFields(d.kind, d.conflictingFields));
  const form = d.form && isFormId(d.form) ? getForm(d.form) : null;
  const formPaths = form ? listQuestions(form).map((q) => `data.${q.id}`) : [];
  const topLevel = sortPaths([...Object.keys(base), ...Object.keys(server), ...Object.keys(client)]).filter((p) => !p.startsWith("data."));
  const extra = sortPaths([...Object.keys(base), ...Object.keys(server), ...Object.keys(client)]).filter(
    (p) => p.startsWith("data.") && !formPaths.includes(p),
  );
  const all = [...new Set([...topLevel, ...formPaths, ...extra])].filter(
    (p) => p !== "entityId" && p !== "assessmentId" && p !== "assessmentOfflineId",
  );
  const rows = all.map((path): Row => {
    const status: Row["status"] = contested.has(path)
      ? "contested"
      : merge.conflictingFields.includes(path)
        ? "held"
        : merge.clientChanged.includes(path)
          ? "device-only"
          : merge.serverChanged.includes(path)
            ? "server-only"
            : "same";
    return {
      path,
      label: fieldLabel(d.form, path),
      base: readPath(base, path),
      server: readPath(server, path),
      client: readPath(client, path),
      status,
    };
  });
  const rank = { contested: 0, held: 1, "device-only": 2, "server-only": 3, same: 4 };
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank[a.r.status] - rank[b.r.status] || a.i - b.i)
    .map((x) => x.r);
}

export function deletionExplanation(d: ConflictDetail, currentDeleted: boolean): string | null {
  if (d.kind === "DELETION" && d.clientAction === "delete") {
    return "The device deleted this record, but someone changed it after the device last saw it. Taking the device's side deletes the record for everyone; keeping the server's side keeps it, with the latest values.";
  }
  if (currentDeleted) {
    return "This record was deleted on the server, and a device edited it. Taking the device's values (or typing your own) restores the record for everyone with those values; keeping the server's side leaves it deleted and the edit is discarded.";
  }
  return null;
}

/** The typed values of the fields set to "Type a value", parsed and checked by their question. */
export function parseDecisions(
  contested: readonly Row[],
  decisions: Record<string, FieldDecision>,
  specs: Map<string, FieldInputSpec>,
): Map<string, Parsed> {
  const out = new Map<string, Parsed>();
  for (const r of contested) {
    const dec = decisions[r.path];
    const spec = specs.get(r.path);
    if (dec?.choice === "custom" && spec) out.set(r.path, parseCustomValue(spec, dec.text));
  }
  return out;
}

/**
 * A whole-record shortcut is its strategy; field-by-field choices are a `custom` resolution naming
 * every contested field: the server's value now, the device's value, or the typed one.
 */
export function buildResolveRequest(
  mode: Mode,
  contested: readonly Row[],
  decisions: Record<string, FieldDecision>,
  specs: Map<string, FieldInputSpec>,
): { strategy: ResolutionStrategy; data?: PathMap } {
  if (mode !== "fields") return { strategy: mode };
  const parsed = parseDecisions(contested, decisions, specs);
  const data: PathMap = {};
  for (const r of contested) {
    const dec = decisions[r.path];
    const p = parsed.get(r.path);
    data[r.path] = dec?.choice === "client" ? r.client : dec?.choice === "custom" && p?.ok ? p.value : r.server;
  }
  return { strategy: "custom", data };
}
