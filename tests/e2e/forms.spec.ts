import { expect, test } from "@playwright/test";
import { DEMO, firstEntityHref, signIn, skipWithoutChromium } from "./support/field";
import { expectFieldMessage, fillResponse, fillWashAssessment, openNewAssessment, waitForDraftSaved, yesNo } from "./support/forms";

// The record forms in a real browser: messages as you type, drafts that survive a reload,
// submit saved on the device, and the responder's planned → delivered.

skipWithoutChromium();

const ENTITY = "Teachers Village Camp (Jere)";

test("an assessor sees messages as they type, and submit asks for every required answer", async ({ page }) => {
  await signIn(page, DEMO.assessor);
  await openNewAssessment(page, await firstEntityHref(page, ENTITY));

  const latrines = page.getByLabel("Functional latrines");
  await latrines.fill("many");
  await expectFieldMessage(page, "Functional latrines", "Enter a number");
  await latrines.fill("-1");
  await expectFieldMessage(page, "Functional latrines", "Must be 0 or more");
  await latrines.fill("2.5");
  await expectFieldMessage(page, "Functional latrines", "Enter a whole number");
  await latrines.fill("4");
  await expectFieldMessage(page, "Functional latrines", null);
  await page.getByLabel("Water available per person per day").fill("600");
  await expectFieldMessage(page, "Water available per person per day", "Must be 500 or less");
  await page.getByLabel("Water available per person per day").fill("12,5");
  await expectFieldMessage(page, "Water available per person per day", null);

  await page.getByRole("button", { name: "Submit" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "answers need attention" })).toBeVisible();
  await expectFieldMessage(page, "Functional boreholes", "Required");
  await expect(yesNo(page, /Open defecation observed/)).toContainText("Required");
  await expect(page).toHaveURL(/\/assessments\/new/);

  // A draft needs no required answer: it is saved and opens as a record.
  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page).toHaveURL(/\/assessments\/[0-9a-f-]{36}$/);
  await expect(page.getByText("Saved on this device.")).toBeVisible();
  await expect(page.getByLabel("Functional latrines")).toHaveValue("4");
  await expect(page.getByLabel("Water available per person per day")).toHaveValue("12.5");
});

test("what was typed survives a reload, and Discard draft asks first and empties the form", async ({ page }) => {
  await signIn(page, DEMO.assessor);
  await openNewAssessment(page, await firstEntityHref(page, ENTITY), "SHELTER");
  await page.getByLabel("Households without shelter").fill("41");
  await page
    .getByRole("group", { name: /Types of shelter in use/ })
    .getByLabel("Tents")
    .check();
  await page.getByLabel("Notes").fill("Rain expected tonight.");
  await waitForDraftSaved(page);

  await page.reload();
  await expect(page.getByText("Restored what you typed on this device")).toBeVisible();
  await expect(page.getByLabel("Households without shelter")).toHaveValue("41");
  await expect(page.getByRole("group", { name: /Types of shelter in use/ }).getByLabel("Tents")).toBeChecked();
  await expect(page.getByLabel("Notes")).toHaveValue("Rain expected tonight.");

  await page.getByRole("button", { name: "Discard draft" }).click();
  const dialog = page.getByRole("dialog", { name: "Discard this draft?" });
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByLabel("Households without shelter")).toHaveValue("41");
  await page.getByRole("button", { name: "Discard draft" }).click();
  await dialog.getByRole("button", { name: "Discard draft" }).click();
  await expect(page.getByLabel("Households without shelter")).toHaveValue("");
  await page.reload();
  await expect(page.getByLabel("Households without shelter")).toHaveValue("");
  await expect(page.getByText("Restored what you typed on this device")).toHaveCount(0);
});

test("a submitted assessment is saved on this device and opens as its record, still editable", async ({ page }) => {
  await signIn(page, DEMO.assessor);
  await openNewAssessment(page, await firstEntityHref(page, ENTITY));
  await fillWashAssessment(page, { latrines: "7", notes: "  Two latrines flooded.  " });
  await page.getByRole("button", { name: "Submit" }).click();

  await expect(page).toHaveURL(/\/assessments\/[0-9a-f-]{36}$/);
  await expect(page.getByText("Saved on this device.")).toBeVisible();
  await expect(page.getByRole("heading", { name: "WASH assessment" })).toBeVisible();
  await expect(page.getByLabel("Notes")).toHaveValue("Two latrines flooded.");

  // An edit is a patch of what changed.
  await page.getByLabel("Functional latrines").fill("8");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Changes saved on this device." })).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Functional latrines")).toHaveValue("8");
});

test("a responder plans a response, then marks it delivered once it is complete", async ({ page }) => {
  await signIn(page, DEMO.responder);
  const queue = page.getByRole("list", { name: "Assessments needing a response" });
  await page.goto(String(await queue.getByRole("link").first().getAttribute("href")));
  await page.getByRole("link", { name: "Record a response" }).click();

  await fillResponse(page, { type: "Health services", items: [{ name: "ORS sachets", quantity: "200", unit: "sachet" }] });
  await page.getByRole("button", { name: "Save as planned" }).click();
  await expect(page).toHaveURL(/\/responses\/[0-9a-f-]{36}$/);
  await expect(page.getByText(/Planned/).first()).toBeVisible();

  // Delivering needs the complete form: beneficiaries are missing.
  await page.getByRole("button", { name: "Mark delivered" }).click();
  await expectFieldMessage(page, "Beneficiaries (individuals)", "Required");
  await page.getByLabel("Beneficiaries (individuals)").fill("150");
  await page.getByRole("button", { name: "Mark delivered" }).click();
  await expect(page.getByText(/Delivered/).first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Save changes" })).toBeVisible();
  await expect(page.getByRole("group", { name: "Item 1", exact: true }).getByLabel("Quantity")).toHaveValue("200");
});
