"use client";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ApiError, apiFetch } from "@/lib/client/api/http";
import type { MeResponse, User } from "@/lib/protocol";

/**
 * The signed-in user, offline too. The last user the server confirmed is remembered on this
 * device (localStorage, same origin only), so a reload without signal renders at once from it;
 * the server's answer, when it comes, replaces it. Only a 401 ends the session: a network error
 * or a 5xx keeps the remembered user (the device is offline, not signed out).
 */
const REMEMBERED_USER_KEY = "fieldsync:user";

export function readRememberedUser(): User | null {
  if (typeof window === "undefined") return null;
  try {
    const raw = window.localStorage.getItem(REMEMBERED_USER_KEY);
    const parsed = raw ? (JSON.parse(raw) as Partial<User>) : null;
    return parsed && typeof parsed.id === "string" && typeof parsed.role === "string" ? (parsed as User) : null;
  } catch {
    return null;
  }
}

export function rememberUser(user: User | null): void {
  try {
    if (user) window.localStorage.setItem(REMEMBERED_USER_KEY, JSON.stringify(user));
    else window.localStorage.removeItem(REMEMBERED_USER_KEY);
  } catch {
    // Private mode or a full disk: the app still works online.
  }
}

export type CurrentUser =
  | { status: "loading" }
  | { status: "signed-out" }
  | { status: "signed-in"; user: User; confirmed: boolean }
  | { status: "unreachable" };

export function useCurrentUser(): CurrentUser {
  // Read after mount: the server render (and the offline shell) has no localStorage.
  const [remembered, setRemembered] = useState<User | null | undefined>(undefined);
  useEffect(() => setRemembered(readRememberedUser()), []);

  const me = useQuery({
    queryKey: ["me"],
    queryFn: () => apiFetch<MeResponse>("/api/auth/me"),
    retry: false,
    staleTime: 5 * 60_000,
    networkMode: "always",
  });
  const signedOut = me.error instanceof ApiError && me.error.status === 401;
  const confirmed = me.data?.user;

  useEffect(() => {
    if (confirmed) rememberUser(confirmed);
    else if (signedOut) rememberUser(null);
  }, [confirmed, signedOut]);

  if (signedOut) return { status: "signed-out" };
  if (confirmed) return { status: "signed-in", user: confirmed, confirmed: true };
  if (remembered) return { status: "signed-in", user: remembered, confirmed: false };
  if (remembered === undefined || me.isPending) return { status: "loading" };
  return { status: "unreachable" };
}
