import { describe, expect, it } from "vitest";
import { fieldInputSpec, parseCustomValue } from "@/components/dashboard/custom-value";
import { dashboardRedirect } from "@/components/dashboard/dashboard-access";
import { isSilent } from "@/components/dashboard/device-health";
import { formatValue, photosLine } from "@/components/dashboard/format-value";
import { buildResolveRequest, buildRows, type FieldDecision } from "@/components/dashboard/resolver-model";
import { planConflictResolution } from "@/lib/domain";
import type { ConflictDetail } from "@/lib/protocol";

// The ConflictResolver's decisions against the shared merge code: what the screen would send and
// preview, without a browser. (That the server stores the preview is tests/integration/dashboard.)

const ids = {
  a: "01a248a6-0000-7000-8000-000000000001",
  e: "01a248a6-0000-7000-8000-000000000002",
  u: "01a248a6-0000-7000-8000-000000000003",
};
const stamp = "2026-12-01T10:00:00.000Z";
const response = (version: number, data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: ids.a,
  offlineId: ids.a,
  assessmentId: ids.e,
  assessmentOfflineId: ids.e,
  entityId: ids.e,
  responderId: ids.u,
  responseType: "FOOD_DISTRIBUTION" as const,
  status: "DELIVERED" as const,
  data,
  version,
  verificationStatus: "PENDING" as const,
  createdAt: stamp,
  updatedAt: stamp,
  deletedAt: null,
  ...extra,
});

const rice = (quantity: number) => [{ name: "Rice", quantity, unit: "kg" }];
const base = response(1, { items: rice(50), beneficiaries: 100, notes: "first" });
const detail: ConflictDetail = {
  id: ids.a,
  type: "response",
  recordId: ids.a,
  recordOfflineId: ids.a,
  kind: "UPDATE",
  status: "PENDING",
  conflictingFields: ["data.beneficiaries", "data.items"],
  submittedBy: { id: ids.u, name: "Dayo" },
  deviceId: ids.u,
  detectedAt: stamp,
  form: "RESPONSE",
  mutationId: ids.a,
  baseVersion: 1,
  serverVersion: 2,
  base,
  server: response(2, { items: rice(60), beneficiaries: 110, notes: "first" }),
  client: response(1, { items: rice(40), beneficiaries: 90, notes: "device note" }),
  patch: { data: { items: rice(40), beneficiaries: 90, notes: "device note" } },
  clientAction: "update",
  resolution: null,
  // The record moved on since detection: notes changed on the server too (not recorded as contested).
  current: response(3, { items: rice(60), beneficiaries: 110, notes: "office" }),
};

function decide(d: ConflictDetail, choices: Record<string, FieldDecision>) {
  const current = d.current ?? d.server;
  const rows = buildRows(d, current);
  const contested = rows.filter((r) => r.status === "contested");
  const specs = new Map(contested.map((r) => [r.path, fieldInputSpec(d.type, d.form, r.path, true)]));
  return { rows, request: buildResolveRequest("fields", contested, choices, specs) };
}

