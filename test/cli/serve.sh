#!/usr/bin/env bash
# `greenlight serve` end to end on loopback with SQLite: a token made by `serve token create`, a real
# `greenlight run --report-to` that sends its run and bundle, `greenlight push` of the same bundle again (one run),
# a tampered bundle refused, the dashboard and the API showing the run, a stop on SIGTERM, the same server over
# HTTPS with a throwaway certificate (curl and `greenlight push --ca-file` verify it; an unverified one fails); then
# `greenlight watch --once --now` finding the nightly check down, alerting a local JSON receiver once, and not
# again on the next round.
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"

free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A webhook receiver on loopback: each POST body is appended, one JSON document a line.
receiver_port=$(free_port)
cat >"$work/receiver.py" <<'PY'
import http.server, json, sys
port, path = int(sys.argv[1]), sys.argv[2]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"key": self.headers.get("Idempotency-Key"), "body": json.loads(body)}) + "\n")
        self.send_response(204)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
PY
"$python" "$work/receiver.py" "$receiver_port" "$work/received.jsonl" &
track_pid $!
disown $!  # killed at exit without a job-control notice
touch "$work/received.jsonl"
received() { wc -l <"$work/received.jsonl" | tr -d ' '; }

project=$work/project
mkdir -p "$project"
cat >"$project/greenlight.yml" <<YAML
version: 1
project: billing
suites:
  unit:
    run: "echo 3 tests passed"
tiers:
  nightly: [unit]
serve:
  db: sqlite:state/serve.db
  bundles: state/bundles
watch:
  channels:
    hook: { type: json, url_env: ALERT_URL }
  checks:
    nightly:
      period: 6h
      grace: 30m
      tier: nightly
      channels: [hook]
YAML
export ALERT_URL=http://127.0.0.1:$receiver_port/alerts
cd "$project" || fail "no project folder"

note "token create"
gl serve token create ci-nightly
expect_rc 0 "serve token create"
token=$(tr -d '\n' <"$last_out")
[[ $token == glt_* ]] || fail "the token is '$token', expected glt_..."
expect_grep "shown only now" "$last_err"
gl serve token list
expect_rc 0 "serve token list"
expect_grep "ci-nightly" "$last_out"
expect_no_grep "$token" "$last_out"

# start_serve NAME [FLAGS...]: `greenlight serve` on a free loopback port, its log in $work/NAME.log; sets
# serve_pid and serve_url once the server says it listens.
start_serve() {
    local name=$1
    shift
    "$greenlight" serve --listen 127.0.0.1:0 "$@" </dev/null >"$work/$name.out" 2>"$work/$name.log" &
    serve_pid=$!
    track_pid $serve_pid
    wait_for 20 grep -q 'greenlight serve: listening on ' "$work/$name.log" ||
        fail "$name did not start: $(tail -n 20 "$work/$name.log")"
    serve_url=$(sed -n 's/^greenlight serve: listening on \(http[^ ]*\)$/\1/p' "$work/$name.log" | head -n 1)
}
# stop_serve NAME: SIGTERM, exit 0, and no token in the log.
stop_serve() {
    kill -TERM "$serve_pid"
    wait "$serve_pid"
    local rc=$?
    [[ $rc == 0 ]] || fail "$1 exited $rc on SIGTERM"
    expect_no_grep "$token" "$work/$1.log"
}

note "serve"
start_serve serve
url=$serve_url
curl -fsS "$url/healthz" >"$last_out" || fail "healthz"
expect_json "$last_out" "d['database']" ok

note "run --report-to"
GREENLIGHT_SERVE_TOKEN=$token gl run --tier nightly --run-id nightly-1 --no-smoke --report-to "$url" --report-bundle
expect_rc 0 "run --report-to"
curl -fsS "$url/api/v1/runs" >"$last_out" || fail "GET runs"
expect_json "$last_out" "len(d['runs'])" 1
expect_json "$last_out" "d['runs'][0]['run_id']" nightly-1
expect_json "$last_out" "d['runs'][0]['has_bundle']" true
curl -fsS "$url/runs/nightly-1/bundle/summary.json" >"$last_out" || fail "the bundle's summary.json is not served"
expect_json "$last_out" "d['run_id']" nightly-1
curl -fsS "$url/runs/nightly-1" >"$last_out" || fail "the run's page"
expect_grep "nightly-1" "$last_out"

