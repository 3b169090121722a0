import type { UnsentSummary } from "@/lib/client/hooks/use-unsent-summary";
import type { SyncStoreState } from "@/stores/sync-store";

export const DOT = {
  synced: "bg-emerald-500",
  waiting: "bg-slate-400",
  syncing: "bg-brand-500 animate-pulse",
  offline: "bg-slate-400",
  problem: "bg-amber-500",
  attention: "bg-red-500",
} as const;
type Tone = keyof typeof DOT;

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Everything waiting on this device, in one phrase ("3 changes and 2 photos"). */
function unsentPhrase(u: UnsentSummary): string | null {
  const parts = [];
  if (u.queued > 0) parts.push(plural(u.queued, "change"));
  if (u.unsentPhotos > 0) parts.push(plural(u.unsentPhotos, "photo"));
  return parts.length ? parts.join(" and ") : null;
}

export interface Headline {
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
