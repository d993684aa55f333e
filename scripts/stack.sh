#!/bin/bash
# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# Starts or stops the demo stack: the PBX simulator (HTTP + HTTPS) and a
# private httpd with mod_pbxdial serving the demo CRM, all on 127.0.0.1.
#   scripts/stack.sh start RUNDIR   (ports from PBXDIAL_PORT, PBXDIAL_COOKIE_PORT,
#                                    PBXDIAL_SIM_PORT, PBXDIAL_SIM_TLS_PORT;
#                                    0 = any free port; with PBXDIAL_H2_PORT and
#                                    PBXDIAL_H2_COOKIE_PORT also both modes over
#                                    HTTPS with HTTP/2, see h2_site below)
#   scripts/stack.sh stop RUNDIR
# After start, RUNDIR/stack.env holds the URLs (shell syntax).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:?usage: stack.sh start|stop RUNDIR}
run=${2:?usage: stack.sh start|stop RUNDIR}
mkdir -p "$run"
run=$(cd "$run" && pwd)
httpd=${HTTPD:-/usr/sbin/apache2}

stop() {
    if [ -f "$run/logs/httpd.pid" ]; then
        kill -TERM "$(cat "$run/logs/httpd.pid")" 2>/dev/null || true
        for _ in $(seq 50); do [ -f "$run/logs/httpd.pid" ] || break; sleep 0.1; done
    fi
    if [ -f "$run/sim.pid" ]; then
        kill -TERM "$(cat "$run/sim.pid")" 2>/dev/null || true
        rm -f "$run/sim.pid"
    fi
}

if [ "$cmd" = stop ]; then stop; exit 0; fi
[ "$cmd" = start ] || { echo "usage: stack.sh start|stop RUNDIR" >&2; exit 2; }
stop

port=${PBXDIAL_PORT:-8080}
cookie_port=${PBXDIAL_COOKIE_PORT:-8082}
sim_port=${PBXDIAL_SIM_PORT:-8081}
sim_tls_port=${PBXDIAL_SIM_TLS_PORT:-8443}
free_port() { perl -MIO::Socket::INET -e 'print IO::Socket::INET->new(Listen=>1,LocalAddr=>"127.0.0.1:0")->sockport'; }
[ "$port" = 0 ] && port=$(free_port)
while [ "$cookie_port" = 0 ] || [ "$cookie_port" = "$port" ]; do cookie_port=$(free_port); done
h2_port=${PBXDIAL_H2_PORT:-}
h2_cookie_port=${PBXDIAL_H2_COOKIE_PORT:-}
[ "$h2_port" = 0 ] && h2_port=$(free_port)
if [ -n "$h2_port" ]; then
    while [ -z "$h2_cookie_port" ] || [ "$h2_cookie_port" = 0 ] || [ "$h2_cookie_port" = "$h2_port" ]; do
        h2_cookie_port=$(free_port)
    done
fi

# httpd's children run as nobody when we are root: they must reach the files.
if [ "$(id -u)" = 0 ]; then
    d=$top
    while [ "$d" != / ]; do
        if [ "$(( 0$(stat -c %a "$d") & 01 ))" = 0 ]; then
            echo "stack: $d is not o+x, so httpd's children (nobody) cannot read $top;" \
                 "run chmod o+x $d or use a checkout elsewhere" >&2
            exit 1
        fi
        d=$(dirname "$d")
    done
fi
chmod 755 "$run"
mkdir -p "$run/logs" "$run/sim"
chmod 755 "$run/sim"

# --- the PBX simulator, with a certificate made now
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
    -keyout "$run/sim/key.pem" -out "$run/sim/cert.pem" 2>/dev/null
chmod 644 "$run/sim/cert.pem"
rm -f "$run/sim/ready.json"
perl "$top/sim/pbxdial-sim" --config "$top/sim/pbx.json" \
    --http "127.0.0.1:$sim_port" --https "127.0.0.1:$sim_tls_port" \
    --cert "$run/sim/cert.pem" --key "$run/sim/key.pem" \
    --ready-file "$run/sim/ready.json" >"$run/logs/sim.log" 2>&1 &
