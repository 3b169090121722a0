"use client";
import Link from "next/link";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { age, formatBytes, relativeTime } from "@/lib/client/format/relative-time";
import { useNow } from "@/lib/client/hooks/use-now";
import { useOnline } from "@/lib/client/hooks/use-online";
import { type UnsentSummary, useUnsentSummary } from "@/lib/client/hooks/use-unsent-summary";
import { checkQuota, getDeviceSession } from "@/lib/client/session";
import type { QuotaStatus } from "@/lib/client/sync/durability";
import { type SyncStoreState, useSyncStore } from "@/stores/sync-store";

const DOT = {
  synced: "bg-emerald-500",
  waiting: "bg-slate-400",
  syncing: "bg-brand-500 animate-pulse",
  offline: "bg-slate-400",
  problem: "bg-amber-500",
  attention: "bg-red-500",
} as const;
type Tone = keyof typeof DOT;

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Everything waiting on this device, in one phrase ("3 changes and 2 photos"). */
function unsentPhrase(u: UnsentSummary): string | null {
  const parts = [];
  if (u.queued > 0) parts.push(plural(u.queued, "change"));
  if (u.unsentPhotos > 0) parts.push(plural(u.unsentPhotos, "photo"));
  return parts.length ? parts.join(" and ") : null;
}

interface Headline {
  tone: Tone;
  text: string;
}

/**
 * "Synced" only when nothing is waiting, the last push and pull succeeded and no error is pending:
 * a green word that is wrong is worse than none.
 */
export function syncHeadline(
  sync: Pick<SyncStoreState, "status" | "lastSuccessAt" | "lastError" | "retryAt" | "progress">,
  unsent: UnsentSummary,
  online: boolean,
  now: number,
): Headline {
  const waiting = unsentPhrase(unsent);
  if (!online || sync.status === "offline") {
    return { tone: "offline", text: waiting ? `Offline — ${waiting} saved on this device` : "Offline — nothing waiting to be sent" };
  }
  if (sync.status === "needs-sign-in") return { tone: "attention", text: "Sign in again to sync — your work stays on this device" };
  if (sync.status === "syncing") {
    const p = sync.progress;
    if (p?.phase === "pushing" && p.total)
      return { tone: "syncing", text: `Sending ${Math.min(p.done, p.total)} of ${plural(p.total, "change")}…` };
    if (p?.phase === "pulling") return { tone: "syncing", text: p.done > 0 ? `Receiving updates (${p.done})…` : "Receiving updates…" };
    return { tone: "syncing", text: "Syncing…" };
  }
  if (sync.status === "error") {
    const retry = sync.retryAt ? relativeIn(sync.retryAt, now) : null;
    return { tone: "problem", text: `Sync problem — ${retry ? `will retry ${retry}` : "tap Sync now to try again"}` };
  }
  if (unsent.parked > 0)
    return { tone: "attention", text: `${plural(unsent.parked, "change")} need${unsent.parked === 1 ? "s" : ""} attention` };
  if (waiting) return { tone: "waiting", text: `${waiting} waiting to be sent` };
  if (!sync.lastSuccessAt || sync.lastError) return { tone: "waiting", text: "Not synced yet" };
  return { tone: "synced", text: "Synced" };
}

function relativeIn(at: number, now: number): string {
  const seconds = Math.max(0, Math.round((at - now) / 1000));
  if (seconds < 60) return `in ${Math.max(1, seconds)} s`;
  return `in ${Math.round(seconds / 60)} min`;
}

function useQuota(): QuotaStatus | undefined {
  const [quota, setQuota] = useState<QuotaStatus | undefined>(undefined);
  useEffect(() => {
    const check = () => void checkQuota().then(setQuota, () => undefined);
    check();
    const timer = setInterval(check, 60_000);
    return () => clearInterval(timer);
  }, []);
  return quota;
}

const EMPTY: UnsentSummary = { queued: 0, parked: 0, conflicts: 0, unsentPhotos: 0, oldestAt: null };

/**
 * The field app's sync bar, on every screen: connectivity, what is waiting (and since when), a
 * running sync's and the uploads' progress, when data last went up and came down, storage when it
 * runs low, and "Sync now".
 */
export function SyncBar() {
  const sync = useSyncStore();
  const session = getDeviceSession();
  const unsent = useUnsentSummary(session?.db) ?? EMPTY;
  const online = useOnline();
  const now = useNow(15_000);
  const quota = useQuota();
  const headline = syncHeadline(sync, unsent, online, now);
  const oldest = unsent.queued + unsent.parked > 0 ? age(unsent.oldestAt, now) : null;
  const lastSent = relativeTime(sync.lastPushAt ?? null, now);
  const lastReceived = relativeTime(sync.lastPullAt ?? null, now);
  const uploads = sync.media.running;
  const uploadSent = uploads.reduce((n, u) => n + u.bytesSent, 0);
  const uploadTotal = uploads.reduce((n, u) => n + u.bytesTotal, 0);
  const progress = sync.status === "syncing" && sync.progress?.total ? sync.progress.done / sync.progress.total : null;

  return (
    <section aria-label="Sync status" className="border-b border-slate-200 bg-white" data-testid="sync-status" data-status={sync.status}>
      <div className="mx-auto flex max-w-5xl flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2 text-sm">
        <span className={`inline-block h-2.5 w-2.5 shrink-0 rounded-full ${DOT[headline.tone]}`} aria-hidden />
        <p className="font-medium text-slate-900" aria-live="polite" data-testid="sync-headline">
          {headline.text}
        </p>
        {oldest ? <p className="text-slate-600">oldest {oldest}</p> : null}
        <div className="ml-auto flex items-center gap-2">
          {unsent.parked > 0 || unsent.conflicts > 0 ? (
            <Link href="/outbox" className="rounded px-2 py-1 text-red-800 underline">
              Review
            </Link>
          ) : null}
          {sync.status === "needs-sign-in" ? (
            <Link href="/login" className="rounded px-2 py-1 font-semibold text-brand-700 underline">
              Sign in
            </Link>
          ) : (
            <Button
              variant="secondary"
              className="min-h-9 px-3 py-1"
              onClick={() => void getDeviceSession()?.client.syncNow()}
              disabled={sync.status === "syncing" || !online}
            >
              Sync now
            </Button>
          )}
        </div>
      </div>
      {progress !== null || uploads.length > 0 ? (
        <div className="mx-auto flex max-w-5xl flex-col gap-1 px-4 pb-2 text-xs text-slate-600">
          {progress !== null ? <progress className="h-1.5 w-full" max={1} value={progress} aria-label="Sync progress" /> : null}
          {uploads.length > 0 ? (
            <p>
              Uploading {plural(uploads.length, "photo")}: {formatBytes(uploadSent)} of {formatBytes(uploadTotal)}
            </p>
          ) : null}
        </div>
      ) : null}
      <div className="mx-auto flex max-w-5xl flex-wrap gap-x-4 px-4 pb-2 text-xs text-slate-600">
        <span>Sent {lastSent ?? "never"}</span>
        <span>Received {lastReceived ?? "never"}</span>
        {sync.lastError && sync.status !== "syncing" ? (
          <span className="text-amber-800">Last problem: {sync.lastError.message}</span>
        ) : null}
      </div>
      {quota?.warn ? (
        <p className="mx-auto max-w-5xl px-4 pb-2 text-xs font-medium text-amber-900" role="alert">
          Storage almost full: {formatBytes(Math.max(0, quota.quota - quota.usage))} left on this device. Sync soon, or free space.
        </p>
      ) : null}
    </section>
  );
}
