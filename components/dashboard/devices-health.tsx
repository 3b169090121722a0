"use client";
import dynamic from "next/dynamic";
import { useEffect, useId, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { isSilent, lastSeen } from "./device-health";
import { age } from "./format-value";
import { useActivity, useDevices, useRejections } from "./use-dashboard-api";

const ActivityChart = dynamic(() => import("./activity-chart"), {
  ssr: false,
  loading: () => <p className="h-64 text-slate-600">Loading the chart…</p>,
});

const SILENT_HOURS_KEY = "fieldsync:silentHours";
const DEFAULT_SILENT_HOURS = 24;

function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return "unknown";
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(1)} GB`;
}

function skew(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "unknown";
  const abs = Math.abs(ms);
  if (abs < 60_000) return "in step";
  const text = abs < 3_600_000 ? `${Math.round(abs / 60_000)} min` : `${(abs / 3_600_000).toFixed(1)} h`;
  return `${text} ${ms > 0 ? "ahead" : "behind"}`;
}

/** Sync health: every device's last contact, backlog, storage and clock; silent ones first. */
export function DevicesHealth() {
  const hoursId = useId();
  const [hours, setHours] = useState(DEFAULT_SILENT_HOURS);
  const [deviceFilter, setDeviceFilter] = useState<string | undefined>(undefined);
  useEffect(() => {
    const saved = Number(window.localStorage.getItem(SILENT_HOURS_KEY));
    if (saved > 0) setHours(saved);
  }, []);
  const devices = useDevices();
  const rejections = useRejections({ deviceId: deviceFilter });
  const activity = useActivity(14);
  const now = Date.now();
  const list = [...(devices.data?.devices ?? [])].sort((a, b) => (lastSeen(a) ?? 0) - (lastSeen(b) ?? 0));
  const silentCount = list.filter((d) => isSilent(d, hours, now)).length;

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h1 className="text-2xl font-bold">Devices</h1>
        <div className="flex flex-col gap-1">
          <label htmlFor={hoursId} className="text-sm font-medium text-slate-700">
            Call a device silent after (hours)
          </label>
          <input
            id={hoursId}
            type="number"
            min={1}
            max={24 * 30}
            value={hours}
            onChange={(e) => {
              const n = Math.max(1, Number(e.target.value) || DEFAULT_SILENT_HOURS);
              setHours(n);
              window.localStorage.setItem(SILENT_HOURS_KEY, String(n));
            }}
            className="min-h-11 w-32 rounded-lg border border-slate-300 px-3 py-2"
          />
        </div>
      </div>

      {devices.isError ? <Alert tone="error">Could not load the devices: {devices.error.message}</Alert> : null}
      {silentCount > 0 ? (
        <Alert tone="warning">
          {silentCount} {silentCount === 1 ? "device has" : "devices have"} not synced for more than {hours} hours.
        </Alert>
      ) : null}

      <section aria-labelledby="devices-title" className="overflow-x-auto rounded-xl bg-white ring-1 ring-slate-200">
        <h2 id="devices-title" className="px-4 pt-4 text-lg font-semibold">
          Sync health
        </h2>
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Devices, least recently seen first</caption>
          <thead className="text-slate-700">
            <tr>
              {[
                "User",
                "Last sent",
                "Last received",
                "Waiting to send",
                "Oldest unsent",
                "Storage used / available",
                "Clock",
                "App version",
                "Refused",
              ].map((h) => (
                <th key={h} scope="col" className="p-3">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {list.map((d) => {
              const silent = isSilent(d, hours, now);
              return (
                <tr
                  key={d.deviceId}
                  className={`border-t border-slate-100 ${silent ? "bg-red-50" : ""}`}
                  data-testid="device-row"
                  data-silent={silent}
                >
                  <th scope="row" className="p-3 text-left font-medium">
                    {d.user.name}
                    <span className="block text-xs font-normal text-slate-600" title={d.deviceId}>
                      Device {d.deviceId.slice(-6)}
                    </span>
                    {silent ? <span className="mt-1 inline-block rounded bg-red-700 px-1.5 py-0.5 text-xs text-white">Silent</span> : null}
                  </th>
                  <td className="p-3">{age(d.lastPushAt, now)}</td>
                  <td className="p-3">{age(d.lastPullAt, now)}</td>
                  <td className="p-3">{d.pendingCount ?? "unknown"}</td>
                  <td className="p-3">
                    {d.oldestUnsentAt ? age(d.oldestUnsentAt, now).replace(" ago", "") : d.pendingCount === 0 ? "—" : "unknown"}
                  </td>
                  <td className="p-3">
                    {bytes(d.storageUsedBytes)} / {bytes(d.storageQuotaBytes)}
                  </td>
                  <td className="p-3">{skew(d.clockSkewMs)}</td>
                  <td className="p-3">{d.appVersion ?? "unknown"}</td>
                  <td className="p-3">
                    {d.rejectedCount ? (
                      <button type="button" className="text-brand-700 underline" onClick={() => setDeviceFilter(d.deviceId)}>
                        {d.rejectedCount} <span className="sr-only">refused edits of {d.user.name}'s device: show them</span>
                      </button>
                    ) : (
                      0
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {list.length === 0 && !devices.isPending ? <p className="p-4 text-slate-600">No device has synced yet.</p> : null}
      </section>

      <section aria-labelledby="activity-title" className="rounded-xl bg-white p-4 ring-1 ring-slate-200">
        <h2 id="activity-title" className="mb-2 text-lg font-semibold">
          Submissions and conflicts, last 14 days
        </h2>
        {activity.data ? <ActivityChart days={activity.data.days} /> : null}
        {activity.data ? (
          <details className="mt-2 text-sm">
            <summary className="cursor-pointer">The numbers as a table</summary>
            <table className="mt-2 text-left">
              <thead>
                <tr>
                  <th scope="col" className="pr-4">
                    Day
                  </th>
                  <th scope="col" className="pr-4">
                    Submissions
                  </th>
                  <th scope="col">Conflicts</th>
                </tr>
              </thead>
              <tbody>
                {activity.data.days.map((d) => (
                  <tr key={d.date}>
                    <td className="pr-4">{d.date}</td>
                    <td className="pr-4">{d.submissions}</td>
                    <td>{d.conflicts}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        ) : null}
      </section>

      <section aria-labelledby="rejections-title" className="overflow-x-auto rounded-xl bg-white ring-1 ring-slate-200">
        <div className="flex flex-wrap items-center justify-between gap-2 px-4 pt-4">
          <h2 id="rejections-title" className="text-lg font-semibold">
            Refused edits{deviceFilter ? ` of device ${deviceFilter.slice(-6)}` : ""}
          </h2>
          {deviceFilter ? (
            <button type="button" className="text-sm text-brand-700 underline" onClick={() => setDeviceFilter(undefined)}>
              Show every device
            </button>
          ) : null}
        </div>
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Edits the server refused, newest first, with the reason</caption>
          <thead className="text-slate-700">
            <tr>
              {["When", "User", "Device", "Record", "Reason"].map((h) => (
                <th key={h} scope="col" className="p-3">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {(rejections.data?.rejections ?? []).map((r) => (
              <tr key={r.id} className="border-t border-slate-100 align-top">
                <td className="p-3">{age(r.createdAt, now)}</td>
                <td className="p-3">{r.user.name}</td>
                <td className="p-3">{r.deviceId ? r.deviceId.slice(-6) : "—"}</td>
                <td className="p-3">{r.recordType ?? "unknown"}</td>
                <td className="p-3">
                  <span className="font-mono text-xs">{r.errorCode}</span> {r.errorMessage}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {rejections.data?.rejections.length === 0 ? <p className="p-4 text-slate-600">No refused edits.</p> : null}
      </section>
    </div>
  );
}
