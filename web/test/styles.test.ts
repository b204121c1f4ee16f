// The stylesheet is parsed the way the build minifies it (esbuild, vite's own
// CSS minifier), and any warning fails. A lost closing brace is only a
// warning to the build, yet it moves every later rule inside the block it
// failed to close: a merge once left the forced-colours block open, and the
// filter bar's styles applied only in forced-colours mode.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { transform } from 'esbuild';
import { describe, expect, it } from 'vitest';

const css = readFileSync(join(__dirname, '..', 'src', 'styles.css'), 'utf8');

describe('styles.css', () => {
  it('parses without a warning', async () => {
    const out = await transform(css, { loader: 'css', minify: true });
    expect(out.warnings.map((w) => `${w.location?.line}: ${w.text}`)).toEqual([]);
  });
});
