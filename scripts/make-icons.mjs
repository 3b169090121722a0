/**
 * Writes the app icons to public/icons/ (committed; run again only to change the design):
 * `node scripts/make-icons.mjs` (Node ≥ 20.15 for zlib.crc32). A brand-blue square (#155ea6) with a white mark — a ring around
 * a dot, a field location. PNGs are encoded here with node:zlib, so no image tool is needed.
 *
 * - icon-192.png, icon-512.png (purpose "any"): the mark fills 64% of the square.
 * - icon-maskable-512.png: the mark within the central 40% radius safe zone, background to the edge.
 * - apple-touch-icon.png (180): opaque, as iOS expects.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { crc32, deflateSync } from "node:zlib";

const BRAND = [0x15, 0x5e, 0xa6];
const WHITE = [0xff, 0xff, 0xff];
const SUPERSAMPLE = 4;

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** RGB PNG of `size`², colour per pixel from `paint(x, y)` in [0,1)² (supersampled). */
function png(size, paint) {
  const raw = Buffer.alloc((size * 3 + 1) * size);
  for (let y = 0; y < size; y++) {
    const row = y * (size * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const sum = [0, 0, 0];
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const rgb = paint((x + (sx + 0.5) / SUPERSAMPLE) / size, (y + (sy + 0.5) / SUPERSAMPLE) / size);
          for (let i = 0; i < 3; i++) sum[i] += rgb[i];
        }
      }
      for (let i = 0; i < 3; i++) raw[row + 1 + x * 3 + i] = Math.round(sum[i] / SUPERSAMPLE ** 2);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** The mark, scaled so its outer radius is `radius` (fraction of the side). */
function mark(radius) {
  return (x, y) => {
    const d = Math.hypot(x - 0.5, y - 0.5) / radius;
    const ring = d >= 0.72 && d <= 1;
    const dot = d <= 0.36;
    return ring || dot ? WHITE : BRAND;
  };
}

const dir = path.join(process.cwd(), "public", "icons");
mkdirSync(dir, { recursive: true });
const icons = [
  ["icon-192.png", 192, mark(0.32)],
  ["icon-512.png", 512, mark(0.32)],
  ["icon-maskable-512.png", 512, mark(0.26)],
  ["apple-touch-icon.png", 180, mark(0.3)],
];
for (const [name, size, paint] of icons) {
  const bytes = png(size, paint);
  writeFileSync(path.join(dir, name), bytes);
  console.log(`public/icons/${name}: ${size}×${size}, ${bytes.length} bytes`);
}
