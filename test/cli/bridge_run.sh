#!/usr/bin/env bash
# `greenlight bridge run` against the real host (`greenlight bridge serve`), with short schedules:
# a passing job (bundle and archive verified), a nonzero step, an abend, a JCL error, a job that stalls
# once (cancelled, resubmitted, passes), one that stalls twice (exit 4, both cancelled on the host), a
# tampered payload (exit 1, nothing submitted), a bad template (exit 2), an unreachable host (exit 3),
# an interrupt (the job cancelled, exit 130), the failure notices (chat webhook and GitHub comment) recorded by
# a local receiver, a slow host (polls over the 2 s bound), and the host SIGKILLed mid-job and restarted.
# Usage: bridge_run.sh GREENLIGHT_BINARY
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
# shellcheck source=lib/bridge.sh
source "$(dirname "$0")/lib/bridge.sh"
gl_init "$@"
unset GREENLIGHT_RUN_ID GREENLIGHT_BRIDGE_URL GREENLIGHT_CHAT_WEBHOOK GITHUB_TOKEN GITHUB_REPOSITORY GITHUB_API_URL \
    GITHUB_RUN_ID GITHUB_ACTIONS SOURCE_DATE_EPOCH
fixtures=$source_dir/test/cli/bridge_fixtures

bridge_start -- --max-active 2
export GREENLIGHT_BRIDGE_USER=$BRIDGE_USER GREENLIGHT_BRIDGE_PASSWORD=$BRIDGE_PASSWORD

project=$work/project
mkdir -p "$project/payload"
cd "$project" || fail "cd $project"
cp "$fixtures/run.sh" payload/run.sh
printf '{"name": "nightly"}\n' >payload/scenario.json
write_manifest() {
    "$python" - "$project/payload" <<'PY'
import hashlib, json, pathlib, sys
folder = pathlib.Path(sys.argv[1])
files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.name != "manifest.json"}
(folder / "manifest.json").write_text(json.dumps({"files": files}) + "\n")
PY
}
write_manifest

# use_mode MODE: the job's steps run run.sh in MODE (ok, fail, segv, stall, stall-first).
use_mode() { sed "s/ MODE / $1 /" "$fixtures/smoke.jcl" >smoke.jcl; }
cat >greenlight.yml <<'YML'
version: 1
project: mainframe
artifacts: out
bridge:
  jcl_template: smoke.jcl
  poll: { interval: 100ms, slow_after: 3, slow_interval: 200ms, timeout: 2s }
  stall: { running_timeout: 3s, input_timeout: 3s, retries: 1 }
  assertions:
    retcode: CC 0000
    required_dds: [SCRIPT]
    log_dds: [STDOUT]
    min_log_segments: 2
    min_snippets: 4
    min_words_per_snippet: 80
YML

# Longer stall limits than greenlight.yml's 3 s, for every flow that is not about stalls: on a loaded machine (a
# sanitizer build, other tests at once) a submit alone can take seconds, and a pass must not turn into a retry.
sed -e 's/running_timeout: 3s, input_timeout: 3s/running_timeout: 30s, input_timeout: 30s/' greenlight.yml >patient.yml
grep -q 'running_timeout: 30s' patient.yml || fail "patient.yml was not made"

# bridge_run RUN_ID [FLAGS...]: runs the flow against the host with $flow_config (patient.yml unless a stall is
# the point); the archive is out/RUN_ID.tar.gz.
flow_config=patient.yml
bridge_run() {
    local run_id=$1; shift
    gl bridge run --config "$flow_config" --payload payload --url "$BRIDGE_URL" --run-id "$run_id" \
        --output "out/$run_id.tar.gz" "$@"
}

# jobs_on_host: the host's jobs as "JOBID STATUS RETCODE" lines.
jobs_on_host() {
    bridge_curl GET '/zosmf/restjobs/jobs?owner=*'
    [[ $http_status == 200 ]] || fail "listing the host's jobs: HTTP $http_status"
    "$python" -c 'import json, sys
for job in json.load(open(sys.argv[1])):
    print(job["jobid"], job["status"], (job.get("retcode") or "none").replace(" ", "_"))' "$last_out"
}
job_count() { jobs_on_host | wc -l; }

