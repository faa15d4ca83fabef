#!/usr/bin/env bash
# `greenlight promote` end to end on loopback: a `greenlight serve` this test starts (SQLite), a green staging
# run of a commit pushed to it, a promotion to production that is no-go without a decision, then no-go after a
# recorded no-go, go after a later go; a red run and a stale one (older than max_age) give no-go with their
# reasons; the attempts and decisions in the API and on /promotions; exit 2 for usage and 3 for an unreachable
# server. Every wait is bounded; the server is stopped with SIGTERM at the end.
# Usage: promote.sh GREENLIGHT_BINARY
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"
unset GREENLIGHT_TIER GREENLIGHT_RUN_ID GREENLIGHT_ARTIFACT_DIR GITHUB_ACTIONS GITHUB_STEP_SUMMARY \
    GREENLIGHT_SERVE_TOKEN GREENLIGHT_SERVE_URL GITHUB_ACTOR GITHUB_SHA GITHUB_REF CI

git_() { git -c user.name=greenlight -c user.email=ci@greenlight.invalid -c init.defaultBranch=main "$@" >/dev/null 2>&1; }

project=$work/project
mkdir -p "$project"
cd "$project" || fail "cd $project"
write_config() {  # write_config FILE MAX_AGE
    cat >"$1" <<YAML
version: 1
project: shop
artifacts: artifacts
suites:
  unit:
    run: "test ! -f broken"
tiers:
  merge-medium: [unit]
serve:
  db: sqlite:state/serve.db
  bundles: state/bundles
promote:
  max_age: $2
  environments:
    staging: { tier: merge-medium }
    production: { tier: nightly }
YAML
}
write_config greenlight.yml 1h
write_config "$work/stale.yml" 1s
printf 'artifacts/\nstate/\n' >.gitignore
git_ init && git_ add -A && git_ commit -m first || fail "git commit"
green_sha=$(git rev-parse HEAD)

note "config validate"
gl config validate
expect_rc 0 "config validate with a promote section"

note "token and server"
gl serve token create ci-deploy
expect_rc 0 "serve token create"
token=$(tr -d '\n' <"$last_out")
export GREENLIGHT_SERVE_TOKEN=$token
"$greenlight" serve --listen 127.0.0.1:0 </dev/null >"$work/serve.out" 2>"$work/serve.log" &
serve_pid=$!
track_pid $serve_pid
wait_for 20 grep -q 'greenlight serve: listening on ' "$work/serve.log" ||
    fail "serve did not start: $(tail -n 20 "$work/serve.log")"
url=$(sed -n 's/^greenlight serve: listening on \(http[^ ]*\)$/\1/p' "$work/serve.log" | head -n 1)
export GREENLIGHT_SERVE_URL=$url

note "a green staging run of the commit"
gl run --tier merge-medium --run-id staging-green --no-smoke --report-to "$url"
expect_rc 0 "green staging run"
curl -fsS "$url/api/v1/runs?commit=$green_sha" >"$last_out" || fail "runs of the commit"
expect_json "$last_out" "[r['run_id'] for r in d['runs']]" '["staging-green"]'

note "no decision: no-go"
gl promote --env production --sha "$green_sha"
expect_rc 1 "promote without a decision"
expect_grep "promote $green_sha to production: no-go" "$last_out"
expect_grep "held: evidence: run staging-green \(serve\) of staging \(tier merge-medium\) is green" "$last_out"
expect_grep "no-go: decision: no go decision is recorded for production" "$last_out"

note "a recorded no-go blocks"
gl promote decide no-go --env production --sha "$green_sha" --reason "incident open" --by alice
expect_rc 0 "decide no-go"
expect_grep "decision recorded: no-go for $green_sha to production by alice" "$last_out"
gl promote --env production --sha "$green_sha"
expect_rc 1 "promote after a no-go"
expect_grep "no-go: decision: no-go by alice at .*: incident open" "$last_out"

note "a later go lifts it"
GITHUB_ACTOR=bob gl promote decide go --env production --sha "$green_sha" --reason "incident closed"
expect_rc 0 "decide go"
expect_grep "by bob" "$last_out"
gl promote --env production --sha "$green_sha"
expect_rc 0 "promote after a go"
expect_grep "promote $green_sha to production: go" "$last_out"
expect_grep "held: decision: go by bob" "$last_out"
expect_no_grep "no-go:" "$last_out"

