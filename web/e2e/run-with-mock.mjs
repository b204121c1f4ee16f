#!/usr/bin/env node
// Runs e2e/dashboard.mjs against e2e/mock-api.mjs (serving web/dist) on a
// free loopback port: `npm run e2e:mock` (build first). The mock's control
// endpoints stand in for the fake vendor, so the live-update check runs too.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const mock = spawn(process.execPath, [join(here, 'mock-api.mjs'), '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((ok, fail) => {
  const t = setTimeout(() => fail(new Error('mock-api did not start')), 10000);
  let buf = '';
  mock.stdout.on('data', (d) => {
    buf += d;
    const m = buf.match(/listening on (http:\/\/[^\s]+)/);
    if (m) {
      clearTimeout(t);
      ok(m[1]);
    }
  });
  mock.on('exit', (c) => fail(new Error('mock-api exited ' + c)));
});
// The live check swaps a Statuspage page the way t/web.sh does with fakevendor.
const pages = mkdtempSync(join(tmpdir(), 'itstatus-mock-pages-'));
const page = (indicator, description) =>
  JSON.stringify({ page: { name: 'Discord' }, status: { indicator, description }, components: [], incidents: [] });
writeFileSync(join(pages, 'major.json'), page('critical', 'Major System Outage'));
writeFileSync(join(pages, 'ok.json'), page('none', 'All Systems Operational'));
const child = spawn(process.execPath, [join(here, 'dashboard.mjs')], {
  stdio: 'inherit',
  env: {
    ...process.env,
    ITSTATUS_URL: url + '/',
    FAKEVENDOR_URL: process.env.FAKEVENDOR_URL ?? url,
    E2E_LIVE_PATH: '/sp/discord.json',
    E2E_LIVE_PAYLOAD: join(pages, 'major.json'),
    E2E_LIVE_RESTORE: join(pages, 'ok.json'),
    E2E_LIVE_TIMEOUT_S: process.env.E2E_LIVE_TIMEOUT_S ?? '20',
  },
});
const code = await new Promise((ok) => child.on('exit', (c) => ok(c ?? 1)));
mock.kill('SIGTERM');
process.exit(code);
