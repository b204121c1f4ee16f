// Generates src/api/openapi.d.ts, the dashboard's API types, with
// openapi-typescript from the one copy of the contract, apid/openapi.json
// (doc/design.md#api-contract). `npm run build` runs it first: the file is
// rewritten only when its text changes. It is committed, like src/lib/vocab.ts,
// so that `tsc` and an editor work without running this.
//   node scripts/gen-api.mjs                 write src/api/openapi.d.ts
//   node scripts/gen-api.mjs --check [DOC]   exit 1, saying so, when the
//       committed file is not what DOC (default apid/openapi.json) generates
//       (test/openapi.test.ts runs it on the real and on a doctored document)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(web, 'src', 'api', 'openapi.d.ts');
const args = process.argv.slice(2);
const check = args[0] === '--check';
const source = (check ? args[1] : args[0]) ?? join(web, '..', 'apid', 'openapi.json');

const HEADER = `// Generated from apid/openapi.json by scripts/gen-api.mjs (openapi-typescript);
// \`npm run build\` rewrites it: do not edit. src/api/types.ts says how the UI uses it.

`;
const text = HEADER + astToString(await openapiTS(JSON.parse(readFileSync(source, 'utf8'))));
let have = null;
try {
  have = readFileSync(target, 'utf8');
} catch {
  // absent: written below, or stale for --check
}
if (check) {
  if (have !== text) {
    console.error(`${target} is not what ${source} generates: run npm run build (or node scripts/gen-api.mjs)`);
    process.exit(1);
  }
} else if (have !== text) {
  writeFileSync(target, text);
  console.log('gen-api: wrote src/api/openapi.d.ts');
}
