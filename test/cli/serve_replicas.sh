#!/usr/bin/env bash
# Two `greenlight serve` replicas on one PostgreSQL database, started together (migrations and the config's
# checks written once), plus concurrent `greenlight watch --once` rounds on the same database: a run pushed to one
# replica is visible through the other; a check that goes down sends exactly one `down` alert to a JSON webhook,
# and after a success ping through the other replica exactly one `recovery`, however many evaluators race.
# No waiting for the schedule: the run that makes the check down ended three hours ago. Last, with the servers
# stopped, twelve concurrent `watch --once --now` two hours on send exactly one more `down`.
# Usage: serve_replicas.sh GREENLIGHT_BINARY
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"
# shellcheck source=lib/postgres.sh
source "$(dirname "$0")/lib/postgres.sh"
unset GREENLIGHT_TIER GREENLIGHT_RUN_ID GREENLIGHT_ARTIFACT_DIR GITHUB_ACTIONS GITHUB_STEP_SUMMARY GREENLIGHT_SERVE_TOKEN
unset GREENLIGHT_SERVE_DB

free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
status_of() { curl -s -o /dev/null -w '%{http_code}' -m 10 "$@"; }

# The webhook receiver: one JSON line per POST (its Idempotency-Key and body), answered 204.
receiver_port=$(free_port)
cat >"$work/receiver.py" <<'PY'
import http.server, json, sys, threading
port, path = int(sys.argv[1]), sys.argv[2]
lock = threading.Lock()
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock, open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"key": self.headers.get("Idempotency-Key"), "body": json.loads(body)}) + "\n")
        self.send_response(204)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
PY
touch "$work/received.jsonl"
"$python" "$work/receiver.py" "$receiver_port" "$work/received.jsonl" &
track_pid $!
disown $!  # killed at exit without a job-control notice
export ALERT_URL=http://127.0.0.1:$receiver_port/alerts
# kinds: the kinds of the alerts received, in order, space-separated.
kinds() { "$python" -c 'import json,sys; print(" ".join(json.loads(l)["body"]["kind"] for l in open(sys.argv[1])))' "$work/received.jsonl"; }
count_kind() { local k n=0; for k in $(kinds); do [[ $k == "$1" ]] && n=$((n + 1)); done; echo "$n"; }
has_kind() { (( $(count_kind "$1") >= 1 )); }

pg_start_new
db=$(pg_create_database replicas)

project=$work/project
mkdir -p "$project"
cat >"$project/greenlight.yml" <<'YAML'
version: 1
project: billing
suites:
  unit:
    run: "true"
tiers:
  nightly: [unit]
serve:
  limits: { requests_per_minute: 1000000 }
watch:
  channels:
    hook: { type: json, url_env: ALERT_URL }
  checks:
    nightly:
      period: 1h
      grace: 5m
      tier: nightly
      channels: [hook]
YAML
cd "$project" || fail "no project folder"

note "two replicas started at once on one database"
# start_replica NAME: starts greenlight serve on the shared database; prints its pid.
start_replica() {
    "$greenlight" serve --listen 127.0.0.1:0 --db "$db" --bundles "$work/bundles-$1" </dev/null >/dev/null 2>"$work/serve-$1.log" &
    echo $!
}
# url_of NAME: waits for the replica to listen; prints its URL.
url_of() {
    wait_for 30 grep -q 'greenlight serve: listening on ' "$work/serve-$1.log" ||
        fail "replica $1 did not start: $(tail -n 20 "$work/serve-$1.log")"
    sed -n 's/^greenlight serve: listening on \(http[^ ]*\)$/\1/p' "$work/serve-$1.log" | head -n 1
}
pid_a=$(start_replica a)
pid_b=$(start_replica b)
track_pid "$pid_a"
track_pid "$pid_b"
url_a=$(url_of a) || exit 1
url_b=$(url_of b) || exit 1
[[ $(pg_sql "$db" "SELECT count(*) FROM checks") == 1 ]] || fail "the config's check is not stored once"
versions=$(pg_sql "$db" "SELECT count(*) - count(DISTINCT version) FROM schema_migrations")
[[ $versions == 0 ]] || fail "a migration is recorded twice"
ping_key=$(pg_sql "$db" "SELECT ping_key FROM checks WHERE name = 'nightly'")
[[ -n $ping_key ]] || fail "no ping key for the check"

gl serve token create ci --db "$db"
expect_rc 0 "serve token create"
token=$(tr -d '\n' <"$last_out")

note "a run pushed to A, seen through B; it ended three hours ago, so the check is down"
"$python" - "$work/report.json" <<'PY'
import datetime, json, sys
end = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=3)
start = end - datetime.timedelta(minutes=2)
stamp = lambda t: t.strftime("%Y-%m-%dT%H:%M:%S.000Z")
report = {"schema": "greenlight.run-report/v1", "run_id": "nightly-old", "project": "billing", "tier": "nightly",
          "verdict": "pass", "started_at": stamp(start), "ended_at": stamp(end), "duration_seconds": 120.0,
          "git_sha": "0123456789abcdef0123456789abcdef01234567", "branch": "main",
          "suites": [{"name": "unit", "verdict": "pass", "tests": 1, "failures": 0, "errors": 0, "skipped": 0,
                      "duration_seconds": 120.0, "attempts": 1}],
          "cases": [{"suite": "unit", "classname": "unit", "name": "works", "outcome": "passed",
                     "duration_seconds": 1.0, "output_excerpt": ""}]}
json.dump(report, open(sys.argv[1], "w"))
PY
put_run() { status_of -X PUT -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
    --data-binary "@$work/report.json" "$1/api/v1/runs/nightly-old"; }
