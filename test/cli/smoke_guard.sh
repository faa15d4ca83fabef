#!/usr/bin/env bash
# `greenlight smoke -o DIR` proves the runner's semantics in seconds and keeps its evidence
# (smoke-report.json/.md, fixtures, the fixture bundle); it will not overwrite a non-empty DIR;
# GREENLIGHT_SMOKE_OUTPUT_DIR is honoured (and the flag beats it); `greenlight run` runs the guard
# first and keeps its outputs under <bundle>/smoke/ with smoke.green in summary.json.
# Usage: smoke_guard.sh GREENLIGHT_BINARY
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"
unset GREENLIGHT_TIER GREENLIGHT_RUN_ID GREENLIGHT_ARTIFACT_DIR GREENLIGHT_SMOKE_OUTPUT_DIR GITHUB_ACTIONS GITHUB_STEP_SUMMARY
cd "$work" || fail "cd $work"

# check_report DIR: DIR holds a smoke report in which every check holds.
check_report() {
    local dir=$1
    expect_file "$dir/smoke-report.json" "smoke-report.json"
    expect_file "$dir/smoke-report.md" "smoke-report.md"
    expect_json "$dir/smoke-report.json" "d['schema']" "greenlight.smoke-report/v1" "$dir/smoke-report.json"
    expect_json "$dir/smoke-report.json" "d['ok']" "true" "$dir/smoke-report.json"
    expect_json "$dir/smoke-report.json" "len(d['checks']) >= 10" "true" "$dir/smoke-report.json (at least one check per fixture suite)"
    expect_json "$dir/smoke-report.json" "[c['name'] for c in d['checks'] if not c['ok']]" "[]" "$dir/smoke-report.json (failed checks)"
    expect_json "$dir/smoke-report.json" "d['failures']" "0" "$dir/smoke-report.json"
}

note "greenlight smoke -o DIR"
start=$(now_ms)
gl smoke -o "$work/smoke-1"
elapsed=$(( $(now_ms) - start ))
expect_rc 0 "greenlight smoke"
(( elapsed < 10000 )) || fail "greenlight smoke took ${elapsed} ms (limit 10 s)"
check_report "$work/smoke-1"
# The verdict checks cover each verdict of the fixture project.
for verdict in pass fail crashed timeout no-tests inconsistent error flaky skipped; do
    expect_json "$work/smoke-1/smoke-report.json" "any(c['ok'] and c.get('expected') == '$verdict' for c in d['checks'])" "true" \
        "smoke-report.json: a check that expects verdict $verdict"
done
expect_file "$work/smoke-1/fixtures/greenlight.yml" "the fixture config kept for triage"
gl config validate "$work/smoke-1/fixtures/greenlight.yml"
expect_rc 0 "the kept fixture config is valid"
expect_grep '^## ' "$work/smoke-1/smoke-report.md" "smoke-report.md has a heading"
bundle_summary=$(find "$work/smoke-1" -name summary.json | head -n 1)
[[ -n $bundle_summary ]] || fail "the smoke guard did not keep its fixture bundle"
gl verify "$(dirname "$bundle_summary")"
expect_rc 0 "verify of the smoke guard's fixture bundle"
left=$(survivors "$work/smoke-1")
[[ -z $left ]] || fail "processes of the smoke fixtures survived: $(ps -o pid,args -p "${left//$'\n'/,}")"

note "--json prints the report"
gl smoke -o "$work/smoke-json" --json
expect_rc 0 "greenlight smoke --json"
expect_json "$last_out" "d['ok']" "true" "stdout of smoke --json"
expect_json "$last_out" "d['schema']" "greenlight.smoke-report/v1" "stdout of smoke --json"

note "a non-empty output folder is refused"
before=$(find "$work/smoke-1" -type f -printf '%P %s %T@\n' | sort | sha256sum)
gl smoke -o "$work/smoke-1"
expect_rc 2 "greenlight smoke into a non-empty folder"
expect_grep "smoke-1" "$last_err" "the message names the folder"
after=$(find "$work/smoke-1" -type f -printf '%P %s %T@\n' | sort | sha256sum)
[[ $before == "$after" ]] || fail "the refused smoke run changed the existing folder"
gl smoke -o "$work/smoke-1" --force
expect_rc 0 "greenlight smoke --force into a non-empty folder"
check_report "$work/smoke-1"

note "GREENLIGHT_SMOKE_OUTPUT_DIR"
GREENLIGHT_SMOKE_OUTPUT_DIR=$work/smoke-env gl smoke
expect_rc 0 "greenlight smoke with GREENLIGHT_SMOKE_OUTPUT_DIR"
check_report "$work/smoke-env"
GREENLIGHT_SMOKE_OUTPUT_DIR=$work/smoke-env-unused gl smoke -o "$work/smoke-flag"
expect_rc 0 "greenlight smoke -o with GREENLIGHT_SMOKE_OUTPUT_DIR set"
check_report "$work/smoke-flag"
expect_absent "$work/smoke-env-unused" "GREENLIGHT_SMOKE_OUTPUT_DIR used although -o was given"

note "greenlight run keeps the smoke guard's outputs in the bundle"
mkdir -p "$work/project"
cat >"$work/project/greenlight.yml" <<'YML'
version: 1
project: guarded
artifacts: out
suites:
  unit:
    run: "echo unit"
tiers:
  pr-fast: [unit]
YML
gl run --config "$work/project/greenlight.yml" --tier pr-fast --run-id g1
expect_rc 0 "run with the smoke guard"
bundle=$work/project/out/guarded/g1
expect_dir "$bundle/smoke" "<bundle>/smoke/"
check_report "$bundle/smoke"
expect_json "$bundle/summary.json" "d['smoke']['green']" "true" "summary.json"
expect_json "$bundle/summary.json" "d['verdict']" "pass" "summary.json"
expect_grep "  smoke/smoke-report.json$" "$bundle/manifest-sha256.txt" "the manifest lists the smoke report"
gl verify "$bundle"
expect_rc 0 "verify of a bundle with smoke/"

note "--no-smoke leaves it out"
gl run --config "$work/project/greenlight.yml" --tier pr-fast --run-id g2 --no-smoke
expect_rc 0 "run --no-smoke"
expect_absent "$work/project/out/guarded/g2/smoke" "smoke/ in a --no-smoke bundle"
expect_json "$work/project/out/guarded/g2/summary.json" "d['smoke']" "null" "summary.json of a --no-smoke run"

echo "PASS: smoke_guard"
