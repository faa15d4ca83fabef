#!/usr/bin/env bash
# Does greenlight's memory grow with what a suite prints? Runs one suite that prints 1.5 GB of short lines
# (then the closing summary line of the runner format it declares) under greenlight, once per output_cap
# (1MiB, 8MiB, 16MiB) and per `results: { format: ... }` (pytest, go, ctest, cargo, node, plain), and the
# same command once as a CTest test. Prints the peak RSS of each (GNU time's %M) and the ratio
# greenlight/ctest (target: greenlight under 64 MB in every row). A report, not a test: a missed target
# does not fail the script.
# Usage: bench/runner_memory.sh [GREENLIGHT_BINARY]   (default build/greenlight)
# Environment: BENCH_OUTPUT_BYTES (default 1500000000) to print less or more.
set -euo pipefail

output_bytes=${BENCH_OUTPUT_BYTES:-1500000000}
caps=(1MiB 8MiB 16MiB)
formats=(pytest go ctest cargo node plain)
target_kib=$((64 * 1024))
limit_seconds=600   # each run stops by itself after this long

binary=${1:-build/greenlight}
if [[ ! -x $binary ]]; then
    echo "runner_memory: no greenlight binary at '$binary' (build it, or pass its path)" >&2
    exit 2
fi
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
time_tool=/usr/bin/time
[[ -x $time_tool ]] || { echo "runner_memory: GNU time is needed at $time_tool (Debian package 'time')" >&2; exit 2; }
for tool in ctest timeout yes head; do
    command -v "$tool" >/dev/null || { echo "runner_memory: '$tool' is needed" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/greenlight-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# The closing line each runner prints, so that every run is a pass that read its summary from the end of
# the (capped) output.log.
summary_line() {
    case $1 in
    pytest) echo '============================== 1 passed in 0.01s ==============================' ;;
    go) printf 'ok  \texample.com/bench\t0.010s' ;;
    ctest) echo '100% tests passed, 0 tests failed out of 1' ;;
    cargo) printf 'running 1 test\\ntest bench ... ok\\n\\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s' ;;
    node) printf '# tests 1\\n# pass 1\\n# fail 0' ;;
    plain) echo '1 passed, 0 failed' ;;
    esac
}

# One script per format prints the output: `yes` writes 2-byte lines, the worst case for anything that
# keeps a record per line.
mkdir -p "$work/bin"
for format in "${formats[@]}"; do
    cat >"$work/bin/print-$format" <<EOF
#!/bin/sh
yes x | head -c $output_bytes
printf '%b\n' '$(summary_line "$format")'
EOF
    chmod +x "$work/bin/print-$format"
done

# peak_kib LOG COMMAND...: runs COMMAND under GNU time, returns its peak RSS in KiB; fails on a bad exit.
peak_kib() {
    local log=$1; shift
    if ! timeout "$limit_seconds" "$time_tool" -f '%M' -o "$work/rss" "$@" >"$log" 2>&1; then
        echo "runner_memory: '$*' failed; its output:" >&2
        tail -n 20 "$log" >&2
        return 1
    fi
    tail -n 1 "$work/rss"
}

# --- CTest: the same command as one test ------------------------------------------------------------------
mkdir -p "$work/ctest"
printf 'add_test(print "%s")\n' "$work/bin/print-plain" >"$work/ctest/CTestTestfile.cmake"
ctest_kib=$(peak_kib "$work/ctest.log" ctest --test-dir "$work/ctest")
grep -q "100% tests passed, 0 tests failed out of 1" "$work/ctest.log" || {
    echo "runner_memory: ctest did not pass the test:" >&2
    tail -n 5 "$work/ctest.log" >&2
    exit 1
}

# --- greenlight: every cap and format ---------------------------------------------------------------------
printf '\nrunner memory: a suite printing %s bytes of 2-byte lines; peak RSS (GNU time %%M)\n' "$output_bytes"
printf '  %-18s %-6s %9s %7s   %s\n' "runner" "cap" "peak MB" "ratio" "target < 64 MB"
printf '  %-18s %-6s %9.1f %7s\n' "ctest" "-" "$(awk -v k="$ctest_kib" 'BEGIN { print k / 1024 }')" "1.00"
missed=0
for cap in "${caps[@]}"; do
    for format in "${formats[@]}"; do
        project=$work/project-$cap-$format
        mkdir -p "$project"
        cat >"$project/greenlight.yml" <<EOF
version: 1
project: bench
artifacts: artifacts
suites:
  loud:
    run: ["$work/bin/print-$format"]
    output_cap: $cap
    timeout: ${limit_seconds}s
    results: { format: $format }
tiers:
  all: [loud]
EOF
        kib=$(peak_kib "$work/greenlight.log" "$binary" run --config "$project/greenlight.yml" --tier all \
            --no-smoke --quiet --run-id bench)
        rm -rf "$project/artifacts"
        verdict=met
        ((kib < target_kib)) || { verdict=missed; missed=1; }
        awk -v c="$cap" -v f="$format" -v k="$kib" -v ck="$ctest_kib" -v v="$verdict" 'BEGIN {
            printf "  %-18s %-6s %9.1f %7.2f   %s\n", "greenlight " f, c, k / 1024, k / ck, v
        }'
    done
done
echo
if ((missed)); then
    echo "  target missed: greenlight's peak RSS reached 64 MB in at least one row"
else
    echo "  target met: greenlight stays under 64 MB whatever the cap and the format"
fi
