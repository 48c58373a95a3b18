// Draws the app icon (a speech bubble on a rounded blue square) as a 512x512 PNG with
// node:zlib only, so the icon is reproducible: `npx tsx build/make-icon.ts`.
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';

const SIZE = 512;

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** Coverage of a rounded rectangle at (x, y), with one pixel of anti-aliasing. */
function roundedRect(x: number, y: number, x0: number, y0: number, x1: number, y1: number, r: number): number {
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  const d = Math.hypot(x - cx, y - cy);
  const inside = x >= x0 && x <= x1 && y >= y0 && y <= y1;
  if (!inside) return 0;
  return Math.max(0, Math.min(1, r - d + 0.5));
}

function triangle(x: number, y: number): number {
  // The bubble's tail: from (170, 370) down to (150, 430), back to (240, 370).
  const [ax, ay, bx, by, cx, cy] = [170, 360, 140, 430, 250, 360];
  const s = (px: number, py: number, qx: number, qy: number, rx: number, ry: number) => (px - rx) * (qy - ry) - (qx - rx) * (py - ry);
  const d1 = s(x, y, ax, ay, bx, by);
  const d2 = s(x, y, bx, by, cx, cy);
  const d3 = s(x, y, cx, cy, ax, ay);
  const neg = d1 < 0 || d2 < 0 || d3 < 0;
  const pos = d1 > 0 || d2 > 0 || d3 > 0;
  return neg && pos ? 0 : 1;
}

const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  const row = y * (SIZE * 4 + 1);
  raw[row] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) {
    const px = x + 0.5;
    const py = y + 0.5;
    const bg = roundedRect(px, py, 16, 16, 496, 496, 96);
    const bubble = Math.max(roundedRect(px, py, 104, 128, 408, 368, 64), triangle(px, py));
    const dot = [190, 256, 322].some((cx) => Math.hypot(px - cx, py - 248) <= 22) ? 1 : 0;
    // Blue background, white bubble, blue dots inside the bubble.
    const white = bubble * (1 - dot);
    const r = Math.round(37 * (1 - white) + 255 * white);
    const g = Math.round(99 * (1 - white) + 255 * white);
    const b = Math.round(235 * (1 - white) + 255 * white);
    const o = row + 1 + x * 4;
    raw[o] = r;
    raw[o + 1] = g;
    raw[o + 2] = b;
    raw[o + 3] = Math.round(255 * bg);
  }
}

const header = Buffer.alloc(13);
header.writeUInt32BE(SIZE, 0);
header.writeUInt32BE(SIZE, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);

const dir = join(import.meta.dirname, 'icons');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'icon.png'), png);
writeFileSync(join(dir, '512x512.png'), png);
console.log(`wrote ${join(dir, 'icon.png')} and 512x512.png (${png.length} bytes)`);