note "a red run: no-go"
touch broken
git_ add -A && git_ commit -m broken || fail "git commit"
red_sha=$(git rev-parse HEAD)
gl run --tier merge-medium --run-id staging-red --no-smoke --report-to "$url"
expect_rc 1 "red staging run"
gl promote decide go --env production --sha "$red_sha" --reason "looks fine"
expect_rc 0 "decide go for the red commit"
gl promote --env production --sha "$red_sha"
expect_rc 1 "promote a red commit"
expect_grep "no-go: no fresh green evidence from staging \(tier merge-medium\): run staging-red \(serve\) is red \(verdict fail\)" "$last_out"

note "a stale run: no-go"
sleep 1.2
gl promote --config "$work/stale.yml" --env production --sha "$green_sha"
expect_rc 1 "promote on stale evidence"
expect_grep "run staging-green \(serve\) is stale: it finished .* ago, at .*; max_age is 1 s" "$last_out"

note "a verified bundle counts as evidence; a tampered one is a reason"
gl promote --env production --sha "$green_sha" --bundle artifacts/shop/staging-green
expect_rc 0 "promote with the bundle too"
cp -r artifacts/shop/staging-green "$work/tampered"
echo changed >>"$work/tampered/summary.md"
gl promote --env production --sha "$green_sha" --bundle "$work/tampered"
expect_rc 1 "promote with a tampered bundle"
expect_grep "no-go: evidence: bundle .*tampered cannot count" "$last_out"

note "API and dashboard"
curl -fsS "$url/api/v1/promotions?commit=$green_sha&environment=production" >"$last_out" || fail "GET promotions"
expect_json "$last_out" "[a['verdict'] for a in d['attempts']]" '["no-go", "go", "no-go", "go", "no-go", "no-go"]'
expect_json "$last_out" "[x['decision'] + ':' + x['by'] for x in d['decisions']]" '["go:bob", "no-go:alice"]'
expect_json "$last_out" "d['attempts'][-1]['by']" ci-deploy "the token names who attempted"
expect_json "$last_out" "d['decisions'][0]['token']" ci-deploy
curl -fsS "$url/api/v1/promotions/attempts?commit=$red_sha" >"$last_out" || fail "GET attempts"
expect_json "$last_out" "d['attempts'][0]['reasons']" \
    '["no fresh green evidence from staging (tier merge-medium): run staging-red (serve) is red (verdict fail)"]'
expect_json "$last_out" "d['attempts'][0]['evidence'][0].startswith('decision: go by ci-deploy')" true
curl -fsS "$url/promotions" >"$last_out" || fail "GET /promotions"
expect_grep 'href="/promotions"' "$last_out"
expect_grep "incident closed" "$last_out"
expect_grep "is red \(verdict fail\)" "$last_out"
status=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data '{"environment":"production","commit":"abcd1234","decision":"go","reason":"x"}' \
    "$url/api/v1/promotions/decisions")
[[ $status == 401 ]] || fail "a decision without a token: HTTP $status, expected 401"

note "usage and infrastructure"
gl promote --env prod --sha "$green_sha"
expect_rc 2 "an unknown environment"
expect_grep "no environment 'prod' under promote.environments" "$last_err"
gl promote --env production --sha main
expect_rc 2 "a sha that is not one"
gl promote decide maybe --env production --sha "$green_sha" --reason x
expect_rc 2 "a decision that is not go or no-go"
GREENLIGHT_SERVE_TOKEN='' gl promote --env production --sha "$green_sha"
expect_rc 2 "no token"
gl promote --env production --sha "$green_sha" --server http://127.0.0.1:1 --retry-for 1s
expect_rc 3 "an unreachable server"

note "stop the server"
kill -TERM "$serve_pid"
wait "$serve_pid"
serve_rc=$?
[[ $serve_rc == 0 ]] || fail "serve exited $serve_rc on SIGTERM"
expect_no_grep "$token" "$work/serve.log"
echo "promote: ok"
