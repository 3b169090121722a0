import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MAX_JSON_DEPTH } from "@/lib/protocol";
import { isAppError } from "@/lib/server/errors";
import { jsonNestsDeeperThan, parseQuery, readJson, readJsonValue } from "@/lib/server/http/body";
import { hasMalformedPathEscape, isPublicFilePath, malformedPathResponse, publicFileMethodRefusal } from "@/lib/server/http/url";

function request(body: string) {
  return new Request("http://localhost/api/x", { method: "POST", body, headers: { "content-type": "application/json" } });
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string; issues?: unknown }> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return { code: error.code, message: error.message, issues: error.details?.issues };
    throw error;
  }
  throw new Error("expected a refusal");
}

const arrays = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;

describe("jsonNestsDeeperThan", () => {
  it.each([
    ["flat", `{"a":1}`, 1, false],
    ["exactly at the limit", arrays(5), 5, false],
    ["one past the limit", arrays(6), 5, true],
    ["objects and arrays mixed", `{"a":[{"b":[1]}]}`, 3, true],
    ["brackets inside strings do not count", `{"a":"[[[[{{{{"}`, 1, false],
    ["an escaped quote does not end the string", `{"a":"\\"[[[["}`, 1, false],
    ["an escaped backslash before the closing quote", `{"a":"\\\\","b":[[1]]}`, 2, true],
    ["siblings do not add up", `[[1],[2],[3]]`, 2, false],
  ])("%s", (_, text, max, deeper) => {
    expect(jsonNestsDeeperThan(text, max)).toBe(deeper);
  });

  it("scans a body nested 1,000,000 deep without recursion", () => {
    expect(jsonNestsDeeperThan(arrays(1_000_000), MAX_JSON_DEPTH)).toBe(true);
  });
});

describe("the body reader's nesting limit", () => {
  const schema = z.unknown();

  it("refuses a body nested thousands deep with a 400 that says why", async () => {
    for (const text of [arrays(5000), `{"a":${arrays(5000)}}`, `${'{"a":'.repeat(5000)}1${"}".repeat(5000)}`]) {
      const refused = await refusal(readJsonValue(request(text)));
      expect(refused.code).toBe("VALIDATION_FAILED");
      expect(refused.message).toBe(`Request body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep`);
    }
  });

  it("accepts a body exactly MAX_JSON_DEPTH deep", async () => {
    expect(await readJsonValue(request(arrays(MAX_JSON_DEPTH)))).toBeTruthy();
  });

  it("refuses a NUL in a key, with its path", async () => {
    const refused = await refusal(readJson(request(`{"a":{"k\\u0000":1}}`), schema));
    expect(refused.code).toBe("VALIDATION_FAILED");
    expect(refused.issues).toEqual([expect.objectContaining({ path: ["a", "k\u0000"] })]);
  });
});

describe("parseQuery", () => {
  const schema = z.object({ q: z.string().optional() });
  const query = (search: string) => parseQuery(new Request(`http://localhost/api/x?${search}`), schema);

  it("refuses %00 in a value or a name", () => {
    expect(() => query("q=a%00")).toThrow(/cannot be stored/);
    expect(() => query("a%00=1")).toThrow(/cannot be stored/);
  });

  it("reads a bad escape as U+FFFD, as Next hands it over", () => {
    expect(query("q=%FF")).toEqual({ q: "\uFFFD" });
  });
});

describe("hasMalformedPathEscape", () => {
  it.each([
    ["/api/media/%ED%A0%80", true],
    ["/api/conflicts/%FF/resolve", true],
    ["/api/media/%E0%A4%A", true],
    ["/api/media/100%", true],
    ["/api/media/%F0%9F%92%A7", false],
    ["/api/media/abc", false],
    ["/api/media/a%20b?q=%FF", false],
  ])("%s → %s", (path, malformed) => {
    expect(hasMalformedPathEscape(`http://localhost${path}`)).toBe(malformed);
  });

  it("answers in the API's error shape", async () => {
    const res = malformedPathResponse();
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: "VALIDATION_FAILED", message: expect.stringMatching(/not valid UTF-8/) } });
  });
});

describe("writes to public files", () => {
  const publicDir = path.resolve(__dirname, "../../../public");
  const files = (readdirSync(publicDir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((d) => d.isFile())
    .map((d) => `/${path.relative(publicDir, path.join(d.parentPath, d.name)).split(path.sep).join("/")}`);

  it("knows every file in public/", () => {
    expect(files).toContain("/icons/icon-192.png");
    for (const file of files) expect(isPublicFilePath(file), file).toBe(true);
    expect(isPublicFilePath("/api/sync/push")).toBe(false);
    expect(isPublicFilePath("/icons")).toBe(false);
  });

  it("answers a write with a JSON 405 and lets reads and other paths through", async () => {
    const refused = publicFileMethodRefusal("POST", "http://localhost/sw.js");
    expect(refused?.status).toBe(405);
    expect(refused?.headers.get("allow")).toBe("GET, HEAD");
    expect(await refused?.json()).toEqual({ error: { code: "METHOD_NOT_ALLOWED", message: "POST is not allowed here; use GET" } });
    expect(publicFileMethodRefusal("GET", "http://localhost/sw.js")).toBeNull();
    expect(publicFileMethodRefusal("POST", "http://localhost/api/sync/push")).toBeNull();
  });
});
