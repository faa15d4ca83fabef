#!/usr/bin/env bash
# greenlight's memory does not grow with what a suite prints: a suite per runner format prints ~300 MB of
# 2-byte lines and then its runner's closing line, with `output_cap: 16MiB` (the largest cap the promise
# covers). Every suite must pass (its summary read from the end of the capped output.log) and greenlight's
# peak RSS must stay under 64 MB (ru_maxrss of the waited process: the figure GNU time's %M prints). On a
# sanitizer build (ASan's shadow memory and quarantine cost far more than the parsers) the run and the
# verdicts are still checked and the bound is skipped with a message; bench/runner_memory.sh measures the
# full 1.5 GB against CTest.
# Usage: run_memory.sh GREENLIGHT_BINARY
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"
unset GREENLIGHT_TIER GREENLIGHT_RUN_ID GREENLIGHT_ARTIFACT_DIR GITHUB_ACTIONS GITHUB_STEP_SUMMARY

output_bytes=300000000
limit_kib=$((64 * 1024))

# peak_rss_kib OUT ERR COMMAND...: runs COMMAND (stdin /dev/null), sets $rc, prints its peak RSS in KiB.
peak_rss_kib() {
    "$python" - "$@" <<'PY'
import resource, subprocess, sys
out, err, command = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(out, "wb") as o, open(err, "wb") as e:
    code = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=o, stderr=e).returncode
print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}

# A sanitizer runtime leaves its entry points in the binary's dynamic symbols, linked statically or not.
sanitizer=
if grep -aqE '__(asan|msan|tsan)_init' "$greenlight"; then sanitizer=yes; fi

project=$work/project
mkdir -p "$project/bin"
cd "$project" || fail "cd $project"

# print-FORMAT: the lines, then the closing line that runner prints.
declare -A closing=(
    [pytest]='=============== 1 passed in 0.01s ==============='
    [go]='ok  \texample.com/memory\t0.010s'
    [ctest]='100% tests passed, 0 tests failed out of 1'
    [cargo]='running 1 test\ntest memory ... ok\n\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s'
    [node]='# tests 1\n# pass 1\n# fail 0'
    [plain]='1 passed, 0 failed'
)
formats=(pytest go ctest cargo node plain)
{
    echo "version: 1"
    echo "project: memory"
    echo "artifacts: out"
    echo "defaults: { timeout: 120s, output_cap: 16MiB }"
    echo "suites:"
    for format in "${formats[@]}"; do
        cat >"bin/print-$format" <<EOF
#!/bin/sh
yes x | head -c $output_bytes
printf '%b\n' '${closing[$format]}'
EOF
        chmod +x "bin/print-$format"
        echo "  $format: { run: [\"$project/bin/print-$format\"], results: { format: $format } }"
    done
    echo "tiers:"
    echo "  all: [$(IFS=,; echo "${formats[*]}" | sed 's/,/, /g')]"
} >greenlight.yml

read -r rc peak_kib < <(peak_rss_kib "$last_out" "$last_err" "$greenlight" run --tier all --no-smoke --jobs 1 \
    --run-id m1)
expect_rc 0 "six suites printing ${output_bytes} bytes each"
summary=$project/out/memory/m1/summary.json
for format in "${formats[@]}"; do
    got=$(verdict_of "$summary" "$format") || fail "suite $format missing from summary.json"
    [[ $got == pass ]] || fail "suite $format: verdict $got, expected pass"
    expect_json "$project/out/memory/m1/suites/$format/result.json" "d['attempts'][-1]['output_truncated']" true
    expect_json "$project/out/memory/m1/suites/$format/result.json" "d['counts']['passed']" 1
done

[[ $peak_kib =~ ^[0-9]+$ ]] || fail "no peak RSS measured: '$peak_kib'"
note "peak RSS of greenlight: $((peak_kib / 1024)) MB for six suites of ${output_bytes} bytes (output_cap 16MiB)"
if [[ -n $sanitizer ]]; then
    note "SKIP the 64 MB bound: $greenlight is a sanitizer build (its shadow memory is not greenlight's)"
else
    ((peak_kib < limit_kib)) || fail "greenlight's peak RSS is ${peak_kib} KiB, expected under ${limit_kib} KiB"
fi
echo "PASS"
