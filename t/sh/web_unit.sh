#!/usr/bin/env bash
# web_unit.sh: the dashboard's Vitest unit tests and its bundle-size budget
# (production bundle <= 150 KB gzipped), run from t/run like every other test.
set -eu
cd "$ITSTATUS_ROOT/web"
npx vitest run
node scripts/size.mjs
