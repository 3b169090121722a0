"use client";
import { ConflictResolver } from "@/components/dashboard/conflict-resolver";
import { usePathId } from "@/components/shell/use-path-id";

const PATTERN = /^\/conflicts\/([^/]+)/;

export default function ConflictPage() {
  const id = usePathId(PATTERN);
  return id ? <ConflictResolver id={id} /> : <p className="text-slate-600">Loading…</p>;
}