note "a passing job: exit 0, the bundle and its archive verify"
use_mode ok
bridge_run good --log-level debug
expect_rc 0 "a passing job"
cp "$last_err" "$work/good.err"
bundle=out/bridge/good
for file in job.jcl spool.log delta.json final-script.json metrics.json manifest.json manifest-sha256.txt; do
    expect_file "$bundle/$file"
done
expect_json "$bundle/delta.json" "d['verdict']" pass
expect_json "$bundle/delta.json" "d['job']['retcode']" "CC 0000"
expect_json "$bundle/delta.json" "all(a['pass'] for a in d['assertions'])" true
expect_json "$bundle/delta.json" "sorted(a['name'] for a in d['assertions'] if not a['name'].startswith('spool:'))" \
    '["final_script", "final_script_frames", "log_segments", "required_dd:SCRIPT", "retcode", "snippets"]'
expect_json "$bundle/delta.json" "[a['actual'] for a in d['assertions'] if a['name'] == 'snippets'][0]" 4
expect_json "$bundle/final-script.json" "len(d['frames'])" 2
expect_json "$bundle/metrics.json" "d['polls'] >= 1 and d['failed_polls'] == 0" true
expect_json "$bundle/metrics.json" "sorted(d['latency_ms'])" '["max", "p50", "p95"]'
expect_grep '^//STEP1 +EXEC PGM=BPXBATCH,PARM=.SH exec sh \$DD_RUN 1 ok 1' "$bundle/job.jcl" "job.jcl"
expect_grep '^===== JOB[0-9]+ STEP2\.SCRIPT id [0-9]+ ' "$bundle/spool.log" "spool.log"
ls "$bundle"/spool/*-STDOUT.txt >/dev/null 2>&1 || fail "no spool/<id>-STDOUT.txt in the bundle"
gl verify "$bundle"
expect_rc 0 "verify of the bundle folder"
gl verify out/good.tar.gz
expect_rc 0 "verify of the packed bundle"
bridge_run good
expect_rc 2 "a second run into the same bundle folder"
# At debug level every line after the submit names the job and the correlator.
correlator=$(json "$bundle/delta.json" "d['job']['correlator']")
jobid=$(json "$bundle/delta.json" "d['job']['id']")
[[ $correlator =~ ^GL_[0-9A-F]{8}_[0-9A-F]{8}_A1$ ]] || fail "correlator '$correlator' is not GL_<run>_<manifest>_A1"
"$python" - "$work/good.err" "$jobid" "$correlator" <<'PY' || fail "debug lines without job/correlator: $(cat "$work/good.err")"
import sys
lines = [l for l in open(sys.argv[1]) if "submitted" in l or " debug " in l]
assert len(lines) >= 3, lines
for line in lines:
    assert f"job=SMOKE({sys.argv[2]})" in line and f"correlator={sys.argv[3]}" in line, line
PY

note "a nonzero step: exit 1, no retry"
use_mode fail
before=$(job_count)
bridge_run nonzero
expect_rc 1 "a step ending with exit 4"
expect_json out/bridge/nonzero/delta.json "d['job']['retcode']" "CC 0004"
expect_json out/bridge/nonzero/delta.json "len(d['attempts'])" 1
expect_json out/bridge/nonzero/delta.json "[a['name'] for a in d['assertions'] if not a['pass']][0]" retcode
(( $(job_count) == before + 1 )) || fail "a job failure was resubmitted: $(jobs_on_host)"
gl verify out/nonzero.tar.gz
expect_rc 0 "the bundle of a failed job verifies"
bridge_run nonzero-json --json
expect_rc 1 "a step ending with exit 4, --json"
expect_json "$last_out" "(d['verdict'], d['exit_code'], d['job']['retcode'], d['archive'])" \
    '["fail", 1, "CC 0004", "out/nonzero-json.tar.gz"]'

note "an abend: exit 1"
use_mode segv
bridge_run abend
expect_rc 1 "a step killed by SIGSEGV"
expect_json out/bridge/abend/delta.json "d['job']['retcode'].startswith('ABEND ')" true

note "a JCL error: exit 1"
sed 's/PGM=BPXBATCH,PARM=.SH exec sh \$DD_RUN 1 MODE \${attempt}./PGM=IEFBR14/' "$fixtures/smoke.jcl" >smoke.jcl
grep -q 'PGM=IEFBR14' smoke.jcl || fail "the JCL error template was not made"
bridge_run jclerror
expect_rc 1 "a JCL error"
expect_json out/bridge/jclerror/delta.json "d['job']['retcode']" "JCL ERROR"

note "a job that stalls once: cancelled, resubmitted with a new correlator, passes"
use_mode stall-first
flow_config=greenlight.yml
bridge_run stall-once
expect_rc 0 "a job that stalls on its first attempt"
delta=out/bridge/stall-once/delta.json
expect_json "$delta" "[a['outcome'] for a in d['attempts']]" '["stalled-running", "completed"]'
expect_json "$delta" "d['attempts'][0]['correlator'] != d['attempts'][1]['correlator']" true
expect_json out/bridge/stall-once/metrics.json "d['retries']['resubmissions']" 1
first=$(json "$delta" "d['attempts'][0]['jobid']")
bridge_wait_status SMOKE "$first" OUTPUT 20
expect_json "$last_out" "d['retcode']" CANCELED "the stalled job on the host"

note "a job that stalls twice: escalated (exit 4), both cancelled on the host"
use_mode stall
bridge_run stall-twice
expect_rc 4 "a job that stalls on both attempts"
flow_config=patient.yml
delta=out/bridge/stall-twice/delta.json
expect_json "$delta" "d['verdict']" escalated
expect_json "$delta" "[a['outcome'] for a in d['attempts']]" '["stalled-running", "stalled-running"]'
for jobid in $(json "$delta" "' '.join(a['jobid'] for a in d['attempts'])"); do
    bridge_wait_status SMOKE "$jobid" OUTPUT 20
    expect_json "$last_out" "d['retcode']" CANCELED "escalated job $jobid on the host"
done
gl verify out/stall-twice.tar.gz
expect_rc 0 "the bundle of an escalated run verifies"

note "SIGINT while the job runs: the job is cancelled, the bundle says interrupted, exit 130"
use_mode stall
"$greenlight" bridge run --config patient.yml --payload payload --url "$BRIDGE_URL" --run-id interrupted \
    --output out/interrupted.tar.gz \
    >"$work/interrupted.out" 2>"$work/interrupted.err" </dev/null &
flow_pid=$!
track_pid "$flow_pid"
wait_for 20 grep -q 'is ACTIVE' "$work/interrupted.err" || fail "the interrupted run never saw its job ACTIVE: $(cat "$work/interrupted.err")"
kill -INT "$flow_pid"
wait "$flow_pid"
rc=$?
[[ $rc == 130 ]] || fail "an interrupted run exited $rc, expected 130: $(cat "$work/interrupted.err")"
expect_json out/bridge/interrupted/delta.json "d['verdict']" interrupted
jobid=$(json out/bridge/interrupted/delta.json "d['job']['id']")
bridge_wait_status SMOKE "$jobid" OUTPUT 20
expect_json "$last_out" "d['retcode']" CANCELED "the job of the interrupted run"

note "a tampered payload: exit 1, every problem named, nothing submitted"
use_mode ok
before=$(job_count)
cp -r payload "$work/payload-saved"
echo "tampered" >>payload/scenario.json
echo "stray" >payload/stray.txt
bridge_run tampered
expect_rc 1 "a payload that does not match its manifest"
expect_grep 'mismatch: scenario.json' "$last_err" "stderr"
expect_grep 'extra: stray.txt' "$last_err" "stderr"
(( $(job_count) == before )) || fail "a job was submitted for a tampered payload: $(jobs_on_host)"
expect_json out/bridge/tampered/delta.json "d['verdict']" payload-mismatch
rm -rf payload && cp -r "$work/payload-saved" payload

note "a template with an unknown placeholder: exit 2 naming the line, nothing submitted"
printf '//SMOKE JOB (GL)\n//S1 EXEC PGM=BPXBATCH,PARM=%sSH echo ${run}%s\n' "'" "'" >smoke.jcl
bridge_run badtemplate
expect_rc 2 "an unknown placeholder"
expect_grep 'smoke.jcl:2: unknown placeholder \$\{run\}' "$last_err" "stderr"
(( $(job_count) == before )) || fail "a job was submitted for a bad template"

note "an unreachable host: exit 3"
use_mode ok
closed_port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
gl bridge run --payload payload --url "http://127.0.0.1:$closed_port" --run-id unreachable --output out/unreachable.tar.gz
expect_rc 3 "no host listening"

note "failure notices: chat webhook (both shapes for an unknown host) and a GitHub issue comment"
receiver_log=$work/received.jsonl
"$python" - "$work/receiver.port" "$receiver_log" <<'PY' &
import http.server, json, os, sys, threading
port_file, log = sys.argv[1], sys.argv[2]
class Recorder(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        with open(log, "a") as out:
            out.write(json.dumps({"path": self.path, "authorization": self.headers.get("Authorization"),
                                  "body": json.loads(body)}) + "\n")
        self.send_response(201 if "/comments" in self.path else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
with open(port_file + ".tmp", "w") as out:
    out.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
threading.Timer(120, server.shutdown).start()  # stops by itself
server.serve_forever()
PY
track_pid $!
wait_for 10 test -s "$work/receiver.port" || fail "the notice receiver did not start"
receiver=http://127.0.0.1:$(cat "$work/receiver.port")
use_mode fail
GREENLIGHT_CHAT_WEBHOOK=$receiver/hooks/chat GITHUB_API_URL=$receiver GITHUB_REPOSITORY=octo/smoke \
    GITHUB_TOKEN=test-token bridge_run notified --issue 17
expect_rc 1 "a failed job with notices"
expect_file "$receiver_log" "recorded notices"
"$python" - "$receiver_log" <<'PY' || fail "notices: $(cat "$receiver_log")"
import json, sys
notices = [json.loads(line) for line in open(sys.argv[1])]
chat = [n for n in notices if n["path"] == "/hooks/chat"]
comments = [n for n in notices if n["path"] == "/repos/octo/smoke/issues/17/comments"]
assert len(chat) == 1 and len(comments) == 1, notices
assert chat[0]["body"]["content"] == chat[0]["body"]["text"], chat   # an unknown host gets both shapes
text = chat[0]["body"]["text"]
assert "notified: fail" in text and "CC 0004" in text and "failed: retcode" in text, text
assert "notified.tar.gz" in text, text
assert comments[0]["authorization"] == "Bearer test-token", comments
assert comments[0]["body"]["body"] == text, comments
PY
expect_grep 'chat notice sent' "$last_err" "stderr"
expect_grep 'commented on issue #17' "$last_err" "stderr"
# A passing run sends nothing.
use_mode ok
lines_before=$(wc -l <"$receiver_log")
GREENLIGHT_CHAT_WEBHOOK=$receiver/hooks/chat bridge_run quiet
expect_rc 0 "a passing run"
(( $(wc -l <"$receiver_log") == lines_before )) || fail "a passing run sent a notice"
# A failing notice does not change the exit code of the failed flow.
use_mode fail
GREENLIGHT_CHAT_WEBHOOK=http://127.0.0.1:$closed_port/hook bridge_run notice-fails
expect_rc 1 "a failed job whose notice cannot be sent"
expect_grep 'the chat notice failed' "$last_err" "stderr"

# A proxy on loopback in front of the host, so the flow keeps one URL while the host behind it is slowed
# down or killed and restarted (on a new port). It forwards everything to the URL in $work/backend; the
# first $work/slow-polls status polls of a job are held for 2.5 s; a host that is down is a 502.
echo "$BRIDGE_URL" >"$work/backend"
echo 0 >"$work/slow-polls"
"$python" - "$work/proxy.port" "$work/backend" "$work/slow-polls" <<'PY' &
import http.client, http.server, os, re, sys, threading, time, urllib.parse
port_file, backend_file, slow_file = sys.argv[1:4]
lock = threading.Lock()
status_poll = re.compile(r"^/zosmf/restjobs/jobs/[A-Z0-9@#$]+/JOB[0-9]+$")
class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def forward(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        if self.command == "GET" and status_poll.match(self.path):
            with lock:
                slow = int(open(slow_file).read().strip() or 0)
                if slow > 0:
                    open(slow_file, "w").write(str(slow - 1))
            if slow > 0:
                time.sleep(2.5)
        backend = urllib.parse.urlsplit(open(backend_file).read().strip())
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        try:
            connection = http.client.HTTPConnection(backend.hostname, backend.port, timeout=10)
            connection.request(self.command, self.path, body=body or None, headers=headers)
            answer = connection.getresponse()
            status, answer_headers, answer_body = answer.status, answer.getheaders(), answer.read()
            connection.close()
        except OSError:
            status, answer_headers, answer_body = 502, [("Content-Type", "text/plain")], b"host down"
        try:
            self.send_response(status)
            for name, value in answer_headers:
                if name.lower() not in ("connection", "content-length", "transfer-encoding", "keep-alive"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer_body)))
            self.end_headers()
            self.wfile.write(answer_body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up on a held poll, as it should
    do_GET = do_PUT = do_DELETE = do_POST = forward
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
with open(port_file + ".tmp", "w") as out:
    out.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
threading.Timer(180, server.shutdown).start()  # stops by itself
server.serve_forever()
PY
track_pid $!
wait_for 10 test -s "$work/proxy.port" || fail "the proxy did not start"
proxy=http://127.0.0.1:$(cat "$work/proxy.port")
# patient.yml's longer stall limits let slow polls and a host restart fit in one attempt.

note "a slow host: two polls answered after 2.5 s count as failed polls (bound 2 s), the flow still passes"
use_mode ok
echo 2 >"$work/slow-polls"
gl bridge run --config patient.yml --payload payload --url "$proxy" --run-id slow --output out/slow.tar.gz
expect_rc 0 "a run whose first two polls are slower than the poll bound"
expect_json out/bridge/slow/metrics.json "d['failed_polls_by_reason']" '{"timeout": 2}'
expect_json out/bridge/slow/metrics.json "d['latency_ms']['max'] >= 2000" true
[[ $(cat "$work/slow-polls") == 0 ]] || fail "the proxy still holds $(cat "$work/slow-polls") slow polls"

note "the host SIGKILLed mid-job and restarted: no job lost, the orphan ends SYS FAIL, the flow resubmits and passes"
use_mode stall-first
bridge_curl GET '/zosmf/restjobs/jobs?owner=*'
jobs_before_kill=$(json "$last_out" "' '.join(sorted(j['jobid'] for j in d))")
"$greenlight" bridge run --config patient.yml --payload payload --url "$proxy" --run-id restarted \
    --output out/restarted.tar.gz >"$work/restarted.out" 2>"$work/restarted.err" </dev/null &
flow_pid=$!
track_pid "$flow_pid"
wait_for 20 grep -q 'is ACTIVE' "$work/restarted.err" || fail "the flow never saw its job ACTIVE: $(cat "$work/restarted.err")"
state=$BRIDGE_STATE
failed_polls() { grep -c 'poll [0-9]* failed' "$work/restarted.err"; }
failed_before=$(failed_polls)
another_poll_failed() { (( $(failed_polls) > failed_before )); }
bridge_kill
# The flow's polls meet a host that is down: at least one fails before the host is back.
wait_for 20 another_poll_failed ||
    fail "no poll of the flow failed while the host was down: $(tail -n 5 "$work/restarted.err")"
bridge_start --state "$state" -- --max-active 2
echo "$BRIDGE_URL" >"$work/backend"
wait "$flow_pid"
rc=$?
[[ $rc == 0 ]] || fail "the flow across a host restart exited $rc: $(tail -n 20 "$work/restarted.err")"
delta=out/bridge/restarted/delta.json
expect_json "$delta" "[a['outcome'] for a in d['attempts']]" '["sys-fail", "completed"]'
orphan=$(json "$delta" "d['attempts'][0]['jobid']")
bridge_curl GET "/zosmf/restjobs/jobs/SMOKE/$orphan"
expect_json "$last_out" "(d['status'], d['retcode'])" '["OUTPUT", "SYS FAIL"]'
bridge_curl GET '/zosmf/restjobs/jobs?owner=*'
for jobid in $jobs_before_kill $orphan; do
    expect_json "$last_out" "'$jobid' in [j['jobid'] for j in d]" true "the jobs listed after the restart"
done
gl verify out/restarted.tar.gz
expect_rc 0 "the bundle of the run across a restart"

bridge_stop
echo "ok: bridge run"
