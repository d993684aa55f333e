#!/bin/bash
# Builds mod_pbxdial with AddressSanitizer + UndefinedBehaviorSanitizer in a
# copy of the tree (run/sanitize) and runs the unit tests (with LeakSanitizer)
# and the whole Apache-Test suite with it; fails on any test failure and on
# any ASan, LSan or UBSan report. --build-only stops after the build. httpd is not instrumented, so the ASan runtime is
# preloaded into it by a wrapper.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
work="$top/run/sanitize"
rm -rf "$work"
mkdir -p "$work"
chmod 755 "$top/run" "$work"
# the sources only: build outputs of the normal build must not leak in
git -C "$top" ls-files -z --cached --others --exclude-standard | (cd "$top" && xargs -0 cp --parents -t "$work")
cp "$top/htdocs/callback.js" "$work/htdocs/" 2>/dev/null || true
cd "$work"
autoreconf -fi >/dev/null 2>&1
./configure -q --enable-sanitizers >/dev/null
make -s >/dev/null 2>make.log || { cat make.log; exit 1; }
[ "${1:-}" = --build-only ] && { echo "sanitize: built $work/mod_pbxdial.so"; exit 0; }

reports="$work/t/logs/sanitizer"
libasan=$(gcc -print-file-name=libasan.so)
cat > httpd-asan <<WRAP
#!/bin/sh
export LD_PRELOAD=$libasan
# No LeakSanitizer inside httpd: its parent exits on purpose right after
# forking the daemon (LSan would report startup memory and make it exit 23),
# and pool memory is freed by process exit. Leaks are checked where they can
# be told apart: the unit tests and the fuzzers run with LSan on, and
# scripts/faults-load watches the children's RSS under load.
export ASAN_OPTIONS=detect_leaks=0:log_path=$reports/asan:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:log_path=$reports/ubsan
exec /usr/sbin/apache2 "\$@"
WRAP
chmod 755 httpd-asan

echo "== unit tests under ASan/UBSan"
make -s tests/check_core >/dev/null
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 CK_FORK=no ./tests/check_core

echo "== Apache-Test under ASan/UBSan"
mkdir -p "$reports"
chmod 777 "$reports"     # children run as nobody
set +e
# t/linktool.t is left to the plain suite: it dumps pbxdial-link's memory
# with gdb to look for passwords, and an AddressSanitizer build's dump is
# about 10 GB (its shadow and allocator regions) per check.
HTTPD="$work/httpd-asan" scripts/apache-test.sh $(ls t/*.t t/sim/*.t | grep -v '^t/linktool\.t$')
rc=$?
set -e
found=$(find "$reports" -type f -size +0 2>/dev/null | wc -l)
ubsan_in_log=$(grep -c "runtime error:" t/logs/error_log 2>/dev/null || true)
if [ "$found" -gt 0 ] || [ "${ubsan_in_log:-0}" -gt 0 ]; then
    echo "sanitize: reports found:" >&2
    find "$reports" -type f -size +0 -exec sh -c 'echo "--- $1"; head -60 "$1"' _ {} \; >&2
    grep -B2 -A10 "runtime error:" t/logs/error_log | head -60 >&2 || true
    exit 1
fi
echo "sanitize: no ASan, LSan or UBSan report"
exit $rc
