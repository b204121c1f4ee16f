// Writes a gzip copy (name.gz, level 9) beside every text file of web/dist
// that compresses: apid sends it to browsers that accept gzip, so the
// bundles are compressed once here, never per request (doc/scale.md#http).
// Run by `npm run build` after vite.
import { readdirSync, readFileSync, statSync, writeFileSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const TEXT = /\.(js|mjs|css|html|svg|json|webmanifest|txt|map)$/;
let n = 0;
const walk = (d) => {
  for (const name of readdirSync(d)) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) {
      walk(p);
      continue;
    }
    if (!TEXT.test(name)) continue;
    const buf = readFileSync(p);
    const gz = gzipSync(buf, { level: 9 });
    // Not worth a second file (and a Vary) when it saves under 10%.
    if (buf.length >= 1024 && gz.length < buf.length * 0.9) {
      writeFileSync(p + '.gz', gz);
      n++;
    } else {
      try {
        unlinkSync(p + '.gz');
      } catch {
        /* none */
      }
    }
  }
};
walk(dist);
console.log(`precompress: ${n} files in web/dist with a .gz copy`);
