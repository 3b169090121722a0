"use client";
import { type FormEvent, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { errorText, SelectField } from "./admin-form-bits";
import { useAdminUsers, useAssignment, useAssignments, useEntities } from "./use-dashboard-api";

/**
 * Who works where: assign field users to entities, or end an assignment (the user's device drops
 * that entity's records on its next sync, except unsent work).
 */
export function AdminAssignments() {
  const users = useAdminUsers();
  const entities = useEntities();
  const assignments = useAssignments();
  const change = useAssignment();
  const [message, setMessage] = useState<{ tone: "info" | "error"; text: string } | null>(null);
  const userName = new Map((users.data?.users ?? []).map((u) => [u.id, u.name]));
  const entityName = new Map((entities.data?.entities ?? []).map((e) => [e.id, e.name]));
  const fieldUsers = (users.data?.users ?? []).filter((u) => u.active && (u.role === "ASSESSOR" || u.role === "RESPONDER"));

  async function run(v: { userId: string; entityId: string; assign: boolean }) {
    setMessage(null);
    try {
      await change.mutateAsync(v);
      const who = userName.get(v.userId);
      const where = entityName.get(v.entityId);
      setMessage({
        tone: "info",
        text: v.assign ? `${who} now works at ${where}.` : `${who} no longer works at ${where}; their device drops it on its next sync.`,
      });
    } catch (e) {
      setMessage({ tone: "error", text: errorText(e) });
    }
  }

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    void run({ userId: String(f.get("userId")), entityId: String(f.get("entityId")), assign: true });
  }

  const rows = [...(assignments.data?.assignments ?? [])].sort(
    (a, b) =>
      (userName.get(a.userId) ?? "").localeCompare(userName.get(b.userId) ?? "") ||
      (entityName.get(a.entityId) ?? "").localeCompare(entityName.get(b.entityId) ?? ""),
  );

  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-bold">Assignments</h1>
      <Card title="Assign someone to an entity">
        <form onSubmit={submit} className="flex flex-wrap items-end gap-3">
          <SelectField label="Person" name="userId" required>
            {fieldUsers.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name} ({u.role === "ASSESSOR" ? "assessor" : "responder"})
              </option>
            ))}
          </SelectField>
          <SelectField label="Entity" name="entityId" required>
            {(entities.data?.entities ?? []).map((e) => (
              <option key={e.id} value={e.id}>
                {e.name}
              </option>
            ))}
          </SelectField>
          <Button type="submit" disabled={change.isPending}>
            Assign
          </Button>
        </form>
      </Card>
      {message ? <Alert tone={message.tone}>{message.text}</Alert> : null}
      <div className="overflow-x-auto rounded-xl bg-white ring-1 ring-slate-200">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Current assignments</caption>
          <thead className="text-slate-700">
            <tr>
              <th scope="col" className="p-3">
                Person
              </th>
              <th scope="col" className="p-3">
                Entity
              </th>
              <th scope="col" className="p-3">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.id} className="border-t border-slate-100">
                <td className="p-3">{userName.get(a.userId) ?? "Unknown user"}</td>
                <td className="p-3">{entityName.get(a.entityId) ?? "Deleted entity"}</td>
                <td className="p-3 text-right">
                  <Button variant="secondary" onClick={() => void run({ userId: a.userId, entityId: a.entityId, assign: false })}>
                    Unassign
                    <span className="sr-only">
                      {" "}
                      {userName.get(a.userId)} from {entityName.get(a.entityId)}
                    </span>
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && !assignments.isPending ? <p className="p-4 text-slate-600">Nobody is assigned anywhere yet.</p> : null}
      </div>
    </div>
  );
}
