#!/usr/bin/env bash
# greenlight bridge submit / status / spool / cancel / list / purge against a real `greenlight bridge serve`:
# submit with and without --wait (exit code by retcode, --wait-timeout), status by name and by correlator, spool
# listing, one file, a record range and a folder of files, cancel and purge; URL and credentials from
# flags, environment and config; https verified by a CA file, refused without it, accepted with
# --insecure; usage errors exit 2, an unreachable or refusing host exits 3; the password is never printed.
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/bridge.sh"
gl_init "$@"

cd "$work"
bridge_start

export GREENLIGHT_BRIDGE_USER=$BRIDGE_USER
export GREENLIGHT_BRIDGE_PASSWORD=$BRIDGE_PASSWORD
export GREENLIGHT_BRIDGE_URL=$BRIDGE_URL
outputs=()  # every file a client command printed to, checked for the password at the end
# client_env ENV_ARGS... -- ARGS...: `greenlight bridge ARGS` under `env ENV_ARGS` (-u NAME, NAME=VALUE); sets $rc.
client_env() {
    local environment=()
    while [[ $1 != -- ]]; do environment+=("$1"); shift; done
    shift
    env "${environment[@]}" "$greenlight" bridge "$@" >"$last_out" 2>"$last_err" </dev/null
    rc=$?
    local n=${#outputs[@]}
    cp "$last_out" "$work/out.$n"
    cp "$last_err" "$work/err.$n"
    outputs+=("$work/out.$n" "$work/err.$n")
}
client() { client_env -- "$@"; }

cat > good.jcl <<'JCL'
//GOOD     JOB (ACCT),'GREENLIGHT'
//STEP1    EXEC PGM=BPXBATCH,PARM='SH printf "one\ntwo\nthree\nfour\n"'
//STDOUT   DD SYSOUT=*
//STDERR   DD SYSOUT=*
JCL
cat > rc4.jcl <<'JCL'
//RCFOUR   JOB (ACCT),'GREENLIGHT'
//STEP1    EXEC PGM=BPXBATCH,PARM='SH echo warning; exit 4'
//STDOUT   DD SYSOUT=*
JCL
cat > jclerror.jcl <<'JCL'
//BROKEN   JOB (ACCT),'GREENLIGHT'
//STEP1    EXEC PGM=IEFBR14
JCL
cat > slow.jcl <<'JCL'
//SLOW     JOB (ACCT),'GREENLIGHT'
//STEP1    EXEC PGM=BPXBATCH,PARM='SH sleep 60'
//STDOUT   DD SYSOUT=*
JCL

note "submit without --wait prints NAME ID STATUS and exits 0"
client submit good.jcl --correlator FIRSTRUN
expect_rc 0 "submit"
expect_grep '^GOOD JOB[0-9]{5} (INPUT|ACTIVE|OUTPUT)' "$last_out" "submit output"
good_id=$(awk '{print $2}' "$last_out")
bridge_wait_status GOOD "$good_id" OUTPUT

note "status by name and id, as a line and as the job document"
client status GOOD "$good_id"
expect_rc 0 "status"
expect_grep "^GOOD $good_id OUTPUT CC 0000$" "$last_out" "status line"
client status good "${good_id,,}" --json
expect_rc 0 "status --json (names folded to upper case)"
expect_json "$last_out" 'd["jobid"]' "$good_id"
expect_json "$last_out" 'd["retcode"]' "CC 0000"
expect_json "$last_out" 'd["status"]' "OUTPUT"

note "status by user correlator"
client status --correlator FIRSTRUN
expect_rc 0 "status --correlator"
expect_grep "^GOOD $good_id OUTPUT CC 0000$" "$last_out" "status by correlator"
client status --correlator NOSUCHRUN
expect_rc 3 "status of an unknown correlator"

note "submit --wait exits by the retcode: 0 for CC 0000, 1 otherwise"
client submit good.jcl --wait --json
expect_rc 0 "submit --wait of a good job"
expect_json "$last_out" 'd["retcode"]' "CC 0000"
client submit rc4.jcl --wait
expect_rc 1 "submit --wait of a job ending CC 0004"
expect_grep '^submitted RCFOUR JOB[0-9]{5} ' "$last_out" "the submitted line"
expect_grep '^RCFOUR JOB[0-9]{5} OUTPUT CC 0004$' "$last_out" "the final line"
client submit jclerror.jcl --wait
expect_rc 1 "submit --wait of a JCL error"
expect_grep '^BROKEN JOB[0-9]{5} OUTPUT JCL ERROR$' "$last_out" "JCL ERROR"

note "spool: the listing, one file, a range, every file into a folder"
client spool GOOD "$good_id"
expect_rc 0 "spool listing"
expect_grep '^ +101 STDOUT +STEP1 +4 records' "$last_out" "STDOUT in the listing"
expect_grep '^ +3 JESJCL ' "$last_out" "JESJCL in the listing"
client spool GOOD "$good_id" --file 101
expect_rc 0 "spool --file"
[[ $(cat "$last_out") == $'one\ntwo\nthree\nfour' ]] || fail "spool --file 101 printed: $(cat "$last_out")"
client spool GOOD "$good_id" --file 101 --range 1-2
expect_rc 0 "spool --range"
[[ $(cat "$last_out") == $'two\nthree' ]] || fail "spool --range 1-2 printed: $(cat "$last_out")"
client spool GOOD "$good_id" --output-dir spool-out
expect_rc 0 "spool --output-dir"
expect_file spool-out/STDOUT-STEP1-101.txt
expect_file spool-out/JESJCL-JES2-3.txt
expect_grep '^//GOOD +JOB ' spool-out/JESJCL-JES2-3.txt "the JCL as submitted"
[[ $(cat spool-out/STDOUT-STEP1-101.txt) == $'one\ntwo\nthree\nfour' ]] || fail "STDOUT file content"
expect_json spool-out/spool-files.json '[f["file"] for f in d if f["id"] == 101][0]' "STDOUT-STEP1-101.txt"
client spool GOOD "$good_id" --range 1-2
expect_rc 2 "--range without --file"
client spool GOOD "$good_id" --file 101 --range 5-1
expect_rc 2 "a backwards range"

note "submit --wait gives up after --wait-timeout (3) and leaves the job alone"
client submit slow.jcl --wait --wait-timeout 1500ms
expect_rc 3 "a job that outlives --wait-timeout"
expect_grep '^submitted SLOW JOB[0-9]{5} ' "$last_out" "the submitted line"
expect_grep 'still (INPUT|ACTIVE) after 1\.500s; it was not cancelled' "$last_err" "why it stopped waiting"
slow_id=$(awk '{print $3}' "$last_out")

note "cancel a running job; then it ends CANCELED"
bridge_wait_status SLOW "$slow_id" ACTIVE
client cancel SLOW "$slow_id"
expect_rc 0 "cancel"
expect_grep "^cancel requested for SLOW $slow_id$" "$last_out" "cancel output"
bridge_wait_status SLOW "$slow_id" OUTPUT
client status SLOW "$slow_id"
expect_grep "^SLOW $slow_id OUTPUT CANCELED$" "$last_out" "cancelled job"

note "list and purge"
client list --prefix 'GOO*'
expect_rc 0 "list"
expect_grep "^GOOD $good_id OUTPUT CC 0000$" "$last_out" "listed job"
expect_no_grep '^SLOW ' "$last_out" "the prefix filter"
client purge GOOD "$good_id"
expect_rc 0 "purge"
client status GOOD "$good_id"
expect_rc 3 "status of a purged job"
expect_grep 'HTTP 4[0-9][0-9]' "$last_err" "the host's answer"

note "usage errors exit 2 and say what to do"
client submit missing.jcl
expect_rc 2 "a missing JCL file"
{ head -n 1 good.jcl; printf '//STEP1    EXEC PGM=BPXBATCH,PARM=%s\n' "'SH echo $(printf 'x%.0s' {1..60})'"; } > long.jcl
client submit long.jcl
expect_rc 2 "a JCL line longer than 80 characters"
expect_grep 'long.jcl:2: the line has [0-9]+ characters; a JCL card holds at most 80' "$last_err" "the line named"
client status 'BAD/NAME' JOB00001
expect_rc 2 "a name that is not a JCL name"
client submit good.jcl --timeout soon
expect_rc 2 "a bad --timeout"
client submit good.jcl --correlator 'no spaces'
expect_rc 2 "a bad correlator"
client_env -u GREENLIGHT_BRIDGE_PASSWORD -- submit good.jcl
expect_rc 2 "no password"
expect_grep 'GREENLIGHT_BRIDGE_PASSWORD' "$last_err" "the variable to set"
client_env -u GREENLIGHT_BRIDGE_URL -- list
expect_rc 2 "no URL"
expect_grep 'GREENLIGHT_BRIDGE_URL' "$last_err" "the variable to set"

note "credentials from a file only when its owner alone can read it"
printf '%s:%s\n' "$BRIDGE_USER" "$BRIDGE_PASSWORD" > creds
chmod 644 creds
client list --credentials-file creds
expect_rc 2 "a credentials file readable by others"
expect_grep 'chmod 600' "$last_err" "how to fix it"
chmod 600 creds
client_env -u GREENLIGHT_BRIDGE_USER -u GREENLIGHT_BRIDGE_PASSWORD -- list --credentials-file creds
expect_rc 0 "a private credentials file"

note "the URL: config, then environment, then flag"
mkdir -p project
cat > project/greenlight.yml <<YAML
version: 1
project: client-test
bridge:
  url: $BRIDGE_URL
  credentials_file: ../creds
  jcl_template: job.jcl
YAML
client_env -u GREENLIGHT_BRIDGE_URL -u GREENLIGHT_BRIDGE_USER -u GREENLIGHT_BRIDGE_PASSWORD -- list -c project/greenlight.yml
expect_rc 0 "URL and credentials file from the config"
client_env GREENLIGHT_BRIDGE_URL=http://127.0.0.1:1 -- list -c project/greenlight.yml
expect_rc 3 "the environment beats the config"
client_env GREENLIGHT_BRIDGE_URL=http://127.0.0.1:1 -- list -c project/greenlight.yml --url "$BRIDGE_URL"
expect_rc 0 "the flag beats the environment"
client list --url "$BRIDGE_URL/zosmf"
expect_rc 2 "a URL with a path"
sed -i 's|credentials_file: ../creds|credentials_file: no-such-file|' project/greenlight.yml
client list -c project/greenlight.yml
expect_rc 0 "the environment's credentials beat the config's file"
client_env -u GREENLIGHT_BRIDGE_PASSWORD -- list -c project/greenlight.yml
expect_rc 2 "without the environment's pair, the config's (missing) file is used"
expect_grep 'no-such-file' "$last_err" "the file named"

note "a wrong password is an error answer (3), and never printed"
client_env GREENLIGHT_BRIDGE_PASSWORD=Wrong-Secret-42 -- list
expect_rc 3 "a wrong password"
expect_no_grep 'Wrong-Secret-42' "$last_err" "the wrong password"
expect_grep 'HTTP 401' "$last_err" "the host's refusal"

note "https: verified with --ca-file, refused without it, accepted with --insecure"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout tls.key -out tls.crt >/dev/null 2>&1 || fail "openssl req"
plain_url=$BRIDGE_URL
bridge_stop
bridge_start -- --tls-cert tls.crt --tls-key tls.key
[[ $BRIDGE_URL == https://* ]] || fail "the host did not serve https: $BRIDGE_URL"
client list --url "$BRIDGE_URL" --ca-file tls.crt
expect_rc 0 "https with the CA file"
client list --url "$BRIDGE_URL"
expect_rc 3 "https without the CA file"
expect_grep 'certificate' "$last_err" "why"
client list --url "$BRIDGE_URL" --insecure
expect_rc 0 "https --insecure"
bridge_stop

note "a host that is not there exits 3"
client list --url "$plain_url" --timeout 2s
expect_rc 3 "an unreachable host"

note "no output of any command carries the password"
for file in "${outputs[@]}"; do
    expect_no_grep "$BRIDGE_PASSWORD" "$file" "output of a client command"
done
echo "bridge_client: all passed"
