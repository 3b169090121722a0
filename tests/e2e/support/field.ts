import { existsSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import {
  type APIRequestContext,
  type BrowserContext,
  expect,
  type Page,
  request as playwrightRequest,
  type TestInfo,
  test,
} from "@playwright/test";

/** Shared steps of the field-app browser tests: sign-in, server checks through the API, axe, screenshots. */

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const skipWithoutChromium = () =>
  test.skip(!process.env.CI && !existsSync(CHROMIUM), `Chromium not installed at ${CHROMIUM} (apt-get install -y chromium)`);

export const DEMO_PASSWORD = process.env.DEMO_PASSWORD ?? "fieldsync-demo";
export const DEMO = {
  admin: "admin@demo.fieldsync.org",
  coordinator: "coordinator@demo.fieldsync.org",
  assessor: "assessor@demo.fieldsync.org",
  responder: "responder@demo.fieldsync.org",
} as const;

export const VIEWPORTS = {
  phone: { width: 360, height: 740 },
  tablet: { width: 800, height: 1280 },
} as const;

/** Signs in through the form, as a person would, and waits for the first sync to finish. */
export async function signIn(page: Page, email: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await waitForSynced(page);
}

/** The sync bar says "Synced": nothing waits and the last push and pull succeeded. */
export async function waitForSynced(page: Page, timeout = 60_000): Promise<void> {
  await expect(page.getByTestId("sync-headline")).toHaveText("Synced", { timeout });
}

/** The service worker controls the page (so an offline reload is answered from its cache). */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  if (!(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)))) {
    await page.reload();
    await page.waitForFunction(() => Boolean(navigator.serviceWorker.controller));
  }
}

/** An API client signed in as `email` (its own cookie jar), for checking what the server holds. */
export async function apiAs(baseURL: string, email: string): Promise<APIRequestContext> {
  const api = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { origin: baseURL } });
  const res = await api.post("/api/auth/login", { data: { email, password: DEMO_PASSWORD } });
  expect(res.status()).toBe(200);
  return api;
}

interface PulledChange {
  type: string;
  op: string;
  record?: Record<string, unknown> & { offlineId: string };
}

/** Everything the server shows this user (a pull from the start, all pages). */
export async function pullAll(api: APIRequestContext): Promise<PulledChange[]> {
  const deviceId = crypto.randomUUID();
  const changes: PulledChange[] = [];
  let cursor = "";
  for (let page = 0; page < 100; page++) {
    const res = await api.get("/api/sync/pull", { params: { deviceId, cursor, limit: 1000 } });
    expect(res.status()).toBe(200);
    const body = (await res.json()) as { changes: PulledChange[]; cursor: string; hasMore: boolean };
    changes.push(...body.changes);
    cursor = body.cursor;
    if (!body.hasMore) break;
  }
  return changes;
}

/** axe-core finds no serious or critical violation on the page as it is now. */
export async function expectAccessible(page: Page, label: string, testInfo: TestInfo): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  await testInfo.attach(`axe-${label}.json`, { body: JSON.stringify(results.violations, null, 2), contentType: "application/json" });
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join("; ")})`)).toEqual([]);
}

/** Screenshots of the page at phone and tablet sizes, kept as test artifacts. */
export async function screenshots(page: Page, name: string, testInfo: TestInfo): Promise<void> {
  const original = page.viewportSize();
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    const path = testInfo.outputPath(`${name}-${size}.png`);
    await page.screenshot({ path, fullPage: true });
    await testInfo.attach(`${name}-${size}`, { path, contentType: "image/png" });
  }
  if (original) await page.setViewportSize(original);
}

/** The id of a demo entity assigned to the signed-in user, read from the home list's links. */
export async function firstEntityHref(page: Page, name?: string): Promise<string> {
  const list = page.getByRole("list", { name: "Entities" });
  const link = name ? list.getByRole("link", { name }) : list.getByRole("link").first();
  const href = await link.getAttribute("href");
  if (!href) throw new Error("no entity link");
  return href;
}

export async function setOffline(context: BrowserContext, offline: boolean): Promise<void> {
  await context.setOffline(offline);
}
