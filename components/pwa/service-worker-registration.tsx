"use client";
import { useEffect, useRef, useState } from "react";
import type { Workbox } from "workbox-window";
import { Button } from "@/components/ui/button";

type UpdateState = "none" | "waiting" | "activated";

/**
 * Registers the service worker (production builds only: `next dev` serves no /sw.js) and offers
 * a new version when one waits. The page reloads only as the consequence of the user's click:
 * never under a half-filled form (drafts are saved as the user types, so the reload loses
 * nothing). If another tab accepted the update, this one keeps running and offers a plain reload.
 * workbox-window is loaded after hydration, so it adds nothing to the first-load JavaScript.
 */
export function ServiceWorkerRegistration() {
  const [update, setUpdate] = useState<UpdateState>("none");
  const workbox = useRef<Workbox | null>(null);
  const accepted = useRef(false);

  useEffect(() => {
    if (process.env.NODE_ENV !== "production" || !("serviceWorker" in navigator)) return;
    let cancelled = false;
    void import("workbox-window").then(({ Workbox }) => {
      if (cancelled) return;
      const wb = new Workbox("/sw.js");
      workbox.current = wb;
      wb.addEventListener("waiting", () => setUpdate("waiting"));
      wb.addEventListener("controlling", (event) => {
        // Not `isUpdate` alone: it says whether a worker controlled the page when this one was
        // registered, false after a first install during this visit (e.g. at sign-in).
        if (accepted.current) window.location.reload();
        else if (event.isUpdate) setUpdate("activated"); // another tab accepted the update
      });
      void wb.register().catch(() => undefined);
    });
    return () => {
      cancelled = true;
    };
  }, []);

  function reloadToUpdate() {
    const wb = workbox.current;
    if (update === "activated" || !wb) {
      window.location.reload();
      return;
    }
    accepted.current = true;
    // The waiting worker activates, takes control ("controlling"), and this page reloads.
    wb.messageSkipWaiting();
  }

  if (update === "none") return null;
  return (
    <section
      aria-label="App update"
      className="fixed inset-x-4 bottom-4 z-50 mx-auto flex max-w-md items-center justify-between gap-4 rounded-lg bg-slate-900 p-4 text-white shadow-lg"
    >
      <p role="status" className="text-sm font-medium">
        Update available
      </p>
      <Button onClick={reloadToUpdate}>Reload to update</Button>
    </section>
  );
}
