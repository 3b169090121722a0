"use client";
import Link from "next/link";
import { useMemo, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ApiError } from "@/lib/client/api/http";
import { formModeForStatus, planConflictResolution, readPath, recordToPaths } from "@/lib/domain";
import type { ConflictDetail } from "@/lib/protocol";
import { type FieldInputSpec, fieldInputSpec, toInputText } from "./custom-value";
import { CustomValueInput } from "./custom-value-input";
import { age, fieldLabel, formatValue, formTitle, STRATEGY_LABEL } from "./format-value";
import { MediaGallery } from "./media-gallery";
import {
  buildResolveRequest,
  buildRows,
  type Choice,
  deletionExplanation,
  type FieldDecision,
  type Mode,
  parseDecisions,
  STATUS_NOTE,
} from "./resolver-model";
import { useConflictDetail, useResolveConflict } from "./use-dashboard-api";

/**
 * Decides one conflict: base, server and device values side by side for every field, contested
 * fields first; per contested field keep the server's value, take the device's, or type one
 * (checked by the form as you type). The preview is computed by the same code the server runs
 * (`planConflictResolution`), against the record as it is now.
 */
type Message = { tone: "error" | "info" | "warning"; text: string } | null;

export function ConflictResolver({ id }: { id: string }) {
  const detail = useConflictDetail(id);
  // Outside the keyed body: the message survives the reload that follows a resolution or a 409.
  const [message, setMessage] = useState<Message>(null);
  if (detail.isPending) return <p className="text-slate-600">Loading the conflict…</p>;
  if (detail.isError) {
    return (
      <Alert tone="error">
        {detail.error instanceof ApiError && detail.error.status === 404
          ? "There is no such conflict."
          : `Could not load the conflict: ${detail.error.message}`}
      </Alert>
    );
  }
  // Keyed by the record's version: a reload after a 409 starts the choices from the new values.
  return (
    <ResolverBody
      key={`${detail.data.id}:${detail.data.current?.version ?? 0}:${detail.data.status}`}
      d={detail.data}
      reload={() => detail.refetch()}
      message={message}
      setMessage={setMessage}
    />
  );
}

