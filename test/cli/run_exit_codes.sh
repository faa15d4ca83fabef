#!/usr/bin/env bash
# `greenlight run` exits by the contract: 0 green, 1 red, 2 usage/config error (naming file and line,
# with a did-you-mean for an unknown tier), 3 artifacts not writable; a re-run with the same run id is
# refused unless --force; GREENLIGHT_TIER/RUN_ID/ARTIFACT_DIR are honoured and flags beat them;
# --list runs nothing; --smoke-only runs only the smoke guard; --json prints summary.json.
# Usage: run_exit_codes.sh GREENLIGHT_BINARY
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"
unset GREENLIGHT_TIER GREENLIGHT_RUN_ID GREENLIGHT_ARTIFACT_DIR GITHUB_ACTIONS GITHUB_STEP_SUMMARY

project=$work/project
mkdir -p "$project"
cd "$project" || fail "cd $project"
cat >greenlight.yml <<'YML'
version: 1
project: codes
artifacts: out
defaults: { timeout: 20s }
suites:
  alpha:
    run: "echo alpha > ../alpha.ran; echo alpha"
    labels: [fast]
  beta:
    run: ["sh", "-c", "echo beta > ../beta.ran"]
  broken:
    run: "echo broken; exit 1"
tiers:
  pr-fast: [alpha, "label:fast"]
  green-two: [beta, "label:fast"]
  red: [alpha, broken]
  other: [beta]
YML

note "green run exits 0"
gl run --tier pr-fast --no-smoke --run-id green1
expect_rc 0 "green run"
expect_json out/codes/green1/summary.json "d['verdict']" "pass"
expect_json out/codes/green1/summary.json "d['green']" "true"
# alpha is named and selected by label: it runs once.
expect_json out/codes/green1/summary.json "[s['name'] for s in d['suites']]" '["alpha"]'

note "red run exits 1"
gl run --tier red --no-smoke --run-id red1
expect_rc 1 "red run"
expect_json out/codes/red1/summary.json "d['verdict']" "fail"
expect_json out/codes/red1/summary.json "d['green']" "false"

note "config error exits 2 and names file:line"
cat >"$work/bad.yml" <<'YML'
version: 1
project: codes
suites:
  alpha:
    run: "echo alpha"
    timout: 5s
tiers:
  pr-fast: [alpha]
YML
gl run --config "$work/bad.yml" --tier pr-fast --no-smoke --run-id bad1
expect_rc 2 "run with an invalid config"
expect_grep 'bad\.yml:6:[0-9]+' "$last_err" "stderr names file:line:column of the unknown key"
expect_grep 'timout' "$last_err" "stderr names the key"
expect_grep "did you mean .?timeout" "$last_err" "stderr suggests the right key"
expect_absent "$work/out" "no bundle for an invalid config"

note "unknown tier exits 2 with a did-you-mean"
gl run --tier pr-fats --no-smoke --run-id tier1
expect_rc 2 "unknown tier"
expect_grep "pr-fats" "$last_err" "stderr names the unknown tier"
expect_grep "did you mean .?pr-fast" "$last_err" "stderr suggests the tier"
expect_absent out/codes/tier1 "no bundle for an unknown tier"

note "missing --tier exits 2"
gl run --no-smoke --run-id notier
expect_rc 2 "run without a tier"

note "unwritable artifact dir exits 3"
touch "$work/regular-file"
gl run --tier pr-fast --no-smoke --run-id unw --artifact-dir "$work/regular-file/sub"
expect_rc 3 "artifact dir under a regular file"
[[ -s $last_err ]] || fail "no message on stderr for an unwritable artifact dir"

