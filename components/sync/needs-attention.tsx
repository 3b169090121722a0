"use client";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import type { ParkedEntry } from "@/lib/client/db/types";
import { useParked } from "@/lib/client/hooks/use-parked";
import { discardParked, retryParked } from "@/lib/client/outbox/parked";
import { getDeviceSession } from "@/lib/client/session";

const TYPE_LABEL = { assessment: "Assessment", response: "Response", entity: "Entity" } as const;

function summarize(entry: ParkedEntry): string {
  const data = entry.data as { assessmentType?: string; responseType?: string; name?: string } | undefined;
  const kind = data?.assessmentType ?? data?.responseType ?? data?.name ?? "";
  return `${TYPE_LABEL[entry.type]} ${entry.action}${kind ? ` · ${kind}` : ""}`;
}

/**
 * Edits the server refused, with its reason: never dropped silently. The user retries (after
 * fixing the record, or once an assignment is restored) or discards the edit deliberately.
 */
export function NeedsAttention() {
  const session = getDeviceSession();
  const parked = useParked(session?.db);
  if (!session || !parked || parked.length === 0) return null;
  return (
    <Card title={`Needs attention (${parked.length})`}>
      <ul className="divide-y divide-slate-100" data-testid="parked-list">
        {parked.map((entry) => (
          <li key={entry.seq} className="flex flex-wrap items-center justify-between gap-3 py-3">
            <div>
              <p className="font-medium text-slate-800">{summarize(entry)}</p>
              <p className="text-sm text-red-700">
                {entry.error.message} <span className="text-slate-500">({entry.error.code})</span>
              </p>
              <p className="text-xs text-slate-500">Refused {new Date(entry.parkedAt).toLocaleString()}</p>
            </div>
            <div className="flex gap-2">
              <Button
                variant="secondary"
                onClick={async () => {
                  await retryParked(session.db, entry.seq);
                  void session.client.syncNow();
                }}
              >
                Retry
              </Button>
              <Button
                variant="danger"
                onClick={() => {
                  if (window.confirm("Discard this edit? It will be lost on this device.")) void discardParked(session.db, entry.seq);
                }}
              >
                Discard
              </Button>
            </div>
          </li>
        ))}
      </ul>
    </Card>
  );
}
