#!/usr/bin/env node
// scale-bench.mjs: the dashboard's browser figures for t/bench/scale.sh
// (doc/scale.md#benchmark). One cold load in a fresh Chromium profile, then,
// in the same page:
//   first_render_ms   navigation start to the frame after the first tiles
//                     exist with the services list (or, at thousands of
//                     services, its first page) in the store
//   full_render_ms    the same with every service in the store (equal to
//                     first_render_ms when the list came in one answer)
//   tiles, dom_nodes  tiles and DOM nodes after the first render settles
//   heap_mb           JS heap in use (CDP Performance.getMetrics) then
//   scroll_*          frame intervals (requestAnimationFrame) while the page
//                     scrolls 300 px a frame for 3 s: p50, p95, max, and the
//                     long tasks (> 50 ms) seen meanwhile
//   drawer_ms         click on the first tile to the frame after the drawer
//   exec_ms, eng_ms   click on "Executive" to the frame after its view, and
//                     back to "Engineer" to the frame after the tiles
//   live_*            LIVE_CMD commits one status change (as pollerd would):
//                     time until the dashboard announces it, main-thread
//                     blocking (long tasks) from the commit to 3 s later,
//                     bytes fetched by the page meanwhile
//   static_scroll_*   control: the grid's tiles copied into a static page
//                     about as tall, scrolled the same way (the browser's
//                     own cost of scrolling such a page)
//   heap_end_mb       JS heap at the end
//   live_busiest_ms   with PROFILE: the longest stretch of script and garbage
//                     collection in the live event's profile (busiest())
//   apid_rss          with APID_PID: apid's peak and current RSS (kB, from
//                     /proc/APID_PID/status) after each step, to tell which
//                     of the dashboard's requests raise it (doc/scale.md#memory)
// Prints one JSON line. A benchmark: asserts nothing beyond "the page
// rendered" (exit 1 otherwise, so a broken page is not reported as a figure).
//
// env: ITSTATUS_URL, N (required); LIVE_CMD (shell command, optional);
//      APID_PID (optional: apid's RSS after each step);
//      ONLY=live (load, then the live event only: no scroll, drawer, views
//      or control); PROFILE=file.cpuprofile (the page's CPU profile from the
//      commit to 3 s later, for Chrome DevTools); CHROMIUM (/usr/bin/chromium),
//      TIMEOUT_MS (180000)
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

/** The longest stretch of a CPU profile's samples spent running script or
 * collecting garbage, in ms (idle and "(program)", the browser's own work
 * such as style and layout, end a stretch). The long-task figure counts
 * only tasks of 50 ms or more; this tells how far below that one is. */
function busiest(p) {
  const idle = new Set(p.nodes.filter((n) => ['(idle)', '(program)'].includes(n.callFrame.functionName)).map((n) => n.id));
  let best = 0;
  let start = null;
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i];
    if (idle.has(p.samples[i])) start = null;
    else {
      start ??= t;
      best = Math.max(best, (t + (p.timeDeltas[i + 1] ?? 0) - start) / 1000);
    }
  }
  return Math.round(best * 10) / 10;
}

const BASE = process.env.ITSTATUS_URL;
const N = Number(process.env.N);
const CHROME = process.env.CHROMIUM || '/usr/bin/chromium';
const TIMEOUT = Number(process.env.TIMEOUT_MS || 180000);
const ALL = process.env.ONLY !== 'live';
if (!BASE || !(N > 0)) {
  console.error('ITSTATUS_URL and N are required');
  process.exit(2);
}

