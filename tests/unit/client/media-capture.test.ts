import { createHash } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { captureMedia, MediaCaptureError } from "@/lib/client/media/capture-media";
import type { MediaRow } from "@/lib/client/media/media-row";
import { MAX_MEDIA_BYTES } from "@/lib/protocol";
import { freshDb } from "./helpers/test-db";

const PARENT = "00000000-0000-4000-8000-0000000000a1";
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("captureMedia", () => {
  it("stores the Blob with its SHA-256 (WebCrypto), size, type, capture time and position", async () => {
    const db = await freshDb("capture");
    const bytes = new TextEncoder().encode("jpeg bytes ".repeat(1000));
    const row = await captureMedia(db, {
      parentType: "assessment",
      parentOfflineId: PARENT,
      file: new Blob([bytes], { type: "IMAGE/JPEG" }),
      filename: "site/photo\u0007.jpg",
      capturedAt: "2026-11-21T10:00:00Z",
      position: { latitude: 11.85, longitude: 13.16 },
    });
    const stored = (await db.media.get(row.offlineId)) as MediaRow;
    expect(stored).toMatchObject({
      parentType: "assessment",
      parentOfflineId: PARENT,
      filename: "site_photo_.jpg",
      mimeType: "image/jpeg",
      size: bytes.length,
      sha256: sha256(bytes),
      capturedAt: "2026-11-21T10:00:00.000Z",
      latitude: 11.85,
      longitude: 13.16,
      uploadState: "pending",
      keepOriginal: false,
    });
    expect(new Uint8Array(await (stored.blob as Blob).arrayBuffer())).toEqual(bytes);
    expect(await db.media.where("parentOfflineId").equals(PARENT).count()).toBe(1);
  });

  const refusals = [
    { name: "a type that is not allowed", file: new Blob(["gif"], { type: "image/gif" }), code: "UNSUPPORTED_MEDIA_TYPE" },
    { name: "an unknown type", file: new Blob(["?"]), code: "UNSUPPORTED_MEDIA_TYPE" },
    {
      name: "a file over the limit",
      file: new Blob([new Uint8Array(MAX_MEDIA_BYTES + 1)], { type: "video/mp4" }),
      code: "PAYLOAD_TOO_LARGE",
    },
  ];

  it.each(refusals)("refuses $name on the device, storing nothing", async ({ file, code }) => {
    const db = await freshDb("capture");
    const error = await captureMedia(db, { parentType: "response", parentOfflineId: PARENT, file, filename: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaCaptureError);
    expect((error as MediaCaptureError).code).toBe(code);
    expect(await db.media.count()).toBe(0);
  });

  it("drops an impossible position rather than the photo", async () => {
    const db = await freshDb("capture");
    const row = await captureMedia(db, {
      parentType: "assessment",
      parentOfflineId: PARENT,
      file: new Blob(["x"], { type: "image/png" }),
      filename: "a.png",
      position: { latitude: 123, longitude: 0 },
    });
    expect(row).toMatchObject({ latitude: null, longitude: null });
  });

  it("stores the photo as it is where images cannot be decoded (no createImageBitmap in Node)", async () => {
    const db = await freshDb("capture");
    const file = new Blob([new Uint8Array(5000)], { type: "image/jpeg" });
    const row = await captureMedia(db, { parentType: "assessment", parentOfflineId: PARENT, file, filename: "a.jpg" }, { maxEdge: 1024 });
    expect(row.size).toBe(5000);
    expect(row.originalBlob).toBeUndefined();
  });

  it("downscales a large photo to maxEdge, hashing the copy and keeping the original only when asked", async () => {
    const drawn: number[][] = [];
    vi.stubGlobal("createImageBitmap", async () => ({ width: 4000, height: 3000, close: () => undefined }));
    vi.stubGlobal(
      "OffscreenCanvas",
      class {
        constructor(
          readonly width: number,
          readonly height: number,
        ) {}
        getContext() {
          return { drawImage: (_b: unknown, x: number, y: number, w: number, h: number) => drawn.push([x, y, w, h]) };
        }
        async convertToBlob(options: { type: string }) {
          return new Blob([new Uint8Array(this.width)], { type: options.type });
        }
      },
    );
    const db = await freshDb("capture");
    const file = new Blob([new Uint8Array(100_000)], { type: "image/jpeg" });
    const kept = await captureMedia(
      db,
      { parentType: "assessment", parentOfflineId: PARENT, file, filename: "a.jpg" },
      { maxEdge: 1600, keepOriginal: true },
    );
    expect(drawn).toEqual([[0, 0, 1600, 1200]]);
    expect(kept.size).toBe(1600);
    expect(kept.sha256).toBe(sha256(new Uint8Array(1600)));
    expect(kept.originalBlob?.size).toBe(100_000);

    const dropped = await captureMedia(
      db,
      { parentType: "assessment", parentOfflineId: PARENT, file, filename: "b.jpg" },
      { maxEdge: 1600 },
    );
    expect(dropped.size).toBe(1600);
    expect(dropped.originalBlob).toBeUndefined();

    const small = await captureMedia(db, { parentType: "assessment", parentOfflineId: PARENT, file, filename: "c.jpg" }, { maxEdge: 4000 });
    expect(small.size).toBe(100_000); // already within maxEdge
  });
});
