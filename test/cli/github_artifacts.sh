#!/usr/bin/env bash
# The example workflows' bundles survive upload and download. Each workflow of examples/github/ runs here
# as written (test/cli/lib/workflow_runner.py: its run scripts in bash -e -o pipefail, with ${{ }}, env,
# outputs, `if:`, `needs:` and the shard matrix), on a small project with the greenlight under test, while
# actions/upload-artifact@v4 and actions/download-artifact@v4 are emulated by their rules (the upload's
# root is its search path, links are followed, dot names left out unless include-hidden-files; a single
# name downloads into `path`, a pattern into `path/<artifact name>/`). Then:
#   greenlight.yml      the bundle is the artifact's root and `greenlight verify` passes after download,
#                       for a green run and for a red one; without include-hidden-files, or with the
#                       wildcard path the example used before, verify fails; a link in a bundle arrives
#                       as a plain file (upload-artifact follows links), which verify reports
#   sharded.yml         four shards are downloaded, merged and verified; a shard whose runner was lost
#                       makes the merge red ("shard 3/4 missing"); no shard at all fails the merge step
#   mainframe-smoke.yml the packed bundle (the bridge step replaced by one that packs a run) verifies
#                       after download
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"

"$python" -c 'import yaml' 2>/dev/null || fail "$python cannot import yaml; install python3-yaml"
examples=$source_dir/examples/github

# The project the workflows check out: six suites over three tiers. One leaves a file under a dot name
# (as coverage tools do); `fail-me` in the project makes another one fail.
project=$work/project
mkdir -p "$project/mainframe"
cat >"$project/greenlight.yml" <<'YAML'
version: 1
project: shop
artifacts: artifacts
suites:
  unit: { run: ["sh", "-c", "echo unit"] }
  lint: { run: "echo lint" }
  coverage: { run: "echo 'lines 90%' > \"$GREENLIGHT_OUTPUTS/.coverage\"; mkdir -p \"$GREENLIGHT_OUTPUTS/html\"; echo '<p>90%</p>' > \"$GREENLIGHT_OUTPUTS/html/index.html\"" }
  api: { run: "test ! -e fail-me" }
  e2e: { run: "echo e2e" }
  docs: { run: "echo docs" }
tiers:
  pr-fast: [unit, lint, coverage]
  merge-medium: [unit, lint, coverage, api, e2e, docs]
  nightly: [unit, lint, coverage, api, e2e, docs]
YAML
echo '{"scenario": "nightly"}' >"$project/mainframe/scenario.json"
echo '{"steps": []}' >"$project/mainframe/script.json"

# run_workflow NAME FILE EVENT [workflow_runner options...]: runs the workflow into $work/NAME; its report
# is $work/NAME/result.json.
run_workflow() {
    local name=$1 file=$2 event=$3
    shift 3
    mkdir -p "$work/$name"
    "$python" "$source_dir/test/cli/lib/workflow_runner.py" "$file" --project "${project_dir:-$project}" \
        --root "$work/$name" --greenlight "$greenlight" --event "$event" "$@" >"$work/$name.out" 2>&1 ||
        { cat "$work/$name.out" >&2; fail "$name: the workflow could not be run"; }
    report=$work/$name/result.json
}

# expect_job JOB RESULT: the job (a matrix job: "shard (2)") ended with RESULT.
expect_job() {
    local got
    got=$(json "$report" "d['jobs'].get('$1', {}).get('result')")
    [[ $got == "$2" ]] || { cat "$work/$(basename "$(dirname "$report")").out" >&2; fail "$(basename "$(dirname "$report")"): job $1 ended $got, expected $2"; }
}

# expect_step JOB STEP OUTCOME: the named step ended with OUTCOME.
expect_step() {
    local got
    got=$(json "$report" "[s['outcome'] for s in d['jobs']['$1']['steps'] if s['name'] == '$2'][0]") ||
        fail "no step '$2' in job $1"
    [[ $got == "$3" ]] || fail "job $1, step '$2': $got, expected $3; its log: $(step_log "$1" "$2")"
}

