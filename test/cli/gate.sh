#!/usr/bin/env bash
# greenlight gate on real git repositories: risk tier and why, declared labels, gates from checks,
# summaries and coverage, staleness across commits and rebases, output formats, exit codes.
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"

repo=$work/repo
mkdir -p "$repo"
cd "$repo"
git_() { git -c user.name=greenlight -c user.email=ci@greenlight.invalid -c init.defaultBranch=main "$@" >/dev/null 2>&1; }
git_ init
mkdir -p src backend docs
printf 'def add(a, b):\n    return a + b\n' > src/calc.py
printf 'def charge(amount):\n    return amount\n' > backend/billing.py
printf '# Guide\n' > docs/guide.md
git_ add -A && git_ commit -m base
base=$(git rev-parse HEAD)

note "a docs-only change is R0-docs and needs no gate"
git_ checkout -b docs-change
printf '# Guide\n\nMore words.\n' > docs/guide.md
git_ commit -am "docs"
gl gate --base main --head HEAD --labels R0-docs
expect_rc 0 "docs-only change"
expect_grep '^risk: R0-docs \(computed R0-docs, docs only\)' "$last_out" "tier line"
expect_grep '\(none required at this tier\)' "$last_out" "no gates"

note "a change in a critical zone is R2 and says why (file, line, rule)"
git_ checkout main && git_ checkout -b backend-change
printf 'def charge(amount):\n    api_key = load()\n    return amount\n' > backend/billing.py
printf 'def add(a, b):\n    return a + b\n\ndef sub(a, b):\n    return a - b\n' > src/calc.py
git_ commit -am "billing"
head=$(git rev-parse HEAD)
gl gate --base main --head HEAD --labels R1-low
expect_rc 1 "declared label below the computed tier"
expect_grep '^risk: R2-medium' "$last_out" "tier"
expect_grep 'because R2-medium backend/billing.py \(rule backend: backend/\*\*\)' "$last_out" "path reason"
expect_grep 'because R2-medium backend/billing.py:2 \(rule secret-or-auth-code: api_key\)' "$last_out" "line reason"
expect_grep 'violation: declared R1-low is below the computed R2-medium' "$last_out" "label violation"

note "no label, and two labels, are violations too"
gl gate --base main --head HEAD
expect_rc 1 "no label"
expect_grep 'violation: no risk label' "$last_out" "no label"
gl gate --base main --head HEAD --labels R2-medium,risk:R3-high
expect_rc 1 "two labels"
expect_grep 'violation: 2 risk labels' "$last_out" "two labels"

note "gates from checks, a run summary and coverage: all hold at head"
cat > "$work/checks.json" <<JSON
[{"gate": "automated-review", "state": "passed", "sha": "$head"},
 {"gate": "semantic-review", "state": "passed", "sha": "$head"}]
JSON
mkdir -p "$work/bundle"
cat > "$work/bundle/summary.json" <<JSON
{"schema": "greenlight.summary/v1", "run_id": "7", "tier": "pr-fast", "verdict": "pass", "green": true,
 "git": {"sha": "$head", "ref": null}}
JSON
# LCOV as lcov writes it. Added: line 2 of billing.py, lines 3-5 of calc.py (3 is blank, so not
# measured); line 5 is not covered: 2 of 3 measured added lines covered.
cat > "$work/coverage.info" <<'LCOV'
TN:
SF:backend/billing.py
DA:1,1
DA:2,1
DA:3,1
end_of_record
SF:src/calc.py
DA:1,1
DA:2,1
DA:4,1
DA:5,0
end_of_record
LCOV
gl gate --base main --head HEAD --labels R2-medium --checks "$work/checks.json" --summary "$work/bundle/summary.json" \
   --coverage "$work/coverage.info" --json
expect_rc 0 "every blocking gate holds"
expect_json "$last_out" "d['verdict']" "pass"
expect_json "$last_out" "[g['state'] for g in d['gates']]" '["passed", "passed", "passed", "passed"]'
expect_json "$last_out" "d['patch_coverage']['covered'], d['patch_coverage']['measured']" '[2, 3]'
expect_json "$last_out" "d['patch_coverage']['percent']" "66.67%"
expect_json "$last_out" "[f['uncovered'] for f in d['patch_coverage']['files'] if f['path'] == 'src/calc.py'][0]" '[[5, 5]]'
expect_json "$last_out" "d['labels']['wanted']" '["risk:R2-medium", "gates:passed"]'

note "a red run summary fails the ci gate; an advisory gate does not fail the verdict"
sed -i 's/"green": true/"green": false/' "$work/bundle/summary.json"
gl gate --base main --head HEAD --labels R2-medium --checks "$work/checks.json" --summary "$work/bundle/summary.json" \
   --coverage "$work/coverage.info"
