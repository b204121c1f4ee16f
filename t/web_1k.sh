#!/usr/bin/env bash
# web_1k.sh: the full dashboard suite of t/web.sh (web/e2e/dashboard.mjs and
# web/e2e/truth-checks.mjs) at 1,000 services:
# the example registry plus 990 generated Statuspage services, so the grid is
# windowed and every check that looks at tiles scrolls to them
# (doc/scale.md#browser-tests says what the 1,000 run checks instead where
# a check is about the small registry, and why the fresh and stale phases run
# only in t/web.sh). t/web_scale.sh keeps the checks only a large registry
# has (search, filters, collapsed incident cards).
WEB_N=1000 exec bash "$ITSTATUS_ROOT/t/web.sh"
