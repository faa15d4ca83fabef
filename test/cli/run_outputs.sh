#!/usr/bin/env bash
# What a suite sees and what the bundle keeps of it: the output cap (head and tail kept, the cut
# marked), the environment (GREENLIGHT_*, a private TMPDIR removed afterwards, TZ=UTC, empty stdin),
# placeholders in shell strings and argv, results written outside {outputs} copied into the bundle,
# a stale results file refused, GitHub annotations for red suites only, and the step summary appended.
# Usage: run_outputs.sh GREENLIGHT_BINARY
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"
unset GREENLIGHT_TIER GREENLIGHT_RUN_ID GREENLIGHT_ARTIFACT_DIR GITHUB_ACTIONS GITHUB_STEP_SUMMARY

project=$work/project
mkdir -p "$project/stale" "$work/system-tmp"
cd "$project" || fail "cd $project"
cat >greenlight.yml <<'YML'
version: 1
project: outputs
artifacts: out
defaults: { timeout: 20s }
suites:
  loud:
    run: "echo HEAD-LINE-KEPT; head -c 20000000 /dev/zero | tr '\\0' 'y'; echo; echo TAIL-LINE-KEPT"
    output_cap: 128KiB
  environment:
    run: >-
      env > {outputs}/env.txt;
      stat -c %a "$TMPDIR" > {outputs}/tmpdir-mode.txt;
      touch "$TMPDIR/scratch-file";
      start=$(date +%s); cat > {outputs}/stdin.txt; echo $(( $(date +%s) - start )) > {outputs}/stdin-seconds.txt
    timeout: 10s
  second-env:
    run: "echo $TMPDIR > {outputs}/tmpdir.txt"
  placeholders:
    run: "echo 'outputs={outputs} run_id={run_id} tier={tier} suite={suite}' > {outputs}/shell.txt"
  argv-placeholders:
    run: ["/bin/sh", "-c", "printf '%s\\n' \"$@\" > \"$0\"", "{outputs}/argv.txt", "{run_id}", "{tier}", "{suite}"]
  report-outside:
    run: "mkdir -p reports; printf '1..2\\nok 1 first\\nok 2 second\\n' > reports/{suite}.tap"
    results: { tap: "reports/{suite}.tap" }
  stale-report:
    run: "echo 'did not write the report today'"
    results: { tap: "stale/yesterday.tap" }
  broken:
    run: "echo broken; exit 1"
tiers:
  main: [loud, environment, second-env, placeholders, argv-placeholders, report-outside, stale-report]
  annotate: [loud, broken, stale-report]
  green: [placeholders]
YML
printf '1..1\nok 1 from yesterday\n' >stale/yesterday.tap
touch -d yesterday stale/yesterday.tap

TMPDIR=$work/system-tmp gl run --tier main --no-smoke --run-id o1
expect_rc 1 "run with a stale report (red)"
bundle=$project/out/outputs/o1
summary=$bundle/summary.json
for suite in loud environment second-env placeholders argv-placeholders report-outside; do
    got=$(verdict_of "$summary" "$suite") || fail "suite $suite missing from summary.json"
    [[ $got == pass ]] || fail "suite $suite: verdict $got, expected pass ($(json "$summary" "[s['reason'] for s in d['suites'] if s['name'] == '$suite'][0]"))"
done

note "output cap"
log=$bundle/suites/loud/output.log
size=$(stat -c %s "$log")
(( size <= 131072 + 512 )) || fail "loud/output.log is $size bytes; output_cap 128KiB allows 131072 plus a marker"
(( size >= 100000 )) || fail "loud/output.log is only $size bytes; the cap should keep about 128 KiB"
head -n 1 "$log" | grep -q '^HEAD-LINE-KEPT$' || fail "loud/output.log does not start with the head line"
tail -n 1 "$log" | grep -q '^TAIL-LINE-KEPT$' || fail "loud/output.log does not end with the tail line"
grep -aq "output cut here" "$log" || fail "loud/output.log does not mark the cut ('output cut here')"
expect_json "$bundle/suites/loud/result.json" "d['attempts'][-1]['output_truncated']" "true" "loud/result.json"

