/**
 * Auth (PROTOCOL §2). Emails are compared trimmed and lower-cased everywhere, so the same
 * normalisation is applied at login, at user creation and by the rate limiter's per-email key.
 */
import { z } from "zod";
import { userSchema } from "./records";

/** Trimmed, lower-cased and format-checked (for creating users). */
export const emailSchema = z.string().trim().toLowerCase().max(320).pipe(z.email());

export const loginRequestSchema = z.object({
  // Not format-checked: a malformed email is just a wrong credential (401), not a 400 that
  // tells the caller which part was wrong.
  email: z.string().trim().toLowerCase().min(1).max(320),
  password: z.string().min(1).max(200),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

/** `token` is a bearer token for non-cookie clients; browsers use the httpOnly cookie. */
export const loginResponseSchema = z.object({ user: userSchema, token: z.string().min(1) });
export type LoginResponse = z.infer<typeof loginResponseSchema>;

export const meResponseSchema = z.object({ user: userSchema });
export type MeResponse = z.infer<typeof meResponseSchema>;
