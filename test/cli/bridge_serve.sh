#!/usr/bin/env bash
# greenlight bridge serve with curl, as a z/OSMF client would use it: users, submit, status, spool with record
# ranges, the errors (401, 403, 400 for path tricks, 413), idempotent submit by correlator, a SIGKILL while a job
# runs and the restart that finds every job (the running one as SYS FAIL, the queued one still queued), cancel,
# exit codes, and TLS.
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/bridge.sh"
gl_init "$@"
command -v curl >/dev/null || fail "curl is needed"

jobs=/zosmf/restjobs/jobs

note "user add / remove"
GREENLIGHT_BRIDGE_PASSWORD=s3cret gl bridge user add --users "$work/users.txt" alice
expect_rc 0 "user add"
[[ $(stat -c %a "$work/users.txt") == 600 ]] || fail "users file mode is $(stat -c %a "$work/users.txt"), expected 600"
expect_grep '^ALICE:pbkdf2-sha256:[0-9]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' "$work/users.txt" "users file"
expect_no_grep 's3cret' "$work/users.txt" "users file"
printf 'from-stdin\n' | "$greenlight" bridge user add --users "$work/users.txt" bob >"$last_out" 2>"$last_err"
[[ $? == 0 ]] || fail "user add with the password on standard input"
gl bridge user add --users "$work/users.txt" '../x'
expect_rc 2 "user add with a bad name"
expect_grep "user name '../x' is not valid" "$last_err"
gl bridge user remove --users "$work/users.txt" bob
expect_rc 0 "user remove"
expect_no_grep '^BOB:' "$work/users.txt"
gl bridge user remove --users "$work/users.txt" bob
expect_rc 2 "removing a user that is not there"

note "bad flags, bad users file, busy port"
gl bridge serve --listen nonsense --state "$work/s0" --users "$work/users.txt"
expect_rc 2 "--listen nonsense"
printf '# users\nalice:pbkdf2-sha256:1:AAAA:AAAA\n' > "$work/bad-users.txt"
gl bridge serve --listen 127.0.0.1:0 --state "$work/s0" --users "$work/bad-users.txt"
expect_rc 2 "a broken users file"
expect_grep "bad-users.txt:2: iterations '1'" "$last_err"

bridge_start
note "host at $BRIDGE_URL"
gl bridge serve --listen "127.0.0.1:$BRIDGE_PORT" --state "$work/s0" --users "$BRIDGE_USERS"
expect_rc 3 "a port in use"
expect_grep "cannot listen on 127.0.0.1:$BRIDGE_PORT" "$last_err"

note "submit echo hello, wait for OUTPUT"
cat > "$work/hello.jcl" <<'JCL'
//HELLO    JOB (ACCT),'CI',CLASS=A
//STEP1    EXEC PGM=BPXBATCH,PARM='SH echo hello'
//STDOUT   DD SYSOUT=*
JCL
bridge_curl PUT $jobs -H 'Content-Type: text/plain' -H 'X-IBM-Intrdr-Mode: TEXT' --data-binary @"$work/hello.jcl"
[[ $http_status == 201 ]] || fail "submit: HTTP $http_status: $(cat "$last_out")"
id=$(bridge_json_of "d['jobid']")
expect_json "$last_out" "d['jobname']" HELLO
expect_json "$last_out" "d['owner']" "${BRIDGE_USER^^}"
expect_json "$last_out" "d['retcode']" null
expect_json "$last_out" "d['url']" "$BRIDGE_URL$jobs/HELLO/$id"
bridge_wait_status HELLO "$id" OUTPUT
expect_json "$last_out" "d['retcode']" "CC 0000"
expect_json "$last_out" "d['phase-name']" "Job is on the hard copy queue"

note "spool files and records"
bridge_curl GET "$jobs/HELLO/$id/files"
[[ $http_status == 200 ]] || fail "files: HTTP $http_status"
expect_json "$last_out" "[f['ddname'] for f in d]" '["JESMSGLG", "JESJCL", "JESYSMSG", "STDOUT"]'
expect_json "$last_out" "[(f['record-count'], f['byte-count']) for f in d if f['ddname'] == 'STDOUT'][0]" '[1, 6]'
expect_json "$last_out" "[(f['record-count'], f['byte-count']) for f in d if f['ddname'] == 'JESJCL'][0]" \
    "[3, $(wc -c < "$work/hello.jcl")]"
