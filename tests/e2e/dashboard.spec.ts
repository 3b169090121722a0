import { randomUUID } from "node:crypto";
import { type APIRequestContext, expect, type Page, type TestInfo, test } from "@playwright/test";
import { apiAs, DEMO, DEMO_PASSWORD, expectAccessible, skipWithoutChromium } from "./support/field";

// The coordinator dashboard (issue 10) through the real pages, against `npm start` with the demo.
// The conflict is made server-side through the API (two users editing one assessment); the
// two-device offline version of this flow belongs to the field-app specs.

skipWithoutChromium();

const DASHBOARD_ROUTES = [
  "/conflicts",
  `/conflicts/${randomUUID()}`,
  "/verification",
  "/devices",
  "/admin/users",
  "/admin/entities",
  "/admin/assignments",
];
const DASHBOARD_APIS = [
  "/api/conflicts",
  "/api/dashboard/counts",
  "/api/verification",
  "/api/sync/devices",
  "/api/sync/rejections",
  "/api/dashboard/activity",
];

async function signInDesk(page: Page, email: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function shot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

const FULL_WASH = { waterSource: "BOREHOLE", functionalBoreholes: 2, latrines: 10, openDefecationObserved: false };

async function push(api: APIRequestContext, mutation: Record<string, unknown>) {
  const res = await api.post("/api/sync/push", {
    data: { deviceId: randomUUID(), mutations: [{ mutationId: randomUUID(), ...mutation }] },
  });
  expect(res.status()).toBe(200);
  return ((await res.json()) as { results: Record<string, unknown>[] }).results[0];
}

/** The assessor submits an assessment; the coordinator edits it (v2); the assessor edits from v1 → a conflict. */
async function makeConflict(baseURL: string) {
  const assessor = await apiAs(baseURL, DEMO.assessor);
  const coordinator = await apiAs(baseURL, DEMO.coordinator);
  const entities = (
    (await (await assessor.get("/api/entities")).json()) as { entities: { id: string; name: string; autoApprove: boolean }[] }
  ).entities;
  const entity = entities.find((e) => !e.autoApprove) ?? entities[0];
  const offlineId = randomUUID();
  const created = await push(assessor, {
    type: "assessment",
    action: "create",
    offlineId,
    baseVersion: 0,
    data: { entityId: entity.id, assessmentType: "WASH", status: "SUBMITTED", data: { ...FULL_WASH, notes: "first visit" } },
  });
  expect(created.status).toBe("applied");
  const updateFromV1 = (api: APIRequestContext, data: Record<string, unknown>) =>
    push(api, { type: "assessment", action: "update", offlineId, baseVersion: 1, data: { data } });
  expect((await updateFromV1(coordinator, { latrines: 5, notes: "office count" })).status).toBe("applied");
  const conflict = await updateFromV1(assessor, { latrines: 7, notes: "device count", functionalBoreholes: 3 });
  expect(conflict).toMatchObject({ status: "conflict", conflictingFields: ["data.latrines", "data.notes"] });
  return { entity, offlineId, recordId: created.id as string, conflictId: conflict.conflictId as string, assessor, coordinator };
}

test.describe("authorisation", () => {
  for (const email of [DEMO.assessor, DEMO.responder]) {
    test(`${email.split("@")[0]} is sent away from every dashboard route and its APIs answer 403`, async ({ page, baseURL }) => {
      await signInDesk(page, email);
      await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
      for (const route of DASHBOARD_ROUTES) {
        await page.goto(route);
        await expect(page).toHaveURL(/\/$/);
        await expect(page.getByRole("navigation", { name: "Dashboard" })).toHaveCount(0);
      }
      const api = await apiAs(baseURL as string, email);
      for (const path of DASHBOARD_APIS) expect((await api.get(path)).status(), path).toBe(403);
      expect((await api.get("/api/admin/users")).status()).toBe(403);
    });
  }

  test("a coordinator lands on /conflicts and cannot open /admin", async ({ page }) => {
    await signInDesk(page, DEMO.coordinator);
    await expect(page).toHaveURL(/\/conflicts$/);
    const nav = page.getByRole("navigation", { name: "Dashboard" });
    await expect(nav.getByRole("link", { name: /Users/ })).toHaveCount(0);
    for (const route of ["/admin/users", "/admin/entities", "/admin/assignments"]) {
      await page.goto(route);
      await expect(page).toHaveURL(/\/conflicts$/);
    }
  });
});

test("a coordinator resolves a conflict field by field with one typed value, is refused a second time, and verifies the record", async ({
  page,
  browser,
  baseURL,
}, testInfo) => {
  test.setTimeout(120_000);
  const made = await makeConflict(baseURL as string);
  await signInDesk(page, DEMO.coordinator);
  await expect(page).toHaveURL(/\/conflicts$/);
  await expect(page.getByTestId("badge-conflicts")).toBeVisible();

  // The queue: filter by the entity, find the conflict by its contested fields' labels.
  await page.getByLabel("Entity").selectOption(made.entity.id);
  const row = page.getByTestId("conflict-row").filter({ hasText: "Amina Assessor" }).filter({ hasText: "Functional latrines" }).first();
  await expect(row).toBeVisible();
  await expectAccessible(page, "conflict-queue", testInfo);
  await shot(page, testInfo, "conflicts-queue");

  // A second tab has the same conflict open (to be refused later).
  const other = await (await browser.newContext()).newPage();
  await signInDesk(other, DEMO.coordinator);
  await expect(other).toHaveURL(/\/conflicts$/);
  await other.goto(`/conflicts/${made.conflictId}`);
  await expect(other.getByRole("heading", { name: /Water, sanitation|WASH/ })).toBeVisible();

  await page.goto(`/conflicts/${made.conflictId}`);
  const latrines = page.getByTestId("decide-data.latrines");
  await expect(latrines).toBeVisible();
  // Contested fields come first and are marked.
  await expect(page.getByTestId("field-data.latrines")).toContainText("Contested");
  await expect(page.getByTestId("field-data.functionalBoreholes")).toContainText("Merged: changed on the device only");
  await latrines.getByLabel(/Take device: 7/).check();
  const notes = page.getByTestId("decide-data.notes");
  await notes.getByLabel("Type a value").check();
  const input = notes.getByLabel(/Your value for Notes/);
  await input.fill("x".repeat(2001));
  await expect(notes).toContainText(/2000/);
  await expect(page.getByRole("button", { name: "Resolve" })).toBeDisabled();
  await input.fill("Checked on site: 7 latrines");
  await expect(page.getByTestId("preview")).toContainText("Checked on site: 7 latrines");
  await expect(page.getByTestId("preview")).toContainText("Functional boreholes");
  await expectAccessible(page, "conflict-resolver", testInfo);
  await shot(page, testInfo, "conflict-resolver");

  await page.getByRole("button", { name: "Resolve" }).click();
  await expect(page.getByTestId("resolver-message")).toContainText("Resolved");
  const record = await (await made.coordinator.get(`/api/conflicts/${made.conflictId}`)).json();
  expect(record.status).toBe("RESOLVED");
  expect(record.current.data).toMatchObject({ latrines: 7, notes: "Checked on site: 7 latrines", functionalBoreholes: 3 });

  // The other tab tries again: a clear refusal, and the page shows the decision.
  await other
    .getByTestId("decide-data.latrines")
    .getByLabel(/Keep server/)
    .check();
  await other.getByRole("button", { name: "Resolve" }).click();
  await expect(other.getByTestId("resolver-message")).toContainText("cannot be resolved again");
  await expect(other.getByText("It cannot be resolved again.")).toBeVisible();
  const again = await made.coordinator.post(`/api/conflicts/${made.conflictId}/resolve`, { data: { strategy: "server" } });
  expect(again.status()).toBe(409);
  expect((await again.json()).error.code).toBe("CONFLICT_ALREADY_RESOLVED");

  // The audit tab lists the decision.
  await page.goto("/conflicts");
  await page.getByRole("tab", { name: "Decided (audit)" }).click();
  await expect(page.getByTestId("conflict-row").filter({ hasText: "Chosen field by field" }).first()).toBeVisible();

  // Verify it in the verification queue.
  await page.goto("/verification");
  await page.getByTestId("counts-by-entity").getByRole("button", { name: made.entity.name }).click();
  const card = page.getByTestId("verification-item").filter({ hasText: "Checked on site: 7 latrines" });
  await expect(card).toBeVisible();
  await expect(card.getByTestId("photos-line")).toContainText(/photo/);
  await expectAccessible(page, "verification", testInfo);
  await shot(page, testInfo, "verification");
  await card.getByRole("button", { name: "Verify" }).click();
  await expect(card).toHaveCount(0);
  expect((await made.assessor.get(`/api/conflicts/${made.conflictId}`)).status()).toBe(403);
  const after = await (await made.coordinator.get(`/api/conflicts/${made.conflictId}`)).json();
  expect(after.current.verificationStatus).toBe("VERIFIED");
});

test("a record that moved on while the coordinator looked is reloaded with a clear message; resolve all confirms and lists each result", async ({
  page,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const first = await makeConflict(baseURL as string);
  const second = await makeConflict(baseURL as string);
  await signInDesk(page, DEMO.coordinator);
  await expect(page).toHaveURL(/\/conflicts$/);

  await page.goto(`/conflicts/${first.conflictId}`);
  await expect(page.getByRole("columnheader", { name: "Server now (version 2)" })).toBeVisible();
  // Someone edits the record meanwhile (version 3).
  const moved = await push(first.coordinator, {
    type: "assessment",
    action: "update",
    offlineId: first.offlineId,
    baseVersion: 2,
    data: { data: { latrines: 6 } },
  });
  expect(moved).toMatchObject({ status: "applied", version: 3 });
  await page.getByRole("button", { name: "Resolve" }).click();
  await expect(page.getByTestId("resolver-message")).toContainText("Someone changed this record while you were reviewing it");
  await expect(page.getByRole("columnheader", { name: "Server now (version 3)" })).toBeVisible();
  await expect(page.getByTestId("decide-data.latrines")).toContainText("Keep server: 6");

  // Resolve all: both conflicts of this test, selected by hand, merged after a confirmation.
  await page.goto("/conflicts");
  await expect(page.getByTestId("conflict-row").first()).toBeVisible();
  for (const made of [first, second]) {
    await page.locator(`tr:has(a[href="/conflicts/${made.conflictId}"])`).getByRole("checkbox").check();
  }
  await page.getByLabel("Resolve the selected conflicts by").selectOption("merge");
  await page.getByRole("button", { name: "Resolve 2 selected…" }).click();
  const dialog = page.getByRole("dialog", { name: "Resolve 2 conflicts?" });
  await expect(dialog).toContainText("merge: apply the devices' other changes");
  await dialog.getByRole("button", { name: "Resolve 2" }).click();
  await expect(page.getByText("2 of 2 resolved")).toBeVisible();
  await expect(page.getByTestId("resolve-all-results").getByRole("listitem")).toHaveCount(2);
  for (const made of [first, second]) {
    expect((await (await made.coordinator.get(`/api/conflicts/${made.conflictId}`)).json()).resolution.strategy).toBe("merge");
  }
});

test("screens: devices, and the administration as an admin", async ({ page }, testInfo) => {
  await signInDesk(page, DEMO.admin);
  await expect(page).toHaveURL(/\/conflicts$/);
  await page.goto("/devices");
  await expect(page.getByRole("heading", { name: "Sync health" })).toBeVisible();
  await expect(page.getByRole("heading", { name: /Submissions and conflicts/ })).toBeVisible();
  await expectAccessible(page, "devices", testInfo);
  await shot(page, testInfo, "devices");

  await page.goto("/admin/users");
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  await expect(page.getByRole("row", { name: /Amina Assessor/ })).toBeVisible();
  await expectAccessible(page, "admin-users", testInfo);
  await shot(page, testInfo, "admin-users");

  await page.goto("/admin/entities");
  await expect(page.getByRole("heading", { name: "Entities" })).toBeVisible();
  await shot(page, testInfo, "admin-entities");

  await page.goto("/admin/assignments");
  await expect(page.getByRole("heading", { name: "Assignments" })).toBeVisible();
  await expect(page.getByRole("button", { name: /Unassign/ }).first()).toBeVisible();
  await expectAccessible(page, "admin-assignments", testInfo);
  await shot(page, testInfo, "admin-assignments");
});
