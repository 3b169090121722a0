import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MAX_JSON_DEPTH } from "@/lib/protocol";
import { isAppError } from "@/lib/server/errors";
import { jsonNestsDeeperThan, parseQuery, readJson, readJsonValue } from "@/lib/server/http/body";
import { hasMalformedPathEscape, malformedPathResponse } from "@/lib/server/http/url";

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