stdout_url=$(bridge_json_of "[f['records-url'] for f in d if f['ddname'] == 'STDOUT'][0]")
[[ $stdout_url == "$BRIDGE_URL$jobs/HELLO/$id/files/101/records" ]] || fail "records-url is $stdout_url"
bridge_curl GET "$jobs/HELLO/$id/files/101/records"
[[ $(cat "$last_out") == hello ]] || fail "STDOUT records: '$(cat "$last_out")'"
bridge_curl GET "$jobs/HELLO/$id/files/2/records"
expect_grep "HELLO +ENDED - RC=0000" "$last_out" "JESMSGLG"
lines=$(wc -l < "$last_out")
bridge_curl GET "$jobs/HELLO/$id/files/2/records" -H 'X-IBM-Record-Range: 1-2'
[[ $(wc -l < "$last_out") == 2 && $lines -gt 2 ]] || fail "record range 1-2 gave $(wc -l < "$last_out") lines"
bridge_curl GET "$jobs/HELLO/$id/files/JCL/records"
cmp -s "$last_out" "$work/hello.jcl" || fail "files/JCL/records is not the JCL as submitted"
bridge_curl GET "$jobs/HELLO/$id/files/2/records" -H 'X-IBM-Record-Range: 5-1'
[[ $http_status == 400 ]] || fail "a reversed record range: HTTP $http_status"
expect_json "$last_out" "d['reason']" 11

note "authentication, CSRF, path tricks, size limits"
http_status=$(curl -s -o "$last_out" -w '%{http_code}' -u "$BRIDGE_USER:wrong" "$BRIDGE_URL$jobs")
[[ $http_status == 401 ]] || fail "a wrong password: HTTP $http_status"
expect_json "$last_out" "d['category']" 6
http_status=$(curl -s -o "$last_out" -w '%{http_code}' "$BRIDGE_URL$jobs/HELLO/$id")
[[ $http_status == 401 ]] || fail "no credentials: HTTP $http_status"
http_status=$(curl -s -o "$last_out" -w '%{http_code}' -u "$BRIDGE_USER:$BRIDGE_PASSWORD" -X PUT \
    -H 'Content-Type: text/plain' --data-binary @"$work/hello.jcl" "$BRIDGE_URL$jobs")
[[ $http_status == 403 ]] || fail "a submit without X-CSRF-ZOSMF-HEADER: HTTP $http_status"
expect_json "$last_out" "d['errorID']" IZUG846W
for path in "$jobs/../../../etc/passwd" "$jobs/%2e%2e/%2e%2e" "$jobs/HELLO/$id%2f..%2f..%2fjobs.sqlite3" \
            "$jobs/HELLO%2F..%2F/$id" "$jobs/HELLO/$id/files/..%2f3/records" "$jobs/HEL.LO/$id" "$jobs/HELLO/JOB1"; do
    bridge_curl GET "$path"
    [[ $http_status == 400 ]] || fail "$path: HTTP $http_status, expected 400: $(cat "$last_out")"
done
bridge_curl GET "$jobs/HELLO/JOB99999"
[[ $http_status == 400 ]] || fail "an unknown job: HTTP $http_status"
expect_json "$last_out" "d['message']" "No job found for reference: 'HELLO(JOB99999)'"
head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' 'x' > "$work/huge.jcl"
bridge_curl PUT $jobs -H 'Content-Type: text/plain' --data-binary @"$work/huge.jcl"
[[ $http_status == 413 ]] || fail "a 5 MiB submit: HTTP $http_status"

note "the same user correlator gives the same job"
bridge_curl PUT $jobs -H 'Content-Type: text/plain' -H 'X-IBM-User-Correlator: RETRY_1' --data-binary @"$work/hello.jcl"
[[ $http_status == 201 ]] || fail "submit with a correlator: HTTP $http_status"
first=$(bridge_json_of "d['jobid']")
bridge_curl PUT $jobs -H 'Content-Type: text/plain' -H 'X-IBM-User-Correlator: RETRY_1' --data-binary @"$work/hello.jcl"
[[ $http_status == 200 ]] || fail "the second submit with the correlator: HTTP $http_status"
[[ $(bridge_json_of "d['jobid']") == "$first" ]] || fail "the second submit made $(bridge_json_of "d['jobid']"), not $first"
bridge_curl GET "$jobs?owner=*&user-correlator=RETRY_1"
expect_json "$last_out" "len(d)" 1

