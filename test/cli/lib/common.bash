# Shared helpers for the CLI tests in test/cli/*.sh (sourced, not a test itself).
#
#   source "$(dirname "$0")/lib/common.bash"
#   gl_init "$@"          # sets $greenlight (absolute path), $work (temp dir, removed on exit), $python
#
# Every assertion prints `FAIL: ...` to stderr and exits 1.
# shellcheck shell=bash

set -uo pipefail

# Debian's interpreter: it has python3-yaml and python3-jsonschema (`python3` on PATH may be another one).
python=/usr/bin/python3

fail() {
    echo "FAIL: $*" >&2
    if [[ -n ${last_out:-} && -s ${last_out:-/nonexistent} ]]; then
        echo "--- stdout of the last command:" >&2
        tail -n 40 "$last_out" >&2
    fi
    if [[ -n ${last_err:-} && -s ${last_err:-/nonexistent} ]]; then
        echo "--- stderr of the last command:" >&2
        tail -n 40 "$last_err" >&2
    fi
    exit 1
}

note() { echo "--- $*"; }

# Background processes a test started (track_pid PID); killed on exit if still running.
background_pids=()
track_pid() { background_pids+=("$1"); }

# Stops whatever processes a fixture left behind (found by the unique temp dir in their command
# line, killed by pid), then removes the temp dir.
gl_cleanup() {
    local pids pid
    for pid in "${background_pids[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
    done
    if [[ -n ${work:-} ]]; then
        pids=$(pgrep -f -- "$work" 2>/dev/null || true)
        for pid in $pids; do
            [[ $pid == "$$" ]] && continue
            kill -KILL "$pid" 2>/dev/null || true
        done
        rm -rf -- "$work"
    fi
}

gl_init() {
    local binary=${1:-}
    [[ -n $binary ]] || { echo "usage: $0 GREENLIGHT_BINARY" >&2; exit 2; }
    [[ -x $binary ]] || { echo "FAIL: $binary is not an executable" >&2; exit 1; }
    greenlight=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
    source_dir=${GREENLIGHT_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
    export test_data=${GREENLIGHT_TEST_DATA:-$source_dir/test/data}
    work=$(mktemp -d "${TMPDIR:-/tmp}/greenlight-cli.XXXXXXXX")
    trap gl_cleanup EXIT
    trap 'exit 130' INT TERM
    last_out=$work/.last.out
    last_err=$work/.last.err
    "$python" -c 'import json' || { echo "FAIL: $python does not work" >&2; exit 1; }
}

# gl CMD...: runs greenlight with stdout/stderr captured in $last_out/$last_err; sets $rc.
gl() {
    "$greenlight" "$@" >"$last_out" 2>"$last_err" </dev/null
    rc=$?
    return 0
}

# expect_rc CODE WHAT: the last gl command exited with CODE.
expect_rc() {
    local want=$1; shift
    [[ $rc == "$want" ]] || fail "$*: exit code $rc, expected $want"
}

# json FILE EXPR: prints EXPR evaluated with `d` = the parsed JSON file (strings raw, others as JSON).
json() {
    "$python" - "$1" "$2" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    d = json.load(f)
v = eval(sys.argv[2], {"d": d, "json": json})
print(v if isinstance(v, str) else json.dumps(v, sort_keys=True))
PY
}

# expect_json FILE EXPR WANT [WHAT]: EXPR (see json) prints WANT.
expect_json() {
    local file=$1 expr=$2 want=$3 got
    got=$(json "$file" "$expr" 2>&1) || fail "${4:-$file}: cannot evaluate $expr: $got"
    [[ $got == "$want" ]] || fail "${4:-$file}: $expr is '$got', expected '$want'"
}

# verdict_of SUMMARY SUITE: the suite's verdict in summary.json.
verdict_of() {
    json "$1" "[s['verdict'] for s in d['suites'] if s['name'] == '$2'][0]"
}

expect_file() { [[ -f $1 ]] || fail "${2:-expected file} missing: $1"; }
expect_dir() { [[ -d $1 ]] || fail "${2:-expected folder} missing: $1"; }
expect_absent() { [[ ! -e $1 ]] || fail "${2:-should not exist}: $1"; }

# expect_grep PATTERN FILE WHAT: FILE contains PATTERN (extended regex).
expect_grep() {
    grep -Eq -- "$1" "$2" || fail "${3:-$2}: no match for /$1/"
}
# expect_no_grep PATTERN FILE WHAT
expect_no_grep() {
    ! grep -Eq -- "$1" "$2" || fail "${3:-$2}: unexpected match for /$1/: $(grep -E -m3 -- "$1" "$2")"
}

# now_ms: milliseconds since the epoch.
now_ms() { date +%s%3N; }

# wait_for TIMEOUT_S CMD...: polls CMD every 50 ms until it succeeds; returns 1 on timeout.
wait_for() {
    local deadline=$(( $(now_ms) + $1 * 1000 )); shift
    until "$@"; do
        (( $(now_ms) < deadline )) || return 1
        sleep 0.05
    done
}

# make_sleeper NAME: sleep under a unique path ($work/bin/NAME, a symlink), so `survivors PATH`
# (pgrep -f) finds exactly the processes of this test. Prints its path.
make_sleeper() {
    mkdir -p "$work/bin"
    ln -sf "$(command -v sleep)" "$work/bin/$1"
    echo "$work/bin/$1"
}

# survivors PATTERN: pids of processes whose command line contains PATTERN (none: empty).
survivors() { pgrep -f -- "$1" 2>/dev/null || true; }
