import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isAppError } from "@/lib/server/errors";
import { readJson, readJsonValue } from "@/lib/server/http/body";

const schema = z.object({ name: z.string() });

function request(body: BodyInit | undefined, headers: Record<string, string> = {}) {
  return new Request("http://localhost/api/x", { method: "POST", body, headers });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
  return "OK";
}

describe("readJson", () => {
  it("parses a JSON body that fits the schema", async () => {
    expect(await readJson(request('{"name":"Amina"}'), schema)).toEqual({ name: "Amina" });
  });

  it("accepts Content-Encoding: gzip", async () => {
    const body = new Uint8Array(gzipSync('{"name":"Amina"}'));
    expect(await readJson(request(body, { "content-encoding": "gzip" }), schema)).toEqual({ name: "Amina" });
  });

  const cases: { name: string; req: () => Request; maxBytes?: number; code: string }[] = [
    { name: "malformed JSON", req: () => request('{"name":'), code: "VALIDATION_FAILED" },
    { name: "empty body", req: () => request(""), code: "VALIDATION_FAILED" },
    { name: "no body", req: () => new Request("http://localhost/api/x", { method: "POST" }), code: "VALIDATION_FAILED" },
    { name: "wrong shape", req: () => request('{"name":1}'), code: "VALIDATION_FAILED" },
    { name: "unknown encoding", req: () => request("{}", { "content-encoding": "compress" }), code: "VALIDATION_FAILED" },
    { name: "gzip header on plain text", req: () => request('{"name":"x"}', { "content-encoding": "gzip" }), code: "VALIDATION_FAILED" },
    {
      name: "raw body over the limit",
      req: () => request(JSON.stringify({ name: "x".repeat(2000) })),
      maxBytes: 1000,
      code: "PAYLOAD_TOO_LARGE",
    },
    {
      name: "declared Content-Length over the limit",
      req: () => request("{}", { "content-length": "5000" }),
      maxBytes: 1000,
      code: "PAYLOAD_TOO_LARGE",
    },
    {
      // 10 KB of JSON compresses to a few dozen bytes: the limit applies after decompression.
      name: "small gzip that inflates over the limit",
      req: () => request(new Uint8Array(gzipSync(JSON.stringify({ name: "x".repeat(10_000) }))), { "content-encoding": "gzip" }),
      maxBytes: 1000,
      code: "PAYLOAD_TOO_LARGE",
    },
  ];

  it.each(cases)("$name → $code", async ({ req, maxBytes, code }) => {
    expect(await codeOf(readJson(req(), schema, { maxBytes }))).toBe(code);
  });

  it("reports zod issues for a wrong shape", async () => {
    try {
      await readJson(request('{"name":1}'), schema);
      expect.unreachable();
    } catch (error) {
      expect(isAppError(error) && error.details?.issues).toEqual([expect.objectContaining({ path: ["name"] })]);
    }
  });

  it("a body exactly at the limit passes", async () => {
    const text = JSON.stringify({ name: "x".repeat(100) });
    expect(await readJsonValue(request(text), { maxBytes: Buffer.byteLength(text) })).toEqual({ name: "x".repeat(100) });
  });
});