describe("ConflictResolver decisions", () => {
  it("lists contested fields first (in form order), then fields changed on both since, with form labels", () => {
    const { rows } = decide(detail, {});
    expect(rows.slice(0, 2).map((r) => [r.path, r.status, r.label])).toEqual([
      ["data.items", "contested", "Items"],
      ["data.beneficiaries", "contested", "Beneficiaries (individuals)"],
    ]);
    // notes: the device changed it and so did the server since detection: held back (the server keeps it).
    expect(rows[2]).toMatchObject({ path: "data.notes", status: "held" });
  });

  it("take the device's value for one field and type a nested value for another: the request and the preview", () => {
    const typed = '[{"name":"Rice","quantity":45,"unit":"kg"},{"name":"Oil","quantity":10,"unit":"L"}]';
    const { request } = decide(detail, {
      "data.beneficiaries": { choice: "client", text: "" },
      "data.items": { choice: "custom", text: typed },
    });
    expect(request).toEqual({ strategy: "custom", data: { "data.beneficiaries": 90, "data.items": JSON.parse(typed) } });
    const plan = planConflictResolution(detail, { strategy: request.strategy, custom: request.data });
    expect(plan).toMatchObject({ ok: true, action: "write" });
    if (!plan.ok) return;
    // Applied onto the record as it is now: the newer server notes stay.
    expect(plan.record.data).toEqual({ items: JSON.parse(typed), beneficiaries: 90, notes: "office" });
  });

  it("keep server for every field changes nothing contested; the preview equals merge", () => {
    const { request } = decide(detail, {
      "data.beneficiaries": { choice: "server", text: "" },
      "data.items": { choice: "server", text: "" },
    });
    const plan = planConflictResolution(detail, { strategy: "custom", custom: request.data });
    const merge = planConflictResolution(detail, { strategy: "merge" });
    expect(plan).toEqual(merge);
  });

  it("a typed value is checked by the form's question as it is typed", () => {
    const items = fieldInputSpec("response", "RESPONSE", "data.items", true);
    expect(parseCustomValue(items, '[{"name":"Rice","quantity":0,"unit":"kg"}]')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/row 1, quantity/),
    });
    expect(parseCustomValue(items, "[{")).toMatchObject({ ok: false });
    expect(parseCustomValue(items, "")).toMatchObject({ ok: false, message: expect.stringMatching(/required/) });
    const notes = fieldInputSpec("response", "RESPONSE", "data.notes", true);
    expect(parseCustomValue(notes, "")).toEqual({ ok: true, value: null });
    expect(parseCustomValue(notes, "x".repeat(2001))).toMatchObject({ ok: false });
    const count = fieldInputSpec("assessment", "WASH", "data.latrines", false);
    expect(parseCustomValue(count, "-1")).toMatchObject({ ok: false });
    expect(parseCustomValue(count, "2.5")).toMatchObject({ ok: false });
    expect(parseCustomValue(count, "12")).toEqual({ ok: true, value: 12 });
    const status = fieldInputSpec("assessment", "WASH", "status", false);
    expect(parseCustomValue(status, "SUBMITTED")).toEqual({ ok: true, value: "SUBMITTED" });
    expect(parseCustomValue(status, "DONE")).toMatchObject({ ok: false });
  });

  it("a stale delete: using the device deletes, using the server keeps", () => {
    const stale: ConflictDetail = { ...detail, kind: "DELETION", clientAction: "delete", patch: {}, conflictingFields: ["data.items"] };
    expect(planConflictResolution(stale, { strategy: "client" })).toMatchObject({ ok: true, action: "delete", deleted: true });
    expect(planConflictResolution(stale, { strategy: "server" })).toMatchObject({ ok: true, action: "none", deleted: false });
  });
});

describe("dashboard helpers", () => {
  it.each([
    ["ASSESSOR", "/conflicts", "/"],
    ["RESPONDER", "/admin/users", "/"],
    ["COORDINATOR", "/admin/entities", "/conflicts"],
    ["COORDINATOR", "/verification", null],
    ["ADMIN", "/admin/users", null],
  ] as const)("%s on %s → %s", (role, path, to) => {
    expect(dashboardRedirect(role, path)).toBe(to);
  });

  it("a device is silent after the threshold, or when it never synced", () => {
    const now = Date.parse("2026-12-05T12:00:00Z");
    expect(isSilent({ lastPushAt: "2026-12-05T00:00:00Z", lastPullAt: "2026-12-05T10:00:00Z" }, 3, now)).toBe(false);
    expect(isSilent({ lastPushAt: "2026-12-05T00:00:00Z", lastPullAt: null }, 3, now)).toBe(true);
    expect(isSilent({ lastPushAt: null, lastPullAt: null }, 3, now)).toBe(true);
  });

  it("says how many photos arrived, never more than arrived", () => {
    expect(photosLine({ received: 3, expected: 5 })).toBe("3 of 5 photos received (the rest are still uploading)");
    expect(photosLine({ received: 5, expected: 5 })).toBe("5 of 5 photos received");
    expect(photosLine({ received: 0, expected: null })).toBe("No photos received");
    expect(photosLine({ received: 2, expected: null })).toMatch(/^2 photos received/);
  });

  it("formats values by their question", () => {
    expect(formatValue("WASH", "data.waterSource", "BOREHOLE")).toBe("Borehole");
    expect(formatValue("WASH", "data.openDefecationObserved", false)).toBe("No");
    expect(formatValue("RESPONSE", "data.items", rice(5))).toBe("Rice 5 kg");
    expect(formatValue("WASH", "status", "SUBMITTED")).toBe("Submitted");
    expect(formatValue("WASH", "data.latrines", null)).toBe("No answer");
  });
});
