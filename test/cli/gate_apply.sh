#!/usr/bin/env bash
# greenlight gate --apply: label changes go to the GitHub REST API. A recording HTTP server on
# loopback, started here, plays GitHub: normal answers, a rate limit, and a 403.
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"

cat > "$work/github.py" <<'PY'
import http.server, json, sys, threading, time
scenario, record, port_file = sys.argv[1], sys.argv[2], sys.argv[3]
state = {"calls": 0}

class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def answer(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        state["calls"] += 1
        with open(record, "a") as out:
            out.write(json.dumps({"method": self.command, "path": self.path, "body": body,
                                  "authorization": self.headers.get("Authorization"),
                                  "api_version": self.headers.get("X-GitHub-Api-Version")}) + "\n")
        if scenario == "forbidden":
            return self.answer(403, {"message": "Resource not accessible by integration"})
        if scenario == "rate" and state["calls"] == 1:
            return self.answer(429, {"message": "API rate limit exceeded"}, [("Retry-After", "1")])
        if self.command == "DELETE" and "gates%3Aready" not in self.path:
            return self.answer(404, {"message": "Label does not exist"})
        return self.answer(200, [{"name": "ok"}])
    do_POST = do_DELETE = handle_any

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file, "w") as out:
    out.write(str(server.server_address[1]))
threading.Timer(60, server.shutdown).start()  # never outlives the test
server.serve_forever()
PY

start_github() {  # start_github SCENARIO: sets $api and $record
    record=$work/$1.jsonl
    rm -f "$record" "$work/port"
    "$python" "$work/github.py" "$1" "$record" "$work/port" &
    track_pid $!
    wait_for 10 test -s "$work/port" || fail "the fake GitHub server did not start"
    api="http://127.0.0.1:$(cat "$work/port")"
}

repo=$work/repo
mkdir -p "$repo/backend"
cd "$repo"
git_() { git -c user.name=greenlight -c user.email=ci@greenlight.invalid -c init.defaultBranch=main "$@" >/dev/null 2>&1; }
git_ init
printf 'x = 1\n' > backend/api.py && git_ add -A && git_ commit -m base
git_ checkout -b change
printf 'x = 2\n' > backend/api.py && git_ commit -am change
cat > "$work/event.json" <<'JSON'
{"action": "synchronize", "number": 5, "pull_request": {"number": 5, "labels": [{"name": "risk:R2-medium"}, {"name": "gates:ready"}, {"name": "gates:passed"}]}}
JSON

export GITHUB_REPOSITORY=octo/shop GITHUB_TOKEN=test-token

note "labels are added in one POST and removed with one DELETE each"
start_github ok
GITHUB_API_URL=$api gl gate --base main --head HEAD --event "$work/event.json" --apply
expect_rc 1 "the verdict still decides the exit code (no gate states given)"
expect_grep 'labels of #5: added gates:running|labels of #5: added gates:ready|labels of #5: added nothing' "$last_err" "apply summary"
"$python" - "$record" <<'PY' || fail "recorded calls differ from what was expected: $(cat "$record")"
import json, sys
calls = [json.loads(line) for line in open(sys.argv[1])]
assert all(c["authorization"] == "Bearer test-token" for c in calls), calls
assert all(c["api_version"] == "2022-11-28" for c in calls), calls
deletes = sorted(c["path"] for c in calls if c["method"] == "DELETE")
# wanted: risk:R2-medium and gates:ready (no gate has a state yet); gates:passed must go
assert deletes == ["/repos/octo/shop/issues/5/labels/gates%3Apassed"], deletes
posts = [c for c in calls if c["method"] == "POST"]
assert posts == [], posts  # risk:R2-medium and gates:ready are already there
PY

note "a pull request without the wanted labels gets them in one POST; the bare risk label goes"
cat > "$work/event-bare.json" <<'JSON'
{"number": 6, "pull_request": {"number": 6, "labels": [{"name": "R2-medium"}]}}
JSON
start_github ok
GITHUB_API_URL=$api gl gate --base main --head HEAD --event "$work/event-bare.json" --apply
expect_rc 1 "gates missing"
"$python" - "$record" <<'PY' || fail "recorded calls differ: $(cat "$record")"
import json, sys
calls = [json.loads(line) for line in open(sys.argv[1])]
assert [c["method"] for c in calls] == ["POST", "DELETE"], calls
assert calls[0]["path"] == "/repos/octo/shop/issues/6/labels", calls
assert json.loads(calls[0]["body"]) == {"labels": ["risk:R2-medium", "gates:ready"]}, calls
# Left in place, the bare label would make the next run see two risk labels.
assert calls[1]["path"] == "/repos/octo/shop/issues/6/labels/R2-medium", calls
PY

note "a second --apply on the labels the first one left changes nothing"
cat > "$work/event-applied.json" <<'JSON'
{"number": 6, "pull_request": {"number": 6, "labels": [{"name": "risk:R2-medium"}, {"name": "gates:ready"}]}}
JSON
start_github ok
GITHUB_API_URL=$api gl gate --base main --head HEAD --event "$work/event-applied.json" --apply
expect_rc 1 "gates missing"
expect_no_grep 'violation' "$last_out" "no label violation after the first --apply"
[[ ! -s $record ]] || fail "the second --apply called GitHub: $(cat "$record")"

note "a rate-limited answer is retried after Retry-After"
start_github rate
started=$(now_ms)
GITHUB_API_URL=$api gl gate --base main --head HEAD --event "$work/event-bare.json" --apply
expect_rc 1 "applied after the retry; the verdict decides"
(( $(now_ms) - started >= 900 )) || fail "greenlight did not wait for Retry-After"
[[ $(grep -c '"POST"' "$record") == 2 ]] || fail "expected the POST twice (429, then 200): $(cat "$record")"

note "a 403 is an infrastructure error quoting GitHub"
start_github forbidden
GITHUB_API_URL=$api gl gate --base main --head HEAD --event "$work/event-bare.json" --apply
expect_rc 3 "GitHub refused"
expect_grep 'GitHub answered 403: Resource not accessible by integration' "$last_err" "403 message"

note "missing token or pull request number is bad input"
GITHUB_TOKEN= GITHUB_API_URL=$api gl gate --base main --head HEAD --event "$work/event-bare.json" --apply
expect_rc 2 "no token"
expect_grep 'GITHUB_TOKEN is not set' "$last_err" "token message"
GITHUB_API_URL=$api gl gate --base main --head HEAD --labels R2-medium --apply
expect_rc 2 "no pull request number"
echo "PASS: gate_apply"
