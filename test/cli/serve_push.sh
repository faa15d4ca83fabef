#!/usr/bin/env bash
# Run ingestion from the client side: `greenlight push` and `greenlight run --report-to` send a real run's
# report (and packed bundle) to a recording HTTP server on loopback. Covers the token (environment only,
# never printed), the request shape, idempotent re-pushes, a tampered bundle refused, retries on 503,
# an unreachable server (exit 3), a refusal (4xx) and what --report-required changes.
# Usage: serve_push.sh GREENLIGHT_BINARY
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"
unset GREENLIGHT_TIER GREENLIGHT_RUN_ID GREENLIGHT_ARTIFACT_DIR GITHUB_ACTIONS GITHUB_STEP_SUMMARY GREENLIGHT_SERVE_TOKEN
token=push-test-token-5f1c9a

# The recorder: answers PUT with 201 the first time a path is seen and 200 after (the server's contract),
# 503 while $work/fail-next holds a count above zero, and $work/answer-status when that file exists.
records=$work/records
mkdir -p "$records"
cat >"$work/recorder.py" <<'PY'
import http.server, json, os, sys
work, records = sys.argv[1], sys.argv[2]
seen = set()
count = 0

class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_PUT(self):
        global count
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        count += 1
        with open(os.path.join(records, f"{count:03}.body"), "wb") as f:
            f.write(body)
        with open(os.path.join(records, f"{count:03}.json"), "w") as f:
            json.dump({"path": self.path, "authorization": self.headers.get("Authorization", ""),
                       "content_type": self.headers.get("Content-Type", "")}, f)
        status = 201 if self.path not in seen else 200
        fail_file = os.path.join(work, "fail-next")
        answer_file = os.path.join(work, "answer-status")
        if os.path.exists(fail_file) and int(open(fail_file).read() or 0) > 0:
            left = int(open(fail_file).read()) - 1
            open(fail_file, "w").write(str(left))
            status = 503
        elif os.path.exists(answer_file):
            status = int(open(answer_file).read())
        else:
            seen.add(self.path)
        reply = json.dumps({"error": f"recorder says {status}"} if status >= 400 else {"status": status}).encode()
        self.send_response(status)
        if status == 503:
            self.send_header("Retry-After", "0")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(work, "port.tmp"), "w") as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(work, "port.tmp"), os.path.join(work, "port"))
server.serve_forever()
PY
"$python" "$work/recorder.py" "$work" "$records" &
track_pid $!
disown $!  # killed at exit by gl_cleanup; no job notice in the test's output
wait_for 10 test -s "$work/port" || fail "the recorder did not start"
url=http://127.0.0.1:$(cat "$work/port")
record_count() { find "$records" -name '*.json' | wc -l; }

project=$work/project
mkdir -p "$project"
cd "$project" || fail "cd $project"
cat >greenlight.yml <<'YML'
version: 1
project: pushed
artifacts: out
defaults: { timeout: 20s }
suites:
  units:
    run: >-
      mkdir -p reports; printf '%s\n' '<testsuite name="units"><testcase classname="units.math" name="adds"/>'
      '<testcase classname="units.math" name="divides"><failure message="expected 2, got 3">assert 3 == 2</failure>'
      '<system-out>dividing 6 by 3</system-out></testcase></testsuite>' > reports/units.xml; exit 1
    results: { junit: "reports/units.xml" }
  lint:
    run: "true"
tiers:
  red: [units, lint]
  green: [lint]
YML

gl run --tier red --no-smoke --run-id r1
expect_rc 1 "the red run"
bundle=$project/out/pushed/r1
expect_file "$bundle/manifest.json"

note "no token: a usage error that says where the token comes from"
gl push "$bundle" --to "$url"
expect_rc 2 "push without a token"
expect_grep "GREENLIGHT_SERVE_TOKEN" "$last_err" "push without a token"
[[ $(record_count) == 0 ]] || fail "a push without a token sent something"

export GREENLIGHT_SERVE_TOKEN=$token

