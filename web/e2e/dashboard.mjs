#!/usr/bin/env node
// Browser end-to-end test of the itstatus dashboard: Playwright (core) drives
// Debian's Chromium; axe-core runs inside the page.
//
// env:
//   ITSTATUS_URL    dashboard base URL, e.g. http://127.0.0.1:8080/   (required)
//   FAKEVENDOR_URL  URL of t/fakevendor (optional). When set, the live-update
//                   check swaps E2E_LIVE_PATH to the file E2E_LIVE_PAYLOAD
//                   through /_control/payload and waits for the tile to
//                   change without a reload (E2E_LIVE_RESTORE puts it back).
//   ARTIFACT_DIR    where screenshots go (default: ./e2e-artifacts)
//   CHROMIUM        browser binary (default: /usr/bin/chromium)
//   E2E_LIVE_SERVICE   service to flip (default: discord)
//   E2E_LIVE_STATUS    status to flip it to (default: major_outage)
//   E2E_LIVE_TIMEOUT_S how long the change may take to show (default: 120)
//   E2E_PHASE       main (default), or fresh / stale: only the checks of
//                   e2e/truth-checks.mjs for a suite without pollerd yet /
//                   with pollerd stopped
//   E2E_MAINT_SERVICE, E2E_MAINT_PATH, E2E_MAINT_PAYLOAD, E2E_MAINT_RESTORE
//                   a service whose page is swapped to a maintenance one
//                   (truth-checks maintenance), when set
//   E2E_BROKEN_SERVICE, E2E_BROKEN_PATH, E2E_BROKEN_PAYLOAD, E2E_BROKEN_RESTORE
//                   a service whose page turns unreadable, then readable
//                   (truth-checks brokenPoller), when set
//   E2E_WINDOWED=1  the registry is larger than the screen (t/web_1k.sh,
//                   1,000 services), so the grid keeps only the tiles near
//                   the viewport in the DOM (doc/scale.md#dashboard). The same
//                   checks run; what they read differs:
//                   - "renders every service tile" (all in the DOM at once)
//                     becomes "windowed": fewer tiles in the DOM than
//                     services, the categories count them all, and scrolling
//                     the page top to bottom renders each once, indices
//                     0..N-1;
//                   - the checks over every tile (once, in its category,
//                     worst-first order, labels, badges, collecting, fresh
//                     squares) read the tiles of that scroll (sweepTiles);
//                   - a check on one service's tile scrolls its category
//                     until the tile is rendered (revealTile), and a wait
//                     for a tile to change re-scrolls while it waits, as the
//                     tile moves when its status re-sorts it (waitTile);
//                   - a keyboard move to a tile out of the DOM waits for the
//                     focus to land (the grid scrolls, then focuses);
//                   - the wall screen asks for a full fold (>= 32 tiles above
//                     it) instead of every tile above it, and the phone
//                     check covers the tiles rendered at the top.
//
// Prints one "ok"/"not ok" line per check, the time to first render, and the
// closing "N passed, N failed" line; exits 1 when anything failed.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import * as truth from './truth-checks.mjs';

const require = createRequire(import.meta.url);
const AXE_SRC = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const BASE = process.env.ITSTATUS_URL;
if (!BASE) {
  console.error('ITSTATUS_URL is required (the dashboard URL)');
  process.exit(2);
}
const base = BASE.endsWith('/') ? BASE : BASE + '/';
const FAKE = process.env.FAKEVENDOR_URL?.replace(/\/$/, '') || null;
const ART = resolve(process.env.ARTIFACT_DIR || 'e2e-artifacts');
const CHROME = process.env.CHROMIUM || '/usr/bin/chromium';
const LIVE_SERVICE = process.env.E2E_LIVE_SERVICE || 'discord';
const LIVE_STATUS = process.env.E2E_LIVE_STATUS || 'major_outage';
const LIVE_PATH = process.env.E2E_LIVE_PATH || null;
const LIVE_PAYLOAD = process.env.E2E_LIVE_PAYLOAD || null;
const LIVE_RESTORE = process.env.E2E_LIVE_RESTORE || null;
const LIVE_TIMEOUT = Number(process.env.E2E_LIVE_TIMEOUT_S || 120) * 1000;
const PHASE = process.env.E2E_PHASE || 'main';
const MAINT = process.env.E2E_MAINT_SERVICE || null;
const WINDOWED = process.env.E2E_WINDOWED === '1';
mkdirSync(ART, { recursive: true });

