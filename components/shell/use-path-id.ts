"use client";
import { usePathname } from "next/navigation";
import { useEffect, useState } from "react";

/**
 * The id in the URL for a dynamic route, read after mount. Offline, the service worker answers
 * `/entities/<id>` with the prerendered shell `/entities/shell`, whose params say "shell"; reading
 * the real URL during render would not match the shell's HTML (hydration error #418).
 * `pattern` is a RegExp whose first group is the id, e.g. /^\/entities\/([^/]+)/.
 * Returns undefined until mounted.
 */
export function usePathId(pattern: RegExp): string | undefined {
  const pathname = usePathname();
  const [id, setId] = useState<string | undefined>(undefined);
  // biome-ignore lint/correctness/useExhaustiveDependencies: pathname changes on client-side navigation; the id is read from location
  useEffect(() => {
    const match = pattern.exec(window.location.pathname);
    setId(match ? decodeURIComponent(match[1]) : undefined);
  }, [pattern, pathname]);
  return id;
}

/** Query-string parameter read after mount, for the same reason (static shells have no search params). */
export function useSearchParam(name: string): string | null | undefined {
  const pathname = usePathname();
  const [value, setValue] = useState<string | null | undefined>(undefined);
  // biome-ignore lint/correctness/useExhaustiveDependencies: pathname changes on client-side navigation; the value is read from location
  useEffect(() => {
    setValue(new URLSearchParams(window.location.search).get(name));
  }, [name, pathname]);
  return value;
}
