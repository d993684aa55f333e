#!/bin/bash
# Runs the example site project t/outside the way a site that uses mod_pbxdial
# runs its own tests: with the installed pieces only (the module,
# pbxdial-sim, PbxDial::Sim), from a copy outside the checkout, with
# Apache-Test. Nothing it runs refers to the checkout.
#
# Usage: scripts/outside-test.sh [--keep] [ARGS for t/TEST]
#          installs this checkout's build with `make install DESTDIR=TMP`
#        scripts/outside-test.sh --root DIR [...]   a package extracted with dpkg -x
#        scripts/outside-test.sh --deb FILE [--deb FILE] [...]   extracts each FILE
#            (dpkg -x) into one root first: the module's package and pbxdial-sim,
#            which has the simulator since the module's package has none
# Ends with "N passed, N failed"; the exit status is non-zero on any failure.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
root='' keep=''
debs=()
while [ $# -gt 0 ]; do
    case $1 in
        --root) root=$(cd "$2" && pwd) || exit 2; shift 2 ;;
        --deb)  debs+=("$(realpath "$2")") || exit 2; shift 2 ;;
        --keep) keep=1; shift ;;
        *) break ;;
    esac
done

t0=$(date +%s)
# Apache-Test as root: httpd's children run as nobody and need o+x on every
# parent directory of the project and read access to the installed files.
tmp=$(mktemp -d /tmp/pbxdial-outside.XXXXXX) && chmod 755 "$tmp" || exit 1
rc=1
finish() {
    if [ "$rc" = 0 ] && [ -z "$keep" ]; then rm -rf "$tmp"; else echo "outside-test: files kept in $tmp"; fi
}
trap finish EXIT
die() { echo "outside-test: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

# -- the installed pieces
if [ ${#debs[@]} -gt 0 ]; then
    root=$tmp/root
    for deb in "${debs[@]}"; do
        dpkg -x "$deb" "$root" || die "dpkg -x $deb failed"
    done
elif [ -z "$root" ]; then
    [ -f "$top/Makefile" ] || die "no Makefile in $top: build first (./quickstart test or scripts/setup.sh)"
    root=$tmp/root
    echo "outside-test: make install DESTDIR=$root"
    make -s -C "$top" install DESTDIR="$root" >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; die "make install failed"; }
fi
so=$(find "$root" -name mod_pbxdial.so -path '*/modules/*' | head -1)
sim=$(find "$root" -name pbxdial-sim -path '*/bin/*' | head -1)
pm=$(find "$root" -name Sim.pm -path '*/PbxDial/*' | head -1)
[ -n "$so" ] && [ -n "$sim" ] && [ -n "$pm" ] || \
    die "missing in $root: mod_pbxdial.so '$so', bin/pbxdial-sim '$sim', PbxDial/Sim.pm '$pm'" \
        "(the simulator is in the pbxdial-sim package: extract both)"
echo "outside-test: module $so"
echo "outside-test: simulator $sim, PbxDial::Sim $pm"

# -- the environment of a site that installed mod_pbxdial: nothing of the checkout
PATH="$(dirname "$sim"):/usr/sbin:/usr/bin:/sbin:/bin"
PERL5LIB="$(dirname "$(dirname "$pm")")"
export PATH PERL5LIB
export PBXDIAL_MODULE="$so"
unset PBXDIAL_SIM_URL PBXDIAL_SIM_TLS_URL PBXDIAL_SIM_CA PBXDIAL_SIM_BIN PBXDIAL_SIM_CONFIG PERL5OPT
found=$(cd / && perl -MPbxDial::Sim -e 'print $INC{"PbxDial/Sim.pm"}, " ", PbxDial::Sim::_find_bin()') \
    || die "PbxDial::Sim does not load from $PERL5LIB"
case "$found" in
    "$root"/*" $root"/*) ;;
    *) die "PbxDial::Sim or its simulator is not the installed copy: $found" ;;
esac

# -- the project, where a site would have it
cp -a "$top/t/outside" "$tmp/site" || die "cannot copy t/outside"
chmod -R o+rX "$tmp/site"
cd "$tmp/site" || die "cd $tmp/site"
perl t/TEST "$@" 2>&1 | tee "$tmp/outside.log"
test_rc=${PIPESTATUS[0]}
if grep -rqF "$top" t/conf/*.conf 2>/dev/null; then
    echo "outside-test: the generated config refers to the checkout $top" >&2
    test_rc=1
fi

# -- counts, as scripts/apache-test.sh judges a run (Apache-Test may exit 0 having run nothing)
tests=$(sed -nE 's/^Files=[0-9]+, Tests=([0-9]+),.*/\1/p' "$tmp/outside.log" | tail -1)
failed=$(sed -nE 's/.*\(Wstat: .* Tests: [0-9]+ Failed: ([0-9]+)\).*/\1/p' "$tmp/outside.log" | paste -sd+ -)
failed=$((${failed:-0}))
passed=$(( ${tests:-0} - failed ))
# a file that died or ran fewer tests than planned counts as one more failure
failed=$(( failed + $(grep -cE 'Bad plan|No plan found|exited [1-9]' "$tmp/outside.log") ))
if [ -z "$tests" ] || ! grep -q '^Result: PASS' "$tmp/outside.log"; then
    [ "$failed" = 0 ] && failed=1
fi
[ "$test_rc" != 0 ] && [ "$failed" = 0 ] && failed=1
echo "outside-test: $(( $(date +%s) - t0 )) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ] && rc=0
exit $rc
