"use client";
import { useEffect, useId, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import type { FieldSyncDb } from "@/lib/client/db/field-sync-db";
import { UPLOAD_STATES } from "@/lib/client/db/types";
import { useMedia } from "@/lib/client/hooks/use-media";
import { captureMedia } from "@/lib/client/media/capture-media";
import type { MediaRow } from "@/lib/client/media/media-row";
import { removeMedia } from "@/lib/client/media/remove-media";
import { getDeviceSession, notifyLocalWrite } from "@/lib/client/session";
import type { MediaParentType } from "@/lib/protocol";
import { useSyncStore } from "@/stores/sync-store";

/** Photos are downscaled on the device before they are stored and sent (MEDIA.md). */
const MAX_EDGE = 1600;
const QUALITY = 0.8;

interface Props {
  db: FieldSyncDb;
  parentType: MediaParentType;
  /** The record's offlineId — for a new record the one pre-generated for it. */
  parentOfflineId: string;
  /** False: view only (no adding, no removing). */
  editable?: boolean;
  /** Called after photos were stored (a new-record form saves its draft then). */
  onCaptured?: () => void | Promise<void>;
  title?: string;
}

/** The photo: from the bytes on this device while they exist, else from the server. */
function useThumbnailUrl(row: MediaRow): string | undefined {
  const [url, setUrl] = useState<string | undefined>(undefined);
  const blob = row.blob;
  useEffect(() => {
    if (!blob) {
      setUrl(undefined);
      return;
    }
    const objectUrl = URL.createObjectURL(blob);
    setUrl(objectUrl);
    return () => URL.revokeObjectURL(objectUrl);
  }, [blob]);
  if (blob) return url;
  if (row.id) return `/api/media/${row.id}`;
  return row.url;
}

function UploadStatus({ row }: { row: MediaRow }) {
  const progress = useSyncStore((s) => s.media.running.find((r) => r.offlineId === row.offlineId));
  if (row.uploadState === UPLOAD_STATES.UPLOADED) return <span className="text-emerald-800">Uploaded</span>;
  if (row.uploadState === UPLOAD_STATES.FAILED) {
    return (
      <span className="text-red-800">
        Upload failed: {row.uploadError?.message ?? "the server refused it"}
        <Button variant="secondary" className="ml-2 min-h-9 px-3 py-1" onClick={() => void getDeviceSession()?.media.retry(row.offlineId)}>
          Retry upload of {row.filename}
        </Button>
      </span>
    );
  }
  if (progress && progress.bytesTotal > 0) {
    const percent = Math.floor((progress.bytesSent / progress.bytesTotal) * 100);
    return (
      <span className="text-brand-800">
        Uploading {percent} %
        <progress className="ml-2 h-2 w-20 align-middle" max={100} value={percent} aria-label={`Upload of ${row.filename}`} />
      </span>
    );
  }
  if (row.paused) return <span className="text-slate-700">Upload paused</span>;
  return <span className="text-slate-700">Saved on this device</span>;
}

function PhotoTile({ row, editable, onRemove }: { row: MediaRow; editable: boolean; onRemove: (row: MediaRow) => void }) {
  const url = useThumbnailUrl(row);
  const name = row.filename ?? "photo";
  const isImage = (row.mimeType ?? "image/").startsWith("image/");
  return (
    <li
      className="flex flex-col gap-1 rounded-lg bg-white p-2 text-sm ring-1 ring-slate-200"
      data-testid="photo"
      data-upload-state={row.uploadState}
    >
      <div className="flex aspect-square items-center justify-center overflow-hidden rounded bg-slate-100">
        {url && isImage ? (
          // biome-ignore lint/performance/noImgElement: local blob: URLs, which next/image cannot optimise
          <img src={url} alt={name} className="h-full w-full object-cover" />
        ) : (
          <span className="p-2 break-all text-slate-700">{name}</span>
        )}
      </div>
      <p className="truncate text-slate-800" title={name}>
        {name}
      </p>
      <p className="text-xs">
        <UploadStatus row={row} />
      </p>
      {editable && row.uploadState !== UPLOAD_STATES.UPLOADED ? (
        <Button variant="ghost" className="min-h-9 px-2 py-1 text-red-700" onClick={() => onRemove(row)}>
          Remove photo {name}
        </Button>
      ) : null}
    </li>
  );
}

/**
 * Photos of a record: take or choose them (downscaled, stored on this device, uploaded once the
 * record reaches the server), see each one's upload state, remove those not uploaded yet.
 */
export function PhotoPicker({ db, parentType, parentOfflineId, editable = true, onCaptured, title = "Photos" }: Props) {
  const inputId = useId();
  const photos = useMedia(parentOfflineId, db) as MediaRow[] | undefined;
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  const [removing, setRemoving] = useState<MediaRow | null>(null);

  async function addFiles(files: File[]) {
    setBusy(true);
    const failed: string[] = [];
    for (const file of files) {
      try {
        await captureMedia(db, { parentType, parentOfflineId, file, filename: file.name }, { maxEdge: MAX_EDGE, quality: QUALITY });
      } catch (error) {
        failed.push(`${file.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    setProblems(failed);
    setBusy(false);
    if (failed.length < files.length) {
      await onCaptured?.();
      notifyLocalWrite();
    }
  }

  async function confirmRemove() {
    const row = removing;
    setRemoving(null);
    if (row) await removeMedia(db, row.offlineId, getDeviceSession()?.media);
  }

  return (
    <section
      className="flex flex-col gap-3 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:p-5"
      aria-labelledby={`${inputId}-title`}
    >
      <h2 id={`${inputId}-title`} className="text-lg font-semibold text-slate-900">
        {title}
      </h2>
      {photos && photos.length > 0 ? (
        <ul className="grid grid-cols-2 gap-3 sm:grid-cols-3">
          {photos.map((row) => (
            <PhotoTile key={row.offlineId} row={row} editable={editable} onRemove={setRemoving} />
          ))}
        </ul>
      ) : (
        <p className="text-sm text-slate-600">{photos ? "No photos yet." : "Loading photos…"}</p>
      )}
      {editable ? (
        <div>
          <label
            htmlFor={inputId}
            className="inline-flex min-h-11 cursor-pointer items-center justify-center rounded-lg bg-white px-4 py-2 text-sm font-semibold text-slate-800 ring-1 ring-slate-300 hover:bg-slate-100 has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-brand-500"
          >
            {busy ? "Adding photo…" : "Add photo"}
            <input
              id={inputId}
              type="file"
              accept="image/*"
              capture="environment"
              multiple
              className="sr-only"
              disabled={busy}
              onChange={(e) => {
                const files = Array.from(e.target.files ?? []);
                e.target.value = "";
                if (files.length) void addFiles(files);
              }}
            />
          </label>
        </div>
      ) : null}
      {problems.length ? <Alert tone="error">Not added: {problems.join("; ")}</Alert> : null}
      <ConfirmDialog
        open={removing !== null}
        title="Remove this photo?"
        confirmLabel="Remove photo"
        onConfirm={() => void confirmRemove()}
        onCancel={() => setRemoving(null)}
      >
        {removing?.filename ?? "The photo"} has not been sent yet. It will be deleted from this device.
      </ConfirmDialog>
    </section>
  );
}
