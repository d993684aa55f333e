#!/bin/bash
# Builds the Debian packages libapache2-mod-pbxdial (the module, pbxdial-link)
# and pbxdial-sim (the simulator, PbxDial::Sim: an unauthenticated control API
# with permissive CORS, and Mojolicious, which a production server must not
# get) from a copy of this checkout (dpkg-buildpackage -us -uc -b: make check
# runs in the build unless DEB_BUILD_OPTIONS=nocheck), checks their contents
# and metadata (no simulator file and no Mojolicious dependency in the
# module's package), runs lintian (errors fail), extracts them with dpkg -x
# into a throwaway root, runs apache2 -t on private configs that load the
# extracted .so and include the extracted mods-available/pbxdial.conf, and
# runs the example site project (t/outside) against the extracted module,
# pbxdial-sim and PbxDial::Sim.
# It never installs the packages it builds; it installs missing build
# dependencies with apt-get (as root), without starting their services.
#
# Usage: scripts/package-test.sh [--keep]      (--keep: keep the work dir)
# Ends with "N passed, N failed"; the exit status is non-zero on any failure.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
keep=
[ "${1:-}" = --keep ] && keep=1
pkg=libapache2-mod-pbxdial
simpkg=pbxdial-sim
passed=0 failed=0
ok()   { passed=$((passed + 1)); echo "ok - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else fail "$name"; fi; }
section() { printf '\n==== %s ====\n' "$1"; }
step_t0=0
step() { step_t0=$(date +%s); section "$1"; }
took() { echo "($(( $(date +%s) - step_t0 )) s)"; }
t0=$(date +%s)

# Apache-Test in the build runs as root here: every parent directory of the
# build tree must be o+x, so the work dir is 0755 (mktemp makes 0700).
work=$(mktemp -d /tmp/pbxdial-pkg.XXXXXX) && chmod 755 "$work" || exit 1
finish() {
    echo
    echo "package-test: $(( $(date +%s) - t0 )) s in all"
    if [ "$failed" = 0 ] && [ "$passed" -gt 0 ] && [ -z "$keep" ]; then rm -rf "$work"; else echo "package-test: files kept in $work"; fi
    echo "$passed passed, $failed failed"
}
trap finish EXIT
abort() { fail "$*"; exit 1; }

# Installs Debian packages without letting their postinst start services
# (apache2, memcached, redis-server would listen on their ports).
# apt_install PKG... | apt_install build-dep DIR
apt_install() {
    local cmd=install
    [ "$1" = build-dep ] && { cmd=build-dep; shift; }
    [ "$(id -u)" = 0 ] || { echo "package-test: run as root, or: apt-get $cmd $*" >&2; return 1; }
    local created=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && created=1
    fi
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get "$cmd" -y -q --no-install-recommends "$@" >"$work/apt.log" 2>&1
    local rc=$?
    [ -n "$created" ] && rm -f /usr/sbin/policy-rc.d
    [ $rc = 0 ] || cat "$work/apt.log"
    return $rc
}

# ------------------------------------------------------------------ sources
step "sources"
ver=$(sed -nE 's/^AC_INIT\(\[mod_pbxdial\], \[([^]]+)\].*/\1/p' "$top/configure.ac")
debver=$(sed -nE '1s/^[^ ]+ \(([^)]+)\).*/\1/p' "$top/debian/changelog")
check "debian/changelog $debver is upstream version $ver" test "${debver%-*}" = "$ver"
src=$work/$pkg-$ver
mkdir "$src" || abort "mkdir $src"
# what git knows (committed or not), never build products or test leftovers
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$top" && git ls-files -co --exclude-standard -z | tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$src"
else
    (cd "$top" && tar --exclude=./run --exclude=./e2e/node_modules -cf - .) | tar -xf - -C "$src"
fi
check "sources copied to $src" test -f "$src/debian/control" -a -f "$src/configure.ac"
took

# ------------------------------------------------------------- build deps
step "build dependencies"
for tool in dpkg-buildpackage:dpkg-dev dh:debhelper lintian:lintian gcc:build-essential; do
    command -v "${tool%%:*}" >/dev/null || apt_install "${tool#*:}" || abort "cannot install ${tool#*:}"
done
if ! (cd "$src" && dpkg-checkbuilddeps); then
    echo "package-test: apt-get build-dep $src"
    apt_install build-dep "$src" || abort "cannot install the build dependencies"
fi
check "build dependencies installed" bash -c "cd '$src' && dpkg-checkbuilddeps"
took

# ------------------------------------------------------------------ build
step "dpkg-buildpackage -us -uc -b"
echo "package-test: log in $work/build.log"
(cd "$src" && dpkg-buildpackage -us -uc -b -j"$(nproc)") >"$work/build.log" 2>&1
build_rc=$?
tail -n 25 "$work/build.log"
check "dpkg-buildpackage succeeded" test $build_rc = 0
deb=$(find "$work" -maxdepth 1 -name "${pkg}_*.deb" | head -1)
simdeb=$(find "$work" -maxdepth 1 -name "${simpkg}_*_all.deb" | head -1)
changes=$(find "$work" -maxdepth 1 -name "${pkg}_*.changes" | head -1)
[ -n "$deb" ] || abort "no $pkg .deb built (see $work/build.log)"
[ -n "$simdeb" ] || abort "no $simpkg .deb (Architecture: all) built (see $work/build.log)"
echo "package-test: $deb"
echo "package-test: $simdeb"
if [[ " ${DEB_BUILD_OPTIONS:-} " == *" nocheck "* ]]; then
    echo "package-test: DEB_BUILD_OPTIONS=nocheck: the build ran no tests"
else
    check "the build ran the unit tests: PASS: tests/check_core" grep -qx 'PASS: tests/check_core' "$work/build.log"
    check "the build ran Apache-Test: Result: PASS" grep -q '^Result: PASS' "$work/build.log"
    grep -E '^Files=[0-9]+, Tests=' "$work/build.log"
fi
took

# --------------------------------------------------------------- contents
step "contents"
dpkg-deb -c "$deb" | awk '{ print $1, $6, $7, $8 }' | tee "$work/contents.txt"
dpkg-deb -c "$simdeb" | awk '{ print $1, $6, $7, $8 }' | tee "$work/contents-sim.txt"
paths=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|')
simpaths=$(dpkg-deb -c "$simdeb" | awk '{ print $6 }' | sed 's|^\./|/|')
has() { grep -qxE "$1" <<<"$paths"; }
simhas() { grep -qxE "$1" <<<"$simpaths"; }
for p in /usr/lib/apache2/modules/mod_pbxdial.so \
         /etc/apache2/mods-available/pbxdial.load /etc/apache2/mods-available/pbxdial.conf \
         /usr/bin/pbxdial-link /usr/share/man/man1/pbxdial-link.1.gz \
         "/usr/share/doc/$pkg/README.md(.gz)?" "/usr/share/doc/$pkg/copyright" "/usr/share/doc/$pkg/changelog.Debian.gz" \
         "/usr/share/doc/$pkg/examples/pbxdial.conf(.gz)?"; do
    check "$pkg contains $p" has "$p"
done
simfiles=(/usr/bin/pbxdial-sim /usr/share/man/man1/pbxdial-sim.1.gz
          /usr/share/perl5/PbxDial/Sim.pm /usr/share/perl5/PbxDial/Sim/App.pm /usr/share/perl5/PbxDial/Sim/Control.pm
          /usr/share/perl5/PbxDial/Sim/Pbx.pm /usr/share/perl5/PbxDial/Sim/State.pm /usr/share/perl5/PbxDial/Sim/WebSocket.pm
          /usr/share/mod_pbxdial/pbx.json)
for p in "${simfiles[@]}" "/usr/share/doc/$simpkg/README.md(.gz)?" "/usr/share/doc/$simpkg/copyright" \
         "/usr/share/doc/$simpkg/changelog.Debian.gz" "/usr/share/doc/$simpkg/examples/outside/t/calls.t"; do
    check "$simpkg contains $p" simhas "$p"
done
hasnt() { ! has "$1"; }
simhasnt() { ! simhas "$1"; }
# the module's package: no simulator, in any form or place
for p in "${simfiles[@]}" '.*/pbxdial-sim(\.1\.gz)?' '.*/PbxDial(/.*)?' '.*\.pm' '.*/pbx\.json' '.*/examples/outside(/.*)?' \
         '.*\.la' '/usr/local/.*' '.*\.packlist' '.*/perllocal\.pod' '/usr/lib/apache2/modules/.*\.a'; do
    check "$pkg contains no $p" hasnt "$p"
done
# and the simulator's package nothing of the module
for p in '.*/mod_pbxdial\.so' '/etc/.*' '.*/pbxdial-link(\.1\.gz)?' '/usr/local/.*' '.*\.packlist' '.*/perllocal\.pod'; do
    check "$simpkg contains no $p" simhasnt "$p"
done
dpkg-deb -e "$deb" "$work/DEBIAN"
dpkg-deb -f "$deb" Package Version Architecture Depends Recommends Suggests | tee "$work/control.txt"
depends=$(dpkg-deb -f "$deb" Depends)
for d in 'apache2-api-[0-9]{8}' 'apache2-bin' 'libcurl4' 'libjansson4' 'libpcre2-8-0' 'libssl3'; do
    check "$pkg Depends: $d" grep -qE "(^|, )$d( |,|$)" <<<"$depends"
done
# what only the simulator needs: not even as a Recommends (apt installs those)
lacks() { local f; for f in Depends Pre-Depends Recommends; do
    ! grep -qE "(^|, )$2( |,|$)" <<<"$(dpkg-deb -f "$1" "$f")" || return 1; done; }
for d in 'libmojolicious-perl' 'libio-socket-ssl-perl' 'perl(:any)?' 'openssl' 'pbxdial-sim'; do
    check "$pkg neither Depends on nor Recommends $d" lacks "$deb" "$d"
done
check "$pkg Suggests: $simpkg" grep -qE "(^|, )$simpkg( |,|$)" <<<"$(dpkg-deb -f "$deb" Suggests)"
dpkg-deb -f "$simdeb" Package Version Architecture Depends Recommends Suggests | tee "$work/control-sim.txt"
check "$simpkg is Architecture: all" test "$(dpkg-deb -f "$simdeb" Architecture)" = all
simdepends=$(dpkg-deb -f "$simdeb" Depends)
for d in 'libmojolicious-perl' 'libio-socket-ssl-perl' 'openssl' 'perl(:any)?'; do
    check "$simpkg Depends: $d" grep -qE "(^|, )$d( |,|$)" <<<"$simdepends"
done
check "conffiles: mods-available/pbxdial.load and .conf" \
    bash -c "grep -qx /etc/apache2/mods-available/pbxdial.load '$work/DEBIAN/conffiles' && grep -qx /etc/apache2/mods-available/pbxdial.conf '$work/DEBIAN/conffiles'"
# dh_apache2: for conf in pbxdial ; do apache2_invoke enmod $conf ...
check "postinst enables the module (apache2_invoke enmod pbxdial)" \
    bash -c "grep -qE '^\s*for conf in pbxdial +;' '$work/DEBIAN/postinst' && grep -q 'apache2_invoke enmod' '$work/DEBIAN/postinst'"
check "prerm/postrm disable it" bash -c "grep -q 'apache2_invoke dismod' '$work/DEBIAN/prerm' && grep -q 'apache2_invoke dismod' '$work/DEBIAN/postrm'"
took

# ---------------------------------------------------------------- lintian
step "lintian"
lintian --fail-on error --display-info "$changes" >"$work/lintian.txt" 2>&1
lintian_rc=$?
cat "$work/lintian.txt"
echo "package-test: lintian: $(grep -c '^E:' "$work/lintian.txt") errors, $(grep -c '^W:' "$work/lintian.txt") warnings, $(grep -c '^I:' "$work/lintian.txt") info"
check "lintian: no errors" test $lintian_rc = 0
took

# --------------------------------------------------------- extracted root
step "dpkg -x and apache2 -t"
root=$work/root
dpkg -x "$deb" "$root" && dpkg -x "$simdeb" "$root" && chmod 755 "$root"
check "dpkg -x of both packages" test -f "$root/usr/lib/apache2/modules/mod_pbxdial.so" -a -f "$root/usr/bin/pbxdial-sim"
check "pbxdial.load: the Depends line, then only the LoadModule line" \
    test "$(cat "$root/etc/apache2/mods-available/pbxdial.load")" = "# Depends: socache_shmcb
LoadModule pbxdial_module /usr/lib/apache2/modules/mod_pbxdial.so"
check "installed pbxdial-sim loads its modules from /usr/share/perl5" grep -qx 'use lib "/usr/share/perl5";' "$root/usr/bin/pbxdial-sim"
check "installed PbxDial::Sim knows /usr/bin/pbxdial-sim and /usr/share/mod_pbxdial/pbx.json" \
    bash -c "grep -qF \"'/usr/bin/pbxdial-sim'\" '$root/usr/share/perl5/PbxDial/Sim.pm' && grep -qF \"'/usr/share/mod_pbxdial/pbx.json'\" '$root/usr/share/perl5/PbxDial/Sim.pm'"
check "PbxDial::Sim compiles" perl -I"$root/usr/share/perl5" -c "$root/usr/share/perl5/PbxDial/Sim.pm"
check "pbxdial-sim compiles" perl -I"$root/usr/share/perl5" -c "$root/usr/bin/pbxdial-sim"
link=$(echo secret | "$root/usr/bin/pbxdial-link" --base https://crm.example.com/remote_call.htm \
    --user 40@example.com --dest 0123456789 --time 1700000000 --lifetime 3600 2>&1)
check "pbxdial-link prints the README's worked example" test "${link##*auth=}" = 42542a571581a43f5c5efc6cc00cb84b

moddir=/usr/lib/apache2/modules
sr=$work/httpd
mkdir -p "$sr/logs"
port=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:0")->sockport')
# the packaged .load, with the module path moved into the extracted root
sed "s|/usr/lib/apache2/modules/mod_pbxdial.so|$root/usr/lib/apache2/modules/mod_pbxdial.so|" \
    "$root/etc/apache2/mods-available/pbxdial.load" > "$sr/pbxdial.load"
base() {
    cat <<EOF
ServerRoot "$sr"
Listen 127.0.0.1:$port
ServerName 127.0.0.1:$port
PidFile $sr/logs/httpd.pid
DefaultRuntimeDir $sr/logs
ErrorLog $sr/logs/error_log
LoadModule mpm_event_module $moddir/mod_mpm_event.so
LoadModule authz_core_module $moddir/mod_authz_core.so
LoadModule authz_user_module $moddir/mod_authz_user.so
LoadModule authn_core_module $moddir/mod_authn_core.so
LoadModule authn_file_module $moddir/mod_authn_file.so
LoadModule auth_basic_module $moddir/mod_auth_basic.so
LoadModule socache_shmcb_module $moddir/mod_socache_shmcb.so
Include $sr/pbxdial.load
Include $root/etc/apache2/mods-available/pbxdial.conf
EOF
}
site() {
    cat <<EOF
<Location /rest/pbxlogin>
    SetHandler pbxdial-login
    AuthType Basic
    AuthName "CRM"
    AuthUserFile $sr/htpasswd
    Require valid-user
    PbxDialDomain "example.com"
</Location>
EOF
}
base > "$sr/plain.conf"
{ base; echo "PbxDialServer https://pbx.example.com"; echo "PbxDialAdmin admin file:$sr/admin.secret"; site; } > "$sr/site.conf"
{ base; site; } > "$sr/incomplete.conf"
echo 'not-a-real-password' > "$sr/admin.secret" && chmod 600 "$sr/admin.secret"
: > "$sr/htpasswd"
apache2_t() { /usr/sbin/apache2 -d "$sr" -f "$sr/$1" -t >"$sr/$1.out" 2>&1; local rc=$?; sed 's/^/    /' "$sr/$1.out"; return $rc; }
check "apache2 -t: the packaged .load and .conf" apache2_t plain.conf
check "apache2 -t: plus a site with PbxDialServer, PbxDialAdmin and pbxdial-login" apache2_t site.conf
check "apache2 -t refuses pbxdial-login without PbxDialServer (PBXDIAL0001)" \
    bash -c "! /usr/sbin/apache2 -d '$sr' -f '$sr/incomplete.conf' -t >'$sr/incomplete.out' 2>&1 && grep -q PBXDIAL0001 '$sr/incomplete.out'"
sed 's/^/    /' "$sr/incomplete.out"
took

# --------------------------------------------------- the example site project
step "the example site (t/outside) against the extracted package"
"$top/scripts/outside-test.sh" --root "$root" 2>&1 | tee "$work/outside.txt"
outside_rc=${PIPESTATUS[0]}
check "t/outside passes with the packaged module and the packaged pbxdial-sim and PbxDial::Sim" test "$outside_rc" = 0
took

[ "$failed" = 0 ]
