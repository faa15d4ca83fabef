#!/usr/bin/env bash
# greenlight gate --wait: the real binary polls a scripted GitHub on loopback (test/cli/lib/fake_github.py) on a
# one-second interval: checks going from queued to completed, a failure, a check that appears late, a new head
# pushed while waiting, rate limits (403 with X-RateLimit-Reset, 429 with Retry-After), a check that never
# appears, GitHub unreachable, and bad flags. Each wait is bounded by its own --timeout.
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"

repo=$work/repo
mkdir -p "$repo/src"
cd "$repo" || fail "no repo folder"
git_() { git -c user.name=greenlight -c user.email=ci@greenlight.invalid -c init.defaultBranch=main "$@" >/dev/null 2>&1; }
git_ init
printf 'x = 1\n' > src/app.py && git_ add -A && git_ commit -m base
git_ checkout -b change
printf 'x = 2\n' > src/app.py && git_ commit -am change
head=$(git rev-parse HEAD)

# The ci gate is reported by the checks `build` and `lint`; the wait waits for what gate.required_checks names.
write_config() {  # write_config [REQUIRED_CHECKS_YAML]
    # The gate reads its rules as of the base commit: the config lands on main, as a maintainer's change would.
    git_ -C "$repo" checkout main || fail "cannot check out main"
    {
        echo "version: 1"
        echo "project: shop"
        echo "gate:"
        echo "  gates:"
        echo "    ci: { checks: [build, lint] }"
        [[ -n ${1:-} ]] && echo "  required_checks: $1"
    } > "$repo/greenlight.yml"
    git_ -C "$repo" add greenlight.yml && git_ -C "$repo" commit -m config
    git_ -C "$repo" checkout change || fail "cannot go back to the change"
}

start_github() {  # start_github SCRIPT_JSON: sets $api and $record
    record=$work/record.jsonl
    rm -f "$record" "$work/port"
    printf '%s\n' "$1" > "$work/script.json"
    "$python" "$source_dir/test/cli/lib/fake_github.py" "$work/script.json" "$record" "$work/port" &
    track_pid $!
    wait_for 10 test -s "$work/port" || fail "the fake GitHub server did not start"
    api="http://127.0.0.1:$(cat "$work/port")"
}

wait_on_pr() {  # wait_on_pr ARGS...: gate --wait on pull request #7 against the fake
    GITHUB_API_URL=$api gl gate --base main --head HEAD --labels risk:R1-low --pr 7 --wait "$@"
}
run() { wait_on_pr --interval 1s "$@"; }  # on the shortest interval; each call bounds itself with --timeout

run_() { cat <<JSON
{"name": "$1", "status": "$2", "conclusion": ${3:-null}}
JSON
}

export GITHUB_REPOSITORY=octo/shop GITHUB_TOKEN=test-token
unset GITHUB_REF_NAME

