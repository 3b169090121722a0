import type { ReactNode } from "react";
import { DashboardShell } from "@/components/dashboard/dashboard-shell";

/** Coordinators' and admins' screens: desktop first, online only; the shell checks the role once. */
export default function DashboardLayout({ children }: { children: ReactNode }) {
  return <DashboardShell>{children}</DashboardShell>;
}
