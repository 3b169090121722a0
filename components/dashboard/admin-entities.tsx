"use client";
import { type FormEvent, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { TextField } from "@/components/ui/input";
import type { EntityRecord } from "@/lib/protocol";
import { errorText, SelectField } from "./admin-form-bits";
import { useCreateEntity, useEntities, useUpdateEntity } from "./use-dashboard-api";

const TYPES = [
  { value: "CAMP", label: "Camp" },
  { value: "COMMUNITY", label: "Community" },
  { value: "FACILITY", label: "Facility" },
] as const;

type EntityFields = Omit<EntityRecord, "id" | "offlineId" | "version" | "createdAt" | "updatedAt" | "deletedAt">;

function readEntityForm(form: HTMLFormElement): EntityFields {
  const f = new FormData(form);
  return {
    name: String(f.get("name")),
    type: String(f.get("type")) as EntityFields["type"],
    lga: String(f.get("lga")),
    ward: String(f.get("ward")),
    latitude: Number(f.get("latitude")),
    longitude: Number(f.get("longitude")),
    autoApprove: f.get("autoApprove") === "on",
  };
}

/** The same fields for creating and editing an entity. */
function EntityForm({
  entity,
  submitLabel,
  onSubmit,
}: {
  entity?: EntityRecord;
  submitLabel: string;
  onSubmit: (v: EntityFields, form: HTMLFormElement) => Promise<void>;
}) {
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    try {
      await onSubmit(readEntityForm(e.currentTarget), e.currentTarget);
    } catch (err) {
      setError(errorText(err));
    }
  }
  return (
    <form onSubmit={(e) => void submit(e)} className="grid gap-3 md:grid-cols-3">
      <TextField label="Name" name="name" required maxLength={200} defaultValue={entity?.name} />
      <SelectField label="Type" name="type" defaultValue={entity?.type ?? "CAMP"} required>
        {TYPES.map((t) => (
          <option key={t.value} value={t.value}>
            {t.label}
          </option>
        ))}
      </SelectField>
      <TextField label="LGA" name="lga" required maxLength={100} defaultValue={entity?.lga} />
      <TextField label="Ward" name="ward" required maxLength={100} defaultValue={entity?.ward} />
      <TextField label="Latitude" name="latitude" type="number" step="any" min={-90} max={90} required defaultValue={entity?.latitude} />
      <TextField
        label="Longitude"
        name="longitude"
        type="number"
        step="any"
        min={-180}
        max={180}
        required
        defaultValue={entity?.longitude}
      />
      <label className="flex min-h-11 items-center gap-2 text-sm font-medium text-slate-700 md:col-span-3">
        <input type="checkbox" name="autoApprove" defaultChecked={entity?.autoApprove} className="size-5" />
        Verify submissions from here automatically
      </label>
      <div className="md:col-span-3">
        <Button type="submit">{submitLabel}</Button>
      </div>
      {error ? (
        <div className="md:col-span-3">
          <Alert tone="error">{error}</Alert>
        </div>
      ) : null}
    </form>
  );
}

/** Administration of entities: create, and edit (a new version every device pulls). */
export function AdminEntities() {
  const entities = useEntities();
  const create = useCreateEntity();
  const update = useUpdateEntity();
  const [editing, setEditing] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-bold">Entities</h1>
      <Card title="Add an entity">
        <EntityForm
          submitLabel="Add entity"
          onSubmit={async (v, form) => {
            await create.mutateAsync(v);
            setMessage(`Added ${v.name}.`);
            form.reset();
          }}
        />
        {message ? (
          <div className="mt-3">
            <Alert>{message}</Alert>
          </div>
        ) : null}
      </Card>
      {entities.isError ? <Alert tone="error">Could not load the entities: {entities.error.message}</Alert> : null}
      <ul className="flex flex-col gap-2">
        {(entities.data?.entities ?? []).map((e) => (
          <li key={e.id} className="rounded-xl bg-white p-4 ring-1 ring-slate-200">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <p>
                <strong>{e.name}</strong> · {TYPES.find((t) => t.value === e.type)?.label} · {e.lga}, {e.ward}
                {e.autoApprove ? " · verified automatically" : ""}
              </p>
              <Button variant="secondary" onClick={() => setEditing(editing === e.id ? null : e.id)} aria-expanded={editing === e.id}>
                {editing === e.id ? "Close" : "Edit"}
                <span className="sr-only"> {e.name}</span>
              </Button>
            </div>
            {editing === e.id ? (
              <div className="mt-3">
                <EntityForm
                  entity={e}
                  submitLabel="Save changes"
                  onSubmit={async (v) => {
                    await update.mutateAsync({ id: e.id, ...v, expectedVersion: e.version });
                    setEditing(null);
                  }}
                />
              </div>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