echo $! > "$run/sim.pid"
for _ in $(seq 100); do [ -s "$run/sim/ready.json" ] && break; sleep 0.1; done
if [ ! -s "$run/sim/ready.json" ]; then
    echo "stack: the PBX simulator did not start:" >&2; cat "$run/logs/sim.log" >&2; stop; exit 1
fi
sim_url=$(perl -MJSON::PP -0ne 'print decode_json($_)->{http}' "$run/sim/ready.json")
sim_tls_url=$(perl -MJSON::PP -0ne 'print decode_json($_)->{https}' "$run/sim/ready.json")

# --- demo logins: web users are names, the user map gives their extensions
htpasswd -cbB "$run/htpasswd" alice alice 2>/dev/null
htpasswd -bB "$run/htpasswd" bob bob 2>/dev/null
printf '# web login -> PBX extension\nalice 40\nbob   41\n' > "$run/usermap"
chmod 644 "$run/htpasswd" "$run/usermap"
# the admin password of the simulator, in a file only root (httpd's parent) reads
umask 077
echo adminpw > "$run/pbx-admin.secret"
umask 022

user_group=
[ "$(id -u)" = 0 ] && user_group=$'User nobody\nGroup nogroup'
moddir=$(apxs -q LIBEXECDIR 2>/dev/null || echo /usr/lib/apache2/modules)
perl -pe '
    BEGIN { %v = @ARGV[1..$#ARGV]; $#ARGV = 0 }
    s/\@(\w+)\@/exists $v{$1} ? $v{$1} : "\@$1\@"/ge
' "$top/conf/demo-site.conf.in" RUN "$run" PORT "$port" COOKIE_PORT "$cookie_port" TOP "$top" MODDIR "$moddir" \
    SIM_URL "$sim_url" SIM_TLS_URL "$sim_tls_url" USER_GROUP "$user_group" > "$run/httpd.conf"

# --- the same two sites over HTTPS with HTTP/2, as a modern CRM runs them
# (Protocols h2 http/1.1; H2WebSockets on for the same-origin websocket over
# RFC 8441 extended CONNECT). The cookie mode names the simulator's https
# listener: an https page may not open a ws:// websocket.
h2_site() {
    mkdir -p "$run/h2"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
        -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
        -keyout "$run/h2/key.pem" -out "$run/h2/cert.pem" 2>/dev/null
    chmod 644 "$run/h2/cert.pem"
    local tls="    SSLEngine on
    SSLCertificateFile $run/h2/cert.pem
    SSLCertificateKeyFile $run/h2/key.pem
    Protocols h2 http/1.1"
    cat <<CONF

# HTTP/2 over TLS (scripts/stack.sh, PBXDIAL_H2_PORT): the same CRM in both modes
LoadModule ssl_module   $moddir/mod_ssl.so
LoadModule http2_module $moddir/mod_http2.so
Listen 127.0.0.1:$h2_port
Listen 127.0.0.1:$h2_cookie_port
<VirtualHost 127.0.0.1:$h2_port>
    ServerName https://127.0.0.1:$h2_port
$tls
    H2WebSockets on
</VirtualHost>
<VirtualHost 127.0.0.1:$h2_cookie_port>
    ServerName https://127.0.0.1:$h2_cookie_port
$tls
    PbxDialPublicServer $sim_tls_url
    <Location />
        PbxDialWebSocketPath none
    </Location>
</VirtualHost>
CONF
}
[ -n "$h2_port" ] && h2_site >> "$run/httpd.conf"

if ! "$httpd" -d "$run" -f "$run/httpd.conf" -k start; then
    echo "stack: httpd did not start; see $run/logs/error_log" >&2; stop; exit 1
fi
for _ in $(seq 50); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.1
done

cat > "$run/stack.env" <<ENV
PBXDIAL_URL=http://127.0.0.1:$port/
PBXDIAL_COOKIE_URL=http://127.0.0.1:$cookie_port/
PBXDIAL_SIM_URL=$sim_url
PBXDIAL_SIM_TLS_URL=$sim_tls_url
ENV
if [ -n "$h2_port" ]; then
    cat >> "$run/stack.env" <<ENV
PBXDIAL_H2_URL=https://127.0.0.1:$h2_port/
PBXDIAL_H2_COOKIE_URL=https://127.0.0.1:$h2_cookie_port/
PBXDIAL_H2_CA=$run/h2/cert.pem
ENV
fi