note "push again: still one run"
GREENLIGHT_SERVE_TOKEN=$token gl push "artifacts/billing/nightly-1" --to "$url"
expect_rc 0 "push of a stored run"
curl -fsS "$url/api/v1/runs" >"$last_out"
expect_json "$last_out" "len(d['runs'])" 1

note "push without a token, and a tampered bundle"
gl push "artifacts/billing/nightly-1" --to "$url"
expect_rc 2 "push without GREENLIGHT_SERVE_TOKEN"
cp -r artifacts/billing/nightly-1 "$work/tampered"
echo "changed" >>"$work/tampered/summary.md"
GREENLIGHT_SERVE_TOKEN=$token gl push "$work/tampered" --to "$url"
expect_rc 1 "push of a tampered bundle"

note "the check counted the run"
curl -fsS "$url/api/v1/checks/nightly" >"$last_out"
expect_json "$last_out" "d['state']" up
last_success=$(json "$last_out" "d['last_success']")

note "SIGTERM"
stop_serve serve

note "HTTPS: a throwaway certificate"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 || fail "openssl req failed"
gl serve --listen 127.0.0.1:0 --tls-cert "$work/cert.pem"
expect_rc 2 "--tls-cert without --tls-key"
expect_grep "go together" "$last_err"
start_serve serve-tls --tls-cert "$work/cert.pem" --tls-key "$work/key.pem"
tls_url=$serve_url
[[ $tls_url == https://127.0.0.1:* ]] || fail "the TLS server says it listens on $tls_url"
curl -fsS --cacert "$work/cert.pem" "$tls_url/healthz" >"$last_out" || fail "healthz over https"
expect_json "$last_out" "d['database']" ok
curl -fsS --cacert "$work/cert.pem" "$tls_url/api/v1/runs" >"$last_out" || fail "GET runs over https"
expect_json "$last_out" "d['runs'][0]['run_id']" nightly-1
curl -sS -o /dev/null "$tls_url/healthz" 2>/dev/null && fail "an unknown certificate was accepted by curl"
plain=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://${tls_url#https://}/healthz" || true)
[[ $plain != 200 ]] || fail "plain HTTP was answered on the HTTPS port"
ping_path=$(curl -fsS --cacert "$work/cert.pem" "$tls_url/api/v1/checks/nightly" | "$python" -c 'import json,sys; print(json.load(sys.stdin).get("ping_url_path", ""))')
[[ -z $ping_path ]] || fail "the read API shows the ping key without an admin token"
GREENLIGHT_SERVE_TOKEN=$token gl push "artifacts/billing/nightly-1" --to "$tls_url" --ca-file "$work/cert.pem"
expect_rc 0 "push over https, verified with --ca-file"
GREENLIGHT_SERVE_TOKEN=$token gl push "artifacts/billing/nightly-1" --to "$tls_url"
expect_rc 2 "push over https to a certificate nobody vouches for"
expect_grep "certificate could not be verified" "$last_err"
curl -fsS --cacert "$work/cert.pem" "$tls_url/api/v1/runs" >"$last_out"
expect_json "$last_out" "len(d['runs'])" 1
stop_serve serve-tls

note "watch --once, seven hours later"
later=$("$python" -c "import datetime,sys; t=datetime.datetime.fromisoformat(sys.argv[1].replace('Z','+00:00')); print((t+datetime.timedelta(hours=7)).strftime('%Y-%m-%dT%H:%M:%SZ'))" "$last_success")
gl watch --once --now "$later"
expect_rc 1 "watch --once with a check down"
expect_grep "nightly +down" "$last_out"
[[ $(received) == 1 ]] || fail "the receiver got $(received) alerts, expected 1: $(cat "$work/received.jsonl")"
expect_json "$work/received.jsonl" "d['body']['check']" nightly
expect_json "$work/received.jsonl" "d['body']['kind']" down
gl watch --once --now "$later"
expect_rc 1 "watch --once again"
[[ $(received) == 1 ]] || fail "a second round sent the alert again"

note "watch needs --once"
gl watch
expect_rc 2 "watch without --once"
echo "PASS"
