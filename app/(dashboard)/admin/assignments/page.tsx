"use client";
import { AdminAssignments } from "@/components/dashboard/admin-assignments";

export default function AdminAssignmentsPage() {
  return <AdminAssignments />;
}