note "SIGKILL while a job runs, then restart on the same state"
sleeper=$(make_sleeper gl-bridge-sleep)
cat > "$work/sleepy.jcl" <<JCL
//SLEEPY   JOB
//STEP1    EXEC PGM=BPXBATCH
//STDPARM  DD *
SH $sleeper 60
/*
//STDOUT   DD SYSOUT=*
JCL
bridge_curl PUT $jobs -H 'Content-Type: text/plain' --data-binary @"$work/sleepy.jcl"
[[ $http_status == 201 ]] || fail "submit SLEEPY: HTTP $http_status: $(cat "$last_out")"
sleepy=$(bridge_json_of "d['jobid']")
bridge_wait_status SLEEPY "$sleepy" ACTIVE
# --max-active is 1: a second job waits as INPUT while the first runs, up to the kill below: the restart then
# finds only the first ACTIVE (a job taken before the kill would be named in its log and end with SYS FAIL).
bridge_curl PUT $jobs -H 'Content-Type: text/plain' --data-binary @"$work/sleepy.jcl"
queued=$(bridge_json_of "d['jobid']")
bridge_curl GET "$jobs/SLEEPY/$queued"
expect_json "$last_out" "d['status']" INPUT "the second job while the first runs"
bridge_curl GET "$jobs?owner=*"
before=$(bridge_json_of "sorted(j['jobid'] for j in d)")
bridge_kill
for pid in $(survivors "$sleeper"); do kill -KILL "$pid" 2>/dev/null || true; done
bridge_start --state "$BRIDGE_STATE" --users "$BRIDGE_USERS"
expect_grep "$sleepy was ACTIVE when the host stopped; it ended with SYS FAIL" "$BRIDGE_LOG" "restart log"
expect_no_grep "$queued was ACTIVE" "$BRIDGE_LOG" "restart log"
bridge_curl GET "$jobs?owner=*"
expect_json "$last_out" "sorted(j['jobid'] for j in d)" "$before" "jobs after the restart"
bridge_curl GET "$jobs/SLEEPY/$sleepy"
expect_json "$last_out" "d['status']" OUTPUT
expect_json "$last_out" "d['retcode']" "SYS FAIL"
bridge_curl GET "$jobs/SLEEPY/$sleepy/files/2/records"
expect_grep "GLB001E THE JOB HOST RESTARTED WHILE THE JOB WAS ACTIVE" "$last_out" "JESMSGLG of SLEEPY"
# The queued job stayed queued and runs now; cancel it.
bridge_wait_status SLEEPY "$queued" ACTIVE
bridge_curl PUT "$jobs/SLEEPY/$queued" -H 'Content-Type: application/json' --data '{"request":"cancel","version":"2.0"}'
[[ $http_status == 200 ]] || fail "cancel: HTTP $http_status: $(cat "$last_out")"
expect_json "$last_out" "d['status']" 0
bridge_wait_status SLEEPY "$queued" OUTPUT
expect_json "$last_out" "d['retcode']" CANCELED
bridge_curl PUT $jobs -H 'Content-Type: text/plain' --data-binary @"$work/hello.jcl"
[[ $http_status == 201 ]] || fail "submit after the restart: HTTP $http_status"
after=$(bridge_json_of "d['jobid']")
bridge_wait_status HELLO "$after" OUTPUT
expect_json "$last_out" "d['retcode']" "CC 0000"

note "SIGTERM stops the host with exit 0"
bridge_stop TERM
[[ $bridge_exit == 0 ]] || fail "exit code after SIGTERM: $bridge_exit"
expect_grep "SIGTERM received, stopping" "$BRIDGE_LOG"

note "TLS with a throwaway certificate"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 || fail "openssl req failed"
bridge_start --state "$BRIDGE_STATE" --users "$BRIDGE_USERS" -- --tls-cert "$work/cert.pem" --tls-key "$work/key.pem"
[[ $BRIDGE_URL == https://127.0.0.1:* ]] || fail "the TLS host listens on $BRIDGE_URL"
BRIDGE_CACERT=$work/cert.pem bridge_curl GET "$jobs/HELLO/$after"
[[ $http_status == 200 ]] || fail "https status: HTTP $http_status: $(cat "$last_err")"
expect_json "$last_out" "d['url']" "$BRIDGE_URL$jobs/HELLO/$after"
http_status=$(curl -s -o /dev/null -w '%{http_code}' -u "$BRIDGE_USER:$BRIDGE_PASSWORD" \
    "http://127.0.0.1:$BRIDGE_PORT$jobs" 2>/dev/null)
[[ $http_status != 200 ]] || fail "plain http reached the TLS host"
bridge_stop
[[ $bridge_exit == 0 ]] || fail "exit code of the TLS host: $bridge_exit"
note "ok"