note "environment"
env_file=$bundle/suites/environment/outputs/env.txt
expect_file "$env_file" "env.txt written by the suite"
expect_grep "^GREENLIGHT_RUN_ID=o1$" "$env_file" "GREENLIGHT_RUN_ID"
expect_grep "^GREENLIGHT_TIER=main$" "$env_file" "GREENLIGHT_TIER"
expect_grep "^GREENLIGHT_SUITE=environment$" "$env_file" "GREENLIGHT_SUITE"
expect_grep "^GREENLIGHT_ATTEMPT=1$" "$env_file" "GREENLIGHT_ATTEMPT"
expect_grep "^GREENLIGHT_OUTPUTS=$bundle/suites/environment/outputs$" "$env_file" "GREENLIGHT_OUTPUTS"
expect_grep "^TZ=UTC$" "$env_file" "TZ"
suite_tmp=$(sed -n 's/^TMPDIR=//p' "$env_file")
[[ -n $suite_tmp ]] || fail "the suite saw no TMPDIR"
[[ $suite_tmp != "$work/system-tmp" ]] || fail "the suite's TMPDIR is greenlight's own TMPDIR, not a private one"
[[ $suite_tmp != /tmp && $suite_tmp != /tmp/ ]] || fail "the suite's TMPDIR is /tmp, not a private one"
[[ ! -e $suite_tmp ]] || fail "the suite's TMPDIR $suite_tmp was not removed after the run"
other_tmp=$(cat "$bundle/suites/second-env/outputs/tmpdir.txt")
[[ $other_tmp != "$suite_tmp" ]] || fail "two suites got the same TMPDIR $suite_tmp"
mode=$(cat "$bundle/suites/environment/outputs/tmpdir-mode.txt")
[[ $mode == 700 ]] || fail "the suite's TMPDIR has mode $mode, expected 700 (private)"
[[ ! -s $bundle/suites/environment/outputs/stdin.txt ]] || fail "the suite's stdin was not empty"
(( $(cat "$bundle/suites/environment/outputs/stdin-seconds.txt") <= 1 )) || fail "cat on the suite's stdin did not return at once"

note "placeholders"
expect_grep "^outputs=$bundle/suites/placeholders/outputs run_id=o1 tier=main suite=placeholders$" \
    "$bundle/suites/placeholders/outputs/shell.txt" "placeholders in a shell string"
printf 'o1\nmain\nargv-placeholders\n' | cmp -s - "$bundle/suites/argv-placeholders/outputs/argv.txt" \
    || fail "placeholders in argv: got $(tr '\n' ' ' <"$bundle/suites/argv-placeholders/outputs/argv.txt" 2>&1)"

note "results outside {outputs}"
expect_json "$summary" "[s['counts']['passed'] for s in d['suites'] if s['name'] == 'report-outside'][0]" "2"
copied=$(find "$bundle/suites/report-outside" -name 'report-outside.tap' | head -n 1)
[[ -n $copied ]] || fail "the results file written outside {outputs} was not copied into the bundle"
cmp -s "$copied" "$project/reports/report-outside.tap" || fail "the copied results file differs from the original"
grep -qF "  ${copied#"$bundle"/}" "$bundle/manifest-sha256.txt" || fail "the copied results file is not in the manifest"

note "stale results file"
expect_json "$summary" "[s['verdict'] for s in d['suites'] if s['name'] == 'stale-report'][0]" "error"
expect_json "$summary" "d['verdict']" "error"

note "GitHub annotations and step summary"
rm -f "$project/reports/stale-report.tap"
step_summary=$work/step-summary.md
printf '# Earlier step\nkeep me\n' >"$step_summary"
GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY=$step_summary gl run --tier annotate --no-smoke --run-id gh1
expect_rc 1 "annotated red run"
expect_grep '^::error title=[^:]*broken[^:]*::' "$last_out" "stdout has an ::error line for the red suite broken"
expect_grep '^::error title=[^:]*stale-report[^:]*::' "$last_out" "stdout has an ::error line for the red suite stale-report"
expect_no_grep '^::error title=[^:]*loud' "$last_out" "stdout has an ::error line for the green suite loud"
head -n 2 "$step_summary" | cmp -s - <(printf '# Earlier step\nkeep me\n') || fail "GITHUB_STEP_SUMMARY lost its earlier content"
tail -n +3 "$step_summary" >"$work/appended.md"
cmp -s "$work/appended.md" "$project/out/outputs/gh1/summary.md" \
    || expect_grep "gh1" "$work/appended.md" "the appended step summary names the run"
expect_grep "broken" "$work/appended.md" "the appended step summary names the red suite"

GITHUB_ACTIONS=true gl run --tier green --no-smoke --run-id gh2
expect_rc 0 "annotated green run"
expect_no_grep '^::error' "$last_out" "stdout of a green run under GitHub Actions"
gl run --tier annotate --no-smoke --run-id gh3
expect_rc 1 "red run outside GitHub Actions"
expect_no_grep '^::error' "$last_out" "stdout without GITHUB_ACTIONS"

echo "PASS: run_outputs"
