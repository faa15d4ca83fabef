#!/usr/bin/env bash
# How much does greenlight's runner cost compared with CTest when the tests themselves cost
# nothing? Runs 500 suites that each execute `true`, once through greenlight and once as 500
# CTest tests, both with 2 jobs, and prints both times and the ratio greenlight/ctest
# (target: at most 0.6 with containment on). A report, not a test: a missed target does not fail the script.
# The containment greenlight uses (cgroup where it can make one) is printed; GREENLIGHT_CONTAINMENT=process-group
# measures the fallback.
# Usage: bench/runner_overhead.sh [GREENLIGHT_BINARY]   (default build/greenlight)
# Uses hyperfine when installed (10 runs each), otherwise times 10 runs each itself.
set -euo pipefail

suite_count=500
runs=10
jobs=2
limit_seconds=600   # the whole measurement stops by itself after this long

binary=${1:-build/greenlight}
if [[ ! -x $binary ]]; then
    echo "runner_overhead: no greenlight binary at '$binary' (build it, or pass its path)" >&2
    exit 2
fi
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
for tool in ctest timeout; do
    command -v "$tool" >/dev/null || { echo "runner_overhead: '$tool' is needed" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/greenlight-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# --- the same 500 no-op tests, once per runner ----------------------------------------------
{
    echo "version: 1"
    echo "project: bench"
    echo "artifacts: artifacts"
    echo "suites:"
    for ((i = 1; i <= suite_count; i++)); do
        printf '  t%03d: { run: ["true"] }\n' "$i"
    done
    echo "tiers:"
    printf '  all: ['
    for ((i = 1; i <= suite_count; i++)); do
        printf '%st%03d' "$([[ $i -gt 1 ]] && echo ', ')" "$i"
    done
    echo ']'
} >"$work/greenlight.yml"

# A hand-written CTestTestfile.cmake is all ctest needs: no CMake project, no configure step.
mkdir -p "$work/ctest"
for ((i = 1; i <= suite_count; i++)); do
    printf 'add_test(t%03d "true")\n' "$i"
done >"$work/ctest/CTestTestfile.cmake"

greenlight_command="$(printf '%q' "$binary") run --config $(printf '%q' "$work/greenlight.yml") --tier all --jobs $jobs --no-smoke --quiet --run-id bench"
ctest_command="ctest -j$jobs --test-dir $(printf '%q' "$work/ctest") -Q"
# Timed runs write a new bundle each ($RANDOM is expanded by the shell hyperfine starts), rather than
# deleting the last one first: on ext4, creating files right after 1,500 were deleted walks the
# recently freed inodes and would charge the filesystem's bookkeeping of the deletion to greenlight.
timed_greenlight_command="${greenlight_command% bench} \"bench-\$RANDOM\$RANDOM\""
clean_command=true

# One checked run of each first: a runner that fails would make its timing meaningless.
check_run() {  # check_run NAME COMMAND
    if ! timeout 120 bash -c "$2" >"$work/$1.log" 2>&1; then
        echo "runner_overhead: the $1 run failed; its output:" >&2
        tail -n 20 "$work/$1.log" >&2
        exit 1
    fi
}
check_run greenlight "$greenlight_command"
if [[ ! -d $work/artifacts/bench/bench ]]; then
    echo "runner_overhead: greenlight exited 0 but wrote no bundle at artifacts/bench/bench" >&2
    exit 1
fi
containment=$(sed -n 's/.*"mode": "\([a-z-]*\)".*/\1/p' "$work/artifacts/bench/bench/summary.json" | head -1)
check_run ctest "${ctest_command% -Q}"   # not quiet, so the summary line can be checked
if ! grep -q "100% tests passed, 0 tests failed out of $suite_count" "$work/ctest.log"; then
    echo "runner_overhead: ctest did not run all $suite_count tests:" >&2
    tail -n 5 "$work/ctest.log" >&2
    exit 1
fi

# Mean wall-clock seconds of each, into greenlight_seconds and ctest_seconds.
if command -v hyperfine >/dev/null; then
    tool=hyperfine
    timeout "$limit_seconds" hyperfine --shell bash --runs "$runs" --warmup 1 --style basic \
        --export-csv "$work/times.csv" \
        --command-name greenlight --command-name ctest \
        "$timed_greenlight_command" "$ctest_command"
    greenlight_seconds=$(awk -F, '$1 == "greenlight" { print $2 }' "$work/times.csv")
    ctest_seconds=$(awk -F, '$1 == "ctest" { print $2 }' "$work/times.csv")
else
    tool="bash loop"
    mean_seconds() {  # mean_seconds PREPARE COMMAND: mean of $runs runs, prepare not timed
        local total=0 start end
        for ((run = 1; run <= runs; run++)); do
            bash -c "$1"
            start=$(date +%s%N)
            timeout "$limit_seconds" bash -c "$2" >/dev/null 2>&1
            end=$(date +%s%N)
            total=$((total + end - start))
        done
        awk -v ns="$total" -v n="$runs" 'BEGIN { printf "%.4f", ns / n / 1e9 }'
    }
    greenlight_seconds=$(mean_seconds "$clean_command" "$timed_greenlight_command")
    ctest_seconds=$(mean_seconds true "$ctest_command")
fi

echo
echo "runner overhead: $suite_count no-op tests, $jobs jobs, mean of $runs runs ($tool), containment: ${containment:-unknown}"
awk -v g="$greenlight_seconds" -v c="$ctest_seconds" 'BEGIN {
    printf "  greenlight  %8.3f s\n", g
    printf "  ctest       %8.3f s\n", c
    ratio = g / c
    printf "  ratio greenlight/ctest: %.2f (target <= 0.60: %s)\n", ratio, ratio <= 0.6 ? "met" : "missed"
}'
