"use client";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/input";
import { ApiError, apiFetch } from "@/lib/client/api/http";
import type { LoginResponse } from "@/lib/protocol";

const MESSAGES: Record<string, string> = {
  INVALID_CREDENTIALS: "That email and password don't match an account.",
  RATE_LIMITED: "Too many attempts. Wait a few minutes and try again.",
  VALIDATION_FAILED: "Enter a valid email address and your password.",
};

export function LoginForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await apiFetch<LoginResponse>("/api/auth/login", {
        method: "POST",
        json: { email: String(form.get("email") ?? ""), password: String(form.get("password") ?? "") },
      });
      router.replace("/");
      router.refresh();
    } catch (e) {
      const code = e instanceof ApiError ? e.code : "NETWORK";
      setError(MESSAGES[code] ?? "Can't reach the server. Check your connection and try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={onSubmit} className="flex flex-col gap-4" noValidate>
      {error ? <Alert tone="error">{error}</Alert> : null}
      <TextField label="Email" name="email" type="email" autoComplete="username" required />
      <TextField label="Password" name="password" type="password" autoComplete="current-password" required />
      <Button type="submit" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
