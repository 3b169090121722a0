import { existsSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { apiAs, DEMO, pullAll } from "./support/field";

// The real sync client in real Chromium (real IndexedDB) against the real server: after sign-in it
// pulls the assessor's scope into the user's own Dexie database and reports "Synced".

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
test.skip(!process.env.CI && !existsSync(CHROMIUM), `Chromium not installed at ${CHROMIUM} (apt-get install -y chromium)`);

const DEMO_PASSWORD = process.env.DEMO_PASSWORD ?? "fieldsync-demo";

test("after sign-in the device pulls its scope into IndexedDB and shows Synced", async ({ page, baseURL }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill("assessor@demo.fieldsync.org");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("banner")).toContainText("Amina Assessor");

  await expect(page.getByTestId("sync-status")).toHaveAttribute("data-status", "idle", { timeout: 30_000 });
  // The demo assigns the assessor eight entities; their records are now on the device.
  const counts = await page.evaluate(async () => {
    const names = (await indexedDB.databases()).map((d) => d.name ?? "");
    const name = names.find((n) => n.startsWith("fieldsync-"));
    if (!name) return null;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const count = (store: string) =>
      new Promise<number>((resolve, reject) => {
        const req = db.transaction(store).objectStore(store).count();
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    return { entities: await count("entities"), assessments: await count("assessments") };
  });
  // Exactly what the server shows this user (other specs in the run may have added assessments).
  const api = await apiAs(String(baseURL), DEMO.assessor);
  const server = await pullAll(api);
  await api.dispose();
  const live = (type: string) => server.filter((c) => c.type === type && c.op === "upsert").length;
  expect(counts).toEqual({ entities: 8, assessments: live("assessment") });
  expect(live("assessment")).toBeGreaterThanOrEqual(3);
});
