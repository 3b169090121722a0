"use client";
import { useId, useMemo, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ApiError } from "@/lib/client/api/http";
import { getForm, isFormId, listQuestions } from "@/lib/domain";
import type { VerificationItem } from "@/lib/protocol";
import { age, fieldLabel, formatValue, formTitle, photosLine } from "./format-value";
import { MediaGallery } from "./media-gallery";
import { useVerificationQueue, useVerify } from "./use-dashboard-api";

function Answers({ item }: { item: VerificationItem }) {
  const data = item.record.data as Record<string, unknown>;
  const questions = isFormId(item.form) ? listQuestions(getForm(item.form)) : [];
  const answered = questions.filter((q) => data[q.id] !== undefined && data[q.id] !== null);
  return (
    <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-2">
      {answered.map((q) => (
        <div key={q.id} className="flex justify-between gap-3 border-b border-slate-100 py-1">
          <dt className="text-slate-700">{q.label}</dt>
          <dd className="text-right font-medium">{formatValue(item.form, `data.${q.id}`, data[q.id])}</dd>
        </div>
      ))}
    </dl>
  );
}

function Decide({ item }: { item: VerificationItem }) {
  const id = useId();
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const verify = useVerify();
  async function decide(decision: "VERIFIED" | "REJECTED") {
    setError(null);
    if (decision === "REJECTED" && note.trim() === "") {
      setError("Say what needs correcting: the assessor sees this note on their device.");
      return;
    }
    try {
      await verify.mutateAsync({ type: item.type, id: item.record.id, decision, note: note.trim() || undefined });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not reach the server. Try again.");
    }
  }
  const who = item.type === "assessment" ? "assessor" : "responder";
  return (
    <div className="flex flex-col gap-2">
      <label htmlFor={id} className="text-sm font-medium text-slate-700">
        Note to the {who} (required to reject)
      </label>
      <textarea
        id={id}
        rows={2}
        value={note}
        onChange={(e) => setNote(e.target.value)}
        className="rounded-lg border border-slate-300 px-3 py-2"
        aria-invalid={error ? true : undefined}
      />
      {error ? <p className="text-sm text-red-800">{error}</p> : null}
      <div className="flex gap-2">
        <Button onClick={() => void decide("VERIFIED")} disabled={verify.isPending}>
          Verify
        </Button>
        <Button variant="danger" onClick={() => void decide("REJECTED")} disabled={verify.isPending}>
          Reject
        </Button>
      </div>
    </div>
  );
}

function ItemCard({ item }: { item: VerificationItem }) {
  const since = item.sinceRejection;
  return (
    <article className="flex flex-col gap-3 rounded-xl bg-white p-4 ring-1 ring-slate-200" data-testid="verification-item">
      <header className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 className="text-lg font-semibold">
          {formTitle(item.form)} at {item.entity.name}
        </h2>
        <p className="text-sm text-slate-700">
          {item.type === "assessment" ? "Assessed" : "Delivered"} by {item.submittedBy.name} · updated {age(item.record.updatedAt)} ·
          version {item.record.version}
        </p>
      </header>
      {since ? (
        <Alert tone="warning">
          <p>
            Corrected after a rejection{since.rejectedBy ? ` by ${since.rejectedBy.name}` : ""} {age(since.rejectedAt)}
            {since.note ? `: “${since.note}”` : ""}.
          </p>
          {since.changes.length > 0 ? (
            <ul className="mt-1 list-disc pl-5" data-testid="changes-since-rejection">
              {since.changes.map((c) => (
                <li key={c.path}>
                  {fieldLabel(item.form, c.path)}: {formatValue(item.form, c.path, c.before)} →{" "}
                  <strong>{formatValue(item.form, c.path, c.after)}</strong>
                </li>
              ))}
            </ul>
          ) : (
            <p>Nothing in the answers changed since the rejection.</p>
          )}
        </Alert>
      ) : null}
      <Answers item={item} />
      <p className="text-sm font-medium" data-testid="photos-line">
        {photosLine(item.photos)}
      </p>
      {item.media.length > 0 ? <MediaGallery title="Photos and files" media={item.media} /> : null}
      <Decide item={item} />
    </article>
  );
}

/** PENDING submissions, oldest first, with their photos; verify or reject each with a note. */
export function VerificationQueue() {
  const [entityId, setEntityId] = useState("");
  const [type, setType] = useState("");
  const list = useVerificationQueue({ entityId, type });
  const items = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const counts = list.data?.pages[0]?.countsByEntity ?? [];

  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">Verification</h1>
      <div className="grid gap-4 lg:grid-cols-[16rem_1fr]">
        <aside aria-labelledby="per-entity" className="flex flex-col gap-3">
          <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
            Record type
            <select
              className="min-h-11 rounded-lg border border-slate-300 bg-white px-3 py-2"
              value={type}
              onChange={(e) => setType(e.target.value)}
            >
              <option value="">Assessments and responses</option>
              <option value="assessment">Assessments</option>
              <option value="response">Aid responses</option>
            </select>
          </label>
          <h2 id="per-entity" className="text-sm font-semibold">
            Waiting per entity
          </h2>
          <ul className="flex flex-col gap-1 text-sm" data-testid="counts-by-entity">
            <li>
              <button
                type="button"
                className={`w-full rounded px-2 py-1 text-left ${entityId === "" ? "bg-brand-50 font-semibold" : ""}`}
                onClick={() => setEntityId("")}
              >
                All entities
              </button>
            </li>
            {counts.map((c) => (
              <li key={c.entity.id}>
                <button
                  type="button"
                  aria-pressed={entityId === c.entity.id}
                  className={`flex w-full justify-between rounded px-2 py-1 text-left ${entityId === c.entity.id ? "bg-brand-50 font-semibold" : ""}`}
                  onClick={() => setEntityId(c.entity.id)}
                >
                  <span>{c.entity.name}</span>
                  <span>{c.pending}</span>
                </button>
              </li>
            ))}
          </ul>
        </aside>
        <div className="flex flex-col gap-4">
          {list.isError ? <Alert tone="error">Could not load the queue: {list.error.message}</Alert> : null}
          {list.isPending ? <p className="text-slate-600">Loading…</p> : null}
          {!list.isPending && items.length === 0 ? (
            <p className="rounded-lg bg-white p-6 text-slate-600 ring-1 ring-slate-200">Nothing is waiting for verification.</p>
          ) : null}
          {items.map((item) => (
            <ItemCard key={`${item.type}:${item.record.id}:${item.record.version}`} item={item} />
          ))}
          {list.hasNextPage ? (
            <Button variant="secondary" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
              Show more
            </Button>
          ) : null}
        </div>
      </div>
    </div>
  );
}
