// The dashboard tells the truth (issue 15; doc/coverage.md): browser checks
// run by dashboard.mjs against the real daemons on a fresh database.
//
//   fresh  apid and alertd up, pollerd never started: the hero is neutral
//          ("Not Monitoring Yet"), never "All Systems Operational"; the chip
//          is red (pollerd stale per /healthz) and never says Live; the tab
//          title carries it.
//   main   (hooks inside the main run) seconds after the first polls: no
//          percentage anywhere, "collecting data (N s of 24 h)" instead;
//          days before monitoring are grey "no data" squares; the SLO view
//          burns nothing; a live status change paints today's square in the
//          same second as the tile; a vendor in maintenance is blue, not an
//          incident, and listed in the maintenance panel.
//   stale  pollerd stopped: the chip turns amber once the last poll is older
//          than two poll intervals plus a cycle, red with the banner once
//          /healthz calls pollerd stale; the tab title follows.
//
// Each function takes the harness of dashboard.mjs: { page, check, assert,
// getJson, axeCheck, shot, base, services(), swap(path, file), windowed,
// liveService, settled(), sweep(), reveal(id), waitTile(id, pred, arg,
// timeout) }.
//
// windowed (t/web_1k.sh, 1,000 services; dashboard.mjs's header): checks over
// every tile read the tiles of a scroll through the whole grid (sweep), a
// check on one service's tile scrolls to it first (reveal, waitTile), the
// layouts wait for the grid to fill the viewport (settled: it mounts a row a
// frame), the wall screen asks for a full fold instead of every tile above
// it, and the timeline's "not empty" test reads its count as a whole number.

const HERO = '[data-testid="overall-banner"]';
const CHIP = '[data-testid="staleness-chip"]';
const PCT = /\d+(\.\d+)?\s*%/;

/** Text of every element matching sel. */
const texts = (page, sel) => page.$$eval(sel, (els) => els.map((e) => (e.textContent || '').trim()));

export async function fresh(h) {
  const { page, check, assert, getJson, axeCheck, shot, base } = h;
  await page.goto(base, { waitUntil: 'domcontentloaded' });
  await check('truth/fresh: nothing polled -> neutral hero, never "All Systems Operational"', async () => {
    await page.waitForSelector(`${HERO}[data-kind]`);
    await page.waitForFunction((sel) => /Not Monitoring Yet/.test(document.querySelector(sel)?.textContent || ''), HERO, { timeout: 10000 });
    const kind = await page.locator(HERO).getAttribute('data-kind');
    const text = (await page.locator(HERO).textContent()) || '';
    assert(kind === 'blind', `banner kind ${kind}`);
    assert(!/All Systems Operational/.test(text), text);
    return text.trim();
  });
  await check('truth/fresh: no tile shows a percentage or a green day', async () => {
    const badges = await texts(page, '.tile .badge');
    assert(!badges.some((t) => PCT.test(t)), `badges: ${badges.join(' | ')}`);
    const coloured = await page.locator('.tile .day:not(.day-nodata)').count();
    assert(coloured === 0, `${coloured} coloured day squares before any poll`);
  });
  await check('truth/fresh: chip red, stale banner, tab title says so (pollerd never ran)', async () => {
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-level') === 'red', CHIP, { timeout: 12000 });
    const chip = ((await page.locator(CHIP).textContent()) || '').trim();
    assert(!/Live/.test(chip), `chip says "${chip}"`);
    await page.waitForSelector('[data-testid="connection-banner"]', { timeout: 5000 });
    const title = await page.title();
    assert(/Stale/.test(title) && !/All operational/.test(title), `title "${title}"`);
    return `${chip} · "${title}"`;
  });
  await page.getByRole('button', { name: 'Executive' }).click();
  await check('truth/fresh: executive hero neutral, no SLA percentage', async () => {
    await page.waitForSelector('[data-testid="executive-view"] .kpi');
    const hero = page.locator('.exec-hero');
    const kind = await hero.getAttribute('data-kind');
    const text = ((await hero.textContent()) || '').trim();
    assert(kind === 'blind' && !/All Systems Operational/.test(text), `${kind}: ${text}`);
    const kpis = (await texts(page, '.kpi-value')).join(' | ');
    assert(!PCT.test(kpis), `KPIs: ${kpis}`);
    return text;
  });
  await shot(page, 'fresh-executive.png');
  await axeCheck(page, 'executive view (nothing monitored)');
  await page.keyboard.press('1');
}

