"use client";
import { createContext, type ReactNode, useContext } from "react";
import type { User } from "@/lib/protocol";

const SessionContext = createContext<User | null>(null);

/** Provided by the group layouts once the user is known (components/shell/field-shell.tsx). */
export function SessionProvider({ user, children }: { user: User; children: ReactNode }) {
  return <SessionContext.Provider value={user}>{children}</SessionContext.Provider>;
}

/** The signed-in user (offline too). Only inside a group layout's shell. */
export function useSessionUser(): User {
  const user = useContext(SessionContext);
  if (!user) throw new Error("useSessionUser outside a signed-in shell");
  return user;
}
