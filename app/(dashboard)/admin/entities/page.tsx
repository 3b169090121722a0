"use client";
import { AdminEntities } from "@/components/dashboard/admin-entities";

export default function AdminEntitiesPage() {
  return <AdminEntities />;
}