/** Right after the first polls (seconds of data): no figure is made up. */
export async function coverage(h) {
  const { page, check, assert, getJson, axeCheck, shot, services } = h;
  const polled = services().filter((s) => s.poll_type !== 'manual');
  await check('truth: API gives null plus coverage, not 100 %, after seconds of data', async () => {
    const r = await getJson('api/services/sla');
    const rows = Object.entries(r.body.data.services);
    assert(rows.length === services().length, `${rows.length} rows`);
    for (const [id, s] of rows) {
      assert(s.uptime_30d === null && s.uptime_7d === null, `${id}: uptime ${s.uptime_7d}/${s.uptime_30d}`);
      const c = s.coverage['30d'];
      assert(c.window_seconds === 2592000 && c.tracked_seconds < 259200, `${id}: coverage ${JSON.stringify(c)}`);
    }
    for (const s of polled) assert(r.body.data.services[s.id].monitoring_since, `${s.id}: no monitoring_since`);
    return `e.g. ${JSON.stringify(r.body.data.services[polled[0].id].coverage['30d'])}`;
  });
  await check('truth: tiles say "collecting data", never a percentage', async () => {
    if (h.windowed) {
      // every polled tile, read by a scroll through the grid once the SLA answer is in
      await page.waitForSelector('[data-testid="tile-collecting"]', { timeout: 15000 });
      const all = await h.sweep();
      const collecting = all.filter((t) => t.collecting).length;
      assert(collecting >= polled.length, `${collecting} tiles collecting for ${polled.length} polled services`);
      const badges = all.flatMap((t) => t.badges);
      assert(!badges.some((t) => PCT.test(t)), `badges: ${badges.join(' | ')}`);
      return `${collecting} tiles collecting`;
    }
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="tile-collecting"]').length >= n, polled.length, { timeout: 15000 });
    const badges = await texts(page, '.tile .badge');
    assert(!badges.some((t) => PCT.test(t)), `badges: ${badges.join(' | ')}`);
    return `${await page.locator('[data-testid="tile-collecting"]').count()} tiles collecting`;
  });
  await check('truth: days before monitoring are grey "no data" squares', async () => {
    const id = polled[0].id;
    await h.reveal(id);
    const days = await page.$$eval(`.tile[data-service-id="${id}"] .day`, (els) => els.map((e) => ({ c: e.className, t: e.getAttribute('title') })));
    assert(days.length === 7, `${days.length} squares`);
    const before = days.slice(0, 6);
    assert(before.every((d) => /day-nodata/.test(d.c) && /No data/.test(d.t)), `earlier days: ${JSON.stringify(before)}`);
    assert(!/day-nodata/.test(days[6].c), `today: ${days[6].c}`);
    return `${id}: ${days[0].t} … ${days[6].t}`;
  });
  const target = polled[0].id;
  await check('truth: drawer SLA cards read "collecting data (… of 24 h)"; monitoring start shown', async () => {
    await h.reveal(target);
    await page.locator(`.tile[data-service-id="${target}"]`).click();
    const d = page.locator('[data-testid="service-drawer"]');
    await d.locator('.sla-v').first().waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="service-drawer"] .sla-v')].every((e) => /collecting data/.test(e.textContent || '')), null, { timeout: 10000 });
    const cards = await texts(page, '[data-testid="service-drawer"] .sla-card');
    assert(cards.some((t) => /24h\s*collecting data \(\d+ (s|min) of 24 h\)/.test(t)), cards.join(' | '));
    assert(cards.some((t) => /30d\s*collecting data \(\d+ (s|min) of 30 d\)/.test(t)), cards.join(' | '));
    assert(!cards.some((t) => PCT.test(t)), cards.join(' | '));
    const since = ((await d.locator('[data-testid="monitoring-since"]').textContent()) || '').trim();
    assert(/Monitoring since .*20\d\d.*UTC/.test(since), since);
    return cards.join(' | ');
  });
  await shot(page, 'drawer-collecting.png');
  await check('truth: the drawer scrolls by keyboard and adds no second banner landmark', async () => {
    const r = await page.evaluate(() => {
      const body = document.querySelector('[data-testid="service-drawer"] .drawer-body');
      const banners = [...document.querySelectorAll('header, [role="banner"]')].filter((e) => !e.closest('main, section, article, aside, nav') || e.getAttribute('role') === 'banner');
      return { tab: body?.tabIndex, banners: banners.length };
    });
    assert(r.tab === 0, `drawer body tabIndex ${r.tab}`);
    assert(r.banners === 1, `${r.banners} banner landmarks with the drawer open`);
    await page.setViewportSize({ width: 1680, height: 480 }); // short enough that the drawer must scroll
    await page.waitForFunction(() => {
      const b = document.querySelector('[data-testid="service-drawer"] .drawer-body');
      return b && b.scrollHeight > b.clientHeight + 50;
    }, null, { timeout: 10000 });
    await page.focus('[data-testid="service-drawer"] .drawer-body');
    const before = await page.evaluate(() => document.querySelector('[data-testid="service-drawer"] .drawer-body').scrollTop);
    await page.keyboard.press('PageDown');
    await page
      .waitForFunction((b0) => document.querySelector('[data-testid="service-drawer"] .drawer-body').scrollTop > b0, before, { timeout: 3000 })
      .catch(() => undefined);
    const after = await page.evaluate(() => document.querySelector('[data-testid="service-drawer"] .drawer-body').scrollTop);
    await page.setViewportSize({ width: 1680, height: 1050 });
    assert(after > before, `PageDown did not scroll (${before} -> ${after})`);
    return `scrolled ${before} -> ${after}`;
  });
  await check('truth: the URL names the view and the open service; a copied link opens them', async () => {
    const u = new URL(page.url());
    assert(u.searchParams.get('service') === target && u.searchParams.get('view') === 'engineer', page.url());
    await page.goto(u.href, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('[data-testid="service-drawer"] [role="dialog"]');
    const title = ((await page.locator('#drawer-title').textContent()) || '').trim();
    const name = services().find((s) => s.id === target)?.display_name;
    assert(title === name, `drawer shows "${title}", expected "${name}"`);
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !new URL(location.href).searchParams.has('service'));
    return u.search;
  });
  await page.getByRole('button', { name: 'Executive' }).click();
  await check('truth: executive SLA reads "collecting data", no degraded days', async () => {
    await page.waitForSelector('[data-testid="executive-view"] .kpi');
    const kpis = (await texts(page, '.kpi')).join(' | ');
    assert(/SLA \(30d\).*collecting data \(\d+ (s|min) of 30 d\)/.test(kpis), kpis);
    assert(!/bps/.test(kpis), kpis);
    const trend = (await page.locator('.exec-trend').textContent()) || '';
    assert(!/\d+ degraded days?/.test(trend), trend);
    return kpis.slice(0, 160);
  });
  await page.keyboard.press('3');
  await check('truth: SLO view burns nothing and shows no budget percentage without data', async () => {
    await page.waitForSelector('.slo-card');
    const cards = await texts(page, '.slo-card');
    assert(!cards.some((t) => /Burning/.test(t)), cards.filter((t) => /Burning/.test(t)).join(' | '));
    const gauges = await texts(page, '.gauge-num');
    assert(gauges.every((t) => t === '—'), `gauges: ${gauges.join(' ')}`);
    assert(cards.every((t) => /collecting data|no data/.test(t)), cards.join(' | '));
    return cards[0];
  });
  await axeCheck(page, 'SLO view (collecting data)');
  await page.keyboard.press('1');
  await page.waitForSelector('.tile[data-service-id]');
  await check('truth: the timeline shows the baselines as "monitoring started"', async () => {
    const tl = page.locator('.timeline');
    const head = tl.locator('.cluster-head').first();
    if ((await head.count()) && (await head.getAttribute('aria-expanded')) === 'false') await head.click();
    await page.waitForFunction(() => /monitoring started: is Operational/.test(document.querySelector('.timeline')?.textContent || ''), null, { timeout: 10000 });
    const t = ((await tl.textContent()) || '').trim();
    // a whole number: "0 events" alone also matches "10 events" or "100 events"
    const empty = /No events yet|\b0 events/;
    assert(!empty.test(t), t.slice(0, 200));
    return t.slice(0, 160);
  });
}