let passed = 0;
let failed = 0;
const failures = [];
function ok(name, detail = '') {
  passed++;
  console.log(`ok - ${name}${detail ? ` (${detail})` : ''}`);
}
function notOk(name, why) {
  failed++;
  failures.push(name);
  console.log(`not ok - ${name}: ${why}`);
}
async function check(name, fn) {
  try {
    const detail = await fn();
    ok(name, typeof detail === 'string' ? detail : '');
  } catch (e) {
    notOk(name, e instanceof Error ? e.message.split('\n')[0] : String(e));
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

// ---- the rules the dashboard must follow, implemented independently ----------
const RANK = { operational: 0, unknown: 1, degraded: 2, partial_outage: 3, major_outage: 4 };
const STATUSES = Object.keys(RANK);
const CATEGORY_ORDER = ['identity', 'productivity', 'collaboration', 'engineering', 'hr', 'finance', 'sales', 'marketing', 'networking', 'support', 'other'];
const eff = (s) =>
  s.poller_health === 'broken'
    ? 'unknown'
    : STATUSES.includes(s.effective_status)
      ? s.effective_status
      : STATUSES.includes(s.current_status)
        ? s.current_status
        : 'unknown';
const unmonitored = (s) => s.poll_type === 'manual' && s.poller_health !== 'broken' && eff(s) === 'unknown';
function expectedOrder(services) {
  const cats = new Map();
  for (const s of services) {
    const c = (s.category || 'other').toLowerCase();
    if (!cats.has(c)) cats.set(c, []);
    cats.get(c).push(s);
  }
  const keys = [...CATEGORY_ORDER.filter((k) => cats.has(k)), ...[...cats.keys()].filter((k) => !CATEGORY_ORDER.includes(k)).sort()];
  const groups = keys.map((k, i) => {
    const list = cats.get(k).sort(
      (a, b) =>
        Number(unmonitored(a)) - Number(unmonitored(b)) ||
        RANK[eff(b)] - RANK[eff(a)] ||
        a.display_name.localeCompare(b.display_name, undefined, { sensitivity: 'base' }) ||
        a.id.localeCompare(b.id),
    );
    return { key: k, i, worst: Math.max(...list.map((s) => RANK[eff(s)])), ids: list.map((s) => s.id) };
  });
  groups.sort((a, b) => b.worst - a.worst || a.i - b.i);
  return groups;
}

async function getJson(path) {
  const r = await fetch(new URL(path, base));
  const body = await r.json();
  return { status: r.status, headers: r.headers, body };
}

async function axe(page, name) {
  // Injected through the debugger protocol: the page's CSP (script-src 'self')
  // stays enforced, so CSP violations still show up as page errors.
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) await page.evaluate(AXE_SRC);
  const res = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] }),
  );
  const v = res.violations;
  if (v.length) {
    const lines = v.map((x) => `${x.id} [${x.impact}] ×${x.nodes.length}: ${x.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')} — ${x.nodes[0]?.failureSummary?.split('\n').slice(1, 2).join('') ?? ''}`);
    throw new Error(`${v.length} violation(s) on ${name}:\n    ${lines.join('\n    ')}`);
  }
  return `${res.passes?.length ?? 0} rules passed`;
}
async function axeCheck(page, name) {
  try {
    const d = await axe(page, name);
    ok(`axe: 0 violations on ${name}`, d);
  } catch (e) {
    failed++;
    failures.push(`axe ${name}`);
    console.log(`not ok - axe: 0 violations on ${name}: ${e.message}`);
  }
}

async function shot(page, file) {
  const p = join(ART, file);
  await page.screenshot({ path: p, fullPage: false });
  console.log(`# screenshot ${p}`);
}

const focusInfo = (page) =>
  page.evaluate(() => {
    const a = document.activeElement;
    return {
      tag: a?.tagName ?? null,
      tile: a?.classList?.contains('tile') ?? false,
      id: a?.getAttribute?.('data-service-id') ?? null,
      index: a?.getAttribute?.('data-index') ?? null,
      inDialog: !!a?.closest?.('[role="dialog"]'),
      dialog: a?.closest?.('[role="dialog"]')?.getAttribute('aria-labelledby') ?? null,
    };
  });

// ---- tiles of a windowed grid (E2E_WINDOWED) ---------------------------------
/** Resolves once the set of rendered tiles has not changed for four frames:
 * the windowed grid mounts one row a frame until the viewport and its
 * overscan are filled. */
