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
import { useSyncStore } from "@/stores/sync-store";
import { DOT, plural, syncHeadline } from "./sync-headline";

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
