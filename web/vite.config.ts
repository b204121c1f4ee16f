import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import preact from '@preact/preset-vite';

/**
 * After the bundle is written, fill the service worker's precache list with
 * the shell's files (hashed assets, index.html, manifest, icons) and stamp a
 * build id, so a new build installs a new worker and drops the old cache.
 * web/public/sw.js keeps working unfilled in dev (empty list).
 */
function swManifest(): Plugin {
  let outDir = 'dist';
  return {
    name: 'itstatus-sw-manifest',
    apply: 'build',
    configResolved(c) {
      outDir = c.build.outDir.startsWith('/') ? c.build.outDir : join(c.root, c.build.outDir);
    },
    writeBundle() {
      const swPath = join(outDir, 'sw.js');
      if (!existsSync(swPath)) throw new Error('sw.js missing from the build output');
      const files: string[] = [];
      const walk = (dir: string) => {
        for (const name of readdirSync(dir)) {
          const p = join(dir, name);
          if (statSync(p).isDirectory()) walk(p);
          else files.push(relative(outDir, p).split('\\').join('/'));
        }
      };
      walk(outDir);
      const precache = files
        .filter((f) => f !== 'sw.js' && !f.endsWith('.map') && /\.(html|js|css|svg|png|ico|webmanifest|woff2)$/.test(f))
        .sort()
        .map((f) => (f === 'index.html' ? '/' : '/' + f));
      const h = createHash('sha256');
      for (const f of files.filter((x) => x !== 'sw.js').sort()) h.update(f).update(readFileSync(join(outDir, f)));
      const buildId = h.digest('hex').slice(0, 12);
      let sw = readFileSync(swPath, 'utf8');
      sw = sw.replace('/*__PRECACHE__*/ []', JSON.stringify(precache)).replace("/*__BUILD_ID__*/ 'dev'", JSON.stringify(buildId));
      if (sw.includes('__PRECACHE__')) throw new Error('sw.js precache placeholder not replaced');
      writeFileSync(swPath, sw);
    },
  };
}

export default defineConfig({
  plugins: [preact(), swManifest()],
  build: {
    target: 'es2020',
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
    reportCompressedSize: true,
    modulePreload: { polyfill: false },
  },
  server: {
    // `npm run dev` proxies the API to a running apid (or e2e/mock-api.mjs).
    proxy: { '/api': { target: process.env.ITSTATUS_API ?? 'http://127.0.0.1:8000', changeOrigin: false } },
  },
});
