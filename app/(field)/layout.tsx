import type { ReactNode } from "react";
import { FieldShell } from "@/components/shell/field-shell";

/** Assessors' and responders' screens: mobile first, the sync bar always visible, offline-capable. */
export default function FieldLayout({ children }: { children: ReactNode }) {
  return <FieldShell>{children}</FieldShell>;
}
