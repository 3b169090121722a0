import { expect, type Locator, type Page } from "@playwright/test";

/**
 * Steps on the record forms (components/forms), by role and label only — what a person sees —
 * so the lead's field specs and forms.spec.ts drive the forms the same way.
 */

export interface PhotoFile {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** The Yes/No question `label` (a radio group named by its question). */
export function yesNo(page: Page | Locator, label: string | RegExp): Locator {
  return page.getByRole("radiogroup", { name: label });
}

/** Opens the new-assessment form of an entity (`entityHref` as linked from the home list). */
export async function openNewAssessment(page: Page, entityHref: string, type = "WASH"): Promise<void> {
  await page.goto(`${entityHref}/assessments/new?type=${type}`);
  await expect(page.getByRole("button", { name: "Submit" })).toBeVisible();
}

export interface WashAnswers {
  waterSource?: string;
  functionalBoreholes?: string;
  latrines?: string;
  openDefecation?: "Yes" | "No";
  litresPerPersonPerDay?: string;
  notes?: string;
}

/** Fills every required WASH answer (and the optional ones given). */
export async function fillWashAssessment(page: Page, answers: WashAnswers = {}): Promise<void> {
  await page.getByLabel("Main water source").selectOption({ label: answers.waterSource ?? "Borehole" });
  await page.getByLabel("Functional boreholes").fill(answers.functionalBoreholes ?? "3");
  await page.getByLabel("Functional latrines").fill(answers.latrines ?? "12");
  await yesNo(page, /Open defecation observed/)
    .getByLabel(answers.openDefecation ?? "No")
    .check();
  if (answers.litresPerPersonPerDay !== undefined)
    await page.getByLabel("Water available per person per day").fill(answers.litresPerPersonPerDay);
  if (answers.notes !== undefined) await page.getByLabel("Notes").fill(answers.notes);
}

/** Adds photos through "Add photo" and waits for each thumbnail (alt text = file name). */
export async function addPhotos(page: Page, files: readonly PhotoFile[]): Promise<void> {
  await page.getByLabel("Add photo").setInputFiles([...files]);
  for (const file of files) await expect(page.getByRole("img", { name: file.name })).toBeVisible();
}

/** Removes a photo not yet uploaded, confirming the dialog. */
export async function removePhoto(page: Page, name: string): Promise<void> {
  await page.getByRole("button", { name: `Remove photo ${name}` }).click();
  await page.getByRole("dialog", { name: "Remove this photo?" }).getByRole("button", { name: "Remove photo" }).click();
  await expect(page.getByRole("img", { name })).toHaveCount(0);
}

export interface ItemRow {
  name: string;
  quantity: string;
  unit: string;
}

/** Fills the response form: its type, one row per item (added with "Add item"), beneficiaries. */
export async function fillResponse(page: Page, response: { type?: string; items?: ItemRow[]; beneficiaries?: string }): Promise<void> {
  if (response.type) await page.getByLabel("Response type").selectOption({ label: response.type });
  for (const [i, item] of (response.items ?? []).entries()) {
    await page.getByRole("button", { name: "Add item" }).click();
    const row = page.getByRole("group", { name: `Item ${i + 1}`, exact: true });
    await row.getByLabel("Item", { exact: true }).fill(item.name);
    await row.getByLabel("Quantity").fill(item.quantity);
    await row.getByLabel("Unit").fill(item.unit);
  }
  if (response.beneficiaries !== undefined) await page.getByLabel("Beneficiaries (individuals)").fill(response.beneficiaries);
}

/** The inline message of the field labelled `label` (through its aria-describedby). */
export async function expectFieldMessage(page: Page, label: string, message: string | null): Promise<void> {
  const field = page.getByLabel(label, { exact: true });
  if (message === null) {
    await expect(field).not.toHaveAttribute("aria-invalid", "true");
    return;
  }
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(field).toHaveAccessibleDescription(new RegExp(message));
}

/** Waits until the draft of what was typed is on the device (the debounce is 300 ms). */
export async function waitForDraftSaved(page: Page): Promise<void> {
  await expect(page.getByRole("button", { name: "Discard draft" })).toBeVisible();
  await page.waitForTimeout(500);
}