/** A vendor page turning unreadable: the poller breaks, then recovers; both are timeline entries. */
export async function brokenPoller(h, id, path, bad, good) {
  const { page, check, assert, swap } = h;
  await check('truth: a broken poller and its recovery appear in the timeline', async () => {
    const r = await swap(path, bad);
    assert(r.ok, `fake vendor answered ${r.status}`);
    await h.waitTile(id, (sid) => document.querySelector(`.tile[data-service-id="${sid}"]`)?.classList.contains('tile-broken'), id, 20000);
    const entry = () =>
      page.$$eval('.timeline .ev[data-kind="health"]', (els) => els.map((e) => (e.textContent || '').replace(/\s+/g, ' ').trim()));
    const openAll = async () => {
      for (const b of await page.locator('.timeline .cluster-head[aria-expanded="false"]').all()) await b.click();
    };
    const t0 = Date.now();
    for (;;) {
      await openAll();
      if ((await entry()).some((t) => /poller broken/.test(t))) break;
      assert(Date.now() - t0 < 10000, `no broken entry: ${(await entry()).join(' | ')}`);
      await page.waitForTimeout(300);
    }
    await swap(path, good);
    await h.waitTile(id, (sid) => !document.querySelector(`.tile[data-service-id="${sid}"]`)?.classList.contains('tile-broken'), id, 20000);
    const t1 = Date.now();
    for (;;) {
      await openAll();
      if ((await entry()).some((t) => /poller recovered/.test(t))) break;
      assert(Date.now() - t1 < 10000, `no recovery entry: ${(await entry()).join(' | ')}`);
      await page.waitForTimeout(300);
    }
    return (await entry()).join(' | ');
  });
}

