#!/usr/bin/env bash
# Interop: the Zowe CLI (installed from npm, unchanged) against `greenlight bridge serve` over plain HTTP on
# loopback: submit a local JCL file and wait for its output, list jobs, list and view spool files by id,
# download all spool files, cancel a running job and delete a finished one.
# The Zowe CLI is installed once into GREENLIGHT_NPM_CACHE (default: an `npm` folder beside the binary).
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/bridge.sh"
gl_init "$@"

npm_prefix=${GREENLIGHT_NPM_CACHE:-$(dirname "$greenlight")/npm}/zowe-cli-8
zowe=$npm_prefix/node_modules/.bin/zowe
if [[ ! -x $zowe ]]; then
    command -v npm >/dev/null || fail "npm is needed to install the Zowe CLI (scripts/install-deps.sh test installs it)"
    note "installing @zowe/cli@8 into $npm_prefix"
    mkdir -p "$npm_prefix"
    npm install --no-save --no-audit --no-fund --prefix "$npm_prefix" @zowe/cli@8 >"$work/npm.log" 2>&1 ||
        { tail -n 30 "$work/npm.log" >&2; fail "npm install @zowe/cli@8 failed"; }
fi
export ZOWE_CLI_HOME=$work/zowe-home
mkdir -p "$ZOWE_CLI_HOME"
"$zowe" --version >"$work/zowe.version" 2>&1 || fail "the Zowe CLI does not start: $(cat "$work/zowe.version")"
note "$(head -n 1 "$work/zowe.version")"

bridge_start
connection=(--host 127.0.0.1 --port "$BRIDGE_PORT" --user "$BRIDGE_USER" --password "$BRIDGE_PASSWORD"
            --protocol http --reject-unauthorized false)

# zowe_json ARGS...: runs a zowe command with --rfj; its JSON answer is in $last_out, exit code in $rc.
zowe_json() {
    "$zowe" "$@" "${connection[@]}" --rfj >"$last_out" 2>"$last_err" </dev/null
    rc=$?
}

