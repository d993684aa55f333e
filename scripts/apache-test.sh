#!/bin/bash
# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Runs the Apache-Test suite (t/) against the freshly built module.
# Usage: scripts/apache-test.sh [t/TEST args, e.g. t/login.t -verbose]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
apxs=${APXS:-$(command -v apxs || echo /usr/bin/apxs)}
libexec=$($apxs -q LIBEXECDIR)
# Apache-Test copies these instead of reading /etc/apache2 (TOOLCHAIN.md).
: > t/conf/modules.conf
for m in mpm_event authz_core authz_user authz_host authn_core authn_file auth_basic \
         mime dir alias rewrite env headers socache_shmcb authn_socache auth_form session \
         session_cookie request proxy proxy_http; do
    echo "LoadModule ${m}_module $libexec/mod_$m.so" >> t/conf/modules.conf
done
perl t/TEST -clean >/dev/null 2>&1 || true
set +e
perl t/TEST -apxs "$apxs" ${HTTPD:+-httpd "$HTTPD"} -httpd_conf "$top/t/conf/modules.conf" -port select "$@" 2>&1 | tee t/logs-last-run.txt
rc=$?
set -e
# Apache-Test exits 0 in cases where nothing ran (e.g. its root refusal):
# only a "Result: PASS" with a non-zero test count is a pass.
if [ $rc -eq 0 ]; then
    if ! grep -q '^Result: PASS' t/logs-last-run.txt || ! grep -Eq '^Files=[0-9]+, Tests=[1-9]' t/logs-last-run.txt; then
        echo "apache-test: no test ran (see t/logs-last-run.txt)" >&2
        rc=1
    fi
fi
exit $rc
