#!/bin/sh
# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# The layer rule of src/README.md, read from the #include lines:
#   core   APR, jansson, PCRE2, OpenSSL and other core headers only
#   pbx    core, libcurl and its own headers; no httpd header, no request_rec
#   httpd  anything
# Prints one "ok"/"not ok" line per file and rule, then "N passed, N failed".
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
passed=0 failed=0
httpd_hdr='^#[[:space:]]*include[[:space:]]*<(httpd|http_[a-z_]+|ap_[a-z_]+|util_[a-z_]+|mod_[a-z_]+|mpm_common|scoreboard|apr_optional_hooks)\.h>'
curl_hdr='^#[[:space:]]*include[[:space:]]*<curl/'

# rule FILE DESCRIPTION COMMAND...: the command must find nothing
rule() {
    f=$1 what=$2; shift 2
    found=$("$@" "$f")
    if [ -z "$found" ]; then
        passed=$((passed + 1)); echo "ok - $f: $what"
    else
        failed=$((failed + 1)); echo "not ok - $f: $what"; echo "$found" | sed 's/^/#   /'
    fi
}
bad_local() { grep -nE '^#[[:space:]]*include[[:space:]]*"' "$2" | grep -vE "#[[:space:]]*include[[:space:]]*\"($1)/[a-z0-9_]+\.h\""; }
core_local() { bad_local core "$1"; }
pbx_local() { bad_local 'core|pbx' "$1"; }
httpd_local() { bad_local 'core|pbx|httpd' "$1"; }

n=0
for f in src/core/*.[ch]; do
    n=$((n + 1))
    rule "$f" "no httpd header" grep -nE "$httpd_hdr"
    rule "$f" "no curl header" grep -nE "$curl_hdr"
    rule "$f" "includes only core/ headers" core_local
done
for f in src/pbx/*.[ch]; do
    n=$((n + 1))
    rule "$f" "no httpd header" grep -nE "$httpd_hdr"
    rule "$f" "no request_rec or server_rec" grep -nE '(request_rec|server_rec|conn_rec)[[:space:]]*\*'
    rule "$f" "includes only core/ and pbx/ headers" pbx_local
done
for f in src/httpd/*.[ch] mod_pbxdial.c; do
    n=$((n + 1))
    rule "$f" "includes only layer-qualified headers" httpd_local
done
# a file outside the three folders would escape every rule above
stray=$(find src -name '*.[ch]' ! -path 'src/core/*' ! -path 'src/pbx/*' ! -path 'src/httpd/*')
if [ -z "$stray" ] && [ "$n" -gt 40 ]; then
    passed=$((passed + 1)); echo "ok - every source file of src/ is in a layer ($n files)"
else
    failed=$((failed + 1)); echo "not ok - every source file of src/ is in a layer ($n files): $stray"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