note "queued, in progress, completed: the wait ends when every required check has, and the gate passes"
write_config "[build, lint]"
start_github "{\"pull\": {\"number\": 7, \"base\": \"main\"}, \"heads\": [\"$head\"], \"rounds\": [
  {\"check_runs\": [$(run_ build queued), $(run_ lint queued)]},
  {\"check_runs\": [$(run_ build in_progress), $(run_ lint completed '"success"')]},
  {\"check_runs\": [$(run_ build completed '"success"'), $(run_ lint completed '"success"')]}]}"
started=$(now_ms)
run --timeout 60s --json
expect_rc 0 "every required check passed"
expect_grep 'round 1: 0/2 complete \(build: queued, lint: queued\), next in 1 s' "$last_err" "round 1 line"
expect_grep 'round 2: 1/2 complete \(build: in_progress\), next in 1 s' "$last_err" "round 2 line"
expect_grep 'round 3: 2/2 complete$' "$last_err" "round 3 line"
expect_json "$last_out" "d['wait']['end']" complete
expect_json "$last_out" "d['wait']['rounds']" 3
expect_json "$last_out" "d['wait']['required_from']" gate.required_checks
expect_json "$last_out" "[g['state'] for g in d['gates'] if g['gate'] == 'ci'][0]" passed
(( $(now_ms) - started >= 1900 )) || fail "two pauses of 1 s were not waited"
"$python" - "$record" "$head" <<'PY' || fail "unexpected requests: $(cat "$record")"
import json, sys
calls = [json.loads(line) for line in open(sys.argv[1])]
head = sys.argv[2]
assert all(c["authorization"] == "Bearer test-token" for c in calls), calls
paths = [c["path"].split("?")[0] for c in calls]
assert paths.count("/repos/octo/shop/commits/%s/check-runs" % head) == 3, paths
assert paths.count("/repos/octo/shop/commits/%s/status" % head) == 3, paths
assert paths.count("/repos/octo/shop/pulls/7") == 3, paths  # the start, then rounds 2 and 3
assert not any("protection" in p or "rules" in p for p in paths), paths  # the config names the checks
PY

note "a required check that completes as a failure fails the gate"
start_github "{\"pull\": {\"number\": 7, \"base\": \"main\"}, \"heads\": [\"$head\"], \"rounds\": [
  {\"check_runs\": [$(run_ build queued), $(run_ lint in_progress)]},
  {\"check_runs\": [$(run_ build completed '"success"'), $(run_ lint completed '"failure"')]}]}"
run --timeout 60s
expect_rc 1 "lint failed"
expect_grep 'round 2: 2/2 complete \(lint: failure\)' "$last_err" "round 2 line"
expect_grep 'failed +lint \(failure\)' "$last_out" "the wait block of the text report"
expect_grep '^  ci +failed' "$last_out" "the ci gate"

note "without gate.required_checks, protection and rulesets name them; a late check appears in round 3"
write_config
start_github "{\"pull\": {\"number\": 7, \"base\": \"main\"}, \"heads\": [\"$head\"],
  \"protection\": {\"contexts\": [\"build\"], \"checks\": []},
  \"rules\": [{\"type\": \"required_status_checks\", \"parameters\": {\"required_status_checks\": [{\"context\": \"lint\"}]}}],
  \"rounds\": [
  {\"check_runs\": [$(run_ build in_progress)]},
  {\"check_runs\": [$(run_ build completed '"success"')]},
  {\"check_runs\": [$(run_ build completed '"success"'), $(run_ lint queued)]},
  {\"check_runs\": [$(run_ build completed '"success"'), $(run_ lint completed '"success"')]}]}"
run --timeout 60s --json
expect_rc 0 "build and the late lint passed"
expect_grep 'round 2: 1/2 complete \(lint: missing\)' "$last_err" "lint not there yet"
expect_grep 'round 3: 1/2 complete \(lint: queued\)' "$last_err" "lint appears"
expect_json "$last_out" "d['wait']['rounds']" 4
expect_json "$last_out" "d['wait']['required_from']" "branch protection and rulesets of main"

note "a new commit pushed while waiting makes the wait stale"
write_config "[build, lint]"
start_github "{\"pull\": {\"number\": 7, \"base\": \"main\"}, \"heads\": [\"$head\", \"$head\", \"0000000000000000000000000000000000000001\"],
  \"rounds\": [{\"check_runs\": [$(run_ build in_progress), $(run_ lint queued)]}]}"
run --timeout 60s
expect_rc 1 "stale"
expect_grep 'stale: the head of pull request #7 is 000000000000, not' "$last_err" "stale message"
expect_grep 'round 2: 0/2 complete' "$last_err" "two rounds before the push"
[[ ! -s $last_out ]] || fail "a stale wait judges nothing: $(cat "$last_out")"

note "a 403 with X-RateLimit-Reset and a 429 with Retry-After are waited out"
start_github "{\"pull\": {\"number\": 7, \"base\": \"main\"}, \"heads\": [\"$head\"],
  \"refusals\": [
    {\"suffix\": \"/check-runs\", \"round\": 1, \"status\": 403, \"headers\": {\"X-RateLimit-Remaining\": \"0\"}, \"reset_in\": 1},
    {\"suffix\": \"/status\", \"round\": 1, \"status\": 429, \"headers\": {\"Retry-After\": \"1\"}}],
  \"rounds\": [{\"check_runs\": [$(run_ build completed '"success"'), $(run_ lint completed '"success"')]}]}"
started=$(now_ms)
run --timeout 60s
expect_rc 0 "passed after the rate limits"
expect_grep 'GitHub rate limit \(403 API rate limit exceeded\): waiting [12] s as X-RateLimit-Reset says' "$last_err" "403 wait"
expect_grep 'GitHub rate limit \(429 API rate limit exceeded\): waiting 1 s as Retry-After says' "$last_err" "429 wait"
(( $(now_ms) - started >= 1900 )) || fail "the rate limits were not waited out"
[[ $(grep -c '/check-runs' "$record") == 2 && $(grep -c '/status' "$record") == 2 ]] ||
    fail "expected each refused request once more: $(cat "$record")"

note "a required check that never appears is missing at the timeout, and the verdict is no-go"
write_config "[build, deploy]"
start_github "{\"pull\": {\"number\": 7, \"base\": \"main\"}, \"heads\": [\"$head\"],
  \"rounds\": [{\"check_runs\": [$(run_ build completed '"success"'), $(run_ lint completed '"success"')]}]}"
started=$(now_ms)
run --timeout 3s --json
expect_rc 1 "deploy never appeared"
expect_json "$last_out" "d['wait']['end']" timed-out
expect_json "$last_out" "[c['state'] for c in d['wait']['checks']]" '["passed", "missing"]'
expect_json "$last_out" "d['wait']['passed']" false
expect_grep 'the timeout has passed' "$last_err" "the last round says so"
expect_json "$last_out" "[g['state'] for g in d['gates'] if g['gate'] == 'ci'][0]" passed
(( $(now_ms) - started < 20000 )) || fail "the wait outlasted its timeout"

note "a check still running at the timeout is pending, not passed"
write_config "[build, lint]"
start_github "{\"pull\": {\"number\": 7, \"base\": \"main\"}, \"heads\": [\"$head\"],
  \"rounds\": [{\"check_runs\": [$(run_ build completed '"success"'), $(run_ lint in_progress)]}]}"
run --timeout 2s
expect_rc 1 "lint still running"
expect_grep 'pending +lint \(in_progress\)' "$last_out" "the wait block"
expect_grep '^  ci +running' "$last_out" "the ci gate is running"

note "GitHub unreachable is an infrastructure error"
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
GITHUB_API_URL=http://127.0.0.1:$port gl gate --base main --head HEAD --labels risk:R1-low --pr 7 --wait \
    --interval 1s --timeout 30s
expect_rc 3 "unreachable"
expect_grep 'no answer after 3 attempts' "$last_err" "unreachable message"

note "bad flags and nothing to wait for are usage errors"
wait_on_pr --interval 500ms-1s --timeout 5s
expect_rc 2 "interval below the floor"
expect_grep 'at least 1s' "$last_err" "the floor is named"
wait_on_pr --interval 5s-2s --timeout 5s
expect_rc 2 "MIN above MAX"
run --timeout soon
expect_rc 2 "bad timeout"
GITHUB_TOKEN= run --timeout 5s
expect_rc 2 "no token"
write_config
start_github "{\"pull\": {\"number\": 7, \"base\": \"main\"}, \"heads\": [\"$head\"], \"protection\": {\"status\": 403},
  \"rounds\": [{\"check_runs\": []}]}"
run --timeout 5s
expect_rc 2 "no required checks anywhere"
expect_grep 'no required checks to wait for.*403 Resource not accessible by integration' "$last_err" "says why"
GITHUB_API_URL=$api gl gate --base main --head HEAD --labels risk:R1-low --wait --timeout 5s
expect_rc 2 "no pull request and no branch"
echo "PASS: gate_wait"
