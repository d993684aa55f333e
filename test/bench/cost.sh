# Copyright 2026 the mod_pbxdial authors. SPDX-License-Identifier: Apache-2.0
# The cost phase of test/bench/run (issue 14), sourced by it: what a request
# costs httpd's children with mod_pbxdial against mod_proxy_http doing the same
# PBX round trip, per 1,000 requests, as a table with ratios and targets.
#
# Method (see README.md): per pair, ONE httpd started under
# `perf stat -I 100 -e raw_syscalls:sys_enter,context-switches` (perf counts
# the whole process tree: attaching with -p counts nothing on this kernel),
# a warm-up of each side, then rounds A B A B A B of `ab -k -c 32 -n N`,
# 1.5 s apart. Per round: CPU = utime+stime of the children from
# /proc/PID/stat before and after; system calls and context switches = perf's
# 100 ms intervals from 0.6 s before to 0.6 s after the round (rounds are
# 1.5 s apart and httpd is idle between them, so the edges add next to nothing); req/s and p99 from ab (-e csv).
# Each figure is the median of the rounds. Interleaving A and B puts the
# same disturbance from other work on the machine on both sides.
#
# Uses from run: $run $web $bench_user $bench_pass $session_cookie $body3rd
# $httpd_bin $httpd_children httpd_stop nginx_lines nginx_window say die.
# Writes $run/cost.txt (printed in the report) and logs to $run/logs/cost.*.

cost_tck=$(getconf CLK_TCK)
cost_mode=perf  # perf | strace (fallback, inflates futex counts) | none
perf_pid=

cost_tools() {
    if ! command -v perf >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        say "cost: installing linux-perf (for perf stat)"
        DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -q \
            --no-install-recommends linux-perf >"$run/logs/apt-perf.log" 2>&1 || true
    fi
    local n
    n=$(perf stat -x, -e raw_syscalls:sys_enter -- true 2>&1 >/dev/null | awk -F, '/raw_syscalls/ { print $1 }')
    if [[ ! $n =~ ^[0-9]+$ ]]; then
        say "warning: perf stat -e raw_syscalls:sys_enter does not work here (${n:-no perf}; needs root or"
        say "  kernel.perf_event_paranoid <= 1): system calls are counted with strace -c -f instead, which"
        say "  inflates futex counts (on both sides alike); context switches come from /proc"
        if command -v strace >/dev/null 2>&1; then cost_mode=strace; else cost_mode=none; fi
    fi
}

children() { { pgrep -P "$httpd_pid" || true; } | tr "\n" " "; }
children_ticks() {      # utime+stime of httpd's children, in clock ticks
    local t=0 pid line f
    for pid in $(children); do
        line=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        read -r -a f <<< "${line##*) }"
        t=$((t + f[11] + f[12]))
    done
    echo "$t"
}
children_ctx() {        # voluntary + involuntary context switches of all their threads
    cat /proc/$httpd_pid/task/*/status $(for p in $(children); do echo "/proc/$p/task/*/status"; done) 2>/dev/null \
        | awk '/^(non)?voluntary_ctxt_switches:/ { s += $2 } END { print s + 0 }'
}

cost_httpd_start() {    # $1: tag for perf's file
    cost_t0=$(date +%s.%N)
    if [ "$cost_mode" = perf ]; then
        httpd_start perf stat -x, -I 100 -o "$run/logs/cost.perf.$1.csv" \
            -e raw_syscalls:sys_enter,context-switches
        # perf's interval clock starts when its counters are set up, just before httpd
        cost_t0=$(awk -v st="$(awk '{ print $22 }' "/proc/$perf_pid/stat")" -v tck="$cost_tck" -v up="$(cut -d' ' -f1 /proc/uptime)" \
            -v now="$(date +%s.%N)" 'BEGIN { printf "%.3f", now - up + st / tck }')
    else
        httpd_start
    fi
}

cost_httpd_stop() {
    httpd_stop
    if [ -n "$perf_pid" ]; then wait "$perf_pid" 2>/dev/null || true; perf_pid=; fi
}

