import { existsSync } from "node:fs";
import { expect, test } from "@playwright/test";

// The sign-in flow through the real page, against `npm start` with the seeded demo (PROTOCOL.md §8).

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// Outside CI a machine without Chromium skips with the reason; in CI playwright.config.ts fails first.
test.skip(!process.env.CI && !existsSync(CHROMIUM), `Chromium not installed at ${CHROMIUM} (apt-get install -y chromium)`);

const DEMO_PASSWORD = process.env.DEMO_PASSWORD ?? "fieldsync-demo";

test("an assessor signs in through the form and sees their name and role", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill("assessor@demo.fieldsync.org");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();

  await expect(page).toHaveURL(/\/$/);
  const banner = page.getByRole("banner");
  await expect(banner).toContainText("Amina Assessor");
  await expect(banner).toContainText("Assessor");
  await expect(page.getByRole("heading", { name: "My entities" })).toBeVisible();

  // The session is the httpOnly cookie: scripts cannot read it, a reload keeps the user signed in.
  expect(await page.evaluate(() => document.cookie)).not.toContain("fs_session");
  const cookies = await page.context().cookies();
  expect(cookies.find((c) => c.name === "fs_session")).toMatchObject({ httpOnly: true, sameSite: "Lax" });
  await page.reload();
  await expect(page.getByRole("banner")).toContainText("Amina Assessor");
});

test("a wrong password shows the error message and stays on the sign-in page", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill("responder@demo.fieldsync.org");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();

  await expect(page.getByRole("alert").filter({ hasText: "That email and password don't match an account." })).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
  expect((await page.context().cookies()).find((c) => c.name === "fs_session")).toBeUndefined();
});

test("signed out, the home page sends you to sign in", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
});
