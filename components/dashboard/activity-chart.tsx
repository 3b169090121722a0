"use client";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { ActivityDay } from "@/lib/protocol";

/** Submissions and conflicts per day. Loaded with next/dynamic on /devices only (recharts is large). */
export default function ActivityChart({ days }: { days: ActivityDay[] }) {
  const data = days.map((d) => ({ ...d, label: d.date.slice(5) }));
  return (
    <div
      className="h-64 w-full"
      role="img"
      aria-label="Bar chart of submissions and conflicts per day; the same numbers are in the table below it"
    >
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
          <XAxis dataKey="label" tick={{ fontSize: 12 }} />
          <YAxis allowDecimals={false} tick={{ fontSize: 12 }} />
          <Tooltip />
          <Legend />
          <Bar dataKey="submissions" name="Submissions" fill="#155ea6" />
          <Bar dataKey="conflicts" name="Conflicts" fill="#b45309" />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