# ab with the side's request; leaves "done failed non2xx rps p99" in $run/logs/cost.res
cost_ab() {     # side n
    local s=$1 n=$2 rc=0
    local -a a=(-q -k -c 32 -s 10 -n "$n" -A "$bench_user:$bench_pass" -e "$run/logs/cost.csv" -H 'Sec-Fetch-Site: none')
    case $s in
        pbxlogin) a+=("$web/rest/pbxlogin") ;;
        proxy) a+=(-p "$run/body3rd.json" -T application/json "$web/proxy/session") ;;
        remote_call) a+=("$web/remote_call.htm?dest=0123456789") ;;
        proxy_rc) a+=(-C "session=$session_cookie" "$web/proxy/remote_call.htm?dest=0123456789") ;;
    esac
    ab "${a[@]}" >"$run/logs/cost.ab" 2>&1 & wrk_pid=$!
    wait "$wrk_pid" || rc=$?
    wrk_pid=
    cat "$run/logs/cost.ab" >> "$run/logs/cost.ab.all"
    [ "$rc" = 0 ] || { tail -n 5 "$run/logs/cost.ab" >&2; die "ab failed ($s)"; }
    # "failed" without ab's Length ones (a body of another length than the first: under load a few
    # responses were counted so while nginx and httpd logged no error)
    { awk '/^Complete requests:/ { c = $3 } /^Failed requests:/ { f = $3 } /^Non-2xx responses:/ { x = $3 }
           /\(Connect: / { gsub(/[(),]/, ""); f -= $6 }
           /^Requests per second:/ { r = $4 } END { printf "%d %d %d %.0f ", c, f, x, r }' "$run/logs/cost.ab"
      awk -F, '$1 == 99 { printf "%.2f\n", $2 }' "$run/logs/cost.csv"; } > "$run/logs/cost.res"
}

# perf's events of the intervals ending in (from, to] seconds after cost_t0
perf_window() {
    awk -F, -v a="$1" -v b="$2" '/^#/ || NF < 4 { next } { t = $1 + 0 }
        t > a && t <= b && $2 ~ /^[0-9]+$/ { if ($4 ~ /raw_syscalls/) s += $2; else if ($4 ~ /context-switches/) c += $2 }
        END { printf "%d %d\n", s, c }' "$run/logs/cost.perf.$3.csv"
}

# One pair: fills ROWS[tag,side,round]="req fail non rps p99 cpu_ticks t_from t_to ctx_proc pbx_lines"
cost_pair() {   # tag sideA sideB
    local tag=$1 s r n=$cost_n t1 t2 k0 k1 x0 x1 l0 l1 st
    cost_httpd_start "$tag"
    for s in "$2" "$3"; do cost_ab "$s" "$cost_warm"; done
    for r in $(seq "$cost_rounds"); do
        for s in "$2" "$3"; do
            sleep 1.5
            k0=$(children_ticks); x0=$(children_ctx); l0=$(nginx_lines)
            st=
            if [ "$cost_mode" = strace ]; then
                strace -f -c -q -o "$run/logs/cost.strace.$s.$r" $(for p in $(children); do echo -p "$p"; done) & st=$!
                sleep 1
            fi
            t1=$(awk -v n="$(date +%s.%N)" -v z="$cost_t0" 'BEGIN { printf "%.3f", n - z }')
            cost_ab "$s" "$n"
            t2=$(awk -v n="$(date +%s.%N)" -v z="$cost_t0" 'BEGIN { printf "%.3f", n - z }')
            [ -n "$st" ] && { kill -TERM "$st" 2>/dev/null; wait "$st" 2>/dev/null || true; }
            k1=$(children_ticks); x1=$(children_ctx); l1=$(nginx_lines)
            read -r -a res < "$run/logs/cost.res"
            read -r _ _ up < <(nginx_window "$l0" "$l1")
            ROWS[$tag,$s,$r]="${res[*]} $((k1 - k0)) $t1 $t2 $((x1 - x0)) $up"
            say "$(printf 'cost %-11s round %s: %6s req/s, p99 %6s ms, %s failed, %s non-2xx, PBX requests %s' \
                "$s" "$r" "${res[3]}" "${res[4]}" "${res[1]}" "${res[2]}" "$up")"
        done
    done
    cost_httpd_stop
}

strace_syscalls() {     # total calls in an strace -c summary
    awk '$NF == "total" { print $4 + 0 }' "$1" 2>/dev/null || echo 0
}

