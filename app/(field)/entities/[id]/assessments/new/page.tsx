"use client";
import { NewAssessment } from "@/components/forms/new-assessment";

export default function NewAssessmentPage() {
  return <NewAssessment />;
}