const settled = (page) =>
  page.evaluate(
    () =>
      new Promise((done) => {
        let last = null;
        let same = 0;
        let frames = 0;
        const tick = () => {
          const now = [...document.querySelectorAll('.tile[data-index]')].map((t) => t.dataset.index).join(',');
          same = now === last ? same + 1 : 0;
          last = now;
          if (same >= 4 || ++frames > 600) done();
          else requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
  );

/** What the checks read from every tile in the DOM now, in DOM order. */
const readTiles = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('.tile[data-service-id]')].map((t) => ({
      id: t.getAttribute('data-service-id'),
      cat: t.closest('[data-category]')?.getAttribute('data-category'),
      index: Number(t.getAttribute('data-index')),
      status: t.getAttribute('data-status'),
      label: t.querySelector('.tile-label')?.textContent?.trim(),
      pending: t.querySelectorAll('.badge-pending').length,
      maint: t.querySelectorAll('.tile-maint').length,
      collecting: t.querySelectorAll('[data-testid="tile-collecting"]').length,
      badges: [...t.querySelectorAll('.badge')].map((b) => (b.textContent || '').trim()),
      days: [...t.querySelectorAll('.day')].map((d) => d.className),
    })),
  );

/**
 * Every tile the grid renders, as many times as the most times its service
 * id was in the DOM at once (once, unless the grid shows a service twice).
 * Without E2E_WINDOWED every tile is in
 * the DOM, read once where the page is. With it the page is scrolled from the
 * top, a viewport (less 100 px) at a time, to the bottom, and each position's
 * tiles merged; the scroll position is then restored. At each position the
 * DOM order must be the order of data-index, so sorting the sweep by index
 * gives the DOM order of an unwindowed grid.
 */
async function sweepTiles(page) {
  const byId = new Map();
  const take = async () => {
    const list = await readTiles(page);
    for (let k = 1; k < list.length; k++)
      assert(list[k].index > list[k - 1].index, `tile ${list[k].id} (index ${list[k].index}) after index ${list[k - 1].index} in the DOM`);
    const seen = new Map();
    for (const t of list) seen.set(t.id, (seen.get(t.id) ?? 0) + 1);
    for (const t of list) byId.set(t.id, { ...t, hits: Math.max(byId.get(t.id)?.hits ?? 0, seen.get(t.id)) });
  };
  const all = () => [...byId.values()].sort((a, b) => a.index - b.index).flatMap((t) => Array(t.hits).fill(t));
  if (!WINDOWED) {
    await take();
    return all();
  }
  const y0 = await page.evaluate(() => window.scrollY);
  await page.evaluate(() => window.scrollTo(0, 0));
  for (;;) {
    await settled(page);
    await take();
    const moved = await page.evaluate(() => {
      const y = window.scrollY;
      window.scrollBy(0, window.innerHeight - 100);
      return window.scrollY > y;
    });
    if (!moved) break;
  }
  await page.evaluate((y) => window.scrollTo(0, y), y0);
  await settled(page);
  return all();
}

/** With E2E_WINDOWED, scroll the tile of service id into the DOM: its
 * category's section into view, then down through it a viewport at a time.
 * Returns without it when it is not found (the caller's check then fails on
 * the missing tile). A no-op on an unwindowed grid. */
async function revealTile(page, id) {
  const sel = `.tile[data-service-id="${id}"]`;
  if (!WINDOWED || (await page.locator(sel).count())) return;
  const s = services.find((x) => x.id === id);
  const cat = (s?.category || 'other').toLowerCase();
  await page.evaluate((c) => document.querySelector(`[data-category="${c}"]`)?.scrollIntoView({ block: 'start' }), cat);
  for (;;) {
    await settled(page);
    if (await page.locator(sel).count()) break;
    const moved = await page.evaluate((c) => {
      const sec = document.querySelector(`[data-category="${c}"]`);
      if (!sec || sec.getBoundingClientRect().bottom <= window.innerHeight) return false;
      const y = window.scrollY;
      window.scrollBy(0, window.innerHeight - 100);
      return window.scrollY > y;
    }, cat);
    if (!moved) break;
  }
  await page.evaluate((q) => document.querySelector(q)?.scrollIntoView({ block: 'center' }), sel);
  await settled(page);
}

/** page.waitForFunction(pred, [id, arg]) for a predicate on the tile of
 * service id. With E2E_WINDOWED the tile is revealed again every 250 ms while
 * waiting: a status change re-sorts it, possibly out of the DOM. */
async function waitTile(page, id, pred, arg, timeout) {
  if (!WINDOWED) return page.waitForFunction(pred, arg, { timeout });
  const t0 = Date.now();
  for (;;) {
    await revealTile(page, id);
    if (await page.evaluate(pred, arg)) return;
    if (Date.now() - t0 > timeout) throw new Error(`${id}: tile did not change within ${timeout} ms`);
    await page.waitForTimeout(250);
  }
}

/** Press key on a tile; with E2E_WINDOWED wait (up to 5 s) for the focus to
 * reach tile index want, as a move out of the DOM scrolls first. */
async function pressOnTile(page, key, want) {
  await page.keyboard.press(key);
  if (WINDOWED)
    await page
      .waitForFunction((w) => document.activeElement?.getAttribute('data-index') === String(w), want, { timeout: 5000 })
      .catch(() => undefined);
  return focusInfo(page);
}

// ---- run -------------------------------------------------------------------
const profile = mkdtempSync(join(tmpdir(), 'itstatus-e2e-'));
let context;
const pageErrors = [];
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROME,
    headless: true,
    viewport: { width: 1680, height: 1050 },
    reducedMotion: 'reduce',
    colorScheme: 'dark',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
} catch (e) {
  console.error('cannot start Chromium:', e.message);
  process.exit(2);
}
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(15000);
page.on('pageerror', (e) => pageErrors.push(String(e)));
page.on('console', (m) => {
  if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageErrors.push('CSP: ' + m.text());
});

