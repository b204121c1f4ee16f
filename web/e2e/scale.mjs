#!/usr/bin/env node
// The dashboard with a large registry (t/web_scale.sh, 1,000 services;
// doc/scale.md#dashboard) in Debian's Chromium through Playwright:
//   - windowed grid: far fewer tiles in the DOM than services, every
//     category's count present, the page as tall as all the rows, the last
//     tile rendered once scrolled to, End moves the focus to it;
//   - search, category, status, tier and "hide operational" filters, each
//     reflected in the URL and restored by a reload;
//   - a live change of five services (their pages swapped at the fake
//     vendor) reaches the grid and the incident cards with no refetch of
//     /api/services; the cards collapse beyond three; the drawer opens.
// Prints one "ok"/"not ok" line per check; exits 1 when anything failed.
//
// env: ITSTATUS_URL, N, FAKEVENDOR_URL, LIVE_PAYLOAD (a major-outage page),
//      CHROMIUM (/usr/bin/chromium)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const BASE = process.env.ITSTATUS_URL;
const N = Number(process.env.N);
const FAKE = process.env.FAKEVENDOR_URL;
const PAYLOAD = process.env.LIVE_PAYLOAD;
if (!BASE || !(N > 0) || !FAKE || !PAYLOAD) {
  console.error('ITSTATUS_URL, N, FAKEVENDOR_URL and LIVE_PAYLOAD are required');
  process.exit(2);
}
let passed = 0;
let failed = 0;
const assert = (c, m) => {
  if (!c) throw new Error(m);
};
async function check(name, fn) {
  try {
    const note = await fn();
    passed++;
    console.log(`ok - ${name}${note ? ` (${note})` : ''}`);
  } catch (e) {
    failed++;
    console.log(`not ok - ${name}: ${e instanceof Error ? e.message.split('\n')[0] : e}`);
  }
}

const profile = mkdtempSync(join(tmpdir(), 'itstatus-scale-e2e-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1440, height: 900 },
  reducedMotion: 'reduce',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage'],
});
const page = context.pages()[0] ?? (await context.newPage());
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
const tiles = () => page.evaluate(() => document.querySelectorAll('.tile[data-service-id]').length);
const url = () => new URL(page.url());

