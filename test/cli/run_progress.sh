#!/usr/bin/env bash
# Progress output: timestamped lines in CI or when stderr is not a terminal, a live view on a
# terminal, nothing with --quiet, and summary.json on stdout with --json.
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

note "a terminal without CI: the live view"
if command -v script >/dev/null; then
    env -u CI script -q -e -c "'$greenlight' run --tier main --no-smoke --run-id tty1" "$work/tty.log" >/dev/null 2>&1 </dev/null
    expect_grep '\[[0-9]/2 done' "$work/tty.log" "live status line"
    expect_grep 'slowest: slower' "$work/tty.log" "live view names the slowest running suite"
    grep -q $'\033\[K' "$work/tty.log" || fail "live view does not redraw its status line"
else
    note "script(1) not installed: live view not checked"
fi
echo "PASS: run_progress"
