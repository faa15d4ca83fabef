#!/usr/bin/env bash
# `greenlight run` gives every verdict of PRODUCT.md's table on one project: pass, fail, crashed,
# timeout (with a grandchild holding stdout: the run still ends promptly and nothing survives),
# no-tests, inconsistent, error, flaky (both attempts kept) and skipped. The run is red (exit 1),
# its verdict is the worst one, junit.xml has one <testsuite> per suite.
# Usage: run_verdicts.sh GREENLIGHT_BINARY
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"

project=$work/project
mkdir -p "$project"
sleeper=$(make_sleeper "sleep-verdicts-holdout")
cat >"$project/junit-one-failure.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="fixture" tests="2" failures="1" errors="0" skipped="0">
    <testcase classname="fixture" name="passes" time="0.001"/>
    <testcase classname="fixture" name="fails" time="0.001">
      <failure message="expected 1, got 2">assertion failed</failure>
    </testcase>
  </testsuite>
</testsuites>
XML
cat >"$project/greenlight.yml" <<EOF2
version: 1
project: verdicts
artifacts: out
defaults: { timeout: 30s }   # default grace (5s): stopping a timed-out tree must not need it
suites:
  passes:
    run: "echo all good"
  fails:
    run: "echo 'one check failed' >&2; exit 3"
  crashes:
    run: "echo about to crash; kill -SEGV \$\$"
  times-out:
    run: "$sleeper 60 & echo grandchild started; $sleeper 60"
    timeout: 1s
  zero-tests:
    run: "printf '1..0\\\\n' > {outputs}/results.tap"
    results: { tap: "{outputs}/results.tap" }
  disagrees:
    run: "cp junit-one-failure.xml {outputs}/junit.xml; exit 0"
    results: { junit: "{outputs}/junit.xml" }
  no-report:
    run: "echo forgot to write the report"
    results: { junit: "{outputs}/junit.xml" }
  flaky:
    run: "if [ -f flaky.state ]; then echo second-attempt-passes; else touch flaky.state; echo first-attempt-fails; echo first > {outputs}/attempt.txt; exit 1; fi"
    retries: 1
  needs-env:
    run: "echo this must never run; touch ran.marker; exit 1"
    requires: ["env:GREENLIGHT_TEST_UNSET_VAR"]
tiers:
  everything: [passes, fails, crashes, times-out, zero-tests, disagrees, no-report, flaky, needs-env]
policy:
  flaky: pass
  missing_requirement: skip
EOF2

cd "$project" || fail "cd $project"
unset GREENLIGHT_TEST_UNSET_VAR GREENLIGHT_TIER GREENLIGHT_RUN_ID GREENLIGHT_ARTIFACT_DIR
start=$(now_ms)
gl run --tier everything --no-smoke --run-id r1
elapsed=$(( $(now_ms) - start ))
expect_rc 1 "a red run"
(( elapsed < 4000 )) || fail "the run took ${elapsed} ms; a 1s timeout whose grandchild holds stdout must not keep it going"