note "push: the report, then the packed bundle"
gl push "$bundle" --to "$url"
expect_rc 0 "push"
expect_grep "run r1 .*: stored" "$last_err" "push"
[[ $(record_count) == 2 ]] || fail "push made $(record_count) requests, expected 2"
expect_json "$records/001.json" "d['path']" "/api/v1/runs/r1"
expect_json "$records/001.json" "d['authorization']" "Bearer $token"
expect_json "$records/001.json" "d['content_type']" "application/json"
expect_json "$records/001.body" "d['schema']" "greenlight.run-report/v1"
expect_json "$records/001.body" "[d['project'], d['tier'], d['verdict']]" '["pushed", "red", "fail"]'
expect_json "$records/001.body" "sorted(s['name'] + ':' + s['verdict'] for s in d['suites'])" '["lint:pass", "units:fail"]'
expect_json "$records/001.body" "[c['outcome'] for c in d['cases'] if c['name'] == 'divides'][0]" "failed"
expect_json "$records/001.body" "'assert 3 == 2' in [c['output_excerpt'] for c in d['cases'] if c['name'] == 'divides'][0]" "true"
expect_json "$records/001.body" "'dividing 6 by 3' in [c['output_excerpt'] for c in d['cases'] if c['name'] == 'divides'][0]" "true"
expect_json "$records/002.json" "d['path']" "/api/v1/runs/r1/bundle"
expect_json "$records/002.json" "d['content_type']" "application/gzip"
gl pack "$bundle" -o "$work/r1.tar.gz"
expect_rc 0 "pack"
cmp -s "$records/002.body" "$work/r1.tar.gz" || fail "the uploaded bundle differs from \`greenlight pack\`'s archive"

note "push again: already stored, nothing new"
gl push "$work/r1.tar.gz" --to "$url" --no-bundle
expect_rc 0 "push of the packed bundle, again"
expect_grep "already stored" "$last_err" "second push"
[[ $(record_count) == 3 ]] || fail "--no-bundle sent $(( $(record_count) - 2 )) requests, expected 1"

note "a tampered bundle is not sent"
cp -r "$bundle" "$work/tampered"
echo "all green" >>"$work/tampered/junit.xml"
gl push "$work/tampered" --to "$url"
expect_rc 1 "push of a tampered bundle"
expect_grep "modified: junit.xml" "$last_err" "push of a tampered bundle"
[[ $(record_count) == 3 ]] || fail "a tampered bundle was sent"

note "503 twice, then stored"
echo 2 >"$work/fail-next"
gl run --tier green --no-smoke --run-id r2
expect_rc 0 "the green run"
gl push "$project/out/pushed/r2" --to "$url" --no-bundle
expect_rc 0 "push after two 503s"
[[ $(record_count) == 6 ]] || fail "expected 3 attempts of r2's report, saw $(( $(record_count) - 3 ))"

note "nobody listening: exit 3 once the retry budget is spent"
gl push "$bundle" --to "http://127.0.0.1:1" --retry-for 1s
expect_rc 3 "push to nowhere"
expect_grep "could not connect" "$last_err" "push to nowhere"

note "run --report-to: the verdict decides the exit code, the report goes out"
gl run --tier red --no-smoke --run-id r3 --report-to "$url" --report-bundle
expect_rc 1 "red run with --report-to"
expect_grep "run r3 .*: stored" "$last_err" "red run with --report-to"
expect_grep "bundle of run r3: stored" "$last_err" "red run with --report-to"

note "a refused report is a warning, unless --report-required on a green run"
echo 400 >"$work/answer-status"
gl run --tier green --no-smoke --run-id r4 --report-to "$url"
expect_rc 0 "green run whose report is refused"
expect_grep "warning: the run's report did not reach" "$last_err" "green run whose report is refused"
expect_grep "recorder says 400" "$last_err" "the server's words"
gl run --tier green --no-smoke --run-id r5 --report-to "$url" --report-required
expect_rc 3 "green run whose required report is refused"
gl run --tier red --no-smoke --run-id r6 --report-to "$url" --report-required
expect_rc 1 "a red run stays red whatever the report"
rm -f "$work/answer-status"

note "the token never appears in what greenlight prints"
gl push "$bundle" --to "$url"
for file in "$last_out" "$last_err"; do expect_no_grep "$token" "$file" "output of push"; done

note "help"
gl push --help
expect_rc 0 "push --help"
expect_grep "GREENLIGHT_SERVE_TOKEN" "$last_out" "push --help"
gl run --help
expect_grep "--report-to" "$last_out" "run --help"

echo "PASS serve_push"
