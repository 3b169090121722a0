"use client";
import { VerificationQueue } from "@/components/dashboard/verification-queue";

export default function VerificationPage() {
  return <VerificationQueue />;
}
