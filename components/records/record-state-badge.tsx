"use client";
import { useSyncStore } from "@/stores/sync-store";
import { RECORD_STATE_HINT, RECORD_STATE_LABEL, type RecordState, recordState } from "./record-state";

const TONE: Record<RecordState, string> = {
  "saved-on-device": "bg-slate-100 text-slate-800 ring-slate-300",
  syncing: "bg-brand-50 text-brand-700 ring-brand-100",
  synced: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  "awaiting-review": "bg-amber-50 text-amber-900 ring-amber-300",
  "needs-attention": "bg-red-50 text-red-800 ring-red-300",
  verified: "bg-emerald-100 text-emerald-900 ring-emerald-300",
  rejected: "bg-red-100 text-red-900 ring-red-300",
};

interface Props {
  row: { syncState: "synced" | "pending" | "conflict" | "parked"; verificationStatus?: string | null; verificationNote?: string | null };
  /** Show the one-line explanation and the coordinator's note under the badge. */
  detailed?: boolean;
}

/** A record's state: saved on this device · syncing · synced · awaiting review · needs attention · verified · rejected. */
export function RecordStateBadge({ row, detailed = false }: Props) {
  const syncing = useSyncStore((s) => s.status === "syncing");
  const state = recordState(row, syncing);
  const badge = (
    <span
      className={`inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 ring-inset ${TONE[state]}`}
      data-testid="record-state"
      data-state={state}
      title={RECORD_STATE_HINT[state]}
    >
      {RECORD_STATE_LABEL[state]}
    </span>
  );
  if (!detailed) return badge;
  return (
    <div className="flex flex-col gap-1">
      <div>{badge}</div>
      <p className="text-sm text-slate-600">{RECORD_STATE_HINT[state]}</p>
      {state === "rejected" && row.verificationNote ? (
        <p className="rounded bg-red-50 p-2 text-sm text-red-900">
          <span className="font-medium">Coordinator&apos;s note:</span> {row.verificationNote}
        </p>
      ) : null}
    </div>
  );
}
