#!/usr/bin/env bash
# Progress output: timestamped lines in CI or when stderr is not a terminal, a live view on a
# terminal (but no escape codes at all with NO_COLOR or TERM=dumb), nothing with --quiet, and
# summary.json on stdout with --json.
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"
cd "$work"

cat > greenlight.yml <<'YAML'
version: 1
project: progress
suites:
  quick: { run: "echo quick" }
  slower: { run: "sleep 0.5; echo slower" }
tiers:
  main: [quick, slower]
YAML

note "CI=true: plain timestamped lines on stderr"
CI=true gl run --tier main --no-smoke --run-id ci1 --jobs 2
expect_rc 0 "green run"
expect_grep '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z greenlight: suite quick: started$' "$last_err" "start line"
expect_grep '^[0-9T:.Z-]+ greenlight: suite slower: pass in [0-9.]+s \(1 passed, 0 failed, 0 skipped\) \[[12]/2\]$' "$last_err" "end line"
expect_no_grep $'\033' "$last_err" "CI output has no terminal escapes"
expect_grep '^slower +pass ' "$last_out" "verdict table on stdout"
expect_grep '^bundle: .*/artifacts/progress/ci1$' "$last_out" "bundle path on stdout"

note "--quiet: no progress, no table"
CI=true gl run --tier main --no-smoke --run-id quiet1 --quiet
expect_rc 0 "quiet run"
[[ ! -s $last_err ]] || fail "--quiet printed on stderr: $(head -3 "$last_err")"
expect_no_grep '^suite ' "$last_out" "--quiet prints no table"
expect_grep '^verdict: pass' "$last_out" "--quiet keeps the verdict line"

note "--json: summary.json on stdout"
CI=true gl run --tier main --no-smoke --run-id json1 --json
expect_rc 0 "json run"
expect_json "$last_out" "d['schema']" "greenlight.summary/v1" "--json stdout"
expect_json "$last_out" "d['run_id']" "json1" "--json stdout"

note "a terminal without CI: the live view, unless NO_COLOR or TERM=dumb"
if command -v script >/dev/null; then
    # on_terminal LOG ENV...: `greenlight run` on a terminal (script(1)) with the given environment.
    on_terminal() {
        local log=$1; shift
        env -u CI -u NO_COLOR "$@" script -q -e -c "'$greenlight' run --tier main --no-smoke --run-id $(basename "$log" .log)" \
            "$log" >/dev/null 2>&1 </dev/null
    }
    on_terminal "$work/tty1.log" TERM=xterm-256color
    expect_grep '\[[0-9]/2 done' "$work/tty1.log" "live status line"
    expect_grep 'slowest: slower' "$work/tty1.log" "live view names the slowest running suite"
    grep -q $'\033\[K' "$work/tty1.log" || fail "live view does not redraw its status line"
    grep -q $'\033\[32m' "$work/tty1.log" || fail "live view has no colour on a terminal"

    for setting in NO_COLOR=1 TERM=dumb; do
        log=$work/tty-${setting%%=*}.log
        if [[ $setting == NO_COLOR=1 ]]; then on_terminal "$log" TERM=xterm-256color NO_COLOR=1; else on_terminal "$log" TERM=dumb; fi
        expect_grep 'greenlight: suite slower: pass in' "$log" "$setting: plain progress lines"
        ! grep -q $'\033' "$log" || fail "$setting: escape codes on the terminal: $(grep -a -m2 $'\033' "$log" | cat -v)"
    done
    # NO_COLOR set but empty does not count (no-color.org).
    on_terminal "$work/tty-empty.log" TERM=xterm-256color NO_COLOR=
    grep -q $'\033\[K' "$work/tty-empty.log" || fail "an empty NO_COLOR turned the live view off"
else
    note "script(1) not installed: live view not checked"
fi
echo "PASS: run_progress"
