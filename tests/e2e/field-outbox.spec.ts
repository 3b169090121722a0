import { expect, type Page, test } from "@playwright/test";
import { apiAs, DEMO, pullAll, signIn, skipWithoutChromium, waitForServiceWorker, waitForSynced } from "./support/field";

// A change the server refuses is never dropped: it appears on /outbox with its reason in plain
// words, and the person decides — retry (once the cause is fixed) or discard (confirmed, naming
// what is lost).

skipWithoutChromium();

async function captureShelterAssessment(page: Page, entityHref: string, households: string) {
  await page.goto(`${entityHref}/assessments/new?type=SHELTER`);
  await page.getByLabel("Households without shelter").fill(households);
  await page.getByLabel("Damaged shelters").fill("1");
  await page.getByRole("button", { name: "Submit" }).click();
  await expect(page).toHaveURL(/\/assessments\/[0-9a-f-]{36}$/);
  return page.url().split("/").pop() as string;
}

test("a refused change shows its reason on the outbox; retry and discard work", async ({ page, context, baseURL }) => {
  test.setTimeout(180_000);
  const admin = await apiAs(String(baseURL), DEMO.admin);
  const users = (await (await admin.get("/api/admin/users")).json()) as { users: { id: string; email: string }[] };
  const assessorId = users.users.find((u) => u.email === DEMO.assessor)?.id;
  expect(assessorId).toBeTruthy();

  await signIn(page, DEMO.assessor);
  await waitForServiceWorker(page); // offline navigations are answered by the worker
  const entityName = "Teachers Village Camp (Jere)";
  const entityHref = String(
    await page.getByRole("list", { name: "Entities" }).getByRole("link", { name: entityName }).getAttribute("href"),
  );
  const entityId = entityHref.split("/").pop();

  // Two assessments captured offline; meanwhile the coordinator takes the entity away.
  await context.setOffline(true);
  const kept = await captureShelterAssessment(page, entityHref, "7");
  const dropped = await captureShelterAssessment(page, entityHref, "9");
  expect((await admin.delete("/api/admin/assignments", { data: { userId: assessorId, entityId } })).status()).toBe(204);
  await context.setOffline(false);

  await page.getByRole("link", { name: /Outbox/ }).click();
  const refusals = page.getByText("Refused by the server — New record");
  await expect(refusals).toHaveCount(2, { timeout: 60_000 });
  await expect(page.getByText("You are not assigned to this entity any more", { exact: false }).first()).toBeVisible();
  await expect(page.getByTestId("sync-headline")).toHaveText("2 changes need attention");

  // Discard one: the confirmation says what is lost; "Keep it" keeps it.
  const discard = page.getByRole("button", { name: /Discard refused change to Shelter assessment/ }).nth(1);
  await discard.click();
  const dialog = page.getByRole("dialog", { name: "Discard for good?" });
  await expect(dialog).toContainText("will be deleted from this device");
  await dialog.getByRole("button", { name: "Keep it" }).click();
  await expect(refusals).toHaveCount(2);
  await discard.click();
  await dialog.getByRole("button", { name: "Discard" }).click();
  await expect(refusals).toHaveCount(1);

  // The assignment comes back; retry sends the other one.
  expect((await admin.post("/api/admin/assignments", { data: { userId: assessorId, entityId } })).status()).toBe(201);
  await page.getByRole("button", { name: /Retry Shelter assessment/ }).click();
  await expect(page.getByText("Nothing waiting. Everything on this device has reached the server.")).toBeVisible({ timeout: 60_000 });
  await waitForSynced(page);

  const changes = await pullAll(admin);
  const ids = changes.filter((c) => c.type === "assessment").map((c) => c.record?.offlineId);
  expect(ids.filter((id) => id === kept)).toHaveLength(1);
  expect(ids).not.toContain(dropped);
  await admin.dispose();
});
