"use client";
import { NewResponse } from "@/components/forms/new-response";

export default function NewResponsePage() {
  return <NewResponse />;
}
