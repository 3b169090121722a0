"use client";
import { Button } from "@/components/ui/button";
import { getDeviceSession } from "@/lib/client/session";
import { useSyncStore } from "@/stores/sync-store";

const LABEL = {
  idle: "Synced",
  syncing: "Syncing…",
  offline: "Offline — changes are saved on this device",
  error: "Sync problem — will retry",
  "needs-sign-in": "Sign in again to sync",
} as const;

const DOT = {
  idle: "bg-emerald-500",
  syncing: "bg-brand-500 animate-pulse",
  offline: "bg-slate-400",
  error: "bg-amber-500",
  "needs-sign-in": "bg-red-500",
} as const;

/** The sync indicator every screen shows: status, unsent and parked counts, and "Sync now". */
export function SyncStatus() {
  const { status, pendingCount, parkedCount, conflictCount, lastSuccessAt, lastError } = useSyncStore();
  return (
    <div className="flex items-center gap-3 text-sm" data-testid="sync-status" data-status={status}>
      <span className={`inline-block h-2.5 w-2.5 rounded-full ${DOT[status]}`} aria-hidden />
      <span
        className="text-slate-700"
        title={
          lastError
            ? `${lastError.code}: ${lastError.message}`
            : lastSuccessAt
              ? `Last synced ${new Date(lastSuccessAt).toLocaleString()}`
              : undefined
        }
      >
        {LABEL[status]}
      </span>
      {pendingCount > 0 ? (
        <span className="rounded bg-slate-100 px-2 py-0.5 text-slate-700" data-testid="pending-count">
          {pendingCount} unsent
        </span>
      ) : null}
      {parkedCount > 0 ? <span className="rounded bg-red-50 px-2 py-0.5 text-red-800">{parkedCount} need attention</span> : null}
      {conflictCount > 0 ? <span className="rounded bg-amber-50 px-2 py-0.5 text-amber-900">{conflictCount} awaiting review</span> : null}
      <Button
        variant="secondary"
        className="min-h-9 px-3 py-1"
        onClick={() => void getDeviceSession()?.client.syncNow()}
        disabled={status === "syncing"}
      >
        Sync now
      </Button>
    </div>
  );
}