note "same run id twice exits 2, --force replaces"
gl run --tier other --no-smoke --run-id dup
expect_rc 0 "first run with id dup"
echo stale >out/codes/dup/extra-from-before.txt
gl run --tier other --no-smoke --run-id dup
expect_rc 2 "second run with the same run id"
expect_grep "dup" "$last_err" "stderr names the existing bundle"
expect_file out/codes/dup/extra-from-before.txt "the refused run left the existing bundle alone:"
gl run --tier other --no-smoke --run-id dup --force
expect_rc 0 "re-run with --force"
expect_absent out/codes/dup/extra-from-before.txt "--force replaces the bundle (old files gone)"
gl verify out/codes/dup
expect_rc 0 "verify of the forced bundle"

note "environment variables are honoured"
rm -f "$work/alpha.ran" "$work/beta.ran"
GREENLIGHT_TIER=green-two GREENLIGHT_RUN_ID=from-env GREENLIGHT_ARTIFACT_DIR="$work/env-art" \
    gl run --no-smoke
expect_rc 0 "run configured by environment"
expect_file "$work/env-art/codes/from-env/summary.json" "bundle at GREENLIGHT_ARTIFACT_DIR/project/GREENLIGHT_RUN_ID"
expect_json "$work/env-art/codes/from-env/summary.json" "d['tier']" "green-two"
expect_json "$work/env-art/codes/from-env/summary.json" "d['run_id']" "from-env"
expect_file "$work/beta.ran" "suite beta of GREENLIGHT_TIER ran:"

note "flags beat environment variables"
GREENLIGHT_TIER=no-such-tier GREENLIGHT_RUN_ID=env-id GREENLIGHT_ARTIFACT_DIR="$work/env-art2" \
    gl run --no-smoke --tier other --run-id flag-id --artifact-dir "$work/flag-art"
expect_rc 0 "flags over environment"
expect_file "$work/flag-art/codes/flag-id/summary.json" "bundle at --artifact-dir/project/--run-id"
expect_json "$work/flag-art/codes/flag-id/summary.json" "d['tier']" "other"
expect_absent "$work/env-art2" "GREENLIGHT_ARTIFACT_DIR used although --artifact-dir was given"

note "--list shows the plan and why, and runs nothing"
rm -rf out "$work/alpha.ran" "$work/beta.ran"
gl run --tier green-two --list
expect_rc 0 "--list"
expect_grep "alpha" "$last_out" "--list names alpha"
expect_grep "beta" "$last_out" "--list names beta"
expect_grep "label:fast" "$last_out" "--list says alpha is there by label:fast"
expect_absent out "--list wrote a bundle"
expect_absent "$work/alpha.ran" "--list ran alpha"
expect_absent "$work/beta.ran" "--list ran beta"

note "--smoke-only runs only the smoke guard"
start=$(now_ms)
gl run --tier red --smoke-only --run-id smoke-only
expect_rc 0 "--smoke-only (the red suites must not run)"
(( $(now_ms) - start < 15000 )) || fail "--smoke-only took more than 15 s"
expect_dir out/codes/smoke-only/smoke "smoke/ in the bundle"
expect_absent out/codes/smoke-only/suites "suites/ in a --smoke-only bundle"
expect_json out/codes/smoke-only/summary.json "d['suites']" "[]"
expect_json out/codes/smoke-only/summary.json "d['smoke']['green']" "true"
gl verify out/codes/smoke-only
expect_rc 0 "verify of the --smoke-only bundle"
gl run --tier no-such-tier --smoke-only --run-id smoke-only-unknown
expect_rc 2 "--smoke-only with a tier the config does not have"
expect_grep "no-such-tier" "$last_err" "the error names the unknown tier"
expect_absent out/codes/smoke-only-unknown "a bundle for a --smoke-only run of an unknown tier"

note "--json prints summary.json"
gl run --tier pr-fast --no-smoke --run-id json1 --json
expect_rc 0 "--json run"
expect_json "$last_out" "d['schema']" "greenlight.summary/v1" "stdout of --json"
expect_json "$last_out" "d['run_id']" "json1" "stdout of --json"
cmp -s <("$python" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True))' "$last_out") \
       <("$python" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True))' out/codes/json1/summary.json) \
    || fail "--json output differs from the bundle's summary.json"

echo "PASS: run_exit_codes"
