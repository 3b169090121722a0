"use client";
import { useLiveQuery } from "dexie-react-hooks";
import Link from "next/link";
import { type ReactNode, useEffect, useState } from "react";
import type { RecordStateBadge } from "@/components/records/record-state-badge";
import type { FieldSyncDb } from "@/lib/client/db/field-sync-db";
import { getRecord } from "@/lib/client/db/queries";
import type { AnyLocalRow, LocalEntity, RecordType } from "@/lib/client/db/types";

/** An entity by its server id (the one in URLs and on records), else by offlineId; null = not here. */
export function useEntity(db: FieldSyncDb | undefined, id: string | undefined): LocalEntity | null | undefined {
  return useLiveQuery(async () => {
    if (!db || !id) return undefined;
    const entity = (await db.entities.where("id").equals(id).first()) ?? (await db.entities.get(id));
    return entity && !entity.localDeleted ? entity : null;
  }, [db, id]);
}

/** A record of this device by offlineId; null = not here (or deleted here), undefined = loading. */
export function useLocalRecord(
  db: FieldSyncDb | undefined,
  type: RecordType,
  offlineId: string | undefined,
): AnyLocalRow | null | undefined {
  return useLiveQuery(async () => (db && offlineId ? ((await getRecord(db, type, offlineId)) ?? null) : undefined), [db, type, offlineId]);
}

/** Verified records are final: shown, not edited. */
export function isVerified(row: Record<string, unknown>): boolean {
  return row.verificationStatus === "VERIFIED" || row.verificationStatus === "AUTO_VERIFIED";
}

/** A local row as the state badge reads it. */
export function badgeRow(row: AnyLocalRow): BadgeRow {
  return row as BadgeRow;
}
type BadgeRow = Parameters<typeof RecordStateBadge>[0]["row"];

export function Loading() {
  return <p className="text-slate-600">Loading…</p>;
}

/** A short page for what cannot be shown, with a way back. */
export function NotHere({ title, children, back = "/" }: { title: string; children: ReactNode; back?: string }) {
  return (
    <div className="flex flex-col gap-2">
      <h1 className="text-xl font-bold text-slate-900">{title}</h1>
      <div className="text-slate-700">{children}</div>
      <Link href={back} className="text-brand-700 underline">
        Back
      </Link>
    </div>
  );
}

/** The heading block of a form page: a link back, the title, what it is about. */
export function ScreenHeader({
  back,
  backLabel,
  title,
  children,
}: {
  back: string;
  backLabel: string;
  title: string;
  children?: ReactNode;
}) {
  return (
    <div className="flex flex-col gap-1">
      <Link href={back} className="text-sm text-brand-700 underline">
        ← {backLabel}
      </Link>
      <h1 className="text-2xl font-bold text-slate-900">{title}</h1>
      {children}
    </div>
  );
}

const savedKey = (offlineId: string) => `fieldsync:saved:${offlineId}`;

/** Leaves "Saved on this device" for the record's page to show once, after a form navigates there. */
export function flashSaved(offlineId: string): void {
  try {
    sessionStorage.setItem(savedKey(offlineId), "1");
  } catch {
    // Storage refused (private mode): the record's state badge still says it.
  }
}

/** True once after `flashSaved(offlineId)`: the page was opened by saving the record. */
export function useSavedFlash(offlineId: string | undefined): boolean {
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!offlineId) return;
    try {
      if (sessionStorage.getItem(savedKey(offlineId)) === "1") {
        sessionStorage.removeItem(savedKey(offlineId));
        setSaved(true);
      }
    } catch {
      // No storage: no message.
    }
  }, [offlineId]);
  return saved;
}