step_log() { json "$report" "[s['log'] for s in d['jobs']['$1']['steps'] if s['name'] == '$2'][0]"; }

# expect_step_log JOB STEP PATTERN: the step's output matches PATTERN.
expect_step_log() {
    step_log "$1" "$2" >"$work/step.log"
    grep -Eq -- "$3" "$work/step.log" || fail "job $1, step '$2': no /$3/ in its log: $(cat "$work/step.log")"
}

# expect_artifact_root ARTIFACT: the artifact holds a bundle at its root (manifest.json, summary.json).
expect_artifact_root() {
    expect_json "$report" "sorted(set(['manifest.json', 'summary.json']) - set(d['artifacts'].get('$1', [])))" "[]" \
        "artifact $1 should hold the bundle at its root"
}

# --- greenlight.yml ------------------------------------------------------------------------------------------
note "greenlight.yml on a pull request: upload, download, verify"
run_workflow pr "$examples/greenlight.yml" pull_request
expect_job test success
expect_step test "Smoke guard and pr-fast" success
expect_step test "Smoke guard and merge-medium" skipped
expect_step test "Upload the bundle" success
expect_artifact_root greenlight-4242-1
expect_json "$report" "'suites/coverage/outputs/.coverage' in d['artifacts']['greenlight-4242-1']" true "the suite's dot file in the artifact"
expect_job verify success
expect_step verify "Verify the bundle" success
expect_step_log verify "Verify the bundle" "^OK: verified [0-9]+ files"

note "greenlight.yml on a push, red: still uploaded, still verified"
project_dir=$work/project-red
cp -r "$project" "$project_dir"
touch "$project_dir/fail-me"
run_workflow push-red "$examples/greenlight.yml" push
expect_job test failure
expect_step test "Smoke guard and merge-medium" failure
expect_step test "Upload the bundle" success
expect_artifact_root greenlight-4242-1
expect_job verify success
expect_step verify "Verify the bundle" success
unset project_dir

note "greenlight.yml run by hand: the tier input reaches greenlight through env, unexpanded"
# shellcheck disable=SC2016 # the dollar sign must reach the workflow unexpanded
run_workflow dispatch "$examples/greenlight.yml" workflow_dispatch --input mode=full --input 'tier=pr-fast$(touch pwned)'
expect_job test failure
expect_step test "Smoke guard and the chosen tier (manual)" failure
# shellcheck disable=SC2016
expect_step_log test "Smoke guard and the chosen tier (manual)" 'no tier `pr-fast\$\(touch pwned\)`'
expect_step test "Find the bundle" failure
expect_step_log test "Find the bundle" "expected one bundle at .*, found 0"
expect_step test "Upload the bundle" skipped
expect_job verify failure
expect_step_log verify "Download the bundle" "Artifact 'greenlight-4242-1' not found"
[[ -z $(find "$work/dispatch" -name pwned) ]] || fail "the tier input was executed as shell"

note "without include-hidden-files the dot file is lost and verify fails"
sed '/include-hidden-files: true/d' "$examples/greenlight.yml" >"$work/no-hidden.yml"
run_workflow no-hidden "$work/no-hidden.yml" pull_request
expect_job test success
expect_job verify failure
expect_step verify "Verify the bundle" failure
expect_step_log verify "Verify the bundle" "missing.*suites/coverage/outputs/\.coverage"

note "the earlier wildcard upload path puts <project>/<run id>/ in the artifact, and verify fails"
# shellcheck disable=SC2016 # a workflow expression, not shell
sed 's|path: \${{ steps.bundle.outputs.path }}|path: ${{ env.ARTIFACT_DIR }}/*/${{ env.RUN_ID }}/|' "$examples/greenlight.yml" >"$work/wildcard.yml"
grep -q 'ARTIFACT_DIR }}/\*/' "$work/wildcard.yml" || fail "could not write the wildcard variant"
run_workflow wildcard "$work/wildcard.yml" pull_request
expect_json "$report" "'shop/4242-1/summary.json' in d['artifacts']['greenlight-4242-1']" true "the wildcard's artifact layout"
expect_job verify failure
expect_step_log verify "Verify the bundle" "no manifest.json at the bundle root"

