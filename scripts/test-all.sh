#!/bin/bash
# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Runs every test suite, even after one fails, and ends with the line
# "N passed, N failed". Exit status is non-zero when anything failed or a
# suite could not run at all. Suites: check unit tests, Apache-Test (real
# httpd + PBX simulator), browser tests (chromium + demo stack).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
logs="$top/run/test-logs"
mkdir -p "$logs"
passed=0 failed=0 broken=() failing=()

section() { printf '\n==== %s ====\n' "$1"; }

# -- unit tests (check)
section "unit tests (check)"
make -s test/unit/check_core >"$logs/unit-build.txt" 2>&1 && ./test/unit/check_core 2>&1 | tee "$logs/unit.txt"
line=$(grep -E '^[0-9]+%: Checks: [0-9]+' "$logs/unit.txt" 2>/dev/null | tail -1)
if [ -n "$line" ]; then
    n=$(sed -E 's/.*Checks: ([0-9]+).*/\1/' <<<"$line")
    f=$(sed -E 's/.*Failures: ([0-9]+), Errors: ([0-9]+).*/\1+\2/' <<<"$line")
    f=$((f))
    passed=$((passed + n - f)) failed=$((failed + f))
else
    cat "$logs/unit-build.txt"; broken+=(unit)
fi


# Adds the counts of a prove-style run (Apache-Test) to the totals.
count_prove() {
    local log=$1 rc=$2 name=$3 tests f bad
    tests=$(sed -nE 's/^Files=[0-9]+, Tests=([0-9]+),.*/\1/p' "$log" | tail -1)
    if [ -z "$tests" ]; then broken+=("$name"); return; fi
    f=$(sed -nE 's/.*\(Wstat: .* Tests: [0-9]+ Failed: ([0-9]+)\).*/\1/p' "$log" | paste -sd+ -)
    f=$((${f:-0}))
    # a file that died or ran fewer tests than planned counts as one failure
    bad=$(grep -cE 'Bad plan|Wstat: [1-9]|No plan found' "$log")
    [ "$f" = 0 ] && [ "$rc" != 0 ] && [ "$bad" = 0 ] && bad=1
    passed=$((passed + tests - f)) failed=$((failed + f + bad))
    [ $((f + bad)) = 0 ] || failing+=("$name")
}

# -- Apache-Test
section "Apache-Test (httpd + mod_pbxdial + PBX simulator)"
scripts/apache-test.sh 2>&1 | tee "$logs/apache-test.txt"
count_prove "$logs/apache-test.txt" "${PIPESTATUS[0]}" apache-test

# -- browser tests
section "browser tests (chromium + playwright-core)"
test/e2e/run 2>&1 | tee "$logs/e2e.txt"
e2e_rc=${PIPESTATUS[0]}
p=$(sed -nE 's/^# pass ([0-9]+)$/\1/p' "$logs/e2e.txt" | tail -1)
f=$(sed -nE 's/^# fail ([0-9]+)$/\1/p' "$logs/e2e.txt" | tail -1)
if [ -n "$p" ] && [ -n "$f" ]; then
    [ "$f" = 0 ] && [ "$e2e_rc" != 0 ] && f=1
    passed=$((passed + p)) failed=$((failed + f))
    [ "$f" = 0 ] || failing+=(e2e)
else
    broken+=(e2e)
fi

# Adds the final "N passed, N failed" line of a script to the totals.
count_summary() {
    local log=$1 rc=$2 name=$3 p f
    p=$(sed -nE 's/^([0-9]+) passed, [0-9]+ failed$/\1/p' "$log" | tail -1)
    f=$(sed -nE 's/^[0-9]+ passed, ([0-9]+) failed$/\1/p' "$log" | tail -1)
    if [ -z "$p" ]; then broken+=("$name"); return; fi
    [ "$f" = 0 ] && [ "$rc" != 0 ] && f=1
    passed=$((passed + p)) failed=$((failed + f))
    [ "$f" = 0 ] || failing+=("$name")
}

# -- rules over the sources: the layers of src/README.md (from the #include
# lines), the log numbers (unique, each in docs/troubleshooting.md), the links
# of the docs, and the style (clang-format, a licence line in every file)
section "source rules (layers, log numbers, doc links, style)"
for rule in layers.sh lognumbers.pl links.pl style.sh; do
    test/unit/$rule >"$logs/$rule.txt" 2>&1
    rc=$?
    grep -v '^ok ' "$logs/$rule.txt"
    count_summary "$logs/$rule.txt" "$rc" "$rule"
done

# -- the example site project against `make install DESTDIR=...` (installed pieces only)
section "example site (test/outside) against the installed module and simulator"
test/outside/run 2>&1 | tee "$logs/outside.txt"
count_summary "$logs/outside.txt" "${PIPESTATUS[0]}" outside

# -- the Debian package: build, contents, lintian, apache2 -t, test/outside on dpkg -x
# (nocheck: the package's own make check is the Apache-Test run above)
section "Debian package"
DEB_BUILD_OPTIONS=nocheck test/package/run 2>&1 | tee "$logs/package.txt"
count_summary "$logs/package.txt" "${PIPESTATUS[0]}" package

# -- the module built with ASan + UBSan, the whole Apache-Test suite again
section "Apache-Test under AddressSanitizer + UndefinedBehaviorSanitizer"
test/sanitize/run 2>&1 | tee "$logs/sanitize.txt"
san_rc=${PIPESTATUS[0]}
count_prove "$logs/sanitize.txt" "$san_rc" sanitizers
grep -q '^sanitize: no ASan, LSan or UBSan report' "$logs/sanitize.txt" || { [ "$san_rc" != 0 ] && failed=$((failed + 1)); }

# -- libFuzzer smoke run over the pure core (the long run is in test/fuzz/README.md)
section "fuzzing smoke run (libFuzzer + ASan + UBSan)"
test/fuzz/run 5 2>&1 | tee "$logs/fuzz.txt"
fuzz_rc=${PIPESTATUS[0]}
p=$(sed -nE 's/^fuzz: ([0-9]+) ok, ([0-9]+) failed$/\1/p' "$logs/fuzz.txt" | tail -1)
f=$(sed -nE 's/^fuzz: ([0-9]+) ok, ([0-9]+) failed$/\2/p' "$logs/fuzz.txt" | tail -1)
if [ -n "$p" ]; then
    [ "$f" = 0 ] && [ "$fuzz_rc" != 0 ] && f=1
    passed=$((passed + p)) failed=$((failed + f))
    [ "$f" = 0 ] || failing+=(fuzz)
else
    broken+=(fuzz)
fi

# -- LeakSanitizer over a long run inside httpd (with a positive control)
section "LeakSanitizer: logins and calls inside httpd -X"
test/leak/run 1000 2>&1 | tee "$logs/leak-check.txt"
count_summary "$logs/leak-check.txt" "${PIPESTATUS[0]}" leak-check

echo
[ ${#failing[@]} -gt 0 ] && echo "suites with failures: ${failing[*]} (logs in $logs)"
if [ ${#broken[@]} -gt 0 ]; then
    echo "suites that did not run: ${broken[*]} (logs in $logs)"
    failed=$((failed + ${#broken[@]}))
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
