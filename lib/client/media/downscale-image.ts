/** Types the browser can decode and re-encode without changing what the file is. */
const RESIZABLE = new Set(["image/jpeg", "image/png", "image/webp"]);

/**
 * A copy of `blob` whose longest edge is at most `maxEdge` px, or null when none is needed or
 * possible: not a resizable type, already small enough, no `createImageBitmap`/`OffscreenCanvas`
 * here (Node, old browsers), a decoding failure (e.g. HEIC outside Safari), or a copy that would
 * not be smaller. The copy keeps the type; EXIF orientation is applied, other EXIF is dropped.
 */
export async function downscaleImage(blob: Blob, mimeType: string, maxEdge: number, quality = 0.85): Promise<Blob | null> {
  if (!RESIZABLE.has(mimeType) || typeof createImageBitmap !== "function" || typeof OffscreenCanvas !== "function") return null;
  let bitmap: ImageBitmap | undefined;
  try {
    bitmap = await createImageBitmap(blob, { imageOrientation: "from-image" });
    const longest = Math.max(bitmap.width, bitmap.height);
    if (longest <= maxEdge) return null;
    const scale = maxEdge / longest;
    const canvas = new OffscreenCanvas(Math.max(1, Math.round(bitmap.width * scale)), Math.max(1, Math.round(bitmap.height * scale)));
    const ctx = canvas.getContext("2d");
    if (!ctx) return null;
    ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const copy = await canvas.convertToBlob({ type: mimeType, quality });
    return copy.type === mimeType && copy.size < blob.size ? copy : null;
  } catch {
    return null;
  } finally {
    bitmap?.close();
  }
}
