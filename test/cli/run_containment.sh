#!/usr/bin/env bash
# Containment, as a user would check it, in both modes (a cgroup per attempt where the host allows, and the
# process-group fallback): a daemon that double-forks, calls setsid() and clears its environment does not
# survive its suite and is reported; a writer that outlives its suite cannot change the bundle after the
# manifest; SIGKILL of greenlight takes its suites with it; and (cgroup mode) what a killed greenlight and its
# guardian left is swept, and said, at the next start.
# Usage: run_containment.sh GREENLIGHT_BINARY
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"
unset GREENLIGHT_TIER GREENLIGHT_RUN_ID GREENLIGHT_ARTIFACT_DIR GITHUB_ACTIONS GITHUB_STEP_SUMMARY

project=$work/project
mkdir -p "$project"
cd "$project" || fail "cd $project"
daemon=$(make_sleeper escaped-daemon)
held=$(make_sleeper held-by-suite)
orphan=$(make_sleeper orphaned-by-kill)
cat >writer.sh <<'SH'
while :; do echo "written late"; sleep 0.01; done
SH
cat >greenlight.yml <<YML
version: 1
project: contain
artifacts: out
defaults: { timeout: 1m, grace: 1s }
suites:
  escape:
    run: "setsid -f env -i $daemon 300; until pgrep -f $daemon >/dev/null; do sleep 0.01; done; echo escaped"
  late-writer:
    run: "setsid -f env -i /bin/sh $project/writer.sh; sleep 0.1; echo done"
  long:
    run: "$held 300"
  long-with-daemon:
    run: "setsid -f env -i $orphan 300; $held 300"
tiers:
  escape: [escape]
  late: [late-writer]
  long: [long]
  daemon: [long-with-daemon]
YML

no_survivors() { [[ -z $(survivors "$1") ]]; }

for mode in auto process-group; do
    if [[ $mode == process-group ]]; then export GREENLIGHT_CONTAINMENT=process-group; else unset GREENLIGHT_CONTAINMENT; fi
    note "$mode: a daemon with a cleared environment is stopped and reported"
    gl run --tier escape --run-id "escape-$mode" --no-smoke
    expect_rc 0 "$mode: escape run"
    result=out/contain/escape-$mode/suites/escape/result.json
    summary=out/contain/escape-$mode/summary.json
    wait_for 2 no_survivors "$daemon" || fail "$mode: the escaped daemon survived the run: $(survivors "$daemon")"
    expect_json "$result" "str(any('$daemon' in p['command'] for p in d['attempts'][-1]['leaked_processes']))" True \
        "$mode: the daemon is reported in leaked_processes"
    mode_used=$(json "$summary" "d['containment']['mode']")
    expect_json "$result" "d['attempts'][-1]['containment']" "$mode_used" "$mode: result.json and summary.json agree"
    if [[ $mode == process-group ]]; then
        [[ $mode_used == process-group ]] || fail "GREENLIGHT_CONTAINMENT=process-group ran as $mode_used"
        expect_json "$summary" "d['containment']['fallback_reason']" "GREENLIGHT_CONTAINMENT=process-group"
    fi
    if [[ $mode_used == cgroup ]]; then
        expect_json "$result" "str(d['attempts'][-1]['resources']['cpu_ms'] is not None)" True "cgroup mode counts CPU"
    fi

    note "$mode: a writer that outlives its suite cannot change the bundle afterwards"
    gl run --tier late --run-id "late-$mode" --no-smoke
    expect_rc 0 "$mode: late-writer run"
    # The writer is stopped with its suite; once it is gone nothing can write any more (and one that survived has
    # had the whole wait to write).
    wait_for 3 no_survivors "$project/writer.sh"
    gl verify "out/contain/late-$mode"
    expect_rc 0 "$mode: the bundle still verifies after the suite's writer had time to write"
    [[ -z $(pgrep -f -- "$project/writer.sh") ]] || fail "$mode: the writer survived"

    note "$mode: SIGKILL of greenlight takes its suites with it"
    "$greenlight" run --tier long --run-id "kill-$mode" --no-smoke >"$work/kill.out" 2>&1 &
    runner=$!
    wait_for 10 pgrep -f -- "$held" >/dev/null || fail "$mode: the suite never started"
    kill -KILL "$runner"
    wait "$runner" 2>/dev/null
    wait_for 5 no_survivors "$held" || fail "$mode: the suite outlived greenlight: $(survivors "$held")"