/** Right after the live tile changed: today's square agrees within the same
 * second (timed inside the page, so the harness's own latency does not count). */
export async function todaySquare(h, id, status) {
  const { page, assert } = h;
  const waited = await page.evaluate(
    ([sid, st]) =>
      new Promise((done) => {
        const t0 = performance.now();
        const ok = () => {
          const days = document.querySelectorAll(`.tile[data-service-id="${sid}"] .day`);
          return days.length > 0 && days[days.length - 1].classList.contains(`day-${st}`);
        };
        const tick = () => {
          const dt = performance.now() - t0;
          if (ok()) done(Math.round(dt));
          else if (dt > 1000) done(-1);
          else setTimeout(tick, 20);
        };
        tick();
      }),
    [id, status],
  );
  assert(waited >= 0, "today's square did not follow the tile within a second");
  return waited;
}

/** A vendor announcing maintenance: its own state, not an incident. */
export async function maintenance(h, id, path, payload, restore) {
  const { page, check, assert, swap, axeCheck, shot } = h;
  await check('truth: maintenance is blue and not an incident', async () => {
    const r = await swap(path, payload);
    assert(r.ok, `fake vendor answered ${r.status}`);
    await h.waitTile(id, (sid) => !!document.querySelector(`.tile-in-maint[data-service-id="${sid}"]`), id, 15000);
    // the live check's vendor may still be recovering (two polls): wait for it
    await page
      .waitForFunction((sel) => !/^\d+ Active Incident/.test((document.querySelector(sel)?.textContent || '').trim()), HERO, { timeout: 15000 })
      .catch(() => undefined);
    const hero = ((await page.locator(HERO).textContent()) || '').trim();
    assert(!/^\d+ Active Incident/.test(hero), hero);
    assert(/in planned maintenance/.test(hero), hero);
    const cards = await page.locator(`.incident-card`).count();
    assert(cards === 0, `${cards} incident cards`);
    const title = await page.title();
    assert(!/\(\d+\)/.test(title), `title "${title}"`);
    return hero;
  });
  await check('truth: maintenance panel lists the service with in-progress windows apart', async () => {
    const panel = page.locator('[data-testid="maintenance-panel"]');
    await panel.waitFor({ timeout: 5000 });
    const t = ((await panel.textContent()) || '').trim();
    assert(/in maintenance now/.test(t), t);
    return t;
  });
  await shot(page, 'maintenance.png');
  await axeCheck(page, 'engineer view (maintenance)');
  await page.getByRole('button', { name: 'Executive' }).click();
  await check('truth: executive hero is not an alarm for maintenance', async () => {
    await page.waitForSelector('.exec-hero');
    const cls = (await page.locator('.exec-hero').getAttribute('class')) || '';
    const text = ((await page.locator('.exec-hero').textContent()) || '').trim();
    const head = ((await page.locator('#exec-headline').textContent()) || '').trim();
    assert(!/exec-hero-alarm/.test(cls) && !/^(\d+ )?Active Incidents?$/.test(head), `${cls}: ${text}`);
    return text;
  });
  await page.keyboard.press('3');
  await check('truth: SLO card of the vendor in maintenance does not burn', async () => {
    await page.waitForSelector(`.slo-card[data-service-id="${id}"]`);
    await page.waitForFunction((sid) => document.querySelector(`.slo-card[data-service-id="${sid}"]`)?.classList.contains('slo-maint'), id, { timeout: 15000 });
    const t = ((await page.locator(`.slo-card[data-service-id="${id}"]`).textContent()) || '').trim();
    assert(!/Burning/.test(t), t);
    return t;
  });
  await page.keyboard.press('1');
  if (restore) await swap(path, restore);
}

