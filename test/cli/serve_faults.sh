#!/usr/bin/env bash
# `greenlight serve` under faults. SQLite: the server is SIGKILLed while many run reports arrive at once; after a
# restart every acknowledged run is there whole, no run is there in part, and sending everything again stores
# each run once. The same kill during bundle uploads (while the archive is written, while it is unpacked, right
# after it is moved in place): no half bundle is served and the retried upload succeeds. PostgreSQL: the
# database stops under a running server (503 with Retry-After, /healthz 503, the server stays up), then comes
# back: the same server answers again without a restart.
# Usage: serve_faults.sh GREENLIGHT_BINARY
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"
# shellcheck source=lib/postgres.sh
source "$(dirname "$0")/lib/postgres.sh"
unset GREENLIGHT_TIER GREENLIGHT_RUN_ID GREENLIGHT_ARTIFACT_DIR GITHUB_ACTIONS GITHUB_STEP_SUMMARY GREENLIGHT_SERVE_TOKEN
unset GREENLIGHT_SERVE_DB

project=$work/project
mkdir -p "$project/state"
cd "$project" || fail "no project folder"
# units: 300 test cases, 6 failing, so that a report is 302 rows to write; noise: ~8 MB of output, so that a
# bundle takes a while to unpack.
cat >greenlight.yml <<'YML'
version: 1
project: faults
suites:
  units:
    run: >-
      /usr/bin/python3 -c "print('<testsuite name=\"units\">' + ''.join('<testcase classname=\"units.c%d\" name=\"t%d\"/>' % (i % 7, i)
      if i % 50 else '<testcase classname=\"units.c0\" name=\"t%d\"><failure message=\"boom\">expected %d</failure></testcase>' % (i, i)
      for i in range(300)) + '</testsuite>')" > units.xml
    results: { junit: units.xml }
  noise:
    run: "head -c 6000000 /dev/urandom | base64"
tiers:
  nightly: [units, noise]
serve:
  db: sqlite:state/serve.db
  bundles: state/bundles
  limits: { requests_per_minute: 1000000 }
YML

# start_server LOG [FLAGS...]: starts greenlight serve on a free port; sets $serve_pid and $url.
start_server() {
    local log=$1; shift
    "$greenlight" serve --listen 127.0.0.1:0 "$@" </dev/null >/dev/null 2>"$log" &
    serve_pid=$!
    track_pid "$serve_pid"
    disown "$serve_pid"  # killed on purpose: no job notice in the test's output
    wait_for 30 grep -q 'greenlight serve: listening on ' "$log" || fail "serve did not start: $(tail -n 20 "$log")"
    url=$(sed -n 's/^greenlight serve: listening on \(http[^ ]*\)$/\1/p' "$log" | head -n 1)
}
# kill_server: SIGKILL, and wait until it is gone.
kill_server() {
    kill -KILL "$serve_pid" 2>/dev/null
    wait_for 20 server_gone || fail "the server $serve_pid outlived SIGKILL"
}
server_gone() { [[ ! -e /proc/$serve_pid ]] || [[ $(awk '{print $3}' "/proc/$serve_pid/stat" 2>/dev/null) == Z ]]; }
status_of() { curl -s -o /dev/null -w '%{http_code}' -m 10 "$@"; }

gl serve token create ci
expect_rc 0 "serve token create"
token=$(tr -d '\n' <"$last_out")
export GREENLIGHT_SERVE_TOKEN=$token

gl run --tier nightly --no-smoke --run-id base
[[ $rc == 1 ]] || fail "the fixture run exited $rc, expected 1 (six failing cases)"
base_bundle=$project/artifacts/faults/base
expect_file "$base_bundle/summary.json"

note "SIGKILL during ingestion (SQLite)"
start_server "$work/serve1.log"
gl push "$base_bundle" --to "$url" --no-bundle
expect_rc 0 "push of the base run"
curl -fsS "$url/api/v1/runs/base" >"$work/template.json" || fail "GET the base run"
expect_json "$work/template.json" "len(d['cases'])" 302

# The pusher: PUTs the template under run ids f-0000.., each with its own first excerpt, from several threads;
# one line per answer ("ID STATUS", or "ID error") appended once the answer (or the failure) is known.
cat >"$work/pusher.py" <<'PY'
import http.client, json, os, queue, sys, threading, urllib.parse
url, token, template_path, count, threads, out_path = sys.argv[1:7]
with open(template_path, encoding="utf-8") as f:
    template = json.load(f)
