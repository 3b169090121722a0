"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type ReactNode, useEffect, useState } from "react";
import { SyncStatus } from "@/components/sync/sync-status";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ApiError, apiFetch } from "@/lib/client/api/http";
import { getDeviceSession, startDeviceSession } from "@/lib/client/session";
import { canSignOut, checkQuota, exportUnsent } from "@/lib/client/sync/durability";
import type { Role } from "@/lib/protocol";
import { useMe } from "./use-me";

const NAV: { href: string; label: string; roles: Role[] }[] = [
  { href: "/", label: "Home", roles: ["ASSESSOR", "RESPONDER", "COORDINATOR", "ADMIN"] },
];

/** The signed-in frame every screen grows inside: header, role-aware navigation, sign-out. */
export function AppShell({ children }: { children: (user: { name: string; email: string; role: Role }) => ReactNode }) {
  const router = useRouter();
  const me = useMe();
  const unauthenticated = me.error instanceof ApiError && me.error.status === 401;

  const [blockedSignOut, setBlockedSignOut] = useState(false);
  const [storageWarning, setStorageWarning] = useState<string | null>(null);
  const userId = me.data?.user.id;

  useEffect(() => {
    if (unauthenticated) router.replace("/login");
  }, [unauthenticated, router]);

  // The device session (this user's Dexie database + sync client) exists before any screen
  // renders, so every live query reads this user's data. Idempotent per user.
  if (userId && typeof window !== "undefined") startDeviceSession(userId, process.env.NEXT_PUBLIC_APP_VERSION ?? "0.1.0");

  useEffect(() => {
    if (!userId) return;
    // Warn well before the browser starts refusing writes (photos fill storage fastest).
    const check = () =>
      void checkQuota().then((q) =>
        setStorageWarning(
          q?.warn ? `This device's storage for Field Sync is ${Math.round(q.ratio * 100)}% full. Sync soon, or free space.` : null,
        ),
      );
    check();
    const timer = setInterval(check, 5 * 60_000);
    return () => clearInterval(timer);
  }, [userId]);

  async function signOut(force = false) {
    const session = getDeviceSession();
    // Unsent field data must never be lost by signing out: refuse until it is synced or exported.
    if (!force && session && !(await canSignOut(session.db))) {
      setBlockedSignOut(true);
      return;
    }
    session?.stop();
    await apiFetch("/api/auth/logout", { method: "POST" }).catch(() => undefined);
    router.replace("/login");
  }

  async function exportAndSignOut() {
    const session = getDeviceSession();
    if (session) {
      const blob = await exportUnsent(session.db);
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = `fieldsync-unsent-${new Date().toISOString().slice(0, 19)}.json`;
      a.click();
      URL.revokeObjectURL(a.href);
    }
    await signOut(true);
  }

  if (!me.data) {
    return <main className="p-6 text-slate-600">{me.isError && !unauthenticated ? "Can't reach the server." : "Loading…"}</main>;
  }
  const { user } = me.data;
  return (
    <div className="min-h-full">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-4 px-4 py-3">
          <div className="flex items-center gap-6">
            <span className="text-lg font-bold text-brand-700">Field Sync</span>
            <nav className="flex gap-3 text-sm">
              {NAV.filter((n) => n.roles.includes(user.role)).map((n) => (
                <Link key={n.href} href={n.href} className="rounded px-2 py-1 text-slate-700 hover:bg-slate-100">
                  {n.label}
                </Link>
              ))}
            </nav>
          </div>
          <div className="flex items-center gap-3">
            <SyncStatus />
            <Button variant="ghost" onClick={() => void signOut()}>
              Sign out
            </Button>
          </div>
        </div>
      </header>
      {storageWarning ? (
        <div className="mx-auto max-w-5xl px-4 pt-4">
          <Alert tone="warning">{storageWarning}</Alert>
        </div>
      ) : null}
      {blockedSignOut ? (
        <div className="mx-auto max-w-5xl p-4">
          <Alert tone="warning">
            <p className="mb-2">
              This device has changes that have not reached the server yet. Sync first, or export them to a file before signing out.
            </p>
            <div className="flex gap-2">
              <Button variant="secondary" onClick={() => void getDeviceSession()?.client.syncNow()}>
                Sync now
              </Button>
              <Button variant="danger" onClick={() => void exportAndSignOut()}>
                Export and sign out
              </Button>
              <Button variant="ghost" onClick={() => setBlockedSignOut(false)}>
                Cancel
              </Button>
            </div>
          </Alert>
        </div>
      ) : null}
      <main className="mx-auto max-w-5xl p-4">{children(user)}</main>
    </div>
  );
}
