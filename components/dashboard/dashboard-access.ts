import type { Role } from "@/lib/protocol";

const DASHBOARD_ROLES: readonly Role[] = ["COORDINATOR", "ADMIN"];

/** Where a user of this role may not be on this path: the path to send them to, or null. */
export function dashboardRedirect(role: Role, pathname: string): string | null {
  if (!DASHBOARD_ROLES.includes(role)) return "/";
  if (role !== "ADMIN" && pathname.startsWith("/admin")) return "/conflicts";
  return null;
}
