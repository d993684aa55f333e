#!/bin/bash
# LeakSanitizer over a long run of the module inside httpd: the module built
# with ASan (scripts/sanitize.sh --build-only), httpd -X (one process, so
# LSan runs when it exits) with the ASan runtime and the module preloaded
# (so its frames are still symbolised at exit), the PBX simulator over TLS
# (which closes each keep-alive connection after 100 requests, so TLS
# connections are opened and closed all along). Logins and calls, then a
# clean stop; any leak report fails. A positive control proves LSan works.
# Usage: scripts/leak-check.sh [REQUESTS]   (default 3000 of each)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-3000}
"$top/scripts/sanitize.sh" --build-only
so="$top/run/sanitize/.libs/mod_pbxdial.so"
w="$top/run/leak-check"
rm -rf "$w"; mkdir -p "$w/logs" "$w/rep"; chmod 755 "$w"; chmod 777 "$w/rep"
asan=$(gcc -print-file-name=libasan.so)
moddir=$(apxs -q LIBEXECDIR)
port=$(perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen=>1,LocalAddr=>"127.0.0.1:0")->sockport')
htpasswd -cbs "$w/htpasswd" 40 s3cret 2>/dev/null

perl -I"$top/t/lib" -MPbxDial::Sim -e '
    my $sim = PbxDial::Sim->start(tls => 1, dir => $ARGV[0] . "/sim");
    open my $fh, ">", "$ARGV[0]/sim.env"; print $fh $sim->tls_url, "\n", $sim->ca_file, "\n"; close $fh;
    sleep 1 while -e "$ARGV[0]/sim.env";' "$w" &
sim_pid=$!
# (set +e: with errexit a kill of an already gone process would make the trap, and so the script, fail)
trap 'set +e; kill $sim_pid 2>/dev/null; rm -f "$w/sim.env"; [ -f "$w/logs/pid" ] && kill $(cat "$w/logs/pid") 2>/dev/null; true' EXIT
for _ in $(seq 100); do [ -s "$w/sim.env" ] && break; sleep 0.1; done
url=$(sed -n 1p "$w/sim.env"); ca=$(sed -n 2p "$w/sim.env")

cat > "$w/httpd.conf" <<CONF
ServerRoot $w
Listen 127.0.0.1:$port
ServerName localhost
PidFile $w/logs/pid
ErrorLog $w/logs/error_log
DefaultRuntimeDir $w/logs
$( [ "$(id -u)" = 0 ] && printf 'User nobody\nGroup nogroup' )
ThreadsPerChild 8
$(for m in mpm_event authz_core authz_user authn_core authn_file auth_basic socache_shmcb; do
    echo "LoadModule ${m}_module $moddir/mod_$m.so"; done)
LoadModule pbxdial_module $so
PbxDialServer $url
PbxDialCAFile $ca
PbxDialAdmin admin adminpw
<Location />
    AuthType Basic
    AuthName crm
    AuthUserFile $w/htpasswd
    Require valid-user
    PbxDialDomain example.com
</Location>
<Location /rest/pbxlogin>
    SetHandler pbxdial-login
</Location>
<Location /remote_call.htm>
    SetHandler pbxdial-call
</Location>
CONF

run() {   # run [extra preload]
    rm -f "$w/rep/"*
    LD_PRELOAD="$asan:$so${1:+:$1}" ASAN_OPTIONS="detect_leaks=1:log_path=$w/rep/asan" \
        /usr/sbin/apache2 -X -d "$w" -f "$w/httpd.conf" 2>>"$w/logs/stderr" &
    local pid=$!
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
    if [ -z "$1" ]; then
        ab -q -n "$n" -c 8 -A 40:s3cret "http://127.0.0.1:$port/rest/pbxlogin" | grep -E "^(Complete|Failed|Non-2xx)"
        ab -q -n "$n" -c 8 -A 40:s3cret -H 'Sec-Fetch-Site: none' "http://127.0.0.1:$port/remote_call.htm?dest=0123" | grep -E "^(Complete|Failed|Non-2xx)"
    fi
    kill -TERM $pid; wait $pid 2>/dev/null || true
}

echo "== positive control: a library that leaks 4242 bytes at start"
printf '#include <stdlib.h>\nvoid *volatile k;\n__attribute__((constructor)) static void l(void){ k = malloc(4242); k = 0; }\n' > "$w/leak.c"
gcc -shared -fPIC -o "$w/leak.so" "$w/leak.c"
run "$w/leak.so"
grep -q "4242 byte(s) leaked" "$w/rep/"* 2>/dev/null || {
    echo "leak-check: LeakSanitizer did not report the control leak" >&2; echo "0 passed, 1 failed"; exit 1; }
echo "LeakSanitizer works: the control leak was reported"

echo "== $n logins and $n calls against the TLS simulator"
run ""
if ls "$w/rep/"* >/dev/null 2>&1; then
    echo "leak-check: LeakSanitizer reports:" >&2; cat "$w/rep/"* >&2; echo "1 passed, 1 failed"; exit 1
fi
echo "leak-check: no leak reported (LeakSanitizer, httpd -X, $n logins + $n calls, TLS reconnections)"
echo "2 passed, 0 failed"
