"use client";
import { AssessmentDetail } from "@/components/forms/assessment-detail";

export default function AssessmentPage() {
  return <AssessmentDetail />;
}
