#!/usr/bin/env bash
# Runs each libFuzzer target of a build for a while on a copy of its corpus (fuzz/corpus/<name>), JOBS at a
# time. A crash, leak or timeout fails the run: the fuzzer's last lines are printed and the input that did it is
# kept. Used by `make fuzz`.
#
#   scripts/run-fuzzers.sh FUZZ_BUILD_DIR SECONDS [JOBS]
set -uo pipefail

build=${1:?usage: run-fuzzers.sh FUZZ_BUILD_DIR SECONDS [JOBS]}
seconds=${2:?usage: run-fuzzers.sh FUZZ_BUILD_DIR SECONDS [JOBS]}
jobs=${3:-1}
cd "$(dirname "$0")/.."
shopt -s nullglob
targets=("$build"/fuzz/*_fuzz)
((${#targets[@]} > 0)) || { echo "run-fuzzers: no *_fuzz targets under $build/fuzz" >&2; exit 2; }

# fuzz_one TARGET SECONDS: one target; prints one summary line, or its log's tail when it failed.
fuzz_one() {
    local target=$1 seconds=$2 name work
    name=$(basename "$target" _fuzz)
    work=$(mktemp -d "${TMPDIR:-/tmp}/greenlight-fuzz-$name-XXXXXX")
    mkdir -p "$work/corpus"
    cp -r "fuzz/corpus/$name/." "$work/corpus/" 2>/dev/null || true
    if ! "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/" "$work/corpus" >"$work/fuzz.log" 2>&1; then
        tail -n 60 "$work/fuzz.log"
        echo "fuzz: $name FAILED (log and crash input kept in $work)"
        return 1
    fi
    echo "fuzz: $name: $(grep -E '^stat::number_of_executed_units' "$work/fuzz.log" | awk '{print $2}') runs in ${seconds}s on fuzz/corpus/$name"
    rm -rf "$work"
}
export -f fuzz_one

echo "fuzz: ${#targets[@]} targets, ${seconds}s each, $jobs at a time"
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'fuzz_one "$1" "$2" || exit 255' _ {} "$seconds"
status=$?
((status == 0)) || { echo "fuzz: a target failed" >&2; exit 1; }
echo "fuzz: all ${#targets[@]} targets ran without a finding"