/** pollerd stopped: amber after two intervals plus a cycle, red when /healthz says so. */
export async function stale(h) {
  const { page, check, assert, getJson, axeCheck, shot, base } = h;
  await page.goto(base, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('.tile[data-service-id]');
  const health = (await getJson('api/health')).body;
  const late = health.poll_late_after_seconds;
  // Stop pollerd only now, so a slow browser start cannot eat the amber window.
  const pid = Number(process.env.E2E_POLLERD_PID || 0);
  await check('truth/stale: chip amber once the last poll is late, before /healthz gives up', async () => {
    assert(pid > 0, 'E2E_POLLERD_PID not set');
    process.kill(pid, 'SIGTERM');
    const t0 = Date.now();
    assert(typeof late === 'number' && late > 0, `poll_late_after_seconds ${late}`);
    await page
      .waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-level') === 'amber', CHIP, { timeout: (late + 12) * 1000 })
      .catch(async (e) => {
        const chip = await page.locator(CHIP).textContent();
        const hz = await fetch(new URL('api/health', base)).then((r) => r.json());
        throw new Error(`${e.message}; chip "${chip}", health ${JSON.stringify({ p: hz.pollerd_stale, age: hz.poll_age_seconds, d: hz.daemons?.pollerd })}`);
      });
    const chip = ((await page.locator(CHIP).textContent()) || '').trim();
    assert(!/Live/.test(chip), `chip "${chip}"`);
    const title = await page.title();
    assert(/late/i.test(title), `title "${title}"`);
    const hz = await fetch(new URL('healthz', base));
    assert(hz.status === 200, 'amber came only after /healthz gave up');
    return `${chip} ${Math.round((Date.now() - t0) / 100) / 10} s after pollerd stopped · "${title}" (late after ${late} s)`;
  });
  await shot(page, 'stale-amber.png');
  await check('truth/stale: red with the banner once /healthz calls pollerd stale', async () => {
    // wait for the server's verdict first, then give the page one health poll
    const t0 = Date.now();
    for (;;) {
      const r = await fetch(new URL('healthz', base));
      const b = await r.json();
      if (r.status === 503 && (b.stale || []).includes('pollerd')) break;
      assert(Date.now() - t0 < 60000, '/healthz never called pollerd stale');
      await new Promise((res) => setTimeout(res, 500));
    }
    const t1 = Date.now();
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-level') === 'red', CHIP, { timeout: 8000 });
    await page.waitForSelector('[data-testid="connection-banner"]', { timeout: 2000 });
    const chip = ((await page.locator(CHIP).textContent()) || '').trim();
    assert(!/Live/.test(chip), `chip "${chip}"`);
    const title = await page.title();
    assert(/Stale/.test(title), `title "${title}"`);
    return `${chip} ${Date.now() - t1} ms after /healthz said 503 · "${title}"`;
  });
  await shot(page, 'stale-red.png');
  await axeCheck(page, 'engineer view (stale)');
}

/** A 390 px phone and a 1920x1080 wall screen in compact mode. */
export async function layouts(h) {
  const { page, check, assert, axeCheck, shot, base } = h;
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(base + '?view=engineer', { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('.tile[data-service-id]');
  await h.settled();
  await check('truth: phone (390 px): header one opaque row of at most 64 px, names whole, labels inside tiles', async () => {
    const r = await page.evaluate(() => {
      const hd = document.querySelector('.topbar');
      const bg = getComputedStyle(hd).backgroundColor;
      const cut = [...document.querySelectorAll('.tile-name')].filter((n) => n.scrollWidth > n.clientWidth + 1 || n.scrollHeight > n.clientHeight + 1).map((n) => n.textContent);
      const out = [];
      for (const t of document.querySelectorAll('.tile')) {
        const b = t.getBoundingClientRect();
        for (const l of t.querySelectorAll('.tile-label, .tile-maint, .badge')) {
          const lb = l.getBoundingClientRect();
          if (lb.width && (lb.right > b.right + 0.5 || lb.left < b.left - 0.5)) out.push(`${t.dataset.serviceId}: ${l.textContent}`);
        }
      }
      return { height: hd.getBoundingClientRect().height, bg, cut, out };
    });
    assert(r.height <= 64, `header ${r.height} px`);
    assert(/^rgb\(/.test(r.bg), `header background ${r.bg} is not opaque`);
    assert(r.cut.length === 0, `names cut: ${r.cut.join(', ')}`);
    assert(r.out.length === 0, `labels outside their tile: ${r.out.join(' | ')}`);
    return `header ${Math.round(r.height)} px, ${r.bg}`;
  });
  await shot(page, 'phone-390.png');
  await axeCheck(page, 'engineer view (phone)');
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto(base + '?view=engineer&compact=1', { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('.tile[data-service-id]');
  await h.settled();
  // 1,000 services cannot all be above the fold: the windowed run asks for a full one.
  const wall = h.windowed ? 'a full fold (at least 32 tiles above it)' : 'every tile above the fold';
  await check(`truth: wall screen (1920x1080, compact): ${wall}, room for 32`, async () => {
    const r = await page.evaluate(() => {
      const tiles = [...document.querySelectorAll('.tile')];
      const above = tiles.filter((t) => t.getBoundingClientRect().bottom <= innerHeight).length;
      const th = Math.max(...tiles.map((t) => t.getBoundingClientRect().height));
      const tw = Math.max(...tiles.map((t) => t.getBoundingClientRect().width));
      const grid = document.querySelector('.grid').getBoundingClientRect();
      return { above, n: tiles.length, th, tw, gridW: grid.width, top: grid.top, compact: document.documentElement.classList.contains('compact') };
    });
    assert(r.compact, 'compact class not applied');
    if (h.windowed) assert(r.above >= 32, `${r.above} tiles above the fold`);
    else assert(r.above === r.n, `${r.above} of ${r.n} tiles above the fold`);
    assert(r.th <= 64, `tiles ${r.th} px tall`);
    // 32 services: the rows of tiles that fit below where the grid starts
    const perRow = Math.max(1, Math.floor(r.gridW / (r.tw + 4)));
    const rows = Math.floor((1080 - r.top) / (r.th + 4 + 30 / 2)); // a category head per two rows
    assert(perRow * rows >= 32, `room for ${perRow * rows} tiles (${perRow} x ${rows})`);
    return `${r.n} tiles above the fold, ${Math.round(r.th)} px tall; room for about ${perRow * rows}`;
  });
  await shot(page, 'wall-compact.png');
  await page.goto(base + '?view=engineer&compact=0', { waitUntil: 'domcontentloaded' });
  await page.setViewportSize({ width: 1680, height: 1050 });
  await page.waitForSelector('.tile[data-service-id]');
  await check('truth: day squares are not colour alone and still show in forced-colours mode', async () => {
    // the live check's service has today's bad square: on a windowed grid, bring its tile in
    await h.reveal(h.liveService);
    await page.emulateMedia({ forcedColors: 'active' });
    try {
      const r = await page.evaluate(() => {
        const days = [...document.querySelectorAll('.tile .day')];
        const seen = days.filter((d) => !d.classList.contains('day-nodata'));
        const h = (sel) => days.filter((d) => d.classList.contains(sel)).map((d) => d.getBoundingClientRect().height);
        return {
          invisible: seen.filter((d) => ['transparent', 'rgba(0, 0, 0, 0)'].includes(getComputedStyle(d).backgroundColor)).length,
          seen: seen.length,
          op: h('day-operational'),
          bad: [...h('day-degraded'), ...h('day-partial_outage'), ...h('day-major_outage')],
        };
      });
      assert(r.seen > 0 && r.invisible === 0, `${r.invisible} of ${r.seen} seen squares lost their fill`);
      assert(r.bad.length > 0, 'no bad day to compare (the live check should have made one)');
      assert(Math.max(...r.bad) < Math.min(...r.op), `bad days ${r.bad} not shorter than good ones ${r.op}`);
      return `${r.seen} squares filled; bad days ${Math.max(...r.bad)} px vs ${Math.min(...r.op)} px`;
    } finally {
      await page.emulateMedia({ forcedColors: 'none' });
    }
  });
}