expect_rc 1 "ci failed"
expect_grep '^  ci +failed +blocking' "$last_out" "ci line"
sed -i 's/"green": false/"green": true/' "$work/bundle/summary.json"
cat > "$repo/greenlight.yml" <<'YAML'
version: 1
project: gate-test
suites:
  unit: { run: "true" }
gate:
  gates:
    semantic-review: { mode: advisory }
YAML
cat > "$work/checks-semantic-failed.json" <<JSON
[{"gate": "automated-review", "state": "passed", "sha": "$head"},
 {"gate": "semantic-review", "state": "failed", "sha": "$head"}]
JSON
# The edit is in the work tree only: the base's rules (none: the defaults) judge, so the gate still blocks.
gl gate --base main --head HEAD --labels R2-medium --checks "$work/checks-semantic-failed.json" \
   --summary "$work/bundle/summary.json" --coverage "$work/coverage.info"
expect_rc 1 "the work tree's edit of the rules does not count"
expect_grep '^rules: the defaults \(no greenlight.yml at base [0-9a-f]{12}\)' "$last_out" "rules origin"
gl gate --base main --head HEAD --labels R2-medium --checks "$work/checks-semantic-failed.json" \
   --summary "$work/bundle/summary.json" --coverage "$work/coverage.info" --rules-from work-tree
expect_rc 0 "an advisory gate that fails does not fail the verdict"
expect_grep '^rules: .*greenlight.yml in the work tree \(--rules-from work-tree\)' "$last_out" "rules origin"
expect_grep '^  semantic-review +failed +advisory' "$last_out" "advisory line"
rm "$repo/greenlight.yml"

note "GitHub check runs map to gates by name"
cat > "$work/check-runs.json" <<JSON
{"total_count": 2, "check_runs": [
  {"name": "automated-review", "status": "completed", "conclusion": "success", "head_sha": "$head"},
  {"name": "semantic-review", "status": "in_progress", "conclusion": null, "head_sha": "$head"}]}
JSON
gl gate --base main --head HEAD --labels R2-medium --checks "$work/check-runs.json" --summary "$work/bundle/summary.json" \
   --coverage "$work/coverage.info" --json
expect_rc 1 "a running gate does not hold"
expect_json "$last_out" "[g['state'] for g in d['gates'] if g['gate'] == 'semantic-review'][0]" "running"
expect_json "$last_out" "d['lifecycle']" "running"

note "a new commit makes passed gates stale; a message-only amend (same tree) does not with --stale-on tree"
git_ commit --amend -m "billing, reworded"
new_head=$(git rev-parse HEAD)
[[ $new_head != "$head" ]] || fail "amend did not make a new commit"
gl gate --base main --head HEAD --labels R2-medium --checks "$work/checks.json" --summary "$work/bundle/summary.json" \
   --coverage "$work/coverage.info" --json
expect_rc 1 "gates passed at the old commit are stale"
expect_json "$last_out" "[g['state'] for g in d['gates'] if g['gate'] == 'automated-review'][0]" "stale"
expect_json "$last_out" "d['labels']['wanted']" '["risk:R2-medium", "gates:stale"]'
gl gate --base main --head HEAD --labels R2-medium --checks "$work/checks.json" --summary "$work/bundle/summary.json" \
   --coverage "$work/coverage.info" --json --stale-on tree
expect_rc 0 "same tree: still passed"

note "a rebase onto a moved base keeps the patch id: --stale-on tree keeps the gates"
git_ checkout main
printf 'unrelated\n' > docs/other.md && git_ add -A && git_ commit -m "main moves"
git_ checkout backend-change && git_ rebase main
rebased=$(git rev-parse HEAD)
gl gate --base main --head HEAD --labels R2-medium --checks "$work/checks.json" --summary "$work/bundle/summary.json" \
   --coverage "$work/coverage.info" --json --stale-on tree
expect_rc 0 "same patch after a rebase"
printf 'def charge(amount):\n    api_key = load()\n    return amount * 2\n' > backend/billing.py
git_ commit -am "edit"
gl gate --base main --head HEAD --labels R2-medium --checks "$work/checks.json" --summary "$work/bundle/summary.json" \
   --coverage "$work/coverage.info" --json --stale-on tree
expect_rc 1 "new content: stale even with --stale-on tree"

note "labels from a pull_request event, a saved diff, and Markdown output"
git diff main...HEAD > "$work/change.diff"
cat > "$work/event.json" <<JSON
{"action": "synchronize", "pull_request": {"number": 5, "labels": [{"name": "risk:R2-medium"}, {"name": "gates:ready"}],
 "head": {"sha": "$(git rev-parse HEAD)"}}}
JSON
cd "$work"
gl gate --diff-file "$work/change.diff" --event "$work/event.json" --markdown
expect_rc 1 "no gate states given"
expect_grep '^## ❌ greenlight gate: fail — risk `R2-medium`' "$last_out" "markdown heading"
expect_grep '^\| ⬜ \| `ci` \| missing \| blocking \|' "$last_out" "markdown gate row"

