# Shared helpers for the CLI tests of `greenlight bridge` (sourced after common.bash, not a test itself).
#
#   source "$(dirname "$0")/lib/common.bash"
#   source "$(dirname "$0")/lib/bridge.sh"
#   gl_init "$@"
#   bridge_start                      # a host on 127.0.0.1:<ephemeral> with a fresh state folder and one user
#   bridge_curl GET /zosmf/restjobs/jobs/NAME/ID    # body in $last_out, status in $http_status
#   bridge_stop                       # SIGTERM, wait; exit code in $bridge_exit
#
# bridge_start [--state DIR] [--users FILE] [-- SERVE_FLAGS...]
#   Starts `greenlight bridge serve --listen 127.0.0.1:0` and waits (at most $BRIDGE_START_TIMEOUT seconds,
#   default 20) for its "listening on URL" line. Without --state it makes a fresh folder under $work; with
#   --state it reuses one (a restart). Without --users the users file is STATE/../<state name>.users; the user
#   $BRIDGE_USER (default ci) with password $BRIDGE_PASSWORD (default: random, set on first use) is added when
#   the file does not exist yet. Flags after `--` go to `serve` (e.g. --tls-cert, --max-active, --log-level).
#   Exports BRIDGE_URL (http(s)://127.0.0.1:PORT), BRIDGE_PORT, BRIDGE_PID, BRIDGE_STATE, BRIDGE_USERS,
#   BRIDGE_LOG (the host's standard error), BRIDGE_USER, BRIDGE_PASSWORD. The pid is tracked, so gl_cleanup
#   kills the host on exit whatever happens; a failed start fails the test with the host's log.
# bridge_stop [SIGNAL]
#   Sends SIGNAL (default TERM) and waits up to 15 s for the host to exit (then SIGKILL); sets $bridge_exit.
# bridge_kill
#   SIGKILL, as a crash would; sets $bridge_exit (137).
# bridge_curl METHOD PATH [CURL_ARGS...]
#   An authenticated request with X-CSRF-ZOSMF-HEADER to $BRIDGE_URL$PATH (--path-as-is: no client-side
#   clean-up of '..'). Body in $last_out, response headers in $work/.last.headers, status in $http_status.
#   With BRIDGE_CACERT set, https is verified against that file.
# bridge_json_of EXPR: `json` (common.bash) of the last body ($last_out).
# bridge_wait_status NAME ID STATUS [TIMEOUT_S]: polls the job until its status is STATUS (default 30 s).
# shellcheck shell=bash
# work, greenlight, last_out, last_err come from common.bash; bridge_exit and http_status are for the caller.
# shellcheck disable=SC2154,SC2034

BRIDGE_USER=${BRIDGE_USER:-ci}
BRIDGE_PASSWORD=${BRIDGE_PASSWORD:-}
BRIDGE_START_TIMEOUT=${BRIDGE_START_TIMEOUT:-20}
bridge_instances=0

