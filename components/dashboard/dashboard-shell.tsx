"use client";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { type ReactNode, useEffect } from "react";
import { SessionProvider } from "@/components/shell/session-context";
import { SignOutButton } from "@/components/shell/sign-out";
import { useCurrentUser } from "@/components/shell/use-current-user";
import type { Role } from "@/lib/protocol";
import { dashboardRedirect } from "./dashboard-access";
import { useDashboardCounts } from "./use-dashboard-api";

const ROLE_LABEL: Partial<Record<Role, string>> = { COORDINATOR: "Coordinator", ADMIN: "Administrator" };

type Badge = "conflicts" | "verifications";
const NAV: { href: string; label: string; adminOnly?: boolean; badge?: Badge }[] = [
  { href: "/conflicts", label: "Conflicts", badge: "conflicts" },
  { href: "/verification", label: "Verification", badge: "verifications" },
  { href: "/devices", label: "Devices" },
  { href: "/admin/users", label: "Users", adminOnly: true },
  { href: "/admin/entities", label: "Entities", adminOnly: true },
  { href: "/admin/assignments", label: "Assignments", adminOnly: true },
];

function Centered({ children }: { children: ReactNode }) {
  return <main className="mx-auto max-w-md p-6 text-slate-700">{children}</main>;
}

function NavBadges({ role }: { role: Role }) {
  const pathname = usePathname();
  const counts = useDashboardCounts();
  const count = (badge?: Badge) =>
    badge === "conflicts" ? counts.data?.pendingConflicts : badge === "verifications" ? counts.data?.pendingVerifications : undefined;
  return (
    <>
      {NAV.filter((n) => !n.adminOnly || role === "ADMIN").map((n) => {
        const current = pathname.startsWith(n.href);
        const n2 = count(n.badge);
        return (
          <Link
            key={n.href}
            href={n.href}
            aria-current={current ? "page" : undefined}
            className={`inline-flex items-center rounded-lg px-3 py-2 text-sm font-medium ${current ? "bg-brand-50 text-brand-700" : "text-slate-700 hover:bg-slate-100"}`}
          >
            {n.label}
            {n2 ? (
              <span
                className="ml-1.5 rounded-full bg-red-700 px-1.5 py-0.5 text-xs font-semibold text-white"
                data-testid={`badge-${n.badge}`}
              >
                {n2}
                <span className="sr-only"> pending</span>
              </span>
            ) : null}
          </Link>
        );
      })}
    </>
  );
}

/**
 * The coordinators' and admins' frame: checks the role once for every dashboard screen
 * (assessors and responders go to the field app, coordinators away from /admin), then shows the
 * navigation with the pending counts. Dashboard data is online only (TanStack Query).
 */
export function DashboardShell({ children }: { children: ReactNode }) {
  const router = useRouter();
  const pathname = usePathname();
  const current = useCurrentUser();
  const user = current.status === "signed-in" ? current.user : null;
  const redirect = user ? dashboardRedirect(user.role, pathname) : null;

  useEffect(() => {
    if (current.status === "signed-out") router.replace("/login");
    else if (redirect) router.replace(redirect);
  }, [current.status, redirect, router]);

  if (current.status === "loading") return <Centered>Loading…</Centered>;
  if (current.status === "signed-out") return <Centered>Opening the sign-in page…</Centered>;
  if (current.status === "unreachable") return <Centered>Can&apos;t reach the server. The dashboard needs a connection.</Centered>;
  if (!user || redirect) return <Centered>This page is not available to your role. Taking you to your start page…</Centered>;

  return (
    <SessionProvider user={user}>
      <div className="min-h-full">
        <header className="border-b border-slate-200 bg-white">
          <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-2">
            <Link href="/conflicts" className="text-lg font-bold text-brand-700">
              Field Sync
            </Link>
            <nav aria-label="Dashboard" className="flex flex-wrap items-center gap-1">
              <NavBadges role={user.role} />
            </nav>
            <span className="ml-auto flex items-center gap-3 text-sm text-slate-600">
              <span title={user.email}>
                {user.name} · {ROLE_LABEL[user.role]}
              </span>
              <SignOutButton />
            </span>
          </div>
        </header>
        <main className="mx-auto max-w-7xl p-4">{children}</main>
      </div>
    </SessionProvider>
  );
}