host = urllib.parse.urlparse(url)
ids = queue.Queue()
for i in range(int(count)):
    ids.put(f"f-{i:04}")
out = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

def body_of(run_id):
    report = json.loads(json.dumps(template))
    report["run_id"] = run_id
    report["cases"][1]["output_excerpt"] = "sent as " + run_id
    return json.dumps(report).encode()

def work():
    while True:
        try:
            run_id = ids.get_nowait()
        except queue.Empty:
            return
        try:
            connection = http.client.HTTPConnection(host.hostname, host.port, timeout=20)
            connection.request("PUT", f"/api/v1/runs/{run_id}", body=body_of(run_id),
                               headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            status = str(connection.getresponse().status)
            connection.close()
        except Exception:
            status = "error"
        os.write(out, f"{run_id} {status}\n".encode())

workers = [threading.Thread(target=work) for _ in range(int(threads))]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
PY

# The checker: every acknowledged run is stored exactly as sent; every stored run is whole (in the API and in
# the tables); unacknowledged runs are whole or absent. Prints "stored acknowledged".
cat >"$work/checker.py" <<'PY'
import http.client, json, sqlite3, sys, urllib.parse
url, template_path, answers_path, count, db_path = sys.argv[1:6]
with open(template_path, encoding="utf-8") as f:
    template = json.load(f)
answers = {}
for line in open(answers_path, encoding="utf-8"):
    run_id, status = line.split()
    answers[run_id] = status
host = urllib.parse.urlparse(url)
connection = http.client.HTTPConnection(host.hostname, host.port, timeout=20)
problems, stored, acknowledged = [], 0, 0
for i in range(int(count)):
    run_id = f"f-{i:04}"
    acked = answers.get(run_id) in ("200", "201")
    acknowledged += acked
    connection.request("GET", f"/api/v1/runs/{run_id}")
    response = connection.getresponse()
    body = response.read()
    if response.status == 404:
        if acked:
            problems.append(f"{run_id} was acknowledged ({answers[run_id]}) and is lost")
        continue
    if response.status != 200:
        problems.append(f"GET {run_id}: {response.status}")
        continue
    stored += 1
    want = json.loads(json.dumps(template))
    want["run_id"] = run_id
    want["cases"][1]["output_excerpt"] = "sent as " + run_id
    got = json.loads(body)
    if got != want:
        problems.append(f"{run_id} (answer {answers.get(run_id, 'none')}) is stored differently: "
                        f"{len(got.get('suites', []))} suites, {len(got.get('cases', []))} cases")
database = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
for table in ("suites", "test_cases"):
    for (run_id,) in database.execute(f"SELECT DISTINCT run_id FROM {table} WHERE run_id NOT IN (SELECT run_id FROM runs)"):
        problems.append(f"{table} rows of {run_id}, a run that is not stored")
for run_id, suites, cases in database.execute(
        "SELECT run_id, (SELECT count(*) FROM suites s WHERE s.run_id = r.run_id),"
        " (SELECT count(*) FROM test_cases c WHERE c.run_id = r.run_id) FROM runs r"):
    if (suites, cases) != (2, 302):
        problems.append(f"run {run_id} has {suites} suites and {cases} cases in the tables, expected 2 and 302")
if problems:
    print("\n".join(problems[:20]), file=sys.stderr)
    sys.exit(1)
print(stored, acknowledged)
PY

runs=600
"$python" "$work/pusher.py" "$url" "$token" "$work/template.json" "$runs" 8 "$work/answers" &
pusher_pid=$!
track_pid "$pusher_pid"
acknowledged_count() { local n; n=$(grep -c ' 20[01]$' "$work/answers" 2>/dev/null); echo "${n:-0}"; }
enough_acknowledged() { (( $(acknowledged_count) >= 40 )); }
wait_for 60 enough_acknowledged || fail "the pusher got only $(acknowledged_count) answers in 60 s"
kill_server
killed_at=$(acknowledged_count)
wait "$pusher_pid" || fail "the pusher failed"
[[ $(wc -l <"$work/answers") == "$runs" ]] || fail "the pusher recorded $(wc -l <"$work/answers") answers, expected $runs"
(( killed_at < runs )) || fail "the server was killed only after all $runs runs were acknowledged; nothing was interrupted"
grep -q ' error$' "$work/answers" || fail "no request failed: the kill interrupted nothing"
note "killed after $killed_at acknowledgements; $(grep -c ' error$' "$work/answers") requests failed"

start_server "$work/serve2.log"
"$python" "$work/checker.py" "$url" "$work/template.json" "$work/answers" "$runs" state/serve.db \
    >"$last_out" 2>"$last_err" || fail "after the restart"
read -r stored acknowledged <"$last_out"
note "after the restart: $stored runs stored, $acknowledged acknowledged before the kill"
(( stored >= acknowledged )) || fail "fewer runs stored ($stored) than acknowledged ($acknowledged)"

note "everything sent again: each run stored once"
: >"$work/answers2"
"$python" "$work/pusher.py" "$url" "$token" "$work/template.json" "$runs" 8 "$work/answers2" ||
    fail "the second pusher failed"
grep -v ' 20[01]$' "$work/answers2" >"$work/refused2" && fail "some runs were refused the second time: $(head -n 5 "$work/refused2")"
created=$(grep -c ' 201$' "$work/answers2")
(( created == runs - stored )) || fail "the second round created $created runs, expected $(( runs - stored )) (the ones missing)"
for i in $(seq 0 $(( runs - 1 ))); do printf 'f-%04d 201\n' "$i"; done >"$work/all-ok"
"$python" "$work/checker.py" "$url" "$work/template.json" "$work/all-ok" "$runs" state/serve.db \
    >"$last_out" 2>"$last_err" || fail "after sending everything again"
"$python" - state/serve.db "$runs" <<'PY' || fail "the runs table after sending everything again"
import sqlite3, sys
database = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
count = database.execute("SELECT count(*) FROM runs WHERE run_id LIKE 'f-%'").fetchone()[0]
if count != int(sys.argv[2]):
    sys.exit(f"{count} runs f-..., expected {sys.argv[2]}")
PY

note "SIGKILL during bundle uploads"
# kill_when PATTERN: kills the server as soon as an entry of the bundles folder matches PATTERN (a regex).
kill_when() {
    "$python" - "$project/state/bundles" "$1" "$serve_pid" <<'PY'
import os, re, signal, sys, time
folder, pattern, pid = sys.argv[1], re.compile(sys.argv[2]), int(sys.argv[3])
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    try:
        if any(pattern.fullmatch(name) for name in os.listdir(folder)):
            os.kill(pid, signal.SIGKILL)
            sys.exit(0)
    except FileNotFoundError:
        pass
    time.sleep(0.0005)
sys.exit("nothing matched in 60 s")
PY
}
# expect_whole_bundles: every bundle folder the server keeps verifies against its manifest, and a run's files
# are served either whole or not at all.
expect_whole_bundles() {
    local folder name
    for folder in "$project"/state/bundles/*/; do
        [[ -d $folder ]] || continue
        gl verify "$folder"
        expect_rc 0 "the kept bundle $folder"
    done
    for name in "$@"; do
        local code
        code=$(curl -s -o "$work/served" -w '%{http_code}' -m 20 "$url/runs/$name/bundle/suites/noise/output.log")
        case $code in
            404) ;;
            200) cmp -s "$work/served" "$project/artifacts/faults/$name/suites/noise/output.log" ||
                     fail "the served output.log of $name differs from the run's" ;;
            *) fail "GET the bundle file of $name: $code" ;;
        esac
    done
}
round=0
for trigger in 'upload-.*' 'unpack-.*' ''; do
    round=$((round + 1))
    name=big$round
    gl run --tier nightly --no-smoke --run-id "$name"
    [[ $rc == 1 ]] || fail "the run $name exited $rc"
    gl pack "artifacts/faults/$name" -o "$work/$name.tar.gz"
    expect_rc 0 "pack $name"
    pattern="[.]${name}[.]${trigger}"
    [[ -z $trigger ]] && pattern=$name  # right after the unpacked folder took its final name
    curl -s -o /dev/null -m 60 -X PUT -H "Authorization: Bearer $token" -H "Content-Type: application/gzip" \
        --data-binary "@$work/$name.tar.gz" "$url/api/v1/runs/$name/bundle" &
    curl_pid=$!
    kill_when "$pattern" || fail "round $round: the upload of $name never reached /$pattern/"
    wait "$curl_pid" 2>/dev/null
    wait_for 20 server_gone || fail "round $round: the server outlived SIGKILL"
    start_server "$work/serve-bundle$round.log"
    expect_whole_bundles "$name"
    leftovers=$(find "$project/state/bundles" -mindepth 1 -maxdepth 1 -name '.*' | wc -l)
    note "round $round (killed at /$pattern/): $leftovers temporary entries left in the bundles folder"
    gl push "artifacts/faults/$name" --to "$url"
    expect_rc 0 "the retried upload of $name"
    expect_grep "bundle of run $name: stored" "$last_err" "the retried upload of $name"
    curl -fsS "$url/api/v1/runs?limit=500" >"$last_out" || fail "GET runs"
    expect_json "$last_out" "[r['has_bundle'] for r in d['runs'] if r['run_id'] == '$name']" "[true]" "round $round"
    curl -fsS -o "$work/served" "$url/runs/$name/bundle/suites/noise/output.log" || fail "round $round: output.log not served"
    cmp -s "$work/served" "artifacts/faults/$name/suites/noise/output.log" || fail "round $round: the served output.log differs"
done
kill -TERM "$serve_pid"
wait_for 20 server_gone || fail "the server did not stop on SIGTERM"

note "the database goes away (PostgreSQL)"
pg_start_new
db=$(pg_create_database faults)
GREENLIGHT_SERVE_DB=$db gl serve token create ci-pg
expect_rc 0 "serve token create on PostgreSQL"
pg_token=$(tr -d '\n' <"$last_out")
GREENLIGHT_SERVE_DB=$db gl serve token create ops --scope admin
expect_rc 0 "serve token create --scope admin"
admin_token=$(tr -d '\n' <"$last_out")
start_server "$work/serve-pg.log" --db "$db"
[[ $(status_of "$url/healthz") == 200 ]] || fail "/healthz before the database stops"
curl -fsS -X PUT -H "Authorization: Bearer $admin_token" -H "Content-Type: application/json" \
    -d '{"period_seconds": 3600, "grace_seconds": 600}' "$url/api/v1/checks/hourly" >"$last_out" ||
    fail "PUT a check"
ping_path=$(json "$last_out" "d['ping_url_path']")
[[ $(status_of "$url$ping_path") == 200 ]] || fail "a ping before the database stops"
put_report() { # put_report RUN_ID: the template under RUN_ID; prints the status
    json "$work/template.json" "dict(d, run_id='$1')" >"$work/report-$1.json"
    status_of -X PUT -H "Authorization: Bearer $pg_token" -H "Content-Type: application/json" \
        --data-binary "@$work/report-$1.json" "$url/api/v1/runs/$1"
}
[[ $(put_report pg-1) == 201 ]] || fail "a run before the database stops"

pg_stop || fail "pg_ctl stop: $(pg_log_tail)"
[[ $(status_of "$url/healthz") == 503 ]] || fail "/healthz while the database is stopped: not 503"
curl -s -D "$work/headers" -o "$last_out" -m 20 "$url/api/v1/runs" >/dev/null
grep -qi '^HTTP/1.1 503' "$work/headers" || fail "GET /api/v1/runs while the database is stopped: $(head -n 1 "$work/headers")"
grep -qi '^Retry-After: ' "$work/headers" || fail "the 503 of /api/v1/runs has no Retry-After"
expect_grep unavailable "$last_out" "the 503's body"
[[ $(status_of "$url$ping_path") == 503 ]] || fail "a ping while the database is stopped: not 503"
[[ $(put_report pg-2) == 503 ]] || fail "a run while the database is stopped: not 503"
[[ $(status_of "$url/runs") == 503 ]] || fail "the dashboard while the database is stopped: not 503"
kill -0 "$serve_pid" 2>/dev/null || fail "the server died with its database: $(tail -n 20 "$work/serve-pg.log")"
expect_no_grep "$pg_token|$admin_token" "$work/serve-pg.log" "the server's log"

pg_start || fail "pg_ctl start again: $(pg_log_tail)"
started=$(now_ms)
healthy() { [[ $(status_of "$url/healthz") == 200 ]]; }
wait_for 30 healthy || fail "/healthz not 200 within 30 s of the database's return"
note "healthy again $(( $(now_ms) - started )) ms after the database came back"
[[ $(status_of "$url$ping_path") == 200 ]] || fail "a ping after the database came back"
[[ $(put_report pg-2) == 201 ]] || fail "a run after the database came back"
[[ $(put_report pg-1) == 200 ]] || fail "the run stored before the outage is not there"
curl -fsS "$url/api/v1/checks/hourly" >"$last_out" || fail "GET the check after the database came back"
expect_json "$last_out" "d['state']" up
kill -0 "$serve_pid" 2>/dev/null || fail "the server is gone"
kill -TERM "$serve_pid"
wait_for 20 server_gone || fail "the server did not stop on SIGTERM after the outage"
expect_grep "^greenlight serve: stopped$" "$work/serve-pg.log" "the server's log after SIGTERM"

echo "PASS serve_faults"
