import { describe, expect, it } from "vitest";
import { ALLOWED_MEDIA_TYPES, MAX_MEDIA_BYTES, uploadMetadataSchema } from "@/lib/protocol";
import { ID } from "./fixtures";

const valid = {
  offlineId: ID.offline,
  parentType: "assessment",
  parentOfflineId: ID.assessment,
  filename: "latrine-block-b.jpg",
  mimeType: "image/jpeg",
  sha256: "0123456789abcdef".repeat(4),
};

describe("uploadMetadataSchema", () => {
  it("accepts minimal metadata and drops unknown tus keys", () => {
    const parsed = uploadMetadataSchema.parse({ ...valid, filetype: "image/jpeg", name: "x.jpg" });
    expect(parsed).toMatchObject(valid);
    expect(parsed).not.toHaveProperty("filetype");
  });

  it("coerces string coordinates and treats empty values as absent", () => {
    const parsed = uploadMetadataSchema.parse({ ...valid, latitude: "11.85", longitude: "", capturedAt: "" });
    expect(parsed.latitude).toBe(11.85);
    expect(parsed.longitude).toBeUndefined();
    expect(parsed.capturedAt).toBeUndefined();
  });

  it("normalises case of mimeType and sha256", () => {
    const parsed = uploadMetadataSchema.parse({ ...valid, mimeType: "IMAGE/PNG", sha256: valid.sha256.toUpperCase() });
    expect(parsed.mimeType).toBe("image/png");
    expect(parsed.sha256).toBe(valid.sha256);
  });

  it.each(ALLOWED_MEDIA_TYPES)("accepts %s", (mimeType) => {
    expect(uploadMetadataSchema.safeParse({ ...valid, mimeType }).success).toBe(true);
  });

  it.each<[string, Record<string, unknown>]>([
    ["gif", { mimeType: "image/gif" }],
    ["parentType media", { parentType: "media" }],
    ["bad offlineId", { offlineId: "abc" }],
    ["short sha256", { sha256: "abc" }],
    ["non-hex sha256", { sha256: "z".repeat(64) }],
    ["empty filename", { filename: "" }],
    ["filename with a path", { filename: "../../etc/passwd" }],
    ["filename over 255", { filename: `${"f".repeat(252)}.jpg` }],
    ["latitude out of range", { latitude: "95" }],
    ["longitude not a number", { longitude: "east" }],
    ["capturedAt not ISO", { capturedAt: "today" }],
  ])("rejects %s", (_name, override) => {
    expect(uploadMetadataSchema.safeParse({ ...valid, ...override }).success).toBe(false);
  });

  it("has a 25 MiB default limit", () => {
    expect(MAX_MEDIA_BYTES).toBe(26_214_400);
  });
});
