// Prints the gzipped size of the production bundle (web/dist: HTML, JS, CSS,
// service worker, manifest) and fails when it exceeds the 150 KB budget.
// Run after `npm run build`:  npm run size
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET = 150 * 1024;
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const files = [];
const walk = (d) => {
  for (const n of readdirSync(d)) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) walk(p);
    else files.push(p);
  }
};
try {
  walk(dist);
} catch {
  console.error('web/dist not found: run npm run build first');
  process.exit(2);
}
let total = 0;
let raw = 0;
let icons = 0;
const rows = [];
for (const f of files.sort()) {
  const buf = readFileSync(f);
  const rel = relative(dist, f);
  if (f.endsWith('.gz')) continue; // precompress.mjs's copies of the files counted here
  if (/\.(png|ico|svg)$/.test(f) && rel.startsWith('icons')) {
    icons += buf.length;
    continue;
  }
  const gz = gzipSync(buf, { level: 9 }).length;
  total += gz;
  raw += buf.length;
  rows.push(`${rel.padEnd(40)} ${(buf.length / 1024).toFixed(1).padStart(7)} KB  ${(gz / 1024).toFixed(1).padStart(6)} KB gz`);
}
console.log(rows.join('\n'));
console.log(`bundle total: ${(raw / 1024).toFixed(1)} KB raw, ${(total / 1024).toFixed(1)} KB gzipped (budget 150 KB); icons ${(icons / 1024).toFixed(1)} KB`);
if (total > BUDGET) {
  console.error('over budget');
  process.exit(1);
}
