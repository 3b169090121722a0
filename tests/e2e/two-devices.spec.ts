import { type Browser, expect, type Page, test } from "@playwright/test";
import { apiAs, DEMO, DEMO_PASSWORD, signIn, skipWithoutChromium, waitForServiceWorker, waitForSynced } from "./support/field";

// Two devices of one assessor edit the same answer offline. Both sync: one edit applies, the other
// awaits review. A coordinator resolves it field by field with a typed value; both devices show
// that value after their next sync; once verified, the device says "Verified".

skipWithoutChromium();

const ENTITY = "Bakassi Camp (Maiduguri)";

async function device(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, email);
  await waitForServiceWorker(page);
  await page.getByRole("list", { name: "Entities" }).getByRole("link", { name: ENTITY }).click();
  await page.getByRole("link", { name: "WASH assessment", exact: true }).first().click();
  await expect(page).toHaveURL(/\/assessments\/[0-9a-f-]{36}$/);
  return page;
}

async function editOffline(page: Page, latrines: string) {
  await page.context().setOffline(true);
  await page.getByLabel("Functional latrines").fill(latrines);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByTestId("record-state").first()).toHaveText("Saved on this device");
}

async function syncNow(page: Page) {
  await page.getByRole("button", { name: "Sync now" }).click();
}

test("two devices edit one answer offline; the coordinator's typed value reaches both; verified shows on the device", async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(240_000);
  // A second assessor on the same entity: edits by one person on two devices merge by the
  // same-user rule (their later edit wins), so a human decision needs two people.
  const admin = await apiAs(String(baseURL), DEMO.admin);
  const email = `second-assessor-${Date.now()}@demo.fieldsync.org`;
  const created = await admin.post("/api/admin/users", { data: { email, name: "Sani Second", role: "ASSESSOR", password: DEMO_PASSWORD } });
  expect(created.status()).toBe(201);
  const entities = (await (await admin.get("/api/entities")).json()) as { entities: { id: string; name: string }[] };
  const entityId = entities.entities.find((e) => e.name === ENTITY)?.id;
  const userId = ((await created.json()) as { user: { id: string } }).user.id;
  expect((await admin.post("/api/admin/assignments", { data: { userId, entityId } })).status()).toBe(201);
  await admin.dispose();

  const a = await device(browser, DEMO.assessor);
  const b = await device(browser, email);
  const offlineId = a.url().split("/").pop() as string;
  expect(b.url()).toBe(a.url());

  await editOffline(a, "21");
  await editOffline(b, "22");
  await a.context().setOffline(false);
  await waitForSynced(a);
  await b.context().setOffline(false);
  await expect(b.getByTestId("record-state").first()).toHaveText("Awaiting review", { timeout: 60_000 });

  const coordinator = await apiAs(String(baseURL), DEMO.coordinator);
  const list = (await (await coordinator.get("/api/conflicts", { params: { status: "PENDING" } })).json()) as {
    conflicts: { id: string; recordOfflineId: string }[];
  };
  const conflict = list.conflicts.find((c) => c.recordOfflineId === offlineId);
  expect(conflict).toBeTruthy();

  const desk = await (await browser.newContext()).newPage();
  await desk.goto("/login");
  await desk.getByLabel("Email").fill(DEMO.coordinator);
  await desk.getByLabel("Password").fill(DEMO_PASSWORD);
  await desk.getByRole("button", { name: "Sign in" }).click();
  await expect(desk).toHaveURL(/\/conflicts$/);
  await desk.goto(`/conflicts/${conflict?.id}`);
  const latrines = desk.getByTestId("decide-data.latrines");
  await latrines.getByLabel("Type a value").check();
  await latrines.getByLabel(/Your value for Functional latrines/).fill("25");
  await expect(desk.getByTestId("preview")).toContainText("25");
  await desk.getByRole("button", { name: "Resolve" }).click();
  await expect(desk.getByTestId("resolver-message")).toContainText("Resolved");

  for (const page of [a, b]) {
    await syncNow(page);
    await waitForSynced(page);
    await page.reload();
    await expect(page.getByLabel("Functional latrines")).toHaveValue("25");
  }

  const record = (await (await coordinator.get(`/api/conflicts/${conflict?.id}`)).json()) as { current: { id: string } };
  expect((await coordinator.post(`/api/assessments/${record.current.id}/verify`, { data: { decision: "VERIFIED" } })).status()).toBe(200);
  await syncNow(a);
  await waitForSynced(a);
  await expect(a.getByTestId("record-state").first()).toHaveText("Verified");
  await coordinator.dispose();
});
