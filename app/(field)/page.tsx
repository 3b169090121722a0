"use client";
import { AssessmentQueue } from "@/components/field/assessment-queue";
import { EntityList } from "@/components/field/entity-list";
import { useSessionUser } from "@/components/shell/session-context";

/** Assessors land on their entities; responders on the assessments that need aid. */
export default function HomePage() {
  const user = useSessionUser();
  if (user.role !== "RESPONDER") return <EntityList />;
  return (
    <div className="flex flex-col gap-8">
      <AssessmentQueue />
      <EntityList />
    </div>
  );
}
