import { expect, type Page, test } from "@playwright/test";
import { apiAs, DEMO, pullAll, signIn, skipWithoutChromium, waitForServiceWorker, waitForSynced } from "./support/field";
import { sha256Hex, solidPng } from "./support/png";

// The field app offline end to end, in real Chromium with the real service worker, IndexedDB and
// server: capture without signal, survive a closed page, drain on reconnect, and the server holds
// each record exactly once with photos whose SHA-256 match the files.

skipWithoutChromium();

const PHOTOS = [
  { name: "latrine-block.png", mimeType: "image/png", buffer: solidPng(64, 48, [200, 40, 40]) },
  { name: "borehole.png", mimeType: "image/png", buffer: solidPng(48, 64, [40, 90, 200]) },
];

async function addPhotos(page: Page) {
  await page.getByLabel("Add photo").setInputFiles(PHOTOS);
  for (const photo of PHOTOS) await expect(page.getByRole("img", { name: new RegExp(photo.name) })).toBeVisible();
}

/** Opens the record page in a fresh tab (the old one closed), still offline. */
async function reopen(page: Page): Promise<Page> {
  const url = page.url();
  const context = page.context();
  await page.close();
  const again = await context.newPage();
  await again.goto(url);
  return again;
}

async function expectPhotosOnServer(baseURL: string, parentOfflineId: string) {
  const api = await apiAs(baseURL, DEMO.coordinator);
  const changes = await pullAll(api);
  const media = changes.filter((c) => c.type === "media" && c.op === "upsert" && c.record?.parentOfflineId === parentOfflineId);
  expect(media.map((m) => m.record?.sha256).sort()).toEqual(PHOTOS.map((p) => sha256Hex(p.buffer)).sort());
  for (const m of media) {
    const res = await api.get(String(m.record?.url));
    expect(res.status()).toBe(200);
    expect(PHOTOS.map((p) => sha256Hex(p.buffer))).toContain(sha256Hex(await res.body()));
  }
  await api.dispose();
  return changes;
}

test("an assessor captures a WASH assessment with two photos offline; it reaches the server exactly once", async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  test.setTimeout(180_000);
  await signIn(page, DEMO.assessor);
  await waitForServiceWorker(page);
  const entityLink = page.getByRole("list", { name: "Entities" }).getByRole("link", { name: "Muna Garage Community (Jere)" });
  const entityHref = String(await entityLink.getAttribute("href"));

  await context.setOffline(true);
  // A deep link reloaded without signal: the worker answers with the app shell, the page reads Dexie.
  await page.goto(entityHref);
  await expect(page.getByRole("heading", { name: "Muna Garage Community (Jere)" })).toBeVisible();
  await expect(page.getByTestId("sync-headline")).toContainText("Offline");

  await page.getByRole("link", { name: "New WASH assessment" }).click();
  await page.getByLabel("Main water source").selectOption({ label: "Borehole" });
  await page.getByLabel("Functional boreholes").fill("3");
  await page.getByLabel("Functional latrines").fill("12");
  await page
    .getByRole("radiogroup", { name: /Open defecation observed/ })
    .getByLabel("No")
    .check();
  await addPhotos(page);
  await page.getByRole("button", { name: "Submit" }).click();
  await expect(page).toHaveURL(/\/assessments\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("record-state").first()).toHaveText("Saved on this device");
  const offlineId = page.url().split("/").pop() as string;

  // Closed and opened again, still offline: the answers and thumbnails are on the device.
  const again = await reopen(page);
  await expect(again.getByTestId("record-state").first()).toHaveText("Saved on this device");
  await expect(again.getByLabel("Functional latrines")).toHaveValue("12");
  for (const photo of PHOTOS) {
    const img = again.getByRole("img", { name: new RegExp(photo.name) });
    await expect(img).toBeVisible();
    expect(await img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  }
  await expect(again.getByTestId("sync-headline")).toContainText("1 change and 2 photos saved on this device");

  const started = Date.now();
  await context.setOffline(false);
  await waitForSynced(again, 90_000);
  const drainMs = Date.now() - started;
  testInfo.annotations.push({ type: "drain-ms", description: String(drainMs) });
  console.log(`[measure] drain after reconnect, 1 assessment + 2 photos: ${drainMs} ms`);
  await expect(again.getByTestId("record-state").first()).not.toHaveText("Saved on this device");

  const changes = await expectPhotosOnServer(String(baseURL), offlineId);
  const stored = changes.filter((c) => c.type === "assessment" && c.record?.offlineId === offlineId);
  expect(stored).toHaveLength(1);
  expect(stored[0].record).toMatchObject({
    status: "SUBMITTED",
    data: { waterSource: "BOREHOLE", functionalBoreholes: 3, latrines: 12, openDefecationObserved: false },
  });
});

test("a responder records a delivery offline; it reaches the server exactly once", async ({ page, context, baseURL }, testInfo) => {
  test.setTimeout(180_000);
  await signIn(page, DEMO.responder);
  await waitForServiceWorker(page);
  const queue = page.getByRole("list", { name: "Assessments needing a response" });
  const first = queue.getByRole("link").first();
  const assessmentHref = String(await first.getAttribute("href"));

  await context.setOffline(true);
  await page.goto(assessmentHref);
  await page.getByRole("link", { name: "Record a response" }).click();
  await page.getByLabel("Response type").selectOption({ label: "Non-food items" });
  await page.getByRole("button", { name: "Add item" }).click();
  await page.getByLabel("Item", { exact: true }).fill("Blanket");
  await page.getByLabel("Quantity").fill("40");
  await page.getByLabel("Unit").fill("pieces");
  await page.getByLabel("Beneficiaries (individuals)").fill("40");
  await addPhotos(page);
  await page.getByRole("button", { name: "Mark delivered" }).click();
  await expect(page).toHaveURL(/\/responses\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("record-state").first()).toHaveText("Saved on this device");
  const offlineId = page.url().split("/").pop() as string;

  const again = await reopen(page);
  await expect(again.getByTestId("record-state").first()).toHaveText("Saved on this device");
  await expect(again.getByRole("img", { name: new RegExp(PHOTOS[0].name) })).toBeVisible();

  const started = Date.now();
  await context.setOffline(false);
  await waitForSynced(again, 90_000);
  const drainMs = Date.now() - started;
  testInfo.annotations.push({ type: "drain-ms", description: String(drainMs) });
  console.log(`[measure] drain after reconnect, 1 response + 2 photos: ${drainMs} ms`);

  const changes = await expectPhotosOnServer(String(baseURL), offlineId);
  const stored = changes.filter((c) => c.type === "response" && c.record?.offlineId === offlineId);
  expect(stored).toHaveLength(1);
  expect(stored[0].record).toMatchObject({
    status: "DELIVERED",
    responseType: "NFI",
    data: { items: [{ name: "Blanket", quantity: 40, unit: "pieces" }], beneficiaries: 40 },
  });
});
