#!/bin/sh
# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Two rules over the tracked sources: the C code is as clang-format and
# .clang-format (httpd's style) lay it out, and every source file names its
# licence (SPDX-License-Identifier: Apache-2.0) in its first lines.
# Prints "ok"/"not ok" lines, then "N passed, N failed".
# To re-format after an edit: clang-format -i FILE (the same version: Debian 12's 14).
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
notok() { failed=$((failed + 1)); echo "not ok - $1"; }

if [ ! -d .git ] && [ ! -f .git ]; then
    echo "not ok - a git checkout (the rules read git ls-files)"; echo "0 passed, 1 failed"; exit 1
fi
cfmt=$(command -v clang-format-14 || command -v clang-format)
c_files=$(git ls-files '*.c' '*.h' | grep -v '^test/fuzz/corpus/')
if [ -z "$cfmt" ]; then
    notok "clang-format is installed (apt-get install clang-format)"
else
    for f in $c_files; do
        if "$cfmt" --dry-run --Werror "$f" >/dev/null 2>&1; then
            ok "$f: formatted"
        else
            notok "$f: formatted (run: $cfmt -i $f)"
            "$cfmt" --dry-run "$f" 2>&1 | head -6 | sed 's/^/#   /'
        fi
    done
fi

# every file we wrote: C, Perl, shell, JavaScript, the Makefile and autoconf input
src_files=$(git ls-files '*.c' '*.h' '*.pl' '*.pm' '*.t' '*.sh' '*.mjs' '*.js' '*.lua' '*.py' \
                'Makefile.am' 'configure.ac' 'quickstart' '.ci/run' 'test/*/run' 'sim/pbxdial-sim' 't/TEST' \
                'test/outside/t/TEST' 'debian/rules' | grep -v -e '^test/fuzz/corpus/' -e 'node_modules/' | sort -u)
n=0
for f in $src_files; do
    n=$((n + 1))
    if head -n 3 "$f" | grep -q 'SPDX-License-Identifier: Apache-2.0'; then
        ok "$f: licence header"
    else
        notok "$f: licence header (SPDX-License-Identifier: Apache-2.0 in the first 3 lines)"
    fi
done
[ "$n" -gt 100 ] && ok "found the sources ($n files)" || notok "found the sources ($n files)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