bridge_start() {
    local state="" users="" serve_flags=()
    while (($#)); do
        case $1 in
            --state) state=$2; shift 2 ;;
            --users) users=$2; shift 2 ;;
            --) shift; serve_flags=("$@"); break ;;
            *) fail "bridge_start: unknown argument $1" ;;
        esac
    done
    bridge_instances=$((bridge_instances + 1))
    [[ -n $state ]] || state=$work/bridge-state-$bridge_instances
    [[ -n $users ]] || users=$state.users
    if [[ -z $BRIDGE_PASSWORD ]]; then
        BRIDGE_PASSWORD=pw-$RANDOM$RANDOM$RANDOM
    fi
    if [[ ! -f $users ]]; then
        GREENLIGHT_BRIDGE_PASSWORD=$BRIDGE_PASSWORD "$greenlight" bridge user add --users "$users" "$BRIDGE_USER" \
            >/dev/null 2>"$work/.bridge-user.err" </dev/null ||
            fail "bridge_start: user add failed: $(cat "$work/.bridge-user.err")"
    fi
    BRIDGE_LOG=$work/bridge-$bridge_instances.log
    bridge_exit_file=$work/bridge-$bridge_instances.exit
    local pid_file=$work/bridge-$bridge_instances.pid
    # A watcher subshell waits for the host and records its exit code, so that a host killed by a signal is
    # reaped there (bash's "Killed" notice goes to /dev/null) and its code is still known.
    (
        "$greenlight" bridge serve --listen 127.0.0.1:0 --state "$state" --users "$users" "${serve_flags[@]}" \
            </dev/null >"$work/bridge-$bridge_instances.out" 2>"$BRIDGE_LOG" &
        echo $! >"$pid_file"
        wait $!
        echo $? >"$bridge_exit_file"
    ) 2>/dev/null &
    track_pid $!
    local deadline=$(( $(now_ms) + BRIDGE_START_TIMEOUT * 1000 ))
    until [[ -s $pid_file ]]; do
        (( $(now_ms) < deadline )) || fail "bridge_start: the host did not start"
        sleep 0.01
    done
    BRIDGE_PID=$(cat "$pid_file")
    track_pid "$BRIDGE_PID"
    until grep -q 'greenlight bridge: listening on ' "$BRIDGE_LOG" 2>/dev/null; do
        if [[ -s $bridge_exit_file ]]; then
            fail "bridge_start: the host exited ($(cat "$bridge_exit_file")) before listening: $(tail -n 20 "$BRIDGE_LOG")"
        fi
        (( $(now_ms) < deadline )) || fail "bridge_start: not listening after ${BRIDGE_START_TIMEOUT}s: $(tail -n 20 "$BRIDGE_LOG")"
        sleep 0.05
    done
    BRIDGE_URL=$(sed -n 's/^greenlight bridge: listening on \(http[s]*:\/\/[^ ]*\)$/\1/p' "$BRIDGE_LOG" | head -n 1)
    [[ -n $BRIDGE_URL ]] || fail "bridge_start: no URL in: $(head -n 5 "$BRIDGE_LOG")"
    BRIDGE_PORT=${BRIDGE_URL##*:}
    BRIDGE_STATE=$state
    BRIDGE_USERS=$users
    export BRIDGE_URL BRIDGE_PORT BRIDGE_PID BRIDGE_STATE BRIDGE_USERS BRIDGE_LOG BRIDGE_USER BRIDGE_PASSWORD
}

bridge_stop() {
    local signal=${1:-TERM}
    bridge_exit=""
    [[ -n ${BRIDGE_PID:-} ]] || return 0
    kill -"$signal" "$BRIDGE_PID" 2>/dev/null || true
    local deadline=$(( $(now_ms) + 15000 ))
    while kill -0 "$BRIDGE_PID" 2>/dev/null; do
        if (( $(now_ms) > deadline )); then
            kill -KILL "$BRIDGE_PID" 2>/dev/null || true
            break
        fi
        sleep 0.05
    done
    deadline=$(( $(now_ms) + 5000 ))
    until [[ -s $bridge_exit_file ]] || (( $(now_ms) > deadline )); do sleep 0.01; done
    bridge_exit=$(cat "$bridge_exit_file" 2>/dev/null || echo unknown)
    BRIDGE_PID=""
}

bridge_kill() { bridge_stop KILL; }

bridge_curl() {
    local method=$1 path=$2; shift 2
    local tls=()
    [[ -n ${BRIDGE_CACERT:-} ]] && tls=(--cacert "$BRIDGE_CACERT")
    http_status=$(curl -sS --path-as-is --max-time 30 -o "$last_out" -D "$work/.last.headers" -w '%{http_code}' \
        -u "$BRIDGE_USER:$BRIDGE_PASSWORD" -H 'X-CSRF-ZOSMF-HEADER: true' -X "$method" "${tls[@]}" "$@" \
        "$BRIDGE_URL$path" 2>"$last_err") || http_status="curl-failed($?)"
}

bridge_json_of() { json "$last_out" "$1"; }

bridge_wait_status() {
    local name=$1 id=$2 want=$3 timeout=${4:-30}
    local deadline=$(( $(now_ms) + timeout * 1000 )) got=""
    while true; do
        bridge_curl GET "/zosmf/restjobs/jobs/$name/$id"
        [[ $http_status == 200 ]] && got=$(bridge_json_of "d['status']")
        [[ $got == "$want" ]] && return 0
        (( $(now_ms) < deadline )) || fail "$name($id): status '$got' (HTTP $http_status), expected $want within ${timeout}s"
        sleep 0.1
    done
}
