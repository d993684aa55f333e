#!/bin/bash
# libFuzzer targets over the pure core (fuzz/fuzz_*.c): build, run, report.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   SECONDS_PER_TARGET  time each target runs (default 10)
#   TARGET              query number link reply files page url wsframe (default: all)
# Environment:
#   FUZZ_RUNS=N    run N executions per target instead of a time (the long
#                  run: FUZZ_RUNS=10000000 scripts/fuzz.sh)
#   FUZZ_JOBS=N    targets run at the same time (default 1)
#   FUZZ_BUILD=DIR build and work directory (default fuzz/build, git-ignored)
#   FUZZ_ARGS      more libFuzzer flags for every target
#   FUZZ_COVERAGE=1  afterwards, line and branch coverage of the src/ files
#                  by each target's corpus (llvm-cov; Debian package llvm)
#   CC             the clang to use (default clang)
#
# Every target is built from the src/*.c files it needs, compiled with
# -fsanitize=fuzzer,address,undefined (not the libtool archive built with
# gcc), and runs on a fresh copy of fuzz/corpus/TARGET: the committed corpus
# is never written. Any crash, leak, undefined behaviour, failed invariant
# or timeout fails the run (exit 1); the input that caused it is in
# FUZZ_BUILD/run/TARGET/artifacts/ and the report in FUZZ_BUILD/run/TARGET/log.
# Needs Debian's clang and libclang-rt-14-dev (libFuzzer and the sanitizer
# runtimes), libapr1-dev, libaprutil1-dev, libjansson-dev, libpcre2-dev,
# libssl-dev.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

all_targets=(query number link reply files page url wsframe)
secs=10
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
    secs=$1
    shift
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
runs=${FUZZ_RUNS:-}
jobs=${FUZZ_JOBS:-1}
build=${FUZZ_BUILD:-$top/fuzz/build}
cc=${CC:-clang}
[[ $cc == *gcc* || $cc == cc ]] && cc=clang     # a gcc from the environment cannot build these

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[[ $secs =~ ^[1-9][0-9]*$ ]] || usage
[ -z "$runs" ] || [[ $runs =~ ^[1-9][0-9]*$ ]] || usage
[[ $jobs =~ ^[1-9][0-9]*$ ]] || usage

# sources of each target besides fuzz/fuzz_TARGET.c and fuzz/fuzz_common.c
sources() {
    case $1 in
        query)  echo src/query.c ;;
        number) echo src/number.c src/policy.c ;;
        link)   echo src/link.c src/names.c src/number.c src/url.c src/query.c ;;
        reply)  echo src/reply.c ;;
        files)  echo src/usermap_parse.c src/linkpw_parse.c src/lines.c src/names.c ;;
        page)   echo src/page.c ;;
        url)    echo src/url.c ;;
        wsframe) echo src/wsframe.c src/wspolicy.c src/number.c src/policy.c ;;
        *)      return 1 ;;
    esac
}
# libFuzzer's -max_len: the query parser refuses more than 8192 bytes, so
# its target must be able to go past that; the others read short strings.
max_len() {
    case $1 in
        query) echo 9000 ;;
        *)     echo 4096 ;;
    esac
}
for t in "${targets[@]}"; do
    sources "$t" >/dev/null || { echo "fuzz: unknown target '$t' (targets: ${all_targets[*]})" >&2; exit 2; }
done

mkdir -p "$build"

# --- the compiler
probe=$build/probe
if [ ! -x "$probe" ] || ! "$probe" -runs=1 >/dev/null 2>&1; then
    printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }\n' > "$build/probe.c"
    if ! "$cc" -fsanitize=fuzzer,address,undefined "$build/probe.c" -o "$probe" >"$build/probe.log" 2>&1; then
        echo "fuzz: $cc cannot link -fsanitize=fuzzer,address,undefined:" >&2
        sed 's/^/  /' "$build/probe.log" >&2
        echo "fuzz: on Debian 12: apt-get install clang libclang-rt-14-dev" >&2
        exit 1
    fi
fi

