// @vitest-environment node
// src/api/openapi.d.ts is committed generated output (scripts/gen-api.mjs):
// it must be what apid/openapi.json generates now, and the check must notice
// a document it was not generated from.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const web = join(__dirname, '..');
const check = (doc?: string) => {
  try {
    execFileSync(process.execPath, ['scripts/gen-api.mjs', '--check', ...(doc ? [doc] : [])], { cwd: web, stdio: 'pipe' });
    return 'current';
  } catch (e) {
    return String((e as { stderr?: Buffer }).stderr);
  }
};

describe('src/api/openapi.d.ts', () => {
  it('is what apid/openapi.json generates', () => {
    expect(check()).toBe('current');
  }, 60000);
  it('is found stale when the contract changes', () => {
    const doc = JSON.parse(readFileSync(join(web, '..', 'apid', 'openapi.json'), 'utf8'));
    doc.components.schemas.Delivery.properties.state.enum.push('gave_up');
    const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
    try {
      writeFileSync(join(dir, 'doctored.json'), JSON.stringify(doc));
      expect(check(join(dir, 'doctored.json'))).toContain('is not what');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);
});