note "a link a suite left arrives as a plain file, and verify says so (docs/INSTALL.md: pack such bundles)"
project_dir=$work/project-link
mkdir -p "$project_dir"
cat >"$project_dir/greenlight.yml" <<'YAML'
version: 1
project: shop
suites:
  report: { run: "echo 90% > \"$GREENLIGHT_OUTPUTS/report.txt\"; ln -s report.txt \"$GREENLIGHT_OUTPUTS/latest\"" }
tiers:
  pr-fast: [report]
YAML
run_workflow link "$examples/greenlight.yml" pull_request
expect_job test success
expect_job verify failure
expect_step_log verify "Verify the bundle" "modified: suites/report/outputs/latest \(a plain file, manifest says a symlink"
unset project_dir

# --- sharded.yml ------------------------------------------------------------------------------------------
note "sharded.yml: four shards uploaded, downloaded by pattern, merged, verified"
run_workflow sharded "$examples/sharded.yml" push
for shard in 1 2 3 4; do
    expect_job "shard ($shard)" success
    expect_artifact_root "greenlight-shard-$shard-of-4"
done
expect_job merge success
expect_step merge "Merge the shards" success
expect_step merge "Verify the merged bundle" success
expect_step merge "Upload the merged bundle" success
expect_artifact_root greenlight-merged-4242-1
merged=$(find "$work/sharded/runners" -path '*/work/merged' -type d | head -n 1)
expect_json "$merged/summary.json" "(d['verdict'], d['green'], len(d['merged_from']))" '["pass", true, 4]' "the merged summary"

note "sharded.yml with shard 3's runner lost: the merge is red and names the missing shard"
run_workflow sharded-lost "$examples/sharded.yml" push --lose shard:3
expect_job "shard (3)" failure
expect_job merge failure
expect_step merge "Merge the shards" failure
expect_step_log merge "Merge the shards" "shard 3/4 missing"
expect_step merge "Verify the merged bundle" success
expect_step merge "Upload the merged bundle" success
merged=$(find "$work/sharded-lost/runners" -path '*/work/merged' -type d | head -n 1)
expect_json "$merged/summary.json" "(d['verdict'], d['green'], d['status'], d['missing_shards'])" \
    '["error", false, "incomplete", [{"count": 4, "index": 3}]]' "the merged summary without shard 3"

note "sharded.yml with every runner lost: the merge step fails, saying why"
run_workflow sharded-none "$examples/sharded.yml" push --lose shard:1 --lose shard:2 --lose shard:3 --lose shard:4
expect_job merge failure
expect_step merge "Merge the shards" failure
expect_step_log merge "Merge the shards" "no shard bundle was downloaded"

# --- mainframe-smoke.yml ------------------------------------------------------------------------------------
note "mainframe-smoke.yml: the packed bundle verifies after download"
# The bridge step needs a z/OSMF host (test/cli/bridge_run.sh runs it); here it is replaced by a step that
# writes a packed bundle where the workflow expects it.
cat >"$work/pack-a-run.sh" <<'SH'
greenlight run --tier pr-fast --no-smoke --run-id "$RUN_ID" --artifact-dir "$RUNNER_TEMP/run" || true
mkdir -p "$BUNDLE_DIR"
greenlight pack "$RUNNER_TEMP/run/shop/$RUN_ID" -o "$BUNDLE_DIR/mainframe-smoke-results.tar.gz"
SH
run_workflow mainframe "$examples/mainframe-smoke.yml" workflow_dispatch --replace-step "Run the mainframe smoke=$work/pack-a-run.sh"
expect_job smoke success
expect_step smoke "Prepare the payload" success
expect_json "$report" "d['artifacts']['mainframe-smoke-results-4242-1']" '["mainframe-smoke-results.tar.gz"]' \
    "the mainframe artifact should hold the packed bundle at its root"
expect_job verify success
expect_step verify "Verify the results bundle" success

echo "ok: the example workflows' bundles are the artifacts' roots, verify after download, and merge (red when a shard is missing)"