deps_cflags="$(apr-1-config --cppflags --includes) $(apu-1-config --includes)"
deps_libs="$(apu-1-config --link-ld) $(apr-1-config --link-ld)"
for pc in jansson libpcre2-8 libcrypto; do
    if pkg-config --exists "$pc" 2>/dev/null; then
        deps_cflags+=" $(pkg-config --cflags "$pc")"
        deps_libs+=" $(pkg-config --libs "$pc")"
    else
        echo "fuzz: pkg-config does not know $pc (libjansson-dev, libpcre2-dev, libssl-dev)" >&2
        exit 1
    fi
done
cflags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all"
cflags+=" -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers"

# --- build (only what is out of date)
build_target() {
    local t=$1 bin=$build/fuzz_$1 srcs s stale=0
    srcs="fuzz/fuzz_$t.c fuzz/fuzz_common.c $(sources "$t")"
    if [ -x "$bin" ]; then
        for s in $srcs fuzz/fuzz_common.h src/*.h "$0"; do
            [ "$s" -nt "$bin" ] && stale=1
        done
    else
        stale=1
    fi
    [ $stale = 0 ] && return 0
    # shellcheck disable=SC2086
    if ! "$cc" $cflags -Ifuzz -Isrc $deps_cflags $srcs -o "$bin.tmp" $deps_libs -ldl \
            >"$build/build_$t.log" 2>&1; then
        echo "fuzz: building $t failed:" >&2
        cat "$build/build_$t.log" >&2
        return 1
    fi
    mv -f "$bin.tmp" "$bin"
    [ -s "$build/build_$t.log" ] && cat "$build/build_$t.log" >&2
    return 0
}

echo "fuzz: building ${targets[*]} with $("$cc" --version | head -1)"
running=0 failed=0
for t in "${targets[@]}"; do
    if [ $running -ge 2 ]; then
        wait -n || failed=1
        running=$((running - 1))
    fi
    build_target "$t" &
    running=$((running + 1))
done
while [ $running -gt 0 ]; do
    wait -n || failed=1
    running=$((running - 1))
done
[ $failed = 0 ] || exit 1

# --- run
symbolizer=$(command -v llvm-symbolizer || command -v llvm-symbolizer-14 || true)
[ -n "$symbolizer" ] && export ASAN_SYMBOLIZER_PATH=$symbolizer
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_target() {
    local t=$1 work=$build/run/$1 opts start rc
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/artifacts"
    cp -p "fuzz/corpus/$t/"* "$work/corpus/" 2>/dev/null
    opts=(-print_final_stats=1 -artifact_prefix="$work/artifacts/" -timeout=10 -rss_limit_mb=2048
          -max_len="$(max_len "$t")")
    [ -f "fuzz/$t.dict" ] && opts+=(-dict="fuzz/$t.dict")
    if [ -n "$runs" ]; then
        opts+=(-runs="$runs")
    else
        opts+=(-max_total_time="$secs")
    fi
    # shellcheck disable=SC2206
    [ -n "${FUZZ_ARGS:-}" ] && opts+=($FUZZ_ARGS)
    start=$(date +%s)
    "$build/fuzz_$t" "${opts[@]}" "$work/corpus" >"$work/log" 2>&1
    rc=$?
    echo "$rc $(( $(date +%s) - start ))" > "$work/status"
}

mode=$([ -n "$runs" ] && echo "$runs executions" || echo "$secs s")
echo "fuzz: running ${targets[*]}, $mode each, $jobs at a time (logs: $build/run/TARGET/log)"
running=0
for t in "${targets[@]}"; do
    if [ $running -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
    run_target "$t" &
    running=$((running + 1))
done
wait

# --- report
classify() {
    local log=$1 rc=$2
    if grep -q '==FUZZ== invariant failed' "$log"; then echo "INVARIANT"
    elif grep -q 'ERROR: LeakSanitizer' "$log"; then echo "LEAK"
    elif grep -q 'runtime error:' "$log"; then echo "UB"
    elif grep -q 'ERROR: AddressSanitizer' "$log"; then
        echo "ASAN:$(grep -m1 -o 'AddressSanitizer: [a-z-]*' "$log" | cut -d' ' -f2)"
    elif grep -q 'ERROR: libFuzzer: timeout' "$log"; then echo "TIMEOUT"
    elif grep -q 'out-of-memory' "$log"; then echo "OOM"
    elif grep -q 'ERROR: libFuzzer' "$log"; then echo "CRASH"
    elif [ "$rc" != 0 ]; then echo "EXIT:$rc"
    else echo "ok"
    fi
}
fstat() { sed -n "s/^stat::$1: *//p" "$2" | tail -1; }

status=0 failed_targets=()
printf '\n%-8s %-10s %12s %9s %7s %7s %8s %6s\n' target result executions exec/s cov ft corpus time
for t in "${targets[@]}"; do
    work=$build/run/$t
    read -r rc took < "$work/status"
    result=$(classify "$work/log" "$rc")
    execs=$(fstat number_of_executed_units "$work/log")
    eps=$(fstat average_exec_per_sec "$work/log")
    last=$(grep -E '^#[0-9]+.*cov: [0-9]+ ft: [0-9]+' "$work/log" | tail -1)
    cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.*corp: \([0-9]*\)\/.*/\1/p' <<<"$last")
    printf '%-8s %-10s %12s %9s %7s %7s %8s %5ss\n' "$t" "$result" "${execs:--}" "${eps:--}" \
        "${cov:--}" "${ft:--}" "${corp:--}" "$took"
    if [ "$result" != ok ]; then
        status=1
        failed_targets+=("$t")
    fi
done
# --- coverage of src/ by the corpus each target ended with
if [ -n "${FUZZ_COVERAGE:-}" ]; then
    llvm_cov=$(command -v llvm-cov || command -v llvm-cov-14 || true)
    llvm_prof=$(command -v llvm-profdata || command -v llvm-profdata-14 || true)
    if [ -z "$llvm_cov" ] || [ -z "$llvm_prof" ]; then
        echo "fuzz: FUZZ_COVERAGE needs llvm-cov and llvm-profdata (Debian: apt-get install llvm)" >&2
        status=1
    else
        mkdir -p "$build/cov"
        printf '\n%-8s %-24s %8s %9s   (coverage of the corpus after the run)\n' target file lines branches
        for t in "${targets[@]}"; do
            bin=$build/cov/fuzz_$t
            # shellcheck disable=SC2086
            "$cc" -g -O0 -fprofile-instr-generate -fcoverage-mapping -fsanitize=fuzzer -Ifuzz -Isrc \
                $deps_cflags fuzz/fuzz_$t.c fuzz/fuzz_common.c $(sources "$t") -o "$bin" $deps_libs -ldl \
                >"$build/cov/build_$t.log" 2>&1 || { echo "fuzz: coverage build of $t failed" >&2; status=1; continue; }
            rm -f "$build/cov/$t.profraw"
            LLVM_PROFILE_FILE=$build/cov/$t.profraw "$bin" -runs=0 "$build/run/$t/corpus" >/dev/null 2>&1
            "$llvm_prof" merge -sparse "$build/cov/$t.profraw" -o "$build/cov/$t.profdata" || continue
            # shellcheck disable=SC2046
            "$llvm_cov" report "$bin" -instr-profile="$build/cov/$t.profdata" $(sources "$t") 2>/dev/null \
                | awk -v t="$t" '$1 ~ /\.c$/ { f = $1; sub(/.*\//, "", f); printf "%-8s %-24s %8s %9s\n", t, "src/" f, $10, $13 }'
        done
    fi
fi

echo "fuzz: $(( ${#targets[@]} - ${#failed_targets[@]} )) ok, ${#failed_targets[@]} failed"
if [ $status != 0 ]; then
    echo
    for t in "${failed_targets[@]}"; do
        work=$build/run/$t
        echo "fuzz: $t FAILED; input(s): $(ls "$work/artifacts/" 2>/dev/null | sed "s|^|$work/artifacts/|" | tr '\n' ' ')"
        echo "fuzz: reproduce with: $build/fuzz_$t INPUT   (report: $work/log)"
        grep -m1 -A12 -E '==FUZZ== invariant|ERROR: (Address|Leak)Sanitizer|runtime error:|ERROR: libFuzzer' "$work/log" \
            | sed 's/^/    /'
    done
fi
exit $status
