import type { ReactNode } from "react";

/**
 * One prerendered shell for this dynamic route (`/conflicts/shell`), which the service worker can
 * serve for every id; the page reads the real id from the URL after mount.
 */
export function generateStaticParams() {
  return [{ id: "shell" }];
}

export default function ShellLayout({ children }: { children: ReactNode }) {
  return children;
}
