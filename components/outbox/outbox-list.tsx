"use client";
import { useLiveQuery } from "dexie-react-hooks";
import Link from "next/link";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import type { OutboxEntry, ParkedEntry } from "@/lib/client/db/types";
import { age, formatBytes } from "@/lib/client/format/relative-time";
import { saveBlob } from "@/lib/client/format/save-blob";
import { useNow } from "@/lib/client/hooks/use-now";
import type { MediaRow } from "@/lib/client/media/media-row";
import { DISCARD_OUTCOMES, discardQueued } from "@/lib/client/outbox/discard-queued";
import { type OutboxRecord, readOutbox } from "@/lib/client/outbox/outbox-view";
import { discardParked, retryParked } from "@/lib/client/outbox/parked";
import { getDeviceSession, notifyLocalWrite } from "@/lib/client/session";
import { exportUnsent } from "@/lib/client/sync/durability";
import type { FormId } from "@/lib/domain/forms";
import { questionLabel } from "@/lib/domain/forms/question-label";
import { ASSESSMENT_TYPE_LABEL, labelOf, RESPONSE_TYPE_LABEL } from "@/lib/domain/labels";
import { patchToPaths } from "@/lib/domain/merge";
import { refusalReason } from "./reasons";

export function recordTitle(item: Pick<OutboxRecord, "type" | "row" | "entityName">): string {
  const { type, row, entityName } = item;
  const where = entityName ? ` · ${entityName}` : "";
  if (type === "assessment") return `${labelOf(ASSESSMENT_TYPE_LABEL, row?.assessmentType)} assessment${where}`;
  if (type === "response") return `${labelOf(RESPONSE_TYPE_LABEL, row?.responseType)} response${where}`;
  return `Entity${where}`;
}

function recordHref(item: OutboxRecord): string | null {
  if (!item.row) return null;
  if (item.type === "assessment") return `/assessments/${item.offlineId}`;
  if (item.type === "response") return `/responses/${item.offlineId}`;
  return typeof item.row.id === "string" ? `/entities/${item.row.id}` : null;
}

function formOf(item: OutboxRecord): FormId | null {
  if (item.type === "response") return "RESPONSE";
  if (item.type === "assessment" && typeof item.row?.assessmentType === "string") return item.row.assessmentType as FormId;
  return null;
}

/** "New record", "Deleted", or the answers it changes by their form labels. */
function describeChange(item: OutboxRecord, entry: OutboxEntry): string {
  if (entry.action === "create") return "New record";
  if (entry.action === "delete") return "Delete the record";
  const form = formOf(item);
  const labels = Object.keys(patchToPaths(entry.data ?? {})).map((p) => questionLabel(form, p));
  return labels.length ? `Changed: ${[...new Set(labels)].join(", ")}` : "Changes";
}

type Pending =
  | { kind: "parked"; item: OutboxRecord; entry: ParkedEntry }
  | { kind: "queued"; item: OutboxRecord; entry: OutboxEntry }
  | { kind: "photo"; item: OutboxRecord; photo: MediaRow };

function whatIsLost(p: Pending): string {
  if (p.kind === "photo")
    return `The photo “${p.photo.filename ?? "photo"}” will be deleted from this device. It has not reached the server.`;
  const title = recordTitle(p.item);
  const change = describeChange(p.item, p.entry);
  if (p.entry.action === "create" && p.item.row?.serverRecord === undefined) {
    const photos = p.item.photos.length;
    return `The whole ${title} will be deleted from this device${photos ? `, with its ${photos} photo${photos === 1 ? "" : "s"}` : ""}. The server never received it, so it will be gone for good.`;
  }
  return `This change to ${title} (${change}) will be deleted from this device. The record goes back to what the server last had.`;
}

function exportName(suffix: string): string {
  return `fieldsync-unsent-${suffix}-${new Date().toISOString().slice(0, 19).replaceAll(":", "-")}.json`;
}

/**
 * Everything this device still owes the server, by record: what is waiting, what was refused and
 * why (in plain words), what awaits a coordinator, and photos not uploaded — with retry, discard
 * (confirmed, naming what is lost) and export to a file.
 */