# per-1000 figures of one side: "cpu_ms syscalls ctx rps p99 pbx_per_req fail" (medians)
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
cost_side() {   # tag side
    local tag=$1 s=$2 r f cpu sc cx rps p99 up fl=0
    for r in $(seq "$cost_rounds"); do
        read -r -a f <<< "${ROWS[$tag,$s,$r]}"
        local req=${f[0]}
        [ "$req" -gt 0 ] || req=1
        fl=$((fl + f[1] + f[2]))
        if [ "$cost_mode" = perf ]; then
            read -r sc cx < <(perf_window "$(awk -v a="${f[6]}" 'BEGIN { print a - 0.6 }')" \
                "$(awk -v b="${f[7]}" 'BEGIN { print b + 0.6 }')" "$tag")
        else
            sc=$(strace_syscalls "$run/logs/cost.strace.$s.$r"); cx=${f[8]}
        fi
        echo "$(awk -v t="${f[5]}" -v k="$cost_tck" -v q="$req" 'BEGIN { printf "%.1f", 1e6 * t / k / q }') $((1000 * sc / req)) $((1000 * cx / req)) ${f[3]} ${f[4]} $(awk -v u="${f[9]}" -v q="$req" 'BEGIN { printf "%.2f", u / q }')"
    done > "$run/logs/cost.side"
    local i out=
    for i in 1 2 3 4 5 6; do out+="$(cut -d' ' -f$i "$run/logs/cost.side" | median) "; done
    echo "$out$fl"
}

cost_table() {  # tag title sideA sideB
    local -a a b
    read -r -a a < <(cost_side "$1" "$3")
    read -r -a b < <(cost_side "$1" "$4")
    ck() { awk -v x="$1" -v y="$2" -v op="$3" -v t="$4" 'BEGIN { if (y <= 0) { printf "n/a |  |"; exit }
        r = x / y; ok = (op == "<=") ? r <= t : r >= t; printf "%.2f | %s %.2f | %s", r, (op == "<=" ? "≤" : "≥"), t, ok ? "✓" : "✗" }'; }
    fmt() { awk -v v="$1" 'BEGIN { s = sprintf("%.0f", v); o = ""
        while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }; print s o }'; }
    local scnote=; [ "$cost_mode" = strace ] && scnote=" (strace: futex inflated)"
    echo "| per 1,000 $2 | mod_pbxdial | mod_proxy_http | ratio | target | |"
    echo "|---|---|---|---|---|---|"
    echo "| CPU in httpd's children | ${a[0]} ms | ${b[0]} ms | $(ck "${a[0]}" "${b[0]}" '<=' 1.1) |"
    echo "| system calls$scnote | $(fmt "${a[1]}") | $(fmt "${b[1]}") | $(ck "${a[1]}" "${b[1]}" '<=' 1.1) |"
    echo "| context switches | $(fmt "${a[2]}") | $(fmt "${b[2]}") | $(awk -v x="${a[2]}" -v y="${b[2]}" 'BEGIN { printf (y > 0 ? "%.2f" : "n/a"), (y > 0 ? x / y : 0) }') | (none) | |"
    echo "| req/s (median of $cost_rounds rounds) | $(fmt "${a[3]}") | $(fmt "${b[3]}") | $(ck "${a[3]}" "${b[3]}" '>=' 0.95) |"
    echo "| p99 latency | ${a[4]} ms | ${b[4]} ms | $(ck "${a[4]}" "${b[4]}" '<=' 1.2) |"
    echo
    echo "PBX requests per request: ${a[5]} and ${b[5]}; failed or non-2xx over the rounds: ${a[6]} and ${b[6]}"
    echo "(ab's \"Length\" failures are left out: see $run/logs/cost.ab.all)"
}

