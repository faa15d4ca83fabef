#!/usr/bin/env bash
# The dashboard in a real browser: headless Chromium (the Debian package), driven by playwright-core from npm,
# reads every page of a `greenlight serve` fed by real `greenlight run --report-to --report-bundle` runs (one
# passing, two failing) and one bridge job. test/browser/dashboard.mjs checks what a reader sees on each page,
# with JavaScript on and off, at desktop and phone widths (no horizontal scrollbar at 375 px), that the
# console stays free of errors (CSP violations included), and saves full-page screenshots into
# ${GREENLIGHT_TEST_OUTPUT:-<build dir>/test-output}/serve_browser/.
# playwright-core is installed once into GREENLIGHT_NPM_CACHE (default: an `npm` folder beside the binary).
# Usage: serve_browser.sh GREENLIGHT_BINARY
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"
unset GREENLIGHT_TIER GREENLIGHT_RUN_ID GREENLIGHT_ARTIFACT_DIR GITHUB_ACTIONS GITHUB_STEP_SUMMARY GREENLIGHT_SERVE_TOKEN

chromium=${GREENLIGHT_CHROMIUM:-/usr/bin/chromium}
[[ -x $chromium ]] || fail "Chromium is needed at $chromium (scripts/install-deps.sh test installs the Debian package)"
command -v node >/dev/null || fail "Node.js is needed to drive the browser (scripts/install-deps.sh test installs it)"
script=$source_dir/test/browser/dashboard.mjs
expect_file "$script" "the browser script"

npm_prefix=${GREENLIGHT_NPM_CACHE:-$(dirname "$greenlight")/npm}/playwright-core-1
if [[ ! -f $npm_prefix/node_modules/playwright-core/package.json ]]; then
    command -v npm >/dev/null || fail "npm is needed to install playwright-core (scripts/install-deps.sh test installs it)"
    note "installing playwright-core@1 into $npm_prefix"
    mkdir -p "$npm_prefix"
    npm install --no-save --no-audit --no-fund --prefix "$npm_prefix" playwright-core@1 >"$work/npm.log" 2>&1 ||
        { tail -n 30 "$work/npm.log" >&2; fail "npm install playwright-core@1 failed"; }
fi

output=${GREENLIGHT_TEST_OUTPUT:-$(dirname "$greenlight")/test-output}/serve_browser
rm -rf -- "$output"
mkdir -p "$output" || fail "cannot create $output"

# The project: `units` passes, `api` fails once its marker file is there; the tier `nightly` runs both.
project=$work/project
mkdir -p "$project"
cat >"$project/greenlight.yml" <<'YAML'
version: 1
project: shop
artifacts: artifacts
defaults: { timeout: 30s }
suites:
  units:
    run: >-
      mkdir -p reports; printf '%s\n' '<testsuite name="units"><testcase classname="units.cart" name="adds_items" time="0.01"/>'
      '<testcase classname="units.cart" name="totals" time="0.02"/></testsuite>' > reports/units.xml
    results: { junit: "reports/units.xml" }
  api:
    run: >-
      mkdir -p reports;
      if [ -f break-api ]; then
      printf '%s\n' '<testsuite name="api"><testcase classname="api.orders" name="lists_orders" time="0.01"/>'
      '<testcase classname="api.orders" name="refunds_an_order" time="0.3"><failure message="expected status 200, got 500">refund endpoint answered 500: ledger locked</failure>'
      '<system-out>POST /orders/42/refund</system-out></testcase></testsuite>' > reports/api.xml; exit 1;
      else
      printf '%s\n' '<testsuite name="api"><testcase classname="api.orders" name="lists_orders" time="0.01"/>'
      '<testcase classname="api.orders" name="refunds_an_order" time="0.2"/></testsuite>' > reports/api.xml;
      fi
    results: { junit: "reports/api.xml" }
tiers:
  nightly: [units, api]
serve:
  db: sqlite:state/serve.db
  bundles: state/bundles
  bridge: { state: state/bridge, users: bridge.users, max_active: 2 }
watch:
  checks:
    nightly:
      period: 6h
      grace: 30m
      tier: nightly
YAML
cd "$project" || fail "no project folder"
mkdir -p state

