"use client";
import { AdminUsers } from "@/components/dashboard/admin-users";

export default function AdminUsersPage() {
  return <AdminUsers />;
}