done
unset GREENLIGHT_CONTAINMENT

gl run --tier escape --run-id probe-mode --no-smoke
if [[ $(json out/contain/probe-mode/summary.json "d['containment']['mode']") != cgroup ]]; then
    note "no cgroup can be made here: the cgroup-only checks are skipped"
    exit 0
fi

note "cgroup: SIGKILL of greenlight also stops a daemon that had left the suite's session"
"$greenlight" run --tier daemon --run-id kill-daemon --no-smoke >"$work/kill.out" 2>&1 &
runner=$!
wait_for 10 pgrep -f -- "$held" >/dev/null || fail "the suite never started"
wait_for 10 pgrep -f -- "$orphan" >/dev/null || fail "the daemon never started"
kill -KILL "$runner"
wait "$runner" 2>/dev/null
wait_for 5 no_survivors "$orphan" || fail "a daemon outlived greenlight: $(survivors "$orphan")"
wait_for 5 no_survivors "$held" || fail "the suite outlived greenlight: $(survivors "$held")"

note "cgroup: greenlight and its guardian killed together: the next run stops what they left, and says so"
# In a cgroup of this test's own: any greenlight starting elsewhere meanwhile (another test) sweeps stale sessions
# beside its own cgroup, and would otherwise clean up before the run this test expects to do it.
cg_mount=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' /proc/self/mountinfo | head -1)
cg=$cg_mount$(sed -n 's/^0:://p' /proc/self/cgroup)/cli-containment-$$
mkdir "$cg" || fail "cannot make the test's cgroup $cg"
trap 'gl_cleanup; rmdir "$cg" 2>/dev/null' EXIT
in_cgroup() { sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg" "$@"; }
# Not through the function: $! must be greenlight's own pid (sh execs it).
sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg" "$greenlight" run --tier daemon --run-id kill-both --no-smoke \
    >"$work/kill.out" 2>&1 &
runner=$!
wait_for 10 pgrep -f -- "$orphan" >/dev/null || fail "the daemon never started"
guardian=$(pgrep -P "$runner" -f -- "--run-id kill-both" | head -1)
[[ -n $guardian ]] || fail "no guardian process found beside greenlight"
kill -KILL "$guardian" "$runner"
wait "$runner" 2>/dev/null
# Once the guardian is gone too (no longer in the process table, or a zombie), nothing is left that could stop
# the daemon.
gone() { [[ ! -e /proc/$1 ]] || [[ $(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) == Z ]]; }
wait_for 5 gone "$guardian" || fail "the guardian $guardian is still running after SIGKILL"
[[ -n $(survivors "$orphan") ]] || fail "the test did not leave the daemon running (nothing to sweep)"
in_cgroup "$greenlight" run --tier escape --run-id after-kill --no-smoke >"$last_out" 2>"$last_err" </dev/null
rc=$?
expect_rc 0 "the run after the kill"
wait_for 3 no_survivors "$orphan" || fail "the next run did not stop what the killed one left: $(survivors "$orphan")"
expect_grep "stopped [0-9]+ process(es)? that an earlier greenlight \\(pid $runner" "$last_err" \
    "the next run says what it cleaned up"
expect_grep "$orphan" "$last_err" "the cleaned-up process is named"
expect_json out/contain/after-kill/summary.json \
    "str(any('$orphan' in p['command'] for s in d['containment']['swept_at_start'] for p in s['processes']))" True \
    "summary.json records what was swept"
echo "ok"