[[ $(put_run "$url_a") == 201 ]] || fail "PUT the run to A"
[[ $(put_run "$url_b") == 200 ]] || fail "the run stored through A is not known to B"
curl -fsS "$url_b/api/v1/runs/nightly-old" >"$last_out" || fail "GET the run through B"
expect_json "$last_out" "[d['run_id'], d['verdict'], len(d['cases'])]" '["nightly-old", "pass", 1]'

# rounds_of URL: how many watchdog rounds the replica has finished (/metrics).
rounds_of() {
    curl -fsS "$1/metrics" | awk '/^greenlight_watchdog_rounds_total/ { n += $2 } END { print n + 0 }'
}
# settle: waits until each replica has finished a whole round that began after this call (two more finished
# rounds), so a duplicate alert either of them would send has been sent.
settle() {
    local a b
    a=$(rounds_of "$url_a") && b=$(rounds_of "$url_b") || fail "no /metrics from a replica"
    wait_for 30 rounds_past "$url_a" $((a + 2)) || fail "replica A finished no whole round within 30 s"
    wait_for 30 rounds_past "$url_b" $((b + 2)) || fail "replica B finished no whole round within 30 s"
}
rounds_past() { (($(rounds_of "$1") >= $2)); }

# Both replicas evaluate at once (a run wakes the one that took it, the other looks every 5 s), and so do six
# `watch --once` processes started together. watch_rounds NAME [EXIT_CODE]: each exits 0 or 1 (EXIT_CODE when given).
watch_rounds() {
    local i watch_rc pids=()
    for i in 1 2 3 4 5 6; do
        "$greenlight" watch --once --db "$db" </dev/null >"$work/watch-$1-$i.out" 2>"$work/watch-$1-$i.err" &
        pids+=($!)
    done
    for i in 1 2 3 4 5 6; do
        wait "${pids[$((i - 1))]}"
        watch_rc=$?
        [[ $watch_rc == "${2:-$watch_rc}" && $watch_rc -le 1 ]] ||
            fail "watch --once ($1 $i) exited $watch_rc: $(cat "$work/watch-$1-$i.out" "$work/watch-$1-$i.err")"
    done
}
watch_rounds down
wait_for 20 has_kind down || fail "no down alert within 20 s: $(kinds)"
settle  # a duplicate would have arrived by now
watch_rounds down-again 1
expect_grep 'nightly +down' "$work/watch-down-again-1.out" "watch --once"
[[ $(count_kind down) == 1 ]] || fail "the receiver got $(count_kind down) down alerts, expected 1: $(kinds)"
[[ $(kinds) == down ]] || fail "alerts received: $(kinds), expected: down"
expect_json "$work/received.jsonl" "d['body']['check']" nightly
curl -fsS "$url_b/api/v1/checks/nightly" >"$last_out" || fail "GET the check through B"
expect_json "$last_out" "d['state']" down

note "a success ping through B: one recovery"
[[ $(status_of "$url_b/ping/$ping_key") == 200 ]] || fail "the ping through B"
watch_rounds up
wait_for 20 has_kind recovery || fail "no recovery alert within 20 s: $(kinds)"
settle
watch_rounds up-again 0
expect_grep 'nightly +up' "$work/watch-up-again-1.out" "watch --once"
[[ $(kinds) == "down recovery" ]] || fail "alerts received: $(kinds), expected: down recovery"
"$python" - "$work/received.jsonl" <<'PY' || fail "the Idempotency-Keys"
import json, sys
keys = [json.loads(line)["key"] for line in open(sys.argv[1])]
if None in keys or "" in keys or len(set(keys)) != len(keys):
    sys.exit(f"keys: {keys}")
PY
curl -fsS "$url_a/api/v1/checks/nightly" >"$last_out" || fail "GET the check through A"
expect_json "$last_out" "d['state']" up
curl -fsS "$url_a/api/v1/alerts" >"$last_out" || fail "GET the alerts through A"
expect_json "$last_out" "sorted((a['kind'], a['sent'] is not None) for a in d['alerts'])" '[["down", true], ["recovery", true]]'

note "servers stopped; twelve concurrent watch --once --now, two hours on: one more down alert"
for pid in "$pid_a" "$pid_b"; do kill -TERM "$pid"; done
stopped() { ! kill -0 "$pid_a" 2>/dev/null && ! kill -0 "$pid_b" 2>/dev/null; }
wait_for 20 stopped || fail "the replicas did not stop on SIGTERM"
later=$("$python" -c 'import datetime; print((datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"))')
pids=()
for i in $(seq 1 12); do
    "$greenlight" watch --once --db "$db" --now "$later" </dev/null >"$work/later-$i.out" 2>"$work/later-$i.err" &
    pids+=($!)
done
for i in $(seq 1 12); do
    wait "${pids[$((i - 1))]}"
    watch_rc=$?
    # 0 is possible too: a round that finds the check locked by another reports the state stored before.
    [[ $watch_rc -le 1 ]] || fail "watch --once --now $later ($i) exited $watch_rc: $(cat "$work/later-$i.out" "$work/later-$i.err")"
done
[[ $(kinds) == "down recovery down" ]] || fail "alerts received: $(kinds), expected: down recovery down"
gl watch --once --db "$db" --now "$later"
expect_rc 1 "watch --once --now $later after the concurrent rounds"
expect_grep 'nightly +down' "$last_out" "watch --once --now $later"
[[ $(kinds) == "down recovery down" ]] || fail "another round sent again: $(kinds)"

for name in a b; do
    expect_grep '^greenlight serve: stopped$' "$work/serve-$name.log" "replica $name's log"
    expect_no_grep "$token|$ping_key" "$work/serve-$name.log" "replica $name's log"
done
echo "PASS serve_replicas"