# Others' work next to the figures: load average and the busiest processes
# outside the benchmark between two snapshots of /proc/*/stat.
proc_snap() {
    for f in /proc/[0-9]*/stat; do cat "$f" 2>/dev/null || true; echo; done \
        | awk 'NF { c = $0; sub(/^[0-9]+ \(/, "", c); sub(/\) .*/, "", c); r = $0; sub(/^.*\) /, "", r);
                    split(r, x, " "); print $1, x[12] + x[13], c }' > "$1"
}
busy_others() {         # snap_before snap_after seconds
    local ours=" $$ $nginx_pid ${fpm_pid:-} $(pgrep -P "$nginx_pid" | tr '\n' ' ') $(pgrep -P "${fpm_pid:-1}" | tr '\n' ' ') "
    awk -v ours="$ours" -v secs="$3" -v tck="$cost_tck" 'NR == FNR { b[$1] = $2; next }
        ($1 in b) && index(ours, " " $1 " ") == 0 { d = $2 - b[$1]; c = $0; sub(/^[0-9]+ [0-9]+ /, "", c);
            if (d > 0) printf "%.0f %d %s\n", 100 * d / tck / secs, $1, c }' "$1" "$2" \
        | sort -rn | awk '$1 >= 2 && n++ < 6 { printf "%s%s (%s) %s%%", (n > 1 ? ", " : ""), $3, $2, $1 } END { if (!n) printf "none above 2%% of a core" }'
}

# ---------------------------------------------------------------- the phase
cost_run() {
    declare -gA ROWS
    cost_tools
    printf '%s' "$body3rd" > "$run/body3rd.json"
    say "cost: $cost_rounds rounds of ab -k -c 32 -n $cost_n per side, after $cost_warm warm-up requests (counting with $cost_mode)"
    local t0 t1 la0
    la0=$(cut -d' ' -f1-3 /proc/loadavg); t0=$(date +%s); proc_snap "$run/logs/cost.snap0"
    cpu_mark cm0
    cost_pair login pbxlogin proxy
    cost_pair call remote_call proxy_rc
    cpu_mark cm1
    proc_snap "$run/logs/cost.snap1"; t1=$(date +%s)
    {
        echo "Cost per 1,000 requests (issue 14): one httpd per table under perf, $cost_rounds rounds of"
        echo "ab -k -c 32 -n $cost_n per side, interleaved, after a warm-up; medians. Counting: $cost_mode."
        echo
        cost_table login '`/rest/pbxlogin`' pbxlogin proxy
        echo
        cost_table call '`remote_call.htm` (reused session)' remote_call proxy_rc
        echo
        echo "mod_proxy_http sides: POST /proxy/session (ProxyPass to /rest/system/session, same JSON body);"
        echo "GET /proxy/remote_call.htm?dest=... (ProxyPass to the stand-in's /remote_call.htm, the client"
        echo "sends the session cookie itself). Same Basic auth ({SHA} htpasswd), same pooled TLS to the stand-in."
        echo "Machine during the cost phase ($((t1 - t0)) s): load average $la0 before, $(cut -d' ' -f1-3 /proc/loadavg) after;"
        # httpd ran under perf, a child of this shell: its CPU is in `times` once perf is waited for
        echo "  CPU used by other work: $(cpu_other cm0 cm1)% of the machine (/proc/stat minus this benchmark);"
        echo "  the busiest other processes alive through the phase (% of one core):"
        echo "  $(busy_others "$run/logs/cost.snap0" "$run/logs/cost.snap1" "$((t1 - t0))")"
    } > "$run/cost.txt"
    cat "$run/cost.txt" >&2
}