# The timed-out suite's process tree is gone, grandchild included (the kernel may take a moment to remove a
# killed process; one that survived is a `sleep 60`, still there when the wait gives up).
no_survivors() { [[ -z $(survivors "$sleeper") ]]; }
if ! wait_for 3 no_survivors; then
    left=$(survivors "$sleeper")
    fail "processes of the timed-out suite survived the run: $(ps -o pid,args -p "${left//$'\n'/,}")"
fi

bundle=$project/out/verdicts/r1
summary=$bundle/summary.json
expect_file "$summary" "summary.json"
expect_json "$summary" "d['schema']" "greenlight.summary/v1"
expect_json "$summary" "d['status']" "complete"
expect_json "$summary" "d['green']" "false"

declare -A want=(
    [passes]=pass [fails]=fail [crashes]=crashed [times-out]=timeout [zero-tests]=no-tests
    [disagrees]=inconsistent [no-report]=error [flaky]=flaky [needs-env]=skipped
)
declare -A green=(
    [passes]=true [fails]=false [crashes]=false [times-out]=false [zero-tests]=false
    [disagrees]=false [no-report]=false [flaky]=true [needs-env]=true
)
for suite in "${!want[@]}"; do
    got=$(verdict_of "$summary" "$suite") || fail "suite $suite missing from summary.json"
    [[ $got == "${want[$suite]}" ]] || fail "suite $suite: verdict '$got', expected '${want[$suite]}'"
    expect_json "$summary" "[s['green'] for s in d['suites'] if s['name'] == '$suite'][0]" "${green[$suite]}" "summary.json green of $suite"
    result=$bundle/suites/$suite/result.json
    expect_file "$result" "result.json of $suite"
    expect_json "$result" "d['status']" "complete" "$suite/result.json"
    expect_json "$result" "d['verdict']" "${want[$suite]}" "$suite/result.json"
done
expect_json "$summary" "len(d['suites'])" "9"

# The run's verdict is the worst of its suites (PRODUCT.md's table is ordered best to worst).
expect_json "$summary" "d['verdict']" "error"
order='["pass","flaky","skipped","fail","no-tests","inconsistent","timeout","crashed","error"]'
expect_json "$summary" "max((s['verdict'] for s in d['suites']), key=lambda v: $order.index(v)) == d['verdict']" "true"

# Details a user relies on.
expect_grep "one check failed" "$bundle/suites/fails/output.log" "fails/output.log"
expect_grep "about to crash" "$bundle/suites/crashes/output.log" "crashes/output.log"
expect_grep "grandchild started" "$bundle/suites/times-out/output.log" "times-out/output.log"
expect_json "$bundle/suites/crashes/result.json" "d['attempts'][-1]['signal'] in ('SIGSEGV', 11, 'SEGV')" "true"
expect_absent "$project/ran.marker" "a suite with a missing requirement must not run"
expect_json "$summary" "[s['attempts'] for s in d['suites'] if s['name'] == 'needs-env'][0]" "0"
expect_grep "GREENLIGHT_TEST_UNSET_VAR" "$bundle/suites/needs-env/result.json" "needs-env/result.json names the requirement"

# Flaky: two attempts, the first kept under attempts/1/, the last at the top.
expect_json "$summary" "[s['attempts'] for s in d['suites'] if s['name'] == 'flaky'][0]" "2"
expect_file "$bundle/suites/flaky/attempts/1/output.log" "first attempt's output.log"
expect_grep "first-attempt-fails" "$bundle/suites/flaky/attempts/1/output.log" "attempts/1/output.log"
expect_file "$bundle/suites/flaky/attempts/1/outputs/attempt.txt" "first attempt's outputs"
expect_grep "second-attempt-passes" "$bundle/suites/flaky/output.log" "flaky/output.log"
expect_no_grep "first-attempt-fails" "$bundle/suites/flaky/output.log" "flaky/output.log (last attempt only)"
expect_json "$bundle/suites/flaky/result.json" "[a['verdict'] for a in d['attempts']]" '["fail", "pass"]'

# junit.xml: one <testsuite> per suite, parseable.
expect_file "$bundle/junit.xml" "junit.xml"
"$python" - "$bundle/junit.xml" <<'PY' || fail "junit.xml does not have one <testsuite> per suite"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
names = sorted(s.get("name") for s in root.iter("testsuite"))
want = sorted(["passes", "fails", "crashes", "times-out", "zero-tests", "disagrees", "no-report", "flaky", "needs-env"])
if names != want:
    print("testsuites:", names, file=sys.stderr)
    sys.exit(1)
PY

for f in summary.md manifest.json manifest-sha256.txt; do expect_file "$bundle/$f" "$f"; done
gl verify "$bundle"
expect_rc 0 "verify of the run's bundle"
echo "PASS: run_verdicts"
