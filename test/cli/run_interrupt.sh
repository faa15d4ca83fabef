#!/usr/bin/env bash
# SIGINT or SIGTERM to `greenlight run` while a suite (with a grandchild) runs: the children are
# stopped, greenlight exits 130 within a few seconds, nothing survives, summary.json says
# "incomplete", the manifest is still written and `greenlight verify` accepts the bundle.
# Each signal is tried a few times: stopping must be prompt every time, not just usually.
# Usage: run_interrupt.sh GREENLIGHT_BINARY
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"
unset GREENLIGHT_TIER GREENLIGHT_RUN_ID GREENLIGHT_ARTIFACT_DIR GITHUB_ACTIONS GITHUB_STEP_SUMMARY
# Job control: the background greenlight gets its own process group and SIGINT is not ignored
# (a non-interactive shell starts background jobs with SIGINT ignored).
set -m

project=$work/project
mkdir -p "$project"
cd "$project" || fail "cd $project"
sleeper=$(make_sleeper sleep-interrupt-holdout)
marker=$sleeper  # unique to this test's temp dir
# No grace set: the default (5s) is what a user gets. The suite's processes die at the first
# SIGTERM, so greenlight has no reason to wait for the grace.
cat >greenlight.yml <<YML
version: 1
project: interrupt
artifacts: out
defaults: { timeout: 2m }
suites:
  first:
    run: "echo first"
  long:
    run: "$sleeper 60 & echo grandchild started; $sleeper 60"
  never:
    run: "touch never.ran"
tiers:
  t: [first, long, never]
YML

attempts_per_signal=10

interrupt_once() {
    local signal=$1 run_id=$2
    local bundle=$project/out/interrupt/$run_id
    local result=$bundle/suites/long/result.json
    "$greenlight" run --tier t --no-smoke --run-id "$run_id" >"$work/$run_id.out" 2>"$work/$run_id.err" </dev/null &
    local pid=$!
    track_pid "$pid"
    last_out=$work/$run_id.out
    last_err=$work/$run_id.err

    # result.json is written as "incomplete" before the suite starts; then wait for its processes.
    wait_for 15 eval "[[ -f '$result' ]] && [[ \$(json '$result' \"d['status']\" 2>/dev/null) == incomplete ]]" \
        || fail "$run_id: suites/long/result.json never appeared with status incomplete"
    wait_for 10 eval "[[ \$(survivors '^$marker' | wc -l) -ge 2 ]]" \
        || fail "$run_id: the suite's sleep and its grandchild never started"

    local start
    start=$(now_ms)
    kill "-$signal" "$pid"
    local rc=0 waited=0
    while kill -0 "$pid" 2>/dev/null; do
        if (( $(now_ms) - start > 20000 )); then
            kill -KILL "$pid" 2>/dev/null
            fail "$run_id: greenlight still running 20 s after SIG$signal"
        fi
        sleep 0.02
    done
    wait "$pid"
    rc=$?
    waited=$(( $(now_ms) - start ))
    [[ $rc == 130 ]] || fail "$run_id: exit code $rc after SIG$signal, expected 130"
    (( waited < 3000 )) || fail "$run_id: greenlight needed ${waited} ms to stop after SIG$signal (its children die at the first SIGTERM; expected < 3000 ms)"

    # A killed process may take a moment to leave the process table; a survivor is a `sleep 60`.
    local left
    if ! wait_for 3 eval "[[ -z \$(survivors '$marker') ]]"; then
        left=$(survivors "$marker")
        fail "$run_id: suite processes survived SIG$signal: $(ps -o pid,args -p "${left//$'\n'/,}")"
    fi

    expect_file "$bundle/summary.json" "$run_id: summary.json of an interrupted run"
    expect_json "$bundle/summary.json" "d['status']" "incomplete" "$run_id summary.json"
    expect_json "$bundle/summary.json" "d['green']" "false" "$run_id summary.json"
    expect_json "$bundle/summary.json" "[s['name'] for s in d['suites'] if s['name'] == 'first'][0]" "first" "$run_id summary.json"
    expect_json "$bundle/summary.json" "[s['verdict'] for s in d['suites'] if s['name'] == 'first'][0]" "pass" "$run_id summary.json"
    expect_json "$bundle/summary.json" "'never' in json.dumps(d['not_run'])" "true" "$run_id summary.json (never in not_run)"
    expect_json "$result" "d['status']" "incomplete" "$run_id suites/long/result.json"
    expect_absent "$project/never.ran" "$run_id: a suite after the interrupt ran"
    expect_file "$bundle/manifest.json" "$run_id: manifest.json of an interrupted run"
    expect_file "$bundle/manifest-sha256.txt" "$run_id: manifest-sha256.txt of an interrupted run"
    expect_grep "grandchild started" "$bundle/suites/long/output.log" "$run_id: suites/long/output.log"
    gl verify "$bundle"
    expect_rc 0 "$run_id: verify of the interrupted bundle"
    echo "    $run_id: exit 130 after ${waited} ms"
}

for signal in INT TERM; do
    note "SIG$signal"
    for attempt in $(seq "$attempts_per_signal"); do
        interrupt_once "$signal" "sig${signal,,}-$attempt"
    done
done

echo "PASS: run_interrupt"
