import type { ReactNode } from "react";

/**
 * One prerendered shell for this dynamic route (`…/shell`), which the service worker precaches and
 * serves for every id offline (lib/sw/shell-routes.ts). The page is a client component that reads
 * the real id from the URL after mount.
 */
export function generateStaticParams() {
  return [{ id: "shell" }];
}

export default function ShellLayout({ children }: { children: ReactNode }) {
  return children;
}