bridge_user=ci
bridge_password=pw-$RANDOM$RANDOM$RANDOM
GREENLIGHT_BRIDGE_PASSWORD=$bridge_password gl bridge user add --users bridge.users "$bridge_user"
expect_rc 0 "bridge user add"

gl serve token create browser-test
expect_rc 0 "serve token create"
token=$(tr -d '\n' <"$last_out")

note "serve --bridge"
"$greenlight" serve --listen 127.0.0.1:0 --bridge </dev/null >"$work/serve.out" 2>"$work/serve.log" &
serve_pid=$!
track_pid $serve_pid
disown $serve_pid
wait_for 20 grep -q 'greenlight serve: listening on ' "$work/serve.log" ||
    fail "serve did not start: $(tail -n 20 "$work/serve.log")"
url=$(sed -n 's/^greenlight serve: listening on \(http[^ ]*\)$/\1/p' "$work/serve.log" | head -n 1)

note "three runs: pass, fail, fail"
export GREENLIGHT_SERVE_TOKEN=$token
gl run --tier nightly --no-smoke --run-id nightly-1 --report-to "$url" --report-bundle --report-required
expect_rc 0 "the first (green) run"
touch break-api
for run in nightly-2 nightly-3; do
    gl run --tier nightly --no-smoke --run-id "$run" --report-to "$url" --report-bundle
    expect_rc 1 "the red run $run"
    expect_grep "bundle of run $run: stored" "$last_err" "run $run"
done
unset GREENLIGHT_SERVE_TOKEN

note "a bridge job"
cat >"$work/hello.jcl" <<'JCL'
//HELLO    JOB (ACCT),'BROWSER',CLASS=A,MSGCLASS=A
//GREET    EXEC PGM=BPXBATCH,PARM='SH echo greetings from the spool'
//STDOUT   DD SYSOUT=*
JCL
curl -sS --max-time 20 -u "$bridge_user:$bridge_password" -H 'X-CSRF-ZOSMF-HEADER: true' \
    -H 'Content-Type: text/plain' -X PUT --data-binary "@$work/hello.jcl" \
    "$url/zosmf/restjobs/jobs" >"$last_out" 2>"$last_err" || fail "submitting a job to the bridge"
jobid=$(json "$last_out" "d['jobid']") || fail "no job id in the bridge's answer"
job_done() {
    curl -sS --max-time 5 -u "$bridge_user:$bridge_password" -H 'X-CSRF-ZOSMF-HEADER: true' \
        "$url/zosmf/restjobs/jobs/HELLO/$jobid" >"$last_out" 2>/dev/null &&
        [[ $(json "$last_out" "d['status']") == OUTPUT ]]
}
wait_for 30 job_done || fail "the bridge job $jobid did not reach OUTPUT"

# The watchdog evaluates a check right after an ingested run, on its own thread: wait until it has seen the last one.
check_down() {
    curl -fsS --max-time 5 "$url/api/v1/checks/nightly" >"$last_out" 2>/dev/null &&
        [[ $(json "$last_out" "d['state']") == down ]]
}
wait_for 30 check_down || fail "the check nightly is not down after two failed runs: $(cat "$last_out")"

note "the browser"
# The script's own time limit is below this one; `timeout` only stops a script that hangs past it.
mkdir -p "$work/tmp"
TMPDIR=$work/tmp timeout -k 5 200 node "$script" --url "$url" --chromium "$chromium" --output "$output" \
    --playwright "$npm_prefix/node_modules/playwright-core" --job "HELLO/$jobid" \
    >"$work/browser.out" 2>&1
browser_rc=$?
# On a failure, `fail` shows the script's output (its FAIL line names the page and what was expected).
last_out=$work/browser.out
last_err=/dev/null
[[ $browser_rc == 0 ]] || fail "the browser checks failed (exit $browser_rc); screenshots in $output"
cat "$work/browser.out"

kill -TERM "$serve_pid"
wait_for 15 bash -c "! kill -0 $serve_pid 2>/dev/null" || fail "serve did not stop on SIGTERM"
expect_no_grep "$token" "$work/serve.log"
echo "screenshots: $output"
echo "PASS serve_browser"
