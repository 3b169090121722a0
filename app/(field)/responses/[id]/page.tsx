"use client";
import { ResponseDetail } from "@/components/forms/response-detail";

export default function ResponsePage() {
  return <ResponseDetail />;
}
