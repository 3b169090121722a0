"use client";
import { type FormEvent, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { TextField } from "@/components/ui/input";
import type { AdminUser, Role } from "@/lib/protocol";
import { errorText, fieldClass, ROLE_OPTIONS, SelectField } from "./admin-form-bits";
import { useAdminUsers, useCreateUser, useUpdateUser } from "./use-dashboard-api";

function UserRow({ user }: { user: AdminUser }) {
  const update = useUpdateUser();
  const [password, setPassword] = useState("");
  const [note, setNote] = useState<string | null>(null);
  async function run(body: Parameters<typeof update.mutateAsync>[0], done: string) {
    setNote(null);
    try {
      await update.mutateAsync(body);
      setNote(done);
      setPassword("");
    } catch (e) {
      setNote(errorText(e));
    }
  }
  return (
    <tr className={`border-t border-slate-100 align-top ${user.active ? "" : "text-slate-500"}`}>
      <th scope="row" className="p-3 text-left font-medium">
        {user.name}
        <span className="block text-xs font-normal">{user.email}</span>
      </th>
      <td className="p-3">
        <label className="sr-only" htmlFor={`role-${user.id}`}>
          Role of {user.name}
        </label>
        <select
          id={`role-${user.id}`}
          className={fieldClass}
          value={user.role}
          onChange={(e) => void run({ id: user.id, role: e.target.value as Role }, `Role changed to ${e.target.value.toLowerCase()}.`)}
        >
          {ROLE_OPTIONS.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
      </td>
      <td className="p-3">{user.active ? "Active" : "Disabled"}</td>
      <td className="p-3">
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            void run({ id: user.id, password }, "Password reset; their devices must sign in again.");
          }}
        >
          <label className="flex flex-col gap-1 text-xs font-medium text-slate-700">
            New password for {user.name}
            <input
              type="password"
              minLength={8}
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              className={fieldClass}
              autoComplete="new-password"
            />
          </label>
          <Button type="submit" variant="secondary">
            Reset password
          </Button>
        </form>
      </td>
      <td className="p-3">
        <Button
          variant={user.active ? "danger" : "secondary"}
          onClick={() => void run({ id: user.id, active: !user.active }, user.active ? "Disabled; signed out everywhere." : "Enabled.")}
        >
          {user.active ? "Disable" : "Enable"}
          <span className="sr-only"> {user.name}</span>
        </Button>
        {note ? (
          <p role="status" className="mt-1 text-xs">
            {note}
          </p>
        ) : null}
      </td>
    </tr>
  );
}

/** Administration of people: create with a role, change role, reset a password, disable. */
export function AdminUsers() {
  const users = useAdminUsers();
  const create = useCreateUser();
  const [message, setMessage] = useState<{ tone: "info" | "error"; text: string } | null>(null);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    try {
      await create.mutateAsync({
        email: String(f.get("email")),
        name: String(f.get("name")),
        role: String(f.get("role")) as Role,
        password: String(f.get("password")),
      });
      setMessage({ tone: "info", text: `Created ${f.get("name")}.` });
      form.reset();
    } catch (err) {
      setMessage({ tone: "error", text: errorText(err) });
    }
  }

  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-bold">Users</h1>
      <Card title="Add a user">
        <form onSubmit={(e) => void submit(e)} className="grid gap-3 md:grid-cols-2">
          <TextField label="Name" name="name" required maxLength={200} />
          <TextField label="Email" name="email" type="email" required />
          <SelectField label="Role" name="role" defaultValue="ASSESSOR" required>
            {ROLE_OPTIONS.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </SelectField>
          <TextField
            label="First password (at least 8 characters)"
            name="password"
            type="password"
            minLength={8}
            required
            autoComplete="new-password"
          />
          <div className="md:col-span-2">
            <Button type="submit" disabled={create.isPending}>
              Add user
            </Button>
          </div>
        </form>
        {message ? (
          <div className="mt-3">
            <Alert tone={message.tone}>{message.text}</Alert>
          </div>
        ) : null}
      </Card>
      {users.isError ? <Alert tone="error">Could not load the users: {users.error.message}</Alert> : null}
      <div className="overflow-x-auto rounded-xl bg-white ring-1 ring-slate-200">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Users</caption>
          <thead className="text-slate-700">
            <tr>
              {["Person", "Role", "Status", "Password", "Access"].map((h) => (
                <th key={h} scope="col" className="p-3">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {(users.data?.users ?? []).map((u) => (
              <UserRow key={u.id} user={u} />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
