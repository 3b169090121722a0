"use client";
import { ConflictQueue } from "@/components/dashboard/conflict-queue";

export default function ConflictsPage() {
  return <ConflictQueue />;
}
