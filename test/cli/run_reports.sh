#!/usr/bin/env bash
# The reports of a run fit their readers. For every kind of run (pass, fail, crashed, timeout, no-tests,
# error, skipped, flaky, interrupted, merged shards): junit.xml validates against the JUnit schema Jenkins
# uses (junit-10.xsd, test/data/junit-xsd/) and shows the same counts as summary.json, per suite and in
# total. On GitHub Actions each failing test is annotated on its file and line (the first 10 of a suite,
# then "and N more"), by `run` and by `merge` alike, and summary.md lists the failing tests.
# Usage: run_reports.sh GREENLIGHT_BINARY
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"
unset GREENLIGHT_TIER GREENLIGHT_RUN_ID GREENLIGHT_ARTIFACT_DIR GITHUB_ACTIONS GITHUB_STEP_SUMMARY CI
set -m  # the interrupted run gets its own process group, with SIGINT not ignored

xsd=$test_data/junit-xsd/junit-10.xsd
expect_file "$xsd" "the JUnit schema"
command -v xmllint >/dev/null || fail "xmllint is not installed (Debian package libxml2-utils; scripts/install-deps.sh test)"

project=$work/project
mkdir -p "$project/tests"
cd "$project" || fail "cd $project"
sleeper=$(make_sleeper sleep-reports-holdout)

# A pytest xunit2-style report: 12 failing tests, each naming its line only in the failure body.
{
    echo '<?xml version="1.0" encoding="utf-8"?>'
    echo '<testsuites><testsuite name="pytest" errors="0" failures="12" skipped="0" tests="13">'
    echo '<testcase classname="tests.test_x" name="test_passes" time="0.001"/>'
    for i in $(seq 1 12); do
        echo "<testcase classname=\"tests.test_x\" name=\"test_$i\" time=\"0.001\"><failure message=\"AssertionError: assert $i == 0\">def test_$i():
&gt;       assert $i == 0
E       assert $i == 0

tests/test_x.py:$((i + 4)): AssertionError</failure></testcase>"
    done
    echo '</testsuite></testsuites>'
} > tests/failing.xml
cat > tests/passing.xml <<'XML'
<testsuites><testsuite name="pytest" tests="2" failures="0" errors="0"><testcase classname="tests.test_ok" name="test_a" time="0.01"/><testcase classname="tests.test_ok" name="test_b" time="0.01"/></testsuite></testsuites>
XML
# node's TAP: the location is absolute, under the repository; the message carries a terminal colour code.
printf 'TAP version 13\n# Subtest: adds\nnot ok 1 - adds\n  ---\n  location: '"'"'%s/tests/sum.test.mjs:8:1'"'"'\n  error: "\033[31mexpected 3\033[0m"\n  ...\nok 2 - subtracts\n1..2\n' "$project" > tests/node.tap

cat > greenlight.yml <<YML
version: 1
project: reports
artifacts: out
defaults: { timeout: 30s }
suites:
  passes:
    run: "cp tests/passing.xml {outputs}/junit.xml"
    results: { junit: "{outputs}/junit.xml" }
  fails:
    run: "cp tests/failing.xml {outputs}/junit.xml; exit 1"
    results: { junit: "{outputs}/junit.xml" }
  node:
    run: "cp tests/node.tap {outputs}/r.tap; exit 1"
    results: { tap: "{outputs}/r.tap" }
  plain-fail:
    run: "exit 2"
  crashes:
    run: "cp tests/passing.xml {outputs}/junit.xml; kill -SEGV \$\$"
    results: { junit: "{outputs}/junit.xml" }
  times-out:
    run: "$sleeper 30"
    timeout: 1s
  zero-tests:
    run: "printf '1..0\\\\n' > {outputs}/r.tap"
    results: { tap: "{outputs}/r.tap" }
  no-report:
    run: "echo forgot the report"
    results: { junit: "{outputs}/junit.xml" }
  disagrees:
    run: "cp tests/failing.xml {outputs}/junit.xml"
    results: { junit: "{outputs}/junit.xml" }
  flaky:
    run: "if [ -f flaky.state ]; then cp tests/passing.xml {outputs}/junit.xml; else touch flaky.state; cp tests/failing.xml {outputs}/junit.xml; exit 1; fi"
    results: { junit: "{outputs}/junit.xml" }
    retries: 1
  needs-env:
    run: "exit 1"
    requires: ["env:GREENLIGHT_TEST_UNSET_VAR"]
  counted:
    run: "printf '== 40 passed, 2 failed, 3 skipped in 0.5s ==\\\\n'; exit 1"
    results: { format: pytest }
  long:
    run: "$sleeper 60"
