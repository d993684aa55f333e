#!/bin/bash
# Browser tests: the demo stack on free loopback ports, Debian's chromium
# driven by playwright-core (e2e/), then everything is stopped again.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
run="$top/run/e2e"
export PBXDIAL_PORT=0 PBXDIAL_COOKIE_PORT=0 PBXDIAL_SIM_PORT=0 PBXDIAL_SIM_TLS_PORT=0
"$top/scripts/stack.sh" start "$run"
trap '"$top/scripts/stack.sh" stop "$run"' EXIT
. "$run/stack.env"
# the cookie mode (browser logs in to the PBX) and the same-origin mode
export PBXDIAL_E2E_URL=$PBXDIAL_COOKIE_URL PBXDIAL_E2E_SO_URL=$PBXDIAL_URL PBXDIAL_SIM_URL
export PBXDIAL_E2E_USER=alice PBXDIAL_E2E_PASS=alice PBXDIAL_E2E_EXT=40@example.com
export PBXDIAL_E2E_OUT="$run/screenshots"
rm -rf "$PBXDIAL_E2E_OUT"
cd "$top/e2e"
set +e
node --test --test-reporter=tap "$@" *.test.mjs
rc=$?
set -e
echo "e2e: screenshots in $PBXDIAL_E2E_OUT; logs in $run/logs"
exit $rc
