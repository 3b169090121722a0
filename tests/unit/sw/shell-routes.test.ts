import { describe, expect, it } from "vitest";
import { isPagePath, shellPathFor } from "@/lib/sw/shell-routes";
import { pageUrl } from "@/scripts/build-sw";

// What the service worker answers a navigation with when the network fails: the precached page
// of the route family, never the browser's offline page.

const PRECACHED = new Set([
  "/",
  "/outbox",
  "/login",
  "/responses/new",
  "/conflicts",
  "/entities/shell",
  "/entities/shell/assessments/new",
  "/assessments/shell",
  "/responses/shell",
]);
const has = (path: string) => PRECACHED.has(path);

describe("shellPathFor", () => {
  it.each([
    ["/", "/"],
    ["/outbox", "/outbox"],
    ["/outbox/", "/outbox"],
    ["/login", "/login"],
    ["/conflicts", "/conflicts"],
    ["/responses/new", "/responses/new"],
    ["/entities/3f1c2d9e-0000-4000-8000-000000000001", "/entities/shell"],
    ["/entities/abc/assessments/new", "/entities/shell/assessments/new"],
    ["/assessments/abc", "/assessments/shell"],
    ["/responses/abc", "/responses/shell"],
    ["/entities/abc/unknown", "/"],
    ["/devices", "/"], // a dashboard page this build does not have
    ["/something-else", "/"],
  ])("%s → %s", (path, expected) => {
    expect(shellPathFor(path, has)).toBe(expected);
  });

  it("falls back to / when the shell of a family is not in this build", () => {
    expect(shellPathFor("/assessments/abc", (p) => p === "/")).toBe("/");
  });
});

describe("precache entries", () => {
  it.each([
    ["server/app/index.html", "/"],
    ["server/app/outbox.html", "/outbox"],
    ["server/app/entities/shell.html", "/entities/shell"],
    ["server/app/entities/shell/assessments/new.html", "/entities/shell/assessments/new"],
    ["server/app/(field)/outbox.html", "/outbox"],
    ["/_next/static/chunks/a.js", null],
  ])("pageUrl(%s) → %s", (file, url) => {
    expect(pageUrl(file)).toBe(url);
  });

  it.each([
    ["/", true],
    ["/entities/shell", true],
    ["/_next/static/chunks/a.js", false],
    ["/icons/icon-192.png", false],
    ["/manifest.webmanifest", false],
  ])("isPagePath(%s) → %s", (url, expected) => {
    expect(isPagePath(url)).toBe(expected);
  });
});
