import { expect, test } from "@playwright/test";
import { DEMO, expectAccessible, firstEntityHref, screenshots, signIn, skipWithoutChromium } from "./support/field";

// The field app's main screens for a person with a screen reader and a 360 px phone: no serious
// or critical axe violation, screenshots at phone and tablet sizes kept as artifacts.

skipWithoutChromium();

test("home, entity, form and outbox are accessible and fit a phone and a tablet", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 360, height: 740 });
  await signIn(page, DEMO.assessor);
  await expect(page.getByRole("heading", { name: "My entities" })).toBeVisible();
  // Nothing scrolls sideways on a 360 px phone.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await expectAccessible(page, "home", testInfo);
  await screenshots(page, "home", testInfo);

  const href = await firstEntityHref(page);
  await page.goto(href);
  await expect(page.getByRole("heading", { name: "Assessments", exact: false })).toBeVisible();
  await expectAccessible(page, "entity", testInfo);
  await screenshots(page, "entity", testInfo);

  await page.getByRole("link", { name: "New WASH assessment" }).click();
  await expect(page.getByLabel("Main water source", { exact: false }).first()).toBeVisible();
  await expectAccessible(page, "form", testInfo);
  await screenshots(page, "form", testInfo);

  await page.getByRole("link", { name: "Outbox" }).click();
  await expect(page.getByRole("heading", { name: "Outbox" })).toBeVisible();
  await expectAccessible(page, "outbox", testInfo);
  await screenshots(page, "outbox", testInfo);
});

test("with 200 % text the home screen still fits a phone", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await signIn(page, DEMO.assessor);
  await page.addStyleTag({ content: "html { font-size: 200% !important; }" });
  await expect(page.getByRole("heading", { name: "My entities" })).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await expect(page.getByRole("button", { name: "Sync now" })).toBeVisible();
});
