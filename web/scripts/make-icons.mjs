// Draws the itstatus icons (a status "beacon": green ring and dot on the
// dark page colour) as PNGs with no dependency but node's zlib, plus the SVG.
// Run: node scripts/make-icons.mjs  (outputs to public/icons/, committed)
import { mkdirSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'icons');
mkdirSync(out, { recursive: true });

const BG = [0x0b, 0x11, 0x20];
const PANEL = [0x15, 0x1d, 0x2e];
const GREEN = [0x34, 0xd3, 0x99];

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Shapes in unit coordinates; returns [rgb, alpha] layers painted in order.
function sample(x, y, maskable) {
  const layers = [];
  // Background: full bleed (maskable) or rounded square.
  if (maskable) layers.push([BG, 1]);
  else {
    const r = 0.22;
    const qx = Math.max(Math.abs(x - 0.5) - (0.5 - r), 0);
    const qy = Math.max(Math.abs(y - 0.5) - (0.5 - r), 0);
    if (Math.hypot(qx, qy) <= r) layers.push([BG, 1]);
  }
  const d = Math.hypot(x - 0.5, y - 0.5);
  const s = maskable ? 0.78 : 1; // keep inside the maskable safe zone
  if (d <= 0.36 * s) layers.push([PANEL, 1]);
  if (!maskable && Math.abs(d - 0.42) <= 0.018) layers.push([GREEN, 0.35]);
  if (Math.abs(d - 0.255 * s) <= 0.05 * s) layers.push([GREEN, 1]);
  if (d <= 0.1 * s) layers.push([GREEN, 1]);
  return layers;
}

function draw(size, maskable) {
  const buf = Buffer.alloc(size * size * 4);
  const N = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < N; sy++) {
        for (let sx = 0; sx < N; sx++) {
          const x = (px + (sx + 0.5) / N) / size;
          const y = (py + (sy + 0.5) / N) / size;
          let cr = 0, cg = 0, cb = 0, ca = 0;
          for (const [rgb, al] of sample(x, y, maskable)) {
            cr = rgb[0] * al + cr * (1 - al);
            cg = rgb[1] * al + cg * (1 - al);
            cb = rgb[2] * al + cb * (1 - al);
            ca = al + ca * (1 - al);
          }
          r += cr; g += cg; b += cb; a += ca;
        }
      }
      const n = N * N;
      const i = (py * size + px) * 4;
      const alpha = a / n;
      buf[i] = alpha ? Math.round(r / n / alpha) : 0;
      buf[i + 1] = alpha ? Math.round(g / n / alpha) : 0;
      buf[i + 2] = alpha ? Math.round(b / n / alpha) : 0;
      buf[i + 3] = Math.round(alpha * 255);
    }
  }
  return png(size, buf);
}

for (const [name, size, maskable] of [
  ['icon-64.png', 64, false],
  ['icon-192.png', 192, false],
  ['icon-512.png', 512, false],
  ['icon-maskable-512.png', 512, true],
]) {
  writeFileSync(join(out, name), draw(size, maskable));
}
writeFileSync(
  join(out, 'icon.svg'),
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">
  <rect width="100" height="100" rx="22" fill="#0b1120"/>
  <circle cx="50" cy="50" r="36" fill="#151d2e"/>
  <circle cx="50" cy="50" r="42" fill="none" stroke="#34d399" stroke-opacity=".35" stroke-width="3.6"/>
  <circle cx="50" cy="50" r="25.5" fill="none" stroke="#34d399" stroke-width="10"/>
  <circle cx="50" cy="50" r="10" fill="#34d399"/>
</svg>
`,
);
console.log('icons written to', out);