note "at R3 a webhook change needs end-to-end proof, read from a proof file"
cd "$repo"
mkdir -p src/webhooks && printf 'def on_push(event):\n    return event\n' > src/webhooks/push.py
git_ add -A && git_ commit -m "webhook"
printf '{"verdict": "pass", "sha": "%s"}\n' "$(git rev-parse HEAD)" > "$work/proof.json"
gl gate --base main --head HEAD --labels R3-high --proof "$work/proof.json" --json
expect_json "$last_out" "[g['state'] for g in d['gates'] if g['gate'] == 'e2e-proof'][0]" "passed"
gl gate --base main --head HEAD --labels R2-medium --json
expect_json "$last_out" "'e2e-proof' in [g['gate'] for g in d['gates']]" "false"
cd "$work"

note "a change that lowers its own rules is judged by the base's, and its edit is itself R3"
cd "$repo"
git_ checkout main && git_ checkout -b lower-own-rules
cat > greenlight.yml <<'YAML'
version: 1
project: gate-test
suites: { unit: { run: "true" } }
gate:
  replace_default_rules: true
  rules: [{ name: everything-is-low, tier: R1-low }]
YAML
printf 'def charge(amount, password):\n    return amount\n' > backend/billing.py
git_ add -A && git_ commit -m "lower the rules"
gl gate --base main --head HEAD --labels R1-low --json
expect_rc 1 "R1 declared for a change the base's rules make R3"
expect_json "$last_out" "d['risk']['computed']" "R3-high"
expect_json "$last_out" "[r['path'] for r in d['risk']['reasons'] if r['rule'] == 'gate-config']" '["greenlight.yml"]'
expect_json "$last_out" "'everything-is-low' in [r['rule'] for r in d['risk']['reasons']]" "false"
expect_json "$last_out" "d['rules']['origin'].startswith('the defaults (no greenlight.yml at base ')" "true"

note "-C DIR reads DIR's greenlight.yml (at the base commit)"
git_ checkout main
cat > greenlight.yml <<'YAML'
version: 1
project: gate-test
suites: { unit: { run: "true" } }
gate:
  rules: [{ name: billing-is-critical, paths: ["backend/billing.py"], tier: R4-critical }]
YAML
git_ add -A && git_ commit -m "billing is critical"
git_ checkout -b touch-billing
printf 'def charge(amount):\n    return amount * 1\n' > backend/billing.py
git_ commit -am "touch billing"
cd "$work"
gl gate -C "$repo" --base main --head HEAD --labels R4-critical --json
expect_json "$last_out" "d['risk']['computed']" "R4-critical"
expect_json "$last_out" "d['rules']['origin'].startswith('greenlight.yml at base ')" "true"

note "checks without a sha are unknown at a known head; a cut LCOV report is an error"
printf '[{"gate": "ci", "state": "passed"}]\n' > "$work/nosha.json"
gl gate -C "$repo" --base main --head HEAD --labels R4-critical --checks "$work/nosha.json" --json
expect_json "$last_out" "[g['state'] for g in d['gates'] if g['gate'] == 'ci']" '["unknown"]'
printf '{"sha": "%s", "gates": [{"gate": "ci", "state": "passed"}]}\n' "$(git -C "$repo" rev-parse HEAD)" > "$work/filesha.json"
gl gate -C "$repo" --base main --head HEAD --labels R4-critical --checks "$work/filesha.json" --json
expect_json "$last_out" "[g['state'] for g in d['gates'] if g['gate'] == 'ci']" '["passed"]'
printf 'TN:\nSF:backend/billing.py\nDA:1,1\nDA:2,1\n' > "$work/cut.info"
gl gate -C "$repo" --base main --head HEAD --labels R4-critical --coverage "$work/cut.info"
expect_rc 2 "a tracefile cut before end_of_record"
expect_grep 'cut.info:4:.*end_of_record' "$last_err" "the error names the file, line and what is missing"
gl gate -C "$repo" --base main --head HEAD --labels R4-critical --coverage "$work/cut.info" --coverage-format go
expect_rc 2 "named as a Go profile, it is read as one"
expect_grep 'mode:' "$last_err" "Go's error"
gl gate -C "$repo" --base main --head HEAD --coverage-format xml
expect_rc 2 "an unknown format name"

note "bad input exits 2 with the file and line"
printf 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n' > "$work/broken.diff"
gl gate --diff-file "$work/broken.diff"
expect_rc 2 "truncated hunk"
expect_grep 'broken.diff:[0-9]+:' "$last_err" "error names the file and line"
gl gate --diff-file "$work/change.diff" --checks "$work/missing.json"
expect_rc 2 "missing checks file"
gl gate
expect_rc 2 "no change given"
echo "PASS: gate"