// Installed before any page script: long tasks, and the first-render frame.
const WATCH = () => {
  const b = { first: null, full: null, long: [] };
  window.__bench = b;
  try {
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) b.long.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    /* no long-task timing in this browser */
  }
  let seen = false;
  const tick = () => {
    const t = window.__itstatus;
    const tile = document.querySelector('.tile[data-service-id]');
    if (!seen && t?.dataAt != null && tile) {
      seen = true;
      requestAnimationFrame(() => (b.first = performance.now()));
    }
    if (t?.fullAt != null && tile) {
      requestAnimationFrame(() => (b.full = performance.now()));
      return;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};

const out = { n: N };
// apid's VmHWM and VmRSS (kB) after the step named, when APID_PID is given.
const rssStep = (step) => {
  if (!process.env.APID_PID) return;
  const st = readFileSync(`/proc/${process.env.APID_PID}/status`, 'utf8');
  const kb = (k) => Number((st.match(new RegExp(`^${k}:\\s*(\\d+)`, 'm')) || [])[1] ?? NaN);
  (out.apid_rss ??= []).push({ step, hwm_kb: kb('VmHWM'), rss_kb: kb('VmRSS') });
};
rssStep('before');
const profile = mkdtempSync(join(tmpdir(), 'itstatus-scale-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROME,
  headless: true,
  viewport: { width: 1680, height: 1050 },
  reducedMotion: 'reduce',
  colorScheme: 'dark',
  bypassCSP: true, // the timing helpers below evaluate code in the page
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async () => {
    const { metrics: m } = await cdp.send('Performance.getMetrics');
    const get = (k) => m.find((x) => x.name === k)?.value ?? null;
    return { heap: get('JSHeapUsedSize'), nodes: get('Nodes') };
  };
  await page.addInitScript(WATCH);
  await page.goto(BASE, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__bench && window.__bench.first !== null, null, { timeout: TIMEOUT, polling: 100 });
  out.first_render_ms = Math.round(await page.evaluate(() => window.__bench.first));
  await page.waitForFunction(() => window.__bench.full !== null, null, { timeout: TIMEOUT, polling: 100 });
  out.full_render_ms = Math.round(await page.evaluate(() => window.__bench.full));
  await page.waitForTimeout(1500); // the slow resources (uptime, SLA) land too
  await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
  let m = await metrics();
  out.tiles = await page.evaluate(() => document.querySelectorAll('.tile[data-service-id]').length);
  out.dom_nodes = m.nodes;
  out.heap_mb = +(m.heap / 1048576).toFixed(1);
  out.page_height_px = await page.evaluate(() => document.documentElement.scrollHeight);
  rssStep('load');

  // Scrolling: 300 px a frame for 3 s, wrapping at the bottom.
  const scroll = () =>
    page.evaluate(
      () =>
        new Promise((resolve) => {
          const se = document.scrollingElement;
          const t0 = performance.now();
          const longBefore = window.__bench.long.length;
          const d = [];
          let last = t0;
          const step = (t) => {
            d.push(t - last);
            last = t;
            if (se.scrollTop + innerHeight >= se.scrollHeight - 2) se.scrollTop = 0;
            else se.scrollTop += 300;
            if (t - t0 < 3000) return requestAnimationFrame(step);
            setTimeout(() => {
              const long = window.__bench.long.slice(longBefore).filter(([s]) => s >= t0);
              d.shift();
              d.sort((a, b) => a - b);
              const q = (p) => (d.length ? d[Math.min(d.length - 1, Math.floor(p * d.length))] : null);
              se.scrollTop = 0;
              resolve({
                scroll_frames: d.length,
                scroll_p50_ms: +q(0.5).toFixed(1),
                scroll_p95_ms: +q(0.95).toFixed(1),
                scroll_max_ms: +d[d.length - 1].toFixed(1),
                scroll_long_tasks: long.length,
                scroll_long_ms: Math.round(long.reduce((a, [, x]) => a + x, 0)),
              });
            }, 200);
          };
          requestAnimationFrame((t) => {
            last = t;
            requestAnimationFrame(step);
          });
        }),
    );
  if (ALL) Object.assign(out, await scroll());
  out.long_tasks_total = await page.evaluate(() => window.__bench.long.length);
  rssStep('scroll');

  // Click something in the page and time it to the frame after cond() holds.
  const timed = (click, cond) =>
    page.evaluate(
      ([click, cond]) =>
        new Promise((resolve) => {
          const t0 = performance.now();
          // eslint-disable-next-line no-new-func
          new Function(click)();
          const check = () => {
            // eslint-disable-next-line no-new-func
            if (new Function(cond)()) requestAnimationFrame(() => resolve(Math.round(performance.now() - t0)));
            else requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        }),
      [click, cond],
    );
  if (ALL) {
    await page.waitForTimeout(300);
    out.drawer_ms = await timed(
      "document.querySelector('.tile[data-service-id]').click()",
      "return !!document.querySelector('.drawer-head')",
    );
    await page.waitForTimeout(500);
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('.drawer-head'), null, { timeout: TIMEOUT });
    await page.waitForTimeout(300);
    rssStep('drawer');
    const viewBtn = (label) =>
      `[...document.querySelectorAll('nav.views button')].find((b) => b.textContent.trim() === '${label}').click()`;
    out.exec_ms = await timed(viewBtn('Executive'), "return !!document.querySelector('[data-testid=executive-view]')");
    await page.waitForTimeout(1000);
    rssStep('executive');
    out.eng_ms = await timed(viewBtn('Engineer'), "return !!document.querySelector('.tile[data-service-id]')");
  }
  await page.waitForTimeout(1000);
  rssStep('engineer');

  if (process.env.LIVE_CMD) {
    await page.evaluate(() => {
      window.__live = { t0: performance.now(), n0: performance.getEntriesByType('resource').length };
      performance.setResourceTimingBufferSize(100000);
    });
    if (process.env.PROFILE) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    execSync(process.env.LIVE_CMD, { stdio: 'inherit' });
    await page.waitForFunction(
      () => [...document.querySelectorAll('[aria-live=polite]')].some((e) => /changed from/.test(e.textContent)),
      null,
      { timeout: 30000, polling: 50 },
    );
    Object.assign(
      out,
      await page.evaluate(() => {
        window.__live.seen = performance.now();
        return { live_seen_ms: Math.round(window.__live.seen - window.__live.t0) };
      }),
    );
    await page.waitForTimeout(3000);
    if (process.env.PROFILE) {
      const { profile: prof } = await cdp.send('Profiler.stop');
      writeFileSync(process.env.PROFILE, JSON.stringify(prof));
      out.live_busiest_ms = busiest(prof);
    }
    Object.assign(
      out,
      await page.evaluate(() => {
        const { t0, n0 } = window.__live;
        const long = window.__bench.long.filter(([s]) => s >= t0 - 5);
        const res = performance.getEntriesByType('resource').slice(n0);
        return {
          live_blocking_ms: Math.round(long.reduce((a, [, x]) => a + x, 0)),
          live_long_tasks: long.length,
          live_fetches: res.filter((r) => !/\/api\/stream/.test(r.name)).length,
          live_fetched_kb: Math.round(res.reduce((a, r) => a + (r.transferSize || 0), 0) / 1024),
        };
      }),
    );
    rssStep('live');
  }
  // Control: the same tiles as a static page about as tall (no script runs
  // while scrolling), to tell the page's own cost from the browser's raster
  // and compositing of a tall page (doc/scale.md#benchmark).
  const h = !ALL ? 0 : await page.evaluate(() => {
    const g = document.querySelector('#service-grid');
    if (!g) return 0;
    const copies = Math.max(1, Math.round(document.documentElement.scrollHeight / Math.max(1, g.offsetHeight)));
    const d = document.createElement('div');
    d.innerHTML = Array.from({ length: Math.min(copies, 40) }, () => g.innerHTML).join('');
    g.replaceWith(d);
    return document.documentElement.scrollHeight;
  });
  if (h) {
    const c = await scroll();
    out.static_scroll_p50_ms = c.scroll_p50_ms;
    out.static_scroll_p95_ms = c.scroll_p95_ms;
    out.static_height_px = h;
  }
  await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
  m = await metrics();
  out.heap_end_mb = +(m.heap / 1048576).toFixed(1);
  out.dom_nodes_end = m.nodes;
  console.log(JSON.stringify(out));
} catch (e) {
  console.error(`scale-bench: ${e instanceof Error ? e.message.split('\n')[0] : e}`);
  console.log(JSON.stringify(out));
  process.exitCode = 1;
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
