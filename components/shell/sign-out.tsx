"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { apiFetch } from "@/lib/client/api/http";
import { saveBlob } from "@/lib/client/format/save-blob";
import { getDeviceSession } from "@/lib/client/session";
import { canSignOut, exportUnsent } from "@/lib/client/sync/durability";
import { rememberUser } from "./use-current-user";

/**
 * Sign-out that never loses field data: refused while anything unsent exists (queued, parked,
 * awaiting review, photos not uploaded) unless it is first exported to a file.
 */
export function SignOutButton() {
  const router = useRouter();
  const [blocked, setBlocked] = useState(false);

  async function signOut(force = false) {
    const session = getDeviceSession();
    if (!force && session && !(await canSignOut(session.db))) {
      setBlocked(true);
      return;
    }
    session?.stop();
    rememberUser(null);
    await apiFetch("/api/auth/logout", { method: "POST" }).catch(() => undefined);
    router.replace("/login");
  }

  async function exportAndSignOut() {
    const session = getDeviceSession();
    if (session) saveBlob(await exportUnsent(session.db), `fieldsync-unsent-${new Date().toISOString().slice(0, 19)}.json`);
    await signOut(true);
  }

  return (
    <>
      <Button variant="ghost" className="min-h-9 px-3 py-1" onClick={() => void signOut()}>
        Sign out
      </Button>
      {blocked ? (
        <div className="fixed inset-x-0 top-0 z-50 p-4">
          <div className="mx-auto max-w-lg">
            <Alert tone="warning">
              <p className="mb-2">
                This device has work that has not reached the server yet. Signing out now would lose it. Sync first, or save it to a file.
              </p>
              <div className="flex flex-wrap gap-2">
                <Button variant="secondary" onClick={() => void getDeviceSession()?.client.syncNow()}>
                  Sync now
                </Button>
                <Button variant="danger" onClick={() => void exportAndSignOut()}>
                  Save to a file and sign out
                </Button>
                <Button variant="ghost" onClick={() => setBlocked(false)}>
                  Stay signed in
                </Button>
              </div>
            </Alert>
          </div>
        </div>
      ) : null}
    </>
  );
}
