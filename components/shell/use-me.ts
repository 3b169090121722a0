"use client";
import { useQuery } from "@tanstack/react-query";
import { apiFetch } from "@/lib/client/api/http";
import type { MeResponse } from "@/lib/protocol";

export function useMe() {
  return useQuery({ queryKey: ["me"], queryFn: () => apiFetch<MeResponse>("/api/auth/me"), retry: false });
}