export function OutboxList() {
  const session = getDeviceSession();
  const items = useLiveQuery(() => (session ? readOutbox(session.db) : undefined), [session]);
  const now = useNow(30_000);
  const [pending, setPending] = useState<Pending | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  if (!session || items === undefined) return <p className="text-slate-600">Loading…</p>;

  async function confirmDiscard(p: Pending) {
    if (!session) return;
    setPending(null);
    if (p.kind === "parked") await discardParked(session.db, p.entry.seq);
    else if (p.kind === "photo") await session.media.cancel(p.photo.offlineId).then(() => session.db.media.delete(p.photo.offlineId));
    else {
      const outcome = await discardQueued(session.db, p.entry.seq);
      if (outcome === DISCARD_OUTCOMES.ALREADY_SENT)
        setMessage("That change is being sent or was sent already; it can't be discarded now. Wait for the server's answer.");
      if (outcome === DISCARD_OUTCOMES.HAS_DEPENDENTS)
        setMessage("A response on this device belongs to this assessment. Discard the response first.");
    }
    void session.client.refresh();
  }

  async function exportAll() {
    if (!session) return;
    saveBlob(await exportUnsent(session.db), exportName("all"));
  }

  return (
    <section aria-labelledby="outbox-heading" className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 id="outbox-heading" className="text-xl font-bold text-slate-900">
          Outbox
        </h1>
        <Button variant="secondary" onClick={() => void exportAll()} disabled={items.length === 0}>
          Export unsent data
        </Button>
      </div>
      {message ? (
        <p role="alert" className="rounded-lg bg-amber-50 p-3 text-sm text-amber-900 ring-1 ring-amber-200">
          {message}
        </p>
      ) : null}
      {items.length === 0 ? (
        <p className="rounded-lg bg-white p-4 text-slate-700 ring-1 ring-slate-200">
          Nothing waiting. Everything on this device has reached the server.
        </p>
      ) : (
        <ul className="flex flex-col gap-3" aria-label="Unsent records">
          {items.map((item) => {
            const title = recordTitle(item);
            const href = recordHref(item);
            return (
              <li
                key={`${item.type}:${item.offlineId}`}
                className="flex flex-col gap-2 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200"
              >
                <div className="flex flex-wrap items-baseline justify-between gap-2">
                  <h2 className="font-semibold text-slate-900">
                    {href ? (
                      <Link href={href} className="underline">
                        {title}
                      </Link>
                    ) : (
                      title
                    )}
                  </h2>
                  <span className="text-xs text-slate-600">waiting {age(item.since, now) ?? ""}</span>
                </div>
                <ul className="flex flex-col gap-2 text-sm">
                  {item.parked.map((entry) => (
                    <li key={`p${entry.seq}`} className="rounded-lg bg-red-50 p-3 ring-1 ring-red-200">
                      <p className="font-medium text-red-900">Refused by the server — {describeChange(item, entry)}</p>
                      <p className="text-red-900">{refusalReason(entry.error.code)}</p>
                      <p className="text-xs text-red-800">Server said: {entry.error.message}</p>
                      <div className="mt-2 flex flex-wrap gap-2">
                        <Button
                          variant="secondary"
                          aria-label={`Retry ${title}`}
                          onClick={async () => {
                            await retryParked(session.db, entry.seq);
                            notifyLocalWrite();
                            // The person asked for it: cut a waiting backoff short.
                            void session.client.syncNow();
                          }}
                        >
                          Retry
                        </Button>
                        <Button
                          variant="danger"
                          aria-label={`Discard refused change to ${title}`}
                          onClick={() => setPending({ kind: "parked", item, entry })}
                        >
                          Discard
                        </Button>
                      </div>
                    </li>
                  ))}
                  {item.queued.map((entry) => (
                    <li key={`q${entry.seq}`} className="flex flex-wrap items-center justify-between gap-2 rounded-lg bg-slate-50 p-3">
                      <div>
                        <p className="font-medium text-slate-900">{describeChange(item, entry)}</p>
                        <p className="text-slate-600">
                          {entry.state === "inflight"
                            ? "Being sent now"
                            : entry.attempts > 0
                              ? "Sent, waiting for the server's answer"
                              : "Saved on this device, waiting to be sent"}
                        </p>
                      </div>
                      {entry.attempts === 0 && entry.state === "queued" ? (
                        <Button
                          variant="ghost"
                          aria-label={`Discard unsent change to ${title}`}
                          onClick={() => setPending({ kind: "queued", item, entry })}
                        >
                          Discard
                        </Button>
                      ) : null}
                    </li>
                  ))}
                  {item.conflicts.map((c) => (
                    <li key={c.conflictId} className="rounded-lg bg-amber-50 p-3 text-amber-900 ring-1 ring-amber-200">
                      <p className="font-medium">Awaiting review</p>
                      <p>
                        Someone else changed{" "}
                        {c.conflictingFields.map((p) => questionLabel(formOf(item), p)).join(", ") || "the same record"}. A coordinator will
                        decide which answer to keep; your answer is kept until then.
                      </p>
                    </li>
                  ))}
                  {item.photos.map((photo) => (
                    <li key={photo.offlineId} className="flex flex-wrap items-center justify-between gap-2 rounded-lg bg-slate-50 p-3">
                      <div>
                        <p className="font-medium text-slate-900">
                          Photo {photo.filename ?? ""} {typeof photo.size === "number" ? `(${formatBytes(photo.size)})` : ""}
                        </p>
                        <p className={photo.uploadState === "failed" ? "text-red-800" : "text-slate-600"}>
                          {photo.uploadState === "failed"
                            ? `Not accepted: ${refusalReason(photo.uploadError?.code)}`
                            : photo.uploadState === "uploading"
                              ? "Uploading"
                              : "Saved on this device, waiting to be uploaded"}
                        </p>
                      </div>
                      <div className="flex gap-2">
                        {photo.uploadState === "failed" ? (
                          <Button
                            variant="secondary"
                            aria-label={`Retry photo ${photo.filename ?? ""}`}
                            onClick={() => void session.media.retry(photo.offlineId)}
                          >
                            Retry
                          </Button>
                        ) : null}
                        <Button
                          variant="ghost"
                          aria-label={`Discard photo ${photo.filename ?? ""}`}
                          onClick={() => setPending({ kind: "photo", item, photo })}
                        >
                          Discard
                        </Button>
                      </div>
                    </li>
                  ))}
                </ul>
                <div>
                  <Button
                    variant="ghost"
                    className="min-h-9 px-2 py-1 text-brand-700 underline"
                    aria-label={`Export ${title} to a file`}
                    onClick={async () =>
                      saveBlob(
                        await exportUnsent(session.db, undefined, { offlineId: item.offlineId }),
                        exportName(item.offlineId.slice(0, 8)),
                      )
                    }
                  >
                    Export this record
                  </Button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      <ConfirmDialog
        open={pending !== null}
        title="Discard for good?"
        confirmLabel="Discard"
        cancelLabel="Keep it"
        onCancel={() => setPending(null)}
        onConfirm={() => pending && void confirmDiscard(pending)}
      >
        {pending ? <p>{whatIsLost(pending)}</p> : null}
      </ConfirmDialog>
    </section>
  );
}