tiers:
  everything: [passes, fails, node, plain-fail, crashes, times-out, zero-tests, no-report, disagrees, flaky, needs-env, counted]
  green: [passes, flaky, needs-env]
  interrupted: [passes, fails, long]
policy:
  flaky: pass
  missing_requirement: skip
YML
unset GREENLIGHT_TEST_UNSET_VAR

# check_bundle BUNDLE WHAT: junit.xml validates against the schema and agrees with summary.json.
check_bundle() {
    local bundle=$1 what=$2
    expect_file "$bundle/junit.xml" "$what: junit.xml"
    xmllint --noout --schema "$xsd" "$bundle/junit.xml" 2>"$work/xmllint.err" \
        || fail "$what: junit.xml does not validate against junit-10.xsd: $(cat "$work/xmllint.err")"
    "$python" - "$bundle/junit.xml" "$bundle/summary.json" <<'PY' || fail "$what: junit.xml and summary.json disagree"
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
summary = json.load(open(sys.argv[2], encoding="utf-8"))
problems = []
def compare(where, attributes, counts, with_skipped):
    pairs = [("tests", "total"), ("failures", "failed"), ("errors", "errored")]
    if with_skipped:
        pairs.append(("skipped", "skipped"))
    for attribute, key in pairs:
        if int(attributes.get(attribute, -1)) != counts[key]:
            problems.append(f"{where}: junit {attribute}={attributes.get(attribute)}, summary {key}={counts[key]}")
suites = {s.get("name"): s for s in root.findall("testsuite")}
if sorted(suites) != sorted(s["name"] for s in summary["suites"]):
    problems.append(f"suites: junit {sorted(suites)}, summary {sorted(s['name'] for s in summary['suites'])}")
for entry in summary["suites"]:
    element = suites.get(entry["name"])
    if element is not None:
        compare(entry["name"], element.attrib, entry["counts"], True)
compare("<testsuites>", root.attrib, summary["counts"], False)
for problem in problems:
    print(problem, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
}

note "every verdict in one run"
GITHUB_ACTIONS=true gl run --tier everything --no-smoke --run-id all
expect_rc 1 "a red run"
bundle=$project/out/reports/all
declare -A want=(
    [passes]=pass [fails]=fail [node]=fail [plain-fail]=fail [crashes]=crashed [times-out]=timeout
    [zero-tests]=no-tests [no-report]=error [disagrees]=inconsistent [flaky]=flaky [needs-env]=skipped [counted]=fail
)
for suite in "${!want[@]}"; do
    got=$(verdict_of "$bundle/summary.json" "$suite") || fail "suite $suite missing from summary.json"
    [[ $got == "${want[$suite]}" ]] || fail "suite $suite: verdict '$got', expected '${want[$suite]}'"
done
check_bundle "$bundle" "every verdict"
# The case of the report: a crash after the results were written counts one errored test in both.
expect_json "$bundle/summary.json" "[s['counts'] for s in d['suites'] if s['name'] == 'crashes'][0]" \
    '{"errored": 1, "failed": 0, "passed": 0, "skipped": 0, "total": 1}'
grep -q $'\033' "$bundle/junit.xml" && fail "junit.xml holds a raw escape character"
expect_grep 'expected 3' "$bundle/junit.xml" "the TAP failure message"

note "annotations: each failing test on its file and line, the first 10, then how many more"
annotations=$work/annotations.txt
cp "$last_out" "$annotations"
expect_grep '^::error title=greenlight everything%3A suite fails fail::' "$annotations" "the suite's annotation"
expect_grep '^::error file=tests/test_x.py,line=5,title=tests.test_x.test_1 failed \(suite fails\)::AssertionError: assert 1 == 0$' \
    "$annotations" "the first failing test on tests/test_x.py:5"
expect_grep '^::error file=tests/test_x.py,line=14,title=tests.test_x.test_10 failed' "$annotations" "the 10th failing test"
expect_no_grep 'test_x.test_11 failed' "$annotations" "no more than 10 tests of a suite"
expect_grep '^::error title=greenlight%3A suite fails::and 2 more failing tests' "$annotations" "and 2 more"
# An absolute path under the repository is made relative to it.
expect_grep '^::error file=tests/sum.test.mjs,line=8,title=(adds > )?adds failed \(suite node\)::expected 3$' "$annotations" \
    "the TAP test's location, and its message without the colour codes"
expect_no_grep "file=$project" "$annotations" "absolute paths of the repository"

note "summary.md lists the failing tests"
md=$bundle/summary.md
expect_grep '^### Failing tests$' "$md" "summary.md"
expect_grep '^- `tests.test_x.test_1` \(`tests/test_x.py:5`\): AssertionError: assert 1 == 0$' "$md" "summary.md"
expect_grep '^- and 2 more$' "$md" "summary.md"
# summary.json carries them, for a merge to render the same.
expect_json "$bundle/summary.json" "[s['failing_tests'][0]['line'] for s in d['suites'] if s['name'] == 'fails'][0]" "5"
expect_json "$bundle/summary.json" "[s['failing_tests_omitted'] for s in d['suites'] if s['name'] == 'fails'][0]" "2"

note "a green run with a flaky and a skipped suite"
rm -f flaky.state
gl run --tier green --no-smoke --run-id green
expect_rc 0 "a green run"
expect_json "$project/out/reports/green/summary.json" "sorted(s['verdict'] for s in d['suites'])" '["flaky", "pass", "skipped"]'
check_bundle "$project/out/reports/green" "green run"

note "an interrupted run"
"$greenlight" run --tier interrupted --no-smoke --run-id stopped >"$work/stopped.out" 2>"$work/stopped.err" </dev/null &
pid=$!
track_pid "$pid"
wait_for 15 eval "[[ -n \$(survivors '^$sleeper') ]]" || fail "the long suite never started"
kill -INT "$pid"
wait "$pid"
rc=$?
expect_rc 130 "an interrupted run"
expect_json "$project/out/reports/stopped/summary.json" "d['status']" "incomplete"
check_bundle "$project/out/reports/stopped" "interrupted run"

note "merged shards"
for shard in 1 2; do
    gl run --tier everything --no-smoke --run-id sharded --shard "$shard/2" --artifact-dir "$work/shard-$shard"
    expect_rc 1 "shard $shard/2"
    check_bundle "$work/shard-$shard/reports/sharded" "shard $shard/2"
done
GITHUB_ACTIONS=true gl merge "$work/shard-1/reports/sharded" "$work/shard-2/reports/sharded" -o "$work/merged"
expect_rc 1 "the merge of a red run"
# The merge annotates each failing test as the single run did.
grep '^::error file=' "$annotations" | sort > "$work/run-annotations.txt"
grep '^::error file=' "$last_out" | sort > "$work/merge-annotations.txt"
[[ -s $work/run-annotations.txt ]] || fail "the run printed no annotation with a file"
diff "$work/run-annotations.txt" "$work/merge-annotations.txt" >&2 \
    || fail "the merged run's annotations of failing tests differ from the single run's"
check_bundle "$work/merged" "merged run"
expect_json "$work/merged/summary.json" "[s['failing_tests'][0]['file'] for s in d['suites'] if s['name'] == 'fails'][0]" \
    "tests/test_x.py"
expect_grep '^- `tests.test_x.test_1` \(`tests/test_x.py:5`\)' "$work/merged/summary.md" "merged summary.md"

echo "PASS: run_reports"
