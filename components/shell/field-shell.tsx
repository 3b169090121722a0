"use client";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { type ReactNode, useEffect } from "react";
import { SyncBar } from "@/components/sync/sync-bar";
import { useUnsentSummary } from "@/lib/client/hooks/use-unsent-summary";
import { getDeviceSession, startDeviceSession } from "@/lib/client/session";
import type { Role } from "@/lib/protocol";
import { SessionProvider } from "./session-context";
import { SignOutButton } from "./sign-out";
import { useCurrentUser } from "./use-current-user";

const FIELD_ROLES: readonly Role[] = ["ASSESSOR", "RESPONDER"];
const ROLE_LABEL: Record<Role, string> = {
  ASSESSOR: "Assessor",
  RESPONDER: "Responder",
  COORDINATOR: "Coordinator",
  ADMIN: "Administrator",
};
const APP_VERSION = process.env.NEXT_PUBLIC_APP_VERSION ?? "0.1.0";

function Centered({ children }: { children: ReactNode }) {
  return <main className="mx-auto max-w-md p-6 text-slate-700">{children}</main>;
}

function NavLink({ href, children }: { href: string; children: ReactNode }) {
  const pathname = usePathname();
  const current = href === "/" ? pathname === "/" : pathname.startsWith(href);
  return (
    <Link
      href={href}
      aria-current={current ? "page" : undefined}
      className={`rounded-lg px-3 py-2 text-sm font-medium ${current ? "bg-brand-50 text-brand-700" : "text-slate-700 hover:bg-slate-100"}`}
    >
      {children}
    </Link>
  );
}

function OutboxLink() {
  const unsent = useUnsentSummary(getDeviceSession()?.db);
  const count = (unsent?.queued ?? 0) + (unsent?.parked ?? 0);
  return (
    <NavLink href="/outbox">
      Outbox
      {count > 0 ? (
        <span className="ml-1.5 rounded-full bg-slate-800 px-1.5 py-0.5 text-xs text-white">
          {count}
          <span className="sr-only"> unsent</span>
        </span>
      ) : null}
    </NavLink>
  );
}

/**
 * The field app's frame (assessors and responders): it renders offline from the remembered user,
 * opens that user's own device database before any page reads it, and keeps the sync bar on
 * every screen. Coordinators and admins are sent to the dashboard.
 */
export function FieldShell({ children }: { children: ReactNode }) {
  const router = useRouter();
  const current = useCurrentUser();
  const user = current.status === "signed-in" ? current.user : null;
  const isFieldUser = user !== null && FIELD_ROLES.includes(user.role);

  useEffect(() => {
    if (current.status === "signed-out") router.replace("/login");
    else if (user && !isFieldUser) router.replace("/conflicts");
  }, [current.status, user, isFieldUser, router]);

  if (current.status === "loading") return <Centered>Loading…</Centered>;
  if (current.status === "signed-out") return <Centered>Opening the sign-in page…</Centered>;
  if (current.status === "unreachable") {
    return (
      <Centered>
        <h1 className="mb-2 text-lg font-semibold">Can&apos;t reach the server</h1>
        <p>Nobody has signed in on this device yet, and it has no connection. Connect to the internet once to sign in.</p>
      </Centered>
    );
  }
  if (!user || !isFieldUser) return <Centered>Opening the dashboard…</Centered>;

  // This user's own database and sync client exist before any page reads them (idempotent).
  startDeviceSession(user.id, APP_VERSION);

  return (
    <SessionProvider user={user}>
      <div className="min-h-full">
        <header>
          <div className="bg-brand-700 text-white">
            <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-x-2 px-4 py-2">
              <Link href="/" className="text-lg font-bold">
                Field Sync
              </Link>
              <span className="min-w-0 truncate text-sm text-brand-50" title={user.email}>
                {user.name} · {ROLE_LABEL[user.role]}
              </span>
            </div>
          </div>
          <div className="border-b border-slate-200 bg-white">
            <nav aria-label="Main" className="mx-auto flex max-w-5xl flex-wrap items-center gap-1 px-2 py-1">
              <NavLink href="/">{user.role === "RESPONDER" ? "Assessments" : "Entities"}</NavLink>
              <OutboxLink />
              <span className="ml-auto">
                <SignOutButton />
              </span>
            </nav>
          </div>
        </header>
        {/* Only the sync bar stays on screen while scrolling: with large text a sticky header would fill a phone. */}
        <div className="sticky top-0 z-40 shadow-sm">
          <SyncBar />
        </div>
        <main className="mx-auto max-w-5xl p-4">{children}</main>
      </div>
    </SessionProvider>
  );
}
