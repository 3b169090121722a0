"use client";
import { useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { ApiError } from "@/lib/client/api/http";
import type { ConflictSummary } from "@/lib/protocol";
import { conflictFieldLabels, formTitle } from "./format-value";
import { resolveConflictRequest, useInvalidateQueues } from "./use-dashboard-api";

type BulkStrategy = "server" | "client" | "merge";

const BULK_LABEL: Record<BulkStrategy, string> = {
  server: "keep the server's values (discard the devices' edits)",
  client: "take the devices' values for every field they changed",
  merge: "merge: apply the devices' other changes, keep the server's values in contested fields",
};

interface ItemResult {
  conflict: ConflictSummary;
  ok: boolean;
  message: string;
}

/**
 * Resolves the selected conflicts with one strategy, after a confirmation that states the count
 * and the strategy; then lists each one's result (one failure never stops the rest).
 */
export function ResolveAll({ selected, onDone }: { selected: ConflictSummary[]; onDone: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [strategy, setStrategy] = useState<BulkStrategy>("merge");
  const [running, setRunning] = useState(false);
  const [results, setResults] = useState<ItemResult[] | null>(null);
  const invalidate = useInvalidateQueues();

  async function run() {
    setRunning(true);
    const out: ItemResult[] = [];
    for (const conflict of selected) {
      try {
        await resolveConflictRequest(conflict.id, { strategy });
        out.push({ conflict, ok: true, message: "Resolved" });
      } catch (error) {
        out.push({ conflict, ok: false, message: error instanceof ApiError ? error.message : "Could not reach the server" });
      }
    }
    setResults(out);
    setRunning(false);
    dialog.current?.close();
    onDone();
    await invalidate();
  }

  return (
    <div className="flex flex-wrap items-end gap-3 rounded-xl bg-white p-3 ring-1 ring-slate-200">
      <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
        Resolve the selected conflicts by
        <select
          className="min-h-11 rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm"
          value={strategy}
          onChange={(e) => setStrategy(e.target.value as BulkStrategy)}
        >
          {(Object.keys(BULK_LABEL) as BulkStrategy[]).map((s) => (
            <option key={s} value={s}>
              {BULK_LABEL[s]}
            </option>
          ))}
        </select>
      </label>
      <Button variant="secondary" disabled={selected.length === 0} onClick={() => dialog.current?.showModal()}>
        Resolve {selected.length} selected…
      </Button>

      <dialog
        ref={dialog}
        aria-labelledby="resolve-all-title"
        className="m-auto max-w-lg rounded-xl p-6 shadow-xl backdrop:bg-slate-900/40"
      >
        <h2 id="resolve-all-title" className="mb-2 text-lg font-semibold">
          Resolve {selected.length} {selected.length === 1 ? "conflict" : "conflicts"}?
        </h2>
        <p className="mb-4 text-slate-700">
          Each will be resolved to <strong>{BULK_LABEL[strategy]}</strong>. Devices receive the result on their next sync. This cannot be
          undone.
        </p>
        <div className="flex justify-end gap-2">
          <Button variant="ghost" onClick={() => dialog.current?.close()} disabled={running}>
            Cancel
          </Button>
          <Button onClick={() => void run()} disabled={running}>
            {running ? "Resolving…" : `Resolve ${selected.length}`}
          </Button>
        </div>
      </dialog>

      {results ? (
        <section aria-label="Results" className="w-full">
          <h2 className="mb-1 text-sm font-semibold">
            {results.filter((r) => r.ok).length} of {results.length} resolved
          </h2>
          <ul className="flex flex-col gap-1 text-sm" data-testid="resolve-all-results">
            {results.map((r) => (
              <li key={r.conflict.id} className={r.ok ? "text-slate-700" : "text-red-800"}>
                {r.ok ? "✓" : "✗"} {formTitle(r.conflict.form)} at {r.conflict.entity?.name} ({conflictFieldLabels(r.conflict)}):{" "}
                {r.message}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