function ResolverBody(props: { d: ConflictDetail; reload: () => Promise<unknown>; message: Message; setMessage: (m: Message) => void }) {
  const { d, reload, message, setMessage } = props;
  const pending = d.status === "PENDING";
  // Pending: against the record now (what a resolution applies onto). Decided: as it was detected (audit).
  const current = pending ? (d.current ?? d.server) : d.server;
  const currentDeleted = (current as { deletedAt?: string | null }).deletedAt != null;
  const rows = useMemo(() => buildRows(d, current), [d, current]);
  const contested = rows.filter((r) => r.status === "contested");
  const submitted = formModeForStatus(String((current as { status?: unknown }).status ?? "")) === "submitted";
  const specs = useMemo(
    () => new Map<string, FieldInputSpec>(contested.map((r) => [r.path, fieldInputSpec(d.type, d.form, r.path, submitted)])),
    [contested, d.type, d.form, submitted],
  );

  const [mode, setMode] = useState<Mode>(contested.length > 0 ? "fields" : "server");
  const [decisions, setDecisions] = useState<Record<string, FieldDecision>>(() =>
    Object.fromEntries(
      contested.map((r) => [
        r.path,
        { choice: "server" as Choice, text: toInputText(fieldInputSpec(d.type, d.form, r.path, submitted), r.server) },
      ]),
    ),
  );
  const resolve = useResolveConflict(d.id);

  const parsed = useMemo(() => parseDecisions(contested, decisions, specs), [contested, decisions, specs]);

  const request = useMemo(() => buildResolveRequest(mode, contested, decisions, specs), [mode, contested, decisions, specs]);

  const plan = useMemo(() => planConflictResolution(d, { strategy: request.strategy, custom: request.data }), [d, request]);
  const customErrors = [...parsed.values()].filter((p) => !p.ok).length;

  async function submit() {
    setMessage(null);
    try {
      await resolve.mutateAsync({ ...request, expectedVersion: current.version });
      setMessage({ tone: "info", text: "Resolved. Devices receive the result on their next sync." });
      await reload();
    } catch (error) {
      if (error instanceof ApiError && error.code === "STALE_RESOLUTION") {
        setMessage({
          tone: "warning",
          text: "Someone changed this record while you were reviewing it. The newest values are now shown; check your choices and resolve again.",
        });
        await reload();
      } else if (error instanceof ApiError && error.code === "CONFLICT_ALREADY_RESOLVED") {
        setMessage({ tone: "warning", text: `This conflict cannot be resolved again: ${error.message}.` });
        await reload();
      } else {
        setMessage({ tone: "error", text: error instanceof ApiError ? error.message : "Could not reach the server. Try again." });
      }
    }
  }

  const setDecision = (path: string, patch: Partial<FieldDecision>) =>
    setDecisions((all) => ({ ...all, [path]: { ...all[path], ...patch } }));
  const explanation = deletionExplanation(d, currentDeleted);
  const sideMedia = (mine: boolean) => (d.media ?? []).filter((m) => (m.uploadedBy?.id === d.submittedBy.id) === mine);

  return (
    <div className="flex flex-col gap-5">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <div>
          <p className="text-sm">
            <Link href="/conflicts" className="text-brand-700 underline">
              Back to the conflicts
            </Link>
          </p>
          <h1 className="text-2xl font-bold">
            {formTitle(d.form)} at {d.entity?.name}
          </h1>
          <p className="text-slate-700">
            Edited on a device by <strong>{d.submittedBy.name}</strong> (device {d.deviceId.slice(-6)}) from version {d.baseVersion}; the
            server had version {d.serverVersion} then and has version {current.version} now. Detected {age(d.detectedAt)}.
          </p>
        </div>
      </div>

      {message ? (
        <Alert tone={message.tone}>
          <span data-testid="resolver-message">{message.text}</span>
        </Alert>
      ) : null}

      {!pending ? (
        <Alert tone="info">
          This conflict is {d.status === "AUTO_RESOLVED" ? "auto-resolved" : "resolved"}:{" "}
          {STRATEGY_LABEL[d.resolution?.strategy ?? d.resolution?.method ?? ""] ?? "decided"}
          {d.resolution?.resolvedBy ? ` by ${d.resolution.resolvedBy.name}` : ""} {age(d.resolution?.resolvedAt)}
          {d.resolution?.resultVersion ? ` (version ${d.resolution.resultVersion})` : " (the record did not change)"}. It cannot be resolved
          again.
        </Alert>
      ) : null}

      {explanation ? <Alert tone="warning">{explanation}</Alert> : null}

      <section aria-labelledby="fields-title" className="overflow-x-auto rounded-xl bg-white ring-1 ring-slate-200">
        <h2 id="fields-title" className="px-4 pt-4 text-lg font-semibold">
          Fields
        </h2>
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Base, server and device values of every field; contested fields first</caption>
          <thead className="text-slate-700">
            <tr>
              <th scope="col" className="p-3">
                Field
              </th>
              <th scope="col" className="p-3">
                Before both edits (version {d.baseVersion})
              </th>
              <th scope="col" className="p-3">
                {pending ? `Server now (version ${current.version})` : `Server when detected (version ${d.serverVersion})`}
              </th>
              <th scope="col" className="p-3">
                {d.clientAction === "delete" ? "Device (deleted it)" : "Device"}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={r.path}
                data-testid={`field-${r.path}`}
                className={`border-t border-slate-100 align-top ${r.status === "contested" ? "bg-amber-50" : ""}`}
              >
                <th scope="row" className="p-3 font-medium">
                  {r.label}
                  {STATUS_NOTE[r.status] ? (
                    <span
                      className={`mt-1 block w-fit rounded px-1.5 py-0.5 text-xs font-semibold ${r.status === "contested" ? "bg-amber-200 text-amber-950" : "bg-slate-100 text-slate-700"}`}
                    >
                      {STATUS_NOTE[r.status]}
                    </span>
                  ) : null}
                </th>
                <td className="p-3 text-slate-700">{formatValue(d.form, r.path, r.base)}</td>
                <td className="p-3">{formatValue(d.form, r.path, r.server)}</td>
                <td className="p-3">{d.clientAction === "delete" ? "—" : formatValue(d.form, r.path, r.client)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      {pending ? (
        <section aria-labelledby="decide-title" className="flex flex-col gap-4 rounded-xl bg-white p-4 ring-1 ring-slate-200">
          <h2 id="decide-title" className="text-lg font-semibold">
            Your decision
          </h2>
          <fieldset className="flex flex-wrap gap-2">
            <legend className="mb-1 text-sm font-medium text-slate-700">Decide for the whole record, or field by field</legend>
            {(
              [
                ...(contested.length > 0 ? [["fields", "Field by field"]] : []),
                [
                  "server",
                  currentDeleted
                    ? "Leave it deleted (server)"
                    : d.clientAction === "delete"
                      ? "Keep the record (server)"
                      : "Use the server's values",
                ],
                [
                  "client",
                  d.clientAction === "delete"
                    ? "Delete the record (device)"
                    : currentDeleted
                      ? "Restore with the device's edit"
                      : "Use the device's values",
                ],
                ["merge", "Merge by the rule (device's other changes, server wins contested)"],
              ] as [Mode, string][]
            ).map(([value, label]) => (
              <label
                key={value}
                className={`flex min-h-11 cursor-pointer items-center gap-2 rounded-lg px-3 ring-1 ${mode === value ? "bg-brand-50 ring-brand-500" : "ring-slate-300"}`}
              >
                <input type="radio" name="mode" value={value} checked={mode === value} onChange={() => setMode(value)} className="size-4" />
                {label}
              </label>
            ))}
          </fieldset>

          {mode === "fields"
            ? contested.map((r) => {
                const dec = decisions[r.path];
                const spec = specs.get(r.path) as FieldInputSpec;
                const p = parsed.get(r.path);
                return (
                  <fieldset key={r.path} className="rounded-lg p-3 ring-1 ring-amber-300" data-testid={`decide-${r.path}`}>
                    <legend className="px-1 font-semibold">{r.label}</legend>
                    <div className="flex flex-wrap gap-2">
                      {(
                        [
                          ["server", `Keep server: ${formatValue(d.form, r.path, r.server)}`],
                          ["client", `Take device: ${formatValue(d.form, r.path, r.client)}`],
                          ["custom", "Type a value"],
                        ] as [Choice, string][]
                      ).map(([value, label]) => (
                        <label
                          key={value}
                          className="flex min-h-11 cursor-pointer items-center gap-2 rounded-lg px-3 ring-1 ring-slate-300"
                        >
                          <input
                            type="radio"
                            name={`choice-${r.path}`}
                            value={value}
                            checked={dec.choice === value}
                            onChange={() => setDecision(r.path, { choice: value })}
                            className="size-4"
                          />
                          {label}
                        </label>
                      ))}
                    </div>
                    {dec.choice === "custom" ? (
                      <CustomValueInput
                        spec={spec}
                        label={`Your value for ${r.label}`}
                        text={dec.text}
                        onChange={(text) => setDecision(r.path, { text })}
                        error={p && !p.ok ? p.message : undefined}
                      />
                    ) : null}
                  </fieldset>
                );
              })
            : null}

          <section aria-labelledby="preview-title" className="rounded-lg bg-slate-50 p-3" data-testid="preview">
            <h3 id="preview-title" className="mb-1 font-semibold">
              Preview of the result
            </h3>
            {plan.ok ? (
              <>
                <p className="text-slate-800">
                  {plan.action === "delete"
                    ? "The record will be deleted for everyone."
                    : plan.action === "restore"
                      ? "The record will be restored with the values below."
                      : plan.action === "none"
                        ? plan.deleted
                          ? "The record stays deleted; the device's edit is discarded."
                          : "The record stays as it is on the server; the device's edit is discarded."
                        : `The record becomes version ${current.version + 1}.`}
                </p>
                {plan.changedFields.length > 0 ? (
                  <ul className="mt-2 list-disc pl-5 text-sm">
                    {plan.changedFields.map((path) => (
                      <li key={path}>
                        {fieldLabel(d.form, path)}: {formatValue(d.form, path, readPath(recordToPaths(current, d.type), path))} →{" "}
                        <strong>{formatValue(d.form, path, readPath(recordToPaths(plan.record, d.type), path))}</strong>
                      </li>
                    ))}
                  </ul>
                ) : null}
              </>
            ) : (
              <div role="alert" className="text-red-800">
                <p>{plan.message}.</p>
                <ul className="list-disc pl-5 text-sm">
                  {plan.issues.map((i) => (
                    <li key={`${i.path.join(".")}:${i.message}`}>
                      {fieldLabel(d.form, i.path.join("."))}: {i.message}
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </section>

          <div className="flex flex-wrap gap-2">
            <Button onClick={() => void submit()} disabled={!plan.ok || customErrors > 0 || resolve.isPending}>
              {resolve.isPending ? "Resolving…" : "Resolve"}
            </Button>
            {customErrors > 0 ? <p className="self-center text-sm text-red-800">Fix the values marked above first.</p> : null}
          </div>
        </section>
      ) : null}

      {(d.media ?? []).length > 0 ? (
        <section aria-labelledby="photos-title" className="flex flex-col gap-3">
          <h2 id="photos-title" className="text-lg font-semibold">
            Photos and files
          </h2>
          <div className="grid gap-4 md:grid-cols-2">
            <MediaGallery title={`From ${d.submittedBy.name} (device side)`} media={sideMedia(true)} />
            <MediaGallery title="From others (server side)" media={sideMedia(false)} />
          </div>
        </section>
      ) : null}
    </div>
  );
}
