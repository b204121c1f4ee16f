#!/usr/bin/env node
// render-bench.mjs: the dashboard's time to first render, cold. Each run
// starts Chromium on a fresh profile (no HTTP cache, no service worker), loads
// the dashboard and times, from navigation start (performance.timeOrigin):
//   first tile   the first .tile[data-service-id] in the DOM
//   all tiles    .tile[data-service-id] count == N (the figure asked for)
//   painted      the next animation frame after "all tiles": the frame
//                holding them has been produced
//   store        window.__itstatus.dataAt: the services list reached the
//                app's store (fetched and parsed; the render follows)
//   services     responseEnd of GET /api/services (network + apid)
//   busy until   end of the last long task (>50 ms) seen by 1 s after the
//                tiles: when the page answers input again
//   long tasks   total long-task time until then
//   wall         Playwright's clock from goto() until it saw the tiles (late
//                by however long the page's main thread stayed blocked)
// Counting happens in the page, once per animation frame, so the figure is
// the frame where the last tile exists, not Playwright's polling interval.
// Prints one JSON line per run. A benchmark: it asserts nothing beyond
// "the tiles appeared at all" (exit 1 on a timeout, so a broken page is not
// reported as a figure).
//
// env: ITSTATUS_URL (required), N (tiles expected, required), RUNS (3),
//      CHROMIUM (/usr/bin/chromium), TIMEOUT_MS (120000)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.ITSTATUS_URL;
const N = Number(process.env.N);
const RUNS = Number(process.env.RUNS || 3);
const CHROME = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT = Number(process.env.TIMEOUT_MS || 120000);
if (!BASE || !(N > 0)) {
  console.error('ITSTATUS_URL and N are required');
  process.exit(2);
}

// Installed before any page script: watches the DOM once per frame.
const WATCH = (n) => {
  const mark = { first: null, all: null, painted: null, busyUntil: 0, longMs: 0 };
  window.__bench = mark;
  try {
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) {
        mark.busyUntil = Math.max(mark.busyUntil, e.startTime + e.duration);
        mark.longMs += e.duration;
      }
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    /* no long-task timing in this browser */
  }
  const tick = () => {
    const c = document.querySelectorAll('.tile[data-service-id]').length;
    if (c > 0 && mark.first === null) mark.first = performance.now();
    if (c >= n) {
      mark.all = performance.now();
      requestAnimationFrame(() => (mark.painted = performance.now()));
      return;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};

for (let run = 1; run <= RUNS; run++) {
  // A fresh profile per run: cold HTTP cache, no service worker.
  const profile = mkdtempSync(join(tmpdir(), 'itstatus-render-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROME,
    headless: true,
    viewport: { width: 1680, height: 1050 },
    reducedMotion: 'reduce',
    colorScheme: 'dark',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.addInitScript(WATCH, N);
    const wall0 = Date.now();
    await page.goto(BASE, { waitUntil: 'commit' });
    await page.waitForFunction(() => window.__bench && window.__bench.painted !== null, null, { timeout: TIMEOUT, polling: 100 });
    const wall = Date.now() - wall0;
    await page.waitForTimeout(1000); // long tasks right after the tiles count too
    const m = await page.evaluate(() => {
      const svc = performance.getEntriesByType('resource').find((e) => new URL(e.name).pathname === '/api/services');
      return {
        first_tile_ms: Math.round(window.__bench.first),
        all_tiles_ms: Math.round(window.__bench.all),
        painted_ms: Math.round(window.__bench.painted),
        store_ms: window.__itstatus?.dataAt != null ? Math.round(window.__itstatus.dataAt) : null,
        busy_until_ms: Math.round(window.__bench.busyUntil),
        long_tasks_ms: Math.round(window.__bench.longMs),
        api_services_ms: svc ? Math.round(svc.responseEnd) : null,
        api_services_bytes: svc ? svc.encodedBodySize : null,
        tiles: document.querySelectorAll('.tile[data-service-id]').length,
      };
    });
    console.log(JSON.stringify({ n: N, run, ...m, wall_ms: wall }));
  } catch (e) {
    console.error(`run ${run}: ${e instanceof Error ? e.message.split('\n')[0] : e}`);
    process.exitCode = 1;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  if (process.exitCode) break;
}