note "submit local-file --wait-for-output"
cat >"$work/hello.jcl" <<'JCL'
//HELLO    JOB (ACCT),'INTEROP',CLASS=A,MSGCLASS=A
//* GREET reads in-stream data; COUNT runs only when GREET ended RC 0.
//GREET    EXEC PGM=BPXBATCH,PARM='SH cat "$DD_NAMES"; echo greeted'
//NAMES    DD *
alpha
beta
/*
//STDOUT   DD SYSOUT=*
//STDERR   DD SYSOUT=*
//COUNT    EXEC PGM=BPXBATCH,COND=(0,NE),
//             PARM='SH echo lines=$(wc -l < "$DD_NAMES")'
//NAMES    DD *
one
two
three
/*
//STDOUT   DD SYSOUT=*
JCL
zowe_json zos-jobs submit local-file "$work/hello.jcl" --wait-for-output
expect_rc 0 "zowe zos-jobs submit local-file --wfo"
expect_json "$last_out" "d['success']" true
expect_json "$last_out" "d['data']['status']" OUTPUT
expect_json "$last_out" "d['data']['retcode']" "CC 0000"
expect_json "$last_out" "d['data']['jobname']" HELLO
jobid=$(json "$last_out" "d['data']['jobid']")
[[ $jobid =~ ^JOB[0-9]{5}$ ]] || fail "job id '$jobid'"

note "list jobs"
zowe_json zos-jobs list jobs --owner '*' --prefix 'HEL*'
expect_rc 0 "zowe zos-jobs list jobs"
expect_json "$last_out" "[j['jobid'] for j in d['data']]" "[\"$jobid\"]"
expect_json "$last_out" "d['data'][0]['owner']" "${BRIDGE_USER^^}"

note "list and view spool files"
zowe_json zos-jobs list spool-files-by-jobid "$jobid"
expect_rc 0 "zowe zos-jobs list spool-files-by-jobid"
expect_json "$last_out" "[(f['ddname'], f['stepname']) for f in d['data']]" \
    '[["JESMSGLG", "JES2"], ["JESJCL", "JES2"], ["JESYSMSG", "JES2"], ["STDOUT", "GREET"], ["STDERR", "GREET"], ["STDOUT", "COUNT"]]'
count_stdout_id=$(json "$last_out" "[f['id'] for f in d['data'] if f['stepname'] == 'COUNT'][0]")
"$zowe" zos-jobs view spool-file-by-id "$jobid" "$count_stdout_id" "${connection[@]}" >"$last_out" 2>"$last_err"
rc=$?
expect_rc 0 "zowe zos-jobs view spool-file-by-id"
[[ $(cat "$last_out") == "lines=3" ]] || fail "the COUNT step's STDOUT through Zowe: '$(cat "$last_out")'"

note "download output"
"$zowe" zos-jobs download output "$jobid" --directory "$work/download" "${connection[@]}" >"$last_out" 2>"$last_err"
rc=$?
expect_rc 0 "zowe zos-jobs download output"
expect_file "$work/download/$jobid/GREET/STDOUT.txt"
expect_file "$work/download/$jobid/COUNT/STDOUT.txt"
expect_file "$work/download/$jobid/JES2/JESMSGLG.txt"
expect_file "$work/download/$jobid/JES2/JESJCL.txt"
printf 'alpha\nbeta\ngreeted\n' | diff - "$work/download/$jobid/GREET/STDOUT.txt" >/dev/null ||
    fail "GREET STDOUT as Zowe downloaded it: $(cat "$work/download/$jobid/GREET/STDOUT.txt")"
expect_grep 'HASP395 HELLO +ENDED - RC=0000' "$work/download/$jobid/JES2/JESMSGLG.txt" "JESMSGLG"
# Every downloaded file is the spool file the host lists, byte for byte.
bridge_curl GET "/zosmf/restjobs/jobs/HELLO/$jobid/files/$count_stdout_id/records"
diff "$last_out" "$work/download/$jobid/COUNT/STDOUT.txt" >/dev/null || fail "COUNT STDOUT differs from the host's records"

note "a failing step: the retcode reaches Zowe"
printf '%s\n' "//FAILS    JOB (ACCT),CLASS=A" "//STEP1    EXEC PGM=BPXBATCH,PARM='SH exit 8'" "//STDOUT   DD SYSOUT=*" \
    >"$work/fails.jcl"
zowe_json zos-jobs submit local-file "$work/fails.jcl" --wait-for-output
expect_json "$last_out" "d['data']['retcode']" "CC 0008"

note "cancel a running job, then delete it"
printf '%s\n' "//LONG     JOB (ACCT),CLASS=A" "//STEP1    EXEC PGM=BPXBATCH,PARM='SH sleep 120'" "//STDOUT   DD SYSOUT=*" \
    >"$work/long.jcl"
zowe_json zos-jobs submit local-file "$work/long.jcl" --wait-for-active
expect_rc 0 "zowe zos-jobs submit local-file --wfa"
long_id=$(json "$last_out" "d['data']['jobid']")
zowe_json zos-jobs cancel job "$long_id"
expect_rc 0 "zowe zos-jobs cancel job"
bridge_wait_status LONG "$long_id" OUTPUT 20
expect_json "$last_out" "d['retcode']" CANCELED
zowe_json zos-jobs delete job "$long_id"
expect_rc 0 "zowe zos-jobs delete job"
bridge_curl GET "/zosmf/restjobs/jobs/LONG/$long_id"
[[ $http_status == 400 ]] || fail "a deleted job answers HTTP $http_status, expected 400 (no job found)"

note "a wrong password is refused"
"$zowe" zos-jobs list jobs --host 127.0.0.1 --port "$BRIDGE_PORT" --user "$BRIDGE_USER" --password wrong \
    --protocol http --reject-unauthorized false >"$last_out" 2>"$last_err"
rc=$?
[[ $rc != 0 ]] || fail "zowe with a wrong password succeeded"
expect_grep '401' "$last_err" "zowe's error for a wrong password"

bridge_stop
[[ $bridge_exit == 0 ]] || fail "the host exited $bridge_exit after SIGTERM"
echo "PASS bridge_zowe"
