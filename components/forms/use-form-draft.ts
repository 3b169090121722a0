"use client";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { FieldSyncDb } from "@/lib/client/db/field-sync-db";
import type { JsonObject } from "@/lib/client/db/types";
import { commitDraft, type DraftRow, DraftSaver, discardDraft, loadDraft } from "@/lib/client/forms/drafts";

export interface FormDraft {
  /** False until the stored draft (if any) has been read: render the form only then. */
  ready: boolean;
  /** The draft found when the form opened. */
  restored: DraftRow | undefined;
  /** The record's offlineId: the draft's, else `offlineId`, else one generated for a new record. */
  offlineId: string;
  /** A draft exists (restored, or saved since). */
  exists: boolean;
  /** Saves after the debounce. */
  save: (values: JsonObject, meta?: JsonObject) => void;
  /** Saves now (a photo was taken: its record id must survive a reload). */
  saveNow: (values: JsonObject, meta?: JsonObject) => Promise<void>;
  /** Deletes the draft (and, for a record never created, its photos). */
  discard: () => Promise<void>;
  /**
   * Runs the record write and deletes the draft in one transaction. Afterwards the form saves no
   * more drafts (a late keystroke must not bring back the draft of a created record), unless
   * `keepOpen` (an existing record stays editable on its page).
   */
  commit: <T>(write: () => Promise<T>, options?: { keepOpen?: boolean }) => Promise<T>;
}

/**
 * The draft of one form (`key`, lib/client/forms/drafts.ts): read once when the form opens,
 * written as the user types (debounced), flushed when the page is left or hidden.
 */
export function useFormDraft(db: FieldSyncDb | undefined, key: string | undefined, offlineId?: string): FormDraft {
  const [loaded, setLoaded] = useState<{ key: string; draft: DraftRow | undefined } | null>(null);
  const [saved, setSaved] = useState(false);
  const [generatedId] = useState(() => crypto.randomUUID());
  const closed = useRef(false);

  const saver = useMemo(() => (db ? new DraftSaver(db) : undefined), [db]);

  useEffect(() => {
    if (!db || !key) return;
    let live = true;
    closed.current = false;
    setSaved(false);
    void loadDraft(db, key).then((draft) => {
      if (live) setLoaded({ key, draft });
    });
    return () => {
      live = false;
    };
  }, [db, key]);

  useEffect(() => {
    if (!saver) return;
    const flush = () => void saver.flush();
    const onHidden = () => {
      if (document.visibilityState === "hidden") flush();
    };
    window.addEventListener("pagehide", flush);
    document.addEventListener("visibilitychange", onHidden);
    return () => {
      window.removeEventListener("pagehide", flush);
      document.removeEventListener("visibilitychange", onHidden);
      flush();
    };
  }, [saver]);

  const ready = loaded !== null && loaded.key === key;
  const restored = ready ? loaded.draft : undefined;
  const recordId = restored?.offlineId ?? offlineId ?? generatedId;

  const save = useCallback(
    (values: JsonObject, meta?: JsonObject) => {
      if (!saver || !key || closed.current) return;
      saver.schedule({ key, offlineId: recordId, values, ...(meta ? { meta } : {}) });
      setSaved(true);
    },
    [saver, key, recordId],
  );

  const saveNow = useCallback(
    async (values: JsonObject, meta?: JsonObject) => {
      save(values, meta);
      await saver?.flush();
    },
    [save, saver],
  );

  const discard = useCallback(async () => {
    if (!db || !key || !saver) return;
    await saver.cancel();
    await discardDraft(db, key);
    setSaved(false);
    setLoaded({ key, draft: undefined });
  }, [db, key, saver]);

  const commit = useCallback(
    async <T>(write: () => Promise<T>, options?: { keepOpen?: boolean }): Promise<T> => {
      if (!db || !key || !saver) throw new Error("This device's storage is not open yet");
      await saver.cancel();
      closed.current = true;
      let committed = false;
      try {
        const result = await commitDraft(db, key, write);
        committed = true;
        if (options?.keepOpen) {
          setSaved(false);
          setLoaded({ key, draft: undefined });
        }
        return result;
      } finally {
        if (!committed || options?.keepOpen) closed.current = false;
      }
    },
    [db, key, saver],
  );

  return { ready, restored, offlineId: recordId, exists: saved || restored !== undefined, save, saveNow, discard, commit };
}
