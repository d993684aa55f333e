#!/bin/bash
# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Runs the demo in the foreground: PBX simulator + httpd with mod_pbxdial +
# the demo CRM page. Ctrl-C stops everything. State lives in ./run/demo.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
run="$top/run/demo"
trap '"$top/scripts/stack.sh" stop "$run"; echo; echo "demo stopped"; exit 0' INT TERM
"$top/scripts/stack.sh" start "$run"
. "$run/stack.env"
cat <<TXT

  mod_pbxdial demo is running.

  CRM page:         $PBXDIAL_URL   (same-origin mode)
                    $PBXDIAL_COOKIE_URL   (the same, in the PBX's cookie mode)
  logins:           alice / alice  (extension 40)
                    bob / bob      (extension 41)
  simulated phones: ${PBXDIAL_SIM_URL}/phones   (also linked from the page)
  logs:             $run/logs/error_log, $run/logs/access_log

  Log in, click Call next to a contact: extension 40's phone on the
  simulator page rings and dials the number; Cancel hangs up.
  Press Ctrl-C to stop.

TXT
while :; do
    sleep 1
    if [ ! -f "$run/logs/httpd.pid" ] || ! kill -0 "$(cat "$run/sim.pid" 2>/dev/null)" 2>/dev/null; then
        echo "demo: a process stopped; see $run/logs/" >&2
        "$top/scripts/stack.sh" stop "$run"
        exit 1
    fi
done
