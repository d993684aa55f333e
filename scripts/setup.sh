#!/bin/bash
# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Sets up a Debian 12 machine for mod_pbxdial and builds it.
# Usage: scripts/setup.sh [demo|test]   (test also installs what the tests need)
# Installs only missing Debian packages, never starts the system's Apache,
# writes nothing outside the checkout except installed packages.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
what=${1:-demo}

# build and run: the module, the PBX simulator, the demo
pkgs=(apache2 apache2-dev apache2-utils libcurl4-openssl-dev libjansson-dev libssl-dev libpcre2-dev
      pkg-config autoconf automake libtool make gcc libmojolicious-perl libio-socket-ssl-perl
      check openssl curl)
if [ "$what" = test ]; then
    # Apache-Test comes with mod_perl's package; the browser tests use Debian's chromium
    # (slapd and mod_auth_openidc: the cookbook's configs are tested for real;
    # prometheus for promtool, which checks the status page's metrics; clang-format
    # for the style check)
    pkgs+=(libapache2-mod-perl2 chromium memcached redis-server slapd ldap-utils libapache2-mod-auth-openidc
           dpkg-dev debhelper lintian clang libclang-rt-14-dev llvm gdb
           prometheus clang-format)
fi

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "setup: missing Debian packages: ${missing[*]}" >&2
        echo "setup: run as root, or: sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
    echo "setup: installing ${missing[*]}"
    # Without a policy-rc.d, apache2's postinst would start the system Apache on port 80.
    created_policy=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        created_policy=1
    fi
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    [ -n "$created_policy" ] && rm -f /usr/sbin/policy-rc.d
fi

if [ "$what" = test ]; then
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        echo "setup: node/npm not found; installing Debian's nodejs and npm"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm >/dev/null
    fi
    # playwright-core only: it drives /usr/bin/chromium and downloads no browser
    (cd test/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

[ -x configure ] || autoreconf -fi
[ -f Makefile ] && [ config.status -nt configure ] || ./configure -q
make -s
echo "setup: built $top/mod_pbxdial.so"