let services = [];
const swapPayload = (path, file) =>
  fetch(`${FAKE}/_control/payload`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ path, file }),
  }).catch((e) => ({ ok: false, status: 0, statusText: String(e) }));
// What e2e/truth-checks.mjs needs from this harness.
const H = {
  page,
  check,
  assert,
  getJson,
  axeCheck,
  shot,
  base,
  services: () => services,
  swap: swapPayload,
  windowed: WINDOWED,
  liveService: LIVE_SERVICE,
  settled: () => (WINDOWED ? settled(page) : Promise.resolve()),
  sweep: () => sweepTiles(page),
  reveal: (id) => revealTile(page, id),
  waitTile: (id, pred, arg, timeout) => waitTile(page, id, pred, arg, timeout),
};
const PHASE_DONE = Symbol('phase done');
try {
  if (PHASE !== 'main') {
    // fresh / stale: a suite in a state the main run cannot share
    if (!truth[PHASE]) throw new Error(`unknown E2E_PHASE ${PHASE}`);
    await truth[PHASE](H);
    throw PHASE_DONE;
  }
  // -- API shape the dashboard depends on
  await check('api: /api/services answers the {data,error,meta} envelope', async () => {
    const r = await getJson('api/services');
    assert(r.status === 200, `HTTP ${r.status}`);
    assert(r.body && 'data' in r.body && 'error' in r.body && 'meta' in r.body, 'no envelope');
    services = r.body.data.services;
    assert(Array.isArray(services) && services.length > 0, 'no services');
    return `${services.length} services`;
  });
  await check('api: unknown /api path is a JSON 404, not the app page', async () => {
    const r = await fetch(new URL('api/definitely-not-here', base));
    assert(r.status === 404, `HTTP ${r.status}`);
    assert((r.headers.get('content-type') || '').includes('json'), `content-type ${r.headers.get('content-type')}`);
  });

  // -- first render
  const t0 = Date.now();
  await page.goto(base, { waitUntil: 'domcontentloaded' });
  let ttfr = null;
  let dom = [];
  const tileOf = (id) => dom.find((d) => d.id === id) ?? {};
  if (!WINDOWED)
    await check('engineer view renders every service tile', async () => {
      await page.waitForFunction((n) => document.querySelectorAll('.tile[data-service-id]').length >= n, services.length, { timeout: 20000 });
      const wall = Date.now() - t0;
      ttfr = await page.evaluate(() => window.__itstatus?.firstDataAt ?? null);
      console.log(`# time to first render (first load, cold browser): ${ttfr !== null ? Math.round(ttfr) + ' ms after navigation start' : 'n/a'} (wall clock to all tiles: ${wall} ms)`);
      const n = await page.locator('.tile[data-service-id]').count();
      assert(n === services.length, `${n} tiles for ${services.length} services`);
    });
  else
    await check('windowed: fewer tiles in the DOM than services, each category counts its own, a scroll top to bottom renders every one once', async () => {
      await page.waitForSelector('.tile[data-service-id]', { timeout: 30000 });
      const wall = Date.now() - t0;
      await page.waitForFunction(() => window.__itstatus?.firstDataAt !== undefined, null, { timeout: 10000 }).catch(() => undefined);
      ttfr = await page.evaluate(() => window.__itstatus?.firstDataAt ?? null);
      console.log(`# time to first render (first load, cold browser): ${ttfr !== null ? Math.round(ttfr) + ' ms after navigation start' : 'n/a'} (wall clock to the first tiles: ${wall} ms)`);
      await settled(page);
      const n = await page.locator('.tile[data-service-id]').count();
      assert(n > 0 && n < services.length / 4, `${n} tiles in the DOM for ${services.length} services`);
      const counts = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('[data-category]')].map((c) => [c.getAttribute('data-category'), Number(c.querySelector('ul.tiles')?.dataset.count)])));
      for (const g of expectedOrder(services)) assert(counts[g.key] === g.ids.length, `${g.key} counts ${counts[g.key]}, has ${g.ids.length}`);
      const t1 = Date.now();
      const all = await sweepTiles(page);
      assert(all.length === services.length, `the scroll rendered ${all.length} tiles for ${services.length} services`);
      assert(all.every((t, i) => t.index === i), `indices not 0..${services.length - 1}`);
      dom = all; // the next checks read this scroll's tiles (a second one costs ~10 s)
      return `${n} of ${services.length} tiles in the DOM at the top; the scroll took ${Date.now() - t1} ms`;
    });

  await check('every service appears once, in its own category', async () => {
    if (!dom.length) dom = await sweepTiles(page);
    for (const s of services) {
      const hits = dom.filter((d) => d.id === s.id);
      assert(hits.length === 1, `${s.id} shown ${hits.length} times`);
      assert(hits[0].cat === (s.category || 'other').toLowerCase(), `${s.id} in ${hits[0].cat}, expected ${s.category}`);
    }
  });

  await check('categories and tiles are sorted worst-first', async () => {
    const want = expectedOrder(services);
    const cats = await page.evaluate(() => [...document.querySelectorAll('[data-category]')].map((c) => c.getAttribute('data-category')));
    const got = cats.map((key) => ({ key, ids: dom.filter((d) => d.cat === key).map((d) => d.id) }));
    assert(JSON.stringify(got.map((g) => g.key)) === JSON.stringify(want.map((g) => g.key)), `category order ${got.map((g) => g.key)} ≠ ${want.map((g) => g.key)}`);
    for (const w of want) {
      const g = got.find((x) => x.key === w.key);
      assert(JSON.stringify(g.ids) === JSON.stringify(w.ids), `${w.key}: ${g.ids} ≠ ${w.ids}`);
    }
    return want.map((g) => g.key).join(' > ');
  });

  await check('effective status: broken pollers read Unknown (never Operational), manual services read Manual', async () => {
    for (const s of services) {
      const label = tileOf(s.id).label;
      if (s.poller_health === 'broken') assert(label === 'Unknown', `${s.id} (poller broken) shows "${label}"`);
      else if (unmonitored(s)) assert(label === 'Manual', `${s.id} (manual) shows "${label}"`);
      const st = tileOf(s.id).status;
      assert(st === eff(s), `${s.id} data-status ${st}, expected ${eff(s)}`);
    }
  });

  await check('flapping services carry a pending badge; maintenance shows the wrench', async () => {
    for (const s of services) {
      const flapping = s.poller_health !== 'broken' && s.pending_status && s.pending_status !== s.current_status;
      const badge = tileOf(s.id).pending;
      assert(Boolean(flapping) === badge > 0, `${s.id}: flapping=${!!flapping}, badge=${badge}`);
      const inMaint = s.in_maintenance === true || s.in_maintenance === 1;
      const wrench = tileOf(s.id).maint;
      assert(inMaint === wrench > 0, `${s.id}: in_maintenance=${inMaint}, wrench=${wrench}`);
    }
  });

  await check('staleness chip shows the server poll age and connection state', async () => {
    await page.waitForFunction(() => {
      const c = document.querySelector('[data-testid="staleness-chip"]');
      return c && !/Connecting/.test(c.textContent || '');
    });
    const txt = await page.locator('[data-testid="staleness-chip"]').textContent();
    const level = await page.locator('[data-testid="staleness-chip"]').getAttribute('data-level');
    return `${txt?.trim()} [${level}]`;
  });

  await page.waitForTimeout(600);
  await shot(page, 'engineer.png');
  await axeCheck(page, 'engineer view');

  // -- keyboard-only walk
  await page.reload({ waitUntil: 'domcontentloaded' });
  await page.waitForSelector('.tile[data-service-id]');
  await page.waitForFunction(() => window.__itstatus?.firstDataAt !== undefined).catch(() => undefined);
  const warm = await page.evaluate(() => window.__itstatus?.firstDataAt ?? null);
  console.log(`# time to first render (reload, warm cache): ${warm !== null ? Math.round(warm) + ' ms after navigation start' : 'n/a'}`);
  await check('keyboard: Tab reaches a service tile', async () => {
    await page.evaluate(() => document.activeElement instanceof HTMLElement && document.activeElement.blur());
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      const f = await focusInfo(page);
      if (f.tile) return `after ${i + 1} Tab presses, on ${f.id}`;
    }
    throw new Error('60 Tab presses never reached a tile');
  });
  await check('keyboard: arrows / j / k / Home / End move between tiles', async () => {
    const a = await focusInfo(page);
    const b = await pressOnTile(page, 'ArrowRight', Number(a.index) + 1);
    assert(b.tile && Number(b.index) === Number(a.index) + 1, `ArrowRight: ${a.index} -> ${b.index}`);
    const c = await pressOnTile(page, 'k', Number(a.index));
    assert(Number(c.index) === Number(a.index), `k: -> ${c.index}`);
    const d = await pressOnTile(page, 'End', services.length - 1);
    assert(Number(d.index) === services.length - 1, `End: -> ${d.index}`);
    const e = await pressOnTile(page, 'Home', 0);
    assert(Number(e.index) === 0, `Home: -> ${e.index}`);
  });
  let openedId = null;
  await check('keyboard: Enter opens the service drawer with focus inside', async () => {
    openedId = (await focusInfo(page)).id;
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="service-drawer"] [role="dialog"]');
    const f = await focusInfo(page);
    assert(f.inDialog, 'focus is not inside the drawer');
    return openedId;
  });
  await check('drawer: shows status, SLA figures, dependencies, events, reports and alert log', async () => {
    const d = page.locator('[data-testid="service-drawer"]');
    for (const h of ['Uptime SLA', 'Depends on', 'Impacts when down', 'Recent events', 'Incident reports', 'Alert log']) {
      await d.getByRole('heading', { name: h }).waitFor({ timeout: 10000 });
    }
    await page.waitForFunction(() => !document.querySelector('[data-testid="service-drawer"] .skeleton'), null, { timeout: 10000 });
  });
  await check('drawer: Tab keeps focus inside (focus trap)', async () => {
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press('Tab');
      const f = await focusInfo(page);
      assert(f.inDialog, `focus left the drawer after ${i + 1} Tabs (${f.tag})`);
    }
  });
  await page.waitForTimeout(700);
  await shot(page, 'drawer.png');
  await axeCheck(page, 'service drawer');
  await check('keyboard: Esc closes the drawer and returns focus to the tile', async () => {
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="service-drawer"]', { state: 'detached' });
    const f = await focusInfo(page);
    assert(f.tile && f.id === openedId, `focus on ${f.tag} ${f.id}`);
  });

  // -- dependency graph
  await check('keyboard: g opens the dependency graph with focus inside', async () => {
    await page.keyboard.press('g');
    await page.waitForSelector('[data-testid="dependency-graph"] [role="dialog"]');
    await page.waitForSelector('[data-testid="dependency-graph"] [data-node]', { timeout: 10000 });
    const f = await focusInfo(page);
    assert(f.inDialog, 'focus not in graph overlay');
    const nodes = await page.locator('[data-node]').count();
    const hot = await page.locator('[data-impacted="true"]').count();
    return `${nodes} nodes, ${hot} impacted edges`;
  });
  await check('graph: impacted paths highlighted when an upstream has an incident', async () => {
    const g = (await getJson('api/services/graph')).body.data;
    const byId = new Map(services.map((s) => [s.id, s]));
    const bad = (id) => {
      const s = byId.get(id);
      return s && (['degraded', 'partial_outage', 'major_outage'].includes(eff(s)) || s.poller_health === 'broken');
    };
    const expectHot = g.links.filter((l) => bad(l.source));
    for (const l of expectHot) {
      const v = await page.locator(`[data-edge="${l.source}\u2192${l.target}"]`).getAttribute('data-impacted');
      assert(v === 'true', `edge ${l.source}→${l.target} not highlighted`);
    }
    return `${expectHot.length} edges checked`;
  });
  await check('graph: Enter on a node opens its drawer above the graph', async () => {
    await page.locator('[data-node]').first().focus();
    const before = await focusInfo(page);
    const nodeFocused = await page.evaluate(() => document.activeElement?.getAttribute('data-node'));
    await page.keyboard.press('Enter');
    try {
      await page.waitForSelector('[data-testid="service-drawer"] [role="dialog"]', { timeout: 4000 });
    } catch (e) {
      await shot(page, 'debug-graph-enter.png');
      throw new Error(`no drawer; focus before Enter ${JSON.stringify(before)} node=${nodeFocused}; after ${JSON.stringify(await focusInfo(page))}`);
    }
    await page.keyboard.press('Escape');
    try {
      await page.waitForSelector('[data-testid="service-drawer"]', { state: 'detached', timeout: 4000 });
    } catch {
      const st = await page.evaluate(() => ({
        drawer: !!document.querySelector('[data-testid="service-drawer"]'),
        graph: !!document.querySelector('[data-testid="dependency-graph"]'),
      }));
      throw new Error(`Esc did not close the drawer: ${JSON.stringify(st)} focus ${JSON.stringify(await focusInfo(page))}`);
    }
    const f = await focusInfo(page);
    assert(f.inDialog, 'focus did not return into the graph');
  });
  await page.waitForTimeout(400);
  await shot(page, 'graph.png');
  await axeCheck(page, 'dependency graph');
  await check('keyboard: Esc closes the graph and returns focus', async () => {
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="dependency-graph"]', { state: 'detached' });
    const f = await focusInfo(page);
    assert(!f.inDialog && f.tag !== 'BODY', `focus on ${f.tag}`);
  });

  // -- shortcut sheet
  await check('keyboard: ? opens the shortcut sheet, Esc closes it', async () => {
    await page.keyboard.press('?');
    await page.waitForSelector('[data-testid="shortcuts-dialog"]');
    await shot(page, 'shortcuts.png');
    await axeCheck(page, 'shortcut sheet');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="shortcuts-dialog"]', { state: 'detached' });
  });

  // -- executive and SLO views
  await check('executive view renders (big status, KPIs, trend, impacts)', async () => {
    await page.getByRole('button', { name: 'Executive' }).click();
    await page.waitForSelector('[data-testid="executive-view"] .kpi');
    await page.waitForFunction(() => document.querySelector('.exec-trend canvas') || /collecting data|No uptime history/.test(document.querySelector('.exec-trend')?.textContent || ''), null, { timeout: 10000 });
    const headline = await page.locator('#exec-headline').textContent();
    return headline?.trim();
  });
  await page.waitForTimeout(500);
  await shot(page, 'executive.png');
  await axeCheck(page, 'executive view');
  await check('SLO view renders (gauges and burn state)', async () => {
    await page.keyboard.press('3');
    await page.waitForSelector('[data-testid="slo-view"]');
    await page.waitForFunction(() => document.querySelector('.slo-card') || /No services/.test(document.querySelector('[data-testid="slo-view"]')?.textContent || ''));
    return `${await page.locator('.slo-card').count()} cards`;
  });
  await shot(page, 'slo.png');
  await axeCheck(page, 'SLO view');
  await check('view toggle persists across reload', async () => {
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.waitForSelector('[data-testid="slo-view"]');
    await page.keyboard.press('1');
    await page.waitForSelector('.tile[data-service-id]');
  });
  await truth.coverage(H);

  // -- reduced motion
  await check('prefers-reduced-motion disables animation', async () => {
    const anim = await page.evaluate(() => {
      const el = document.querySelector('.pulse, .dot-live, .skeleton-line');
      return el ? getComputedStyle(el).animationName : 'none';
    });
    assert(anim === 'none', `animation ${anim}`);
  });

  // -- PWA
  await check('PWA: manifest, icons, and sw.js served with no-store', async () => {
    const m = await getJson('manifest.webmanifest');
    assert(m.status === 200 && Array.isArray(m.body.icons) && m.body.icons.length >= 3, 'manifest missing or without icons');
    for (const ic of m.body.icons) {
      const r = await fetch(new URL(ic.src.replace(/^\//, ''), base));
      assert(r.ok, `${ic.src}: HTTP ${r.status}`);
      assert((r.headers.get('content-type') || '').startsWith('image/'), `${ic.src}: ${r.headers.get('content-type')}`);
    }
    const sw = await fetch(new URL('sw.js', base));
    assert(sw.ok, `sw.js HTTP ${sw.status}`);
    assert((sw.headers.get('content-type') || '').includes('javascript'), `sw.js content-type ${sw.headers.get('content-type')}`);
    assert(/no-store/.test(sw.headers.get('cache-control') || ''), `sw.js cache-control "${sw.headers.get('cache-control')}"`);
  });
  await check('PWA: service worker active and no /api response in any cache', async () => {
    const res = await page.evaluate(async () => {
      if (!('serviceWorker' in navigator)) return { sw: false };
      const reg = await Promise.race([navigator.serviceWorker.ready, new Promise((r) => setTimeout(() => r(null), 10000))]);
      await fetch('/api/summary', { cache: 'no-store' });
      const bad = [];
      for (const k of await caches.keys()) {
        const c = await caches.open(k);
        for (const req of await c.keys()) if (new URL(req.url).pathname.startsWith('/api/')) bad.push(req.url);
      }
      return { sw: !!reg?.active, bad };
    });
    assert(res.sw, 'no active service worker');
    assert(res.bad.length === 0, `API cached: ${res.bad.join(', ')}`);
  });

  // -- live update without reload: swap the service's page at the fake vendor
  // (POST /_control/payload) and wait for the tile to change, no reload.
  if (FAKE) {
    const target = services.find((s) => s.id === LIVE_SERVICE);
    const swap = (file) => swapPayload(LIVE_PATH, file);
    if (!target) notOk('live: status change appears without reload', `service ${LIVE_SERVICE} not found`);
    else if (!LIVE_PATH || !LIVE_PAYLOAD) notOk('live: status change appears without reload', 'E2E_LIVE_PATH / E2E_LIVE_PAYLOAD not set');
    else {
      await page.evaluate(() => (window.__e2eNoReload = true));
      await check('live: status change appears without reload', async () => {
        const r = await swap(LIVE_PAYLOAD);
        assert(r.ok, `fake vendor answered ${r.status}`);
        const t1 = Date.now();
        await waitTile(
          page,
          LIVE_SERVICE,
          ([id, st]) => document.querySelector(`.tile[data-service-id="${id}"]`)?.getAttribute('data-status') === st,
          [LIVE_SERVICE, LIVE_STATUS],
          LIVE_TIMEOUT,
        );
        const ms = Date.now() - t1;
        assert(await page.evaluate(() => window.__e2eNoReload === true), 'the page reloaded');
        const sq = await truth.todaySquare(H, LIVE_SERVICE, LIVE_STATUS);
        return `${LIVE_SERVICE} → ${LIVE_STATUS} in ${ms} ms after the vendor changed; today's square ${sq} ms later`;
      });
      await shot(page, 'live-change.png');
      if (LIVE_RESTORE) await swap(LIVE_RESTORE);
    }
    if (MAINT) await truth.maintenance(H, MAINT, process.env.E2E_MAINT_PATH, process.env.E2E_MAINT_PAYLOAD, process.env.E2E_MAINT_RESTORE);
    if (process.env.E2E_BROKEN_SERVICE)
      await truth.brokenPoller(H, process.env.E2E_BROKEN_SERVICE, process.env.E2E_BROKEN_PATH, process.env.E2E_BROKEN_PAYLOAD, process.env.E2E_BROKEN_RESTORE);
  } else {
    console.log('# skip live: FAKEVENDOR_URL not set (mock run)');
  }
  if (FAKE) await truth.layouts(H);

  // -- narrow screen
  await page.setViewportSize({ width: 420, height: 900 });
  await page.waitForTimeout(300);
  await shot(page, 'engineer-mobile.png');
  await axeCheck(page, 'engineer view (narrow)');

  await check('no uncaught page errors or CSP violations', async () => {
    assert(pageErrors.length === 0, pageErrors.join(' | '));
  });
} catch (e) {
  if (e !== PHASE_DONE) notOk('suite', e instanceof Error ? e.stack : String(e));
} finally {
  await context.close().catch(() => undefined);
  rmSync(profile, { recursive: true, force: true });
}

console.log(`# artifacts in ${ART}`);
if (failures.length) console.log(`# failed: ${failures.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