# strace -f -c of one round per side: where the system calls go
cost_strace() {
    local s tag sides
    say "strace: one round of $cost_n requests per side under strace -f -c (slow)"
    printf '%s' "$body3rd" > "$run/body3rd.json"
    for tag in login call; do
        [ "$tag" = login ] && sides="pbxlogin proxy" || sides="remote_call proxy_rc"
        httpd_start
        for s in $sides; do cost_ab "$s" "$cost_warm"; done
        for s in $sides; do
            strace -f -c -q -o "$run/logs/strace.$s" $(for p in $(children); do echo -p "$p"; done) & local st=$!
            sleep 2
            cost_ab "$s" "$cost_n"
            read -r done_n _ < "$run/logs/cost.res"
            echo "$done_n" > "$run/logs/strace.$s.n"
            kill -TERM "$st" 2>/dev/null; wait "$st" 2>/dev/null || true
        done
        httpd_stop
    done
    {
        echo "strace -f -c, system calls per request in httpd's children (strace inflates futex on both sides):"
        for tag in login call; do
            [ "$tag" = login ] && set -- pbxlogin proxy || set -- remote_call proxy_rc
            printf '  %-16s %12s %12s   (%s vs %s)\n' syscall mod_pbxdial mod_proxy "$1" "$2"
            awk -v na="$(cat "$run/logs/strace.$1.n")" -v nb="$(cat "$run/logs/strace.$2.n")" '
                FNR == 1 { f++ } $4 ~ /^[0-9]+$/ && $NF != "total" { n = $NF; c[n, f] = $4; e[n, f] = (NF == 6 ? $5 : 0); k[n] = 1 }
                $NF == "total" { T[f] = $4 }
                END { for (n in k) printf "  %-16s %7.2f (%4.2f) %7.2f (%4.2f)\n", n, c[n, 1] / na, e[n, 1] / na, c[n, 2] / nb, e[n, 2] / nb
                      printf "  %-16s %7.2f        %7.2f\n", "~total", T[1] / na, T[2] / nb }' \
                "$run/logs/strace.$1" "$run/logs/strace.$2" | sort -k2 -gr | head -n 16
        done
        echo "  (in brackets: of them, failed calls)"
    } > "$run/strace.txt"
    cat "$run/strace.txt" >&2
}

# perf record of one round per side (--profile): where the CPU goes, as
# microseconds of CPU per request by shared object and by function, so the
# two sides' figures subtract. httpd runs under perf (attaching with -p
# records nothing on this kernel), sampled at 4 kHz on every CPU it uses.
cost_profile() {
    local s tag sides hz=4000
    command -v perf >/dev/null 2>&1 || cost_tools
    printf '%s' "$body3rd" > "$run/body3rd.json"
    say "profile: one round of $cost_n requests per side under perf record ($hz Hz)"
    for tag in login call; do
        [ "$tag" = login ] && sides="pbxlogin proxy" || sides="remote_call proxy_rc"
        for s in $sides; do
            httpd_start perf record -q -F "$hz" -o "$run/logs/perf.$s.data"
            cost_ab "$s" "$cost_n"
            read -r done_n _ < "$run/logs/cost.res"
            echo "$done_n" > "$run/logs/perf.$s.n"
            cost_httpd_stop
        done
    done
    {
        echo "perf record, CPU per request in httpd (all processes, us; warm-up and idle included):"
        for tag in login call; do
            [ "$tag" = login ] && set -- pbxlogin proxy || set -- remote_call proxy_rc
            printf '  %-44s %9s %9s   (%s vs %s)\n' "shared object" mod_pbxdial mod_proxy "$1" "$2"
            cost_profile_table "$1" "$2" dso 12
            printf '  %-44s %9s %9s\n' "function (shared object)" mod_pbxdial mod_proxy
            cost_profile_table "$1" "$2" dso,sym 25
        done
    } > "$run/profile.txt"
    cat "$run/profile.txt" >&2
}

# one table of per-request CPU by the given sort keys, both sides side by side
cost_profile_table() {  # side_a side_b sort rows
    local s
    for s in "$1" "$2"; do
        perf report -q -i "$run/logs/perf.$s.data" --no-children --sort "$3" --stdio -F overhead,sample,"$3" \
            2>/dev/null | awk -v side="$s" -v n="$(cat "$run/logs/perf.$s.n")" -v hz=4000 '
            $2 ~ /^[0-9]+$/ { k = $3; for (i = 4; i <= NF; i++) k = k " " $i; printf "%s\t%s\t%.2f\n", side, k, $2 / hz / n * 1e6 }'
    done | awk -F'\t' -v a="$1" -v rows="$4" '
        { key[$2] = 1; if ($1 == a) A[$2] += $3; else B[$2] += $3; ta += ($1 == a) * $3; tb += ($1 != a) * $3 }
        END { printf "%f\t  %-44s %9.2f %9.2f\n", 1e12, "~total", ta, tb
              for (k in key) printf "%f\t  %-44.44s %9.2f %9.2f\n", A[k] + B[k], k, A[k], B[k] }' \
        | sort -t$'\t' -k1,1 -gr | awk -v r="$(($4 + 1))" 'NR <= r' | cut -f2-
}
