"use client";
import { AppShell } from "@/components/shell/app-shell";
import { NeedsAttention } from "@/components/sync/needs-attention";
import { Card } from "@/components/ui/card";

const ROLE_LABEL = { ASSESSOR: "Field assessor", RESPONDER: "Responder", COORDINATOR: "Coordinator", ADMIN: "Administrator" } as const;

export default function HomePage() {
  return (
    <AppShell>
      {(user) => (
        <div className="flex flex-col gap-4">
          <NeedsAttention />
          <Card title="Signed in">
            <p className="text-slate-800" data-testid="whoami">
              {user.name} · <span className="font-medium">{ROLE_LABEL[user.role]}</span> ({user.role})
            </p>
            <p className="text-sm text-slate-500">{user.email}</p>
          </Card>
        </div>
      )}
    </AppShell>
  );
}
