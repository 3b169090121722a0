"use client";
import { EntityDetail } from "@/components/field/entity-detail";

export default function EntityPage() {
  return <EntityDetail />;
}