try {
  await page.goto(BASE);
  await page.waitForSelector('.tile[data-service-id]', { timeout: 60000 });

  await check('windowed: only the visible tiles are in the DOM, every service is counted', async () => {
    const n = await tiles();
    const counted = await page.evaluate(() => [...document.querySelectorAll('ul.tiles')].reduce((a, u) => a + Number(u.dataset.count || 0), 0));
    assert(counted === N, `categories count ${counted} services, want ${N}`);
    assert(n > 0 && n < N / 4, `${n} tiles in the DOM for ${N} services`);
    const h = await page.evaluate(() => document.documentElement.scrollHeight);
    assert(h > (N / 8) * 90, `page only ${h}px tall`);
    return `${n} of ${N} tiles, ${h}px`;
  });

  await check('windowed: scrolling to the end renders the last tiles', async () => {
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.waitForFunction((n) => [...document.querySelectorAll('.tile[data-index]')].some((t) => Number(t.dataset.index) === n - 1), N, { timeout: 10000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForFunction(() => !!document.querySelector('.tile[data-index="0"]'), null, { timeout: 10000 });
  });

  await check('keyboard: End focuses the last tile, Home the first', async () => {
    await page.evaluate(() => document.querySelector('.tile[data-index="0"]').focus());
    await page.keyboard.press('End');
    await page.waitForFunction((n) => document.activeElement?.getAttribute('data-index') === String(n - 1), N, { timeout: 10000 });
    await page.keyboard.press('Home');
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-index') === '0', null, { timeout: 10000 });
  });

  await check('search: by name, in the URL, kept by a reload', async () => {
    await page.fill('[data-testid=filter-q]', 'service 99');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'service 99', null, { timeout: 5000 });
    const want = N >= 1000 ? 11 : 1; // "Service 99" and "Service 990".."Service 999"
    await page.waitForFunction((w) => document.querySelectorAll('.tile[data-service-id]').length === w, want, { timeout: 5000 });
    const names = await page.evaluate(() => [...document.querySelectorAll('.tile .tile-name')].map((e) => e.textContent));
    assert(names.every((x) => /Service 99/.test(x)), `names: ${names.join(', ')}`);
    await page.reload();
    await page.waitForFunction((w) => document.querySelectorAll('.tile[data-service-id]').length === w, want, { timeout: 30000 });
    assert((await page.inputValue('[data-testid=filter-q]')) === 'service 99', 'search box not restored');
    return `${want} tiles`;
  });

  await check('filters: category, tier, status and hide operational, in the URL', async () => {
    await page.goto(BASE + '?category=finance&tier=critical');
    await page.waitForSelector('.tile[data-service-id]', { timeout: 30000 });
    const ids = await page.evaluate(() => [...document.querySelectorAll('.tile[data-service-id]')].map((t) => t.dataset.serviceId));
    // s<i>: category i % 11 (finance = 5), critical when i % 7 == 0.
    assert(ids.length > 0 && ids.every((id) => Number(id.slice(1)) % 11 === 5 && Number(id.slice(1)) % 7 === 0), `ids: ${ids.slice(0, 5)}`);
    assert((await page.inputValue('[data-testid=filter-category]')) === 'finance', 'category select');
    await page.selectOption('[data-testid=filter-category]', '');
    await page.selectOption('[data-testid=filter-tier]', '');
    await page.check('[data-testid=filter-hide-ok]');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('hide') === 'operational', null, { timeout: 5000 });
    assert((await tiles()) === 0, 'operational tiles shown while hidden');
    assert(await page.isVisible('text=No service matches these filters.'), 'no empty-state text');
    await page.uncheck('[data-testid=filter-hide-ok]');
    await page.selectOption('[data-testid=filter-status]', 'incident');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('status') === 'incident', null, { timeout: 5000 });
    assert(!new URL(page.url()).searchParams.has('category'), 'cleared filter still in the URL');
  });

  const LIVE = ['s7', 's8', 's9', 's10', 's11'];
  await check('live: five outages reach the grid and the cards without refetching the list', async () => {
    // Still filtered by "any incident": the new incidents must appear.
    await page.evaluate(() => {
      performance.setResourceTimingBufferSize(10000);
      window.__t0 = performance.now();
    });
    for (const id of LIVE) {
      const r = await fetch(`${FAKE}/_control/payload`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ path: `/p/${id.slice(1)}.json`, file: PAYLOAD }),
      });
      assert(r.ok, `fake vendor ${r.status}`);
    }
    await page.waitForFunction(
      (ids) => ids.every((id) => document.querySelector(`.tile[data-service-id="${id}"]`)?.getAttribute('data-status') === 'major_outage'),
      LIVE,
      { timeout: 60000 },
    );
    const lists = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .filter((e) => e.startTime >= window.__t0 && new URL(e.name).pathname === '/api/services').length,
    );
    assert(lists === 0, `/api/services fetched ${lists} times after the change`);
    return `${await tiles()} tiles`;
  });

  await check('incident cards: three, then "Show 2 more"', async () => {
    await page.waitForFunction(() => document.querySelectorAll('.incident-card').length === 3, null, { timeout: 30000 });
    const more = page.locator('[data-testid=incidents-more]');
    assert((await more.textContent()).includes('Show 2 more'), await more.textContent());
    await more.click();
    assert((await page.locator('.incident-card').count()) === 5, 'expanded cards');
  });

  await check('drawer opens for a tile', async () => {
    await page.click('.tile[data-service-id="s7"]');
    await page.waitForSelector('.drawer-head', { timeout: 10000 });
    assert(/Service 7\b/.test(await page.textContent('.drawer-head')), 'drawer title');
    await page.keyboard.press('Escape');
  });

  await check('no page errors', async () => {
    assert(errors.length === 0, errors.join(' | '));
  });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
