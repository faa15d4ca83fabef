#!/usr/bin/env bash
# `greenlight run --shard I/N` splits a tier's suites across shards (every suite exactly once, the
# same split every time it is planned, balanced by --durations-from), and `greenlight merge` joins
# the shard bundles of one run: exit 0 when green, 1 when a shard is red, missing (also with
# --allow-partial, which leaves the run incomplete) or does not verify, 2 for bundles of different runs,
# shard counts, a shard twice or a shard with an unsharded run; packed .tar.gz shards merge too.
# Usage: merge_shards.sh GREENLIGHT_BINARY
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"
unset GREENLIGHT_TIER GREENLIGHT_RUN_ID GREENLIGHT_ARTIFACT_DIR GITHUB_ACTIONS GITHUB_STEP_SUMMARY MAKE_RED

project=$work/project
mkdir -p "$project"
cd "$project" || fail "cd $project"
cat >greenlight.yml <<'YML'
version: 1
project: sharded
artifacts: out
defaults: { timeout: 20s }
suites:
  s1:
    run: "printf '1..2\\nok 1 a\\nok 2 b\\n' > {outputs}/r.tap"
    results: { tap: "{outputs}/r.tap" }
  s2:
    run: "printf '1..3\\nok 1 a\\nok 2 b\\nok 3 c\\n' > {outputs}/r.tap"
    results: { tap: "{outputs}/r.tap" }
  s3:
    run: "echo s3"
  s4:
    run: "echo s4; test -z \"$MAKE_RED\""
  s5:
    run: "printf '1..4\\nok 1 a\\nok 2 b\\nok 3 c\\nok 4 d # SKIP not here\\n' > {outputs}/r.tap"
    results: { tap: "{outputs}/r.tap" }
tiers:
  wide: [s1, s2, s3, s4, s5]
YML
all_suites="s1 s2 s3 s4 s5"

# planned_suites SHARD [ARGS...]: the suites `run --list` plans for SHARD, sorted, one line.
planned_suites() {
    local shard=$1; shift
    gl run --tier wide --no-smoke --shard "$shard" --list "$@"
    [[ $rc == 0 ]] || fail "run --list --shard $shard $*: exit code $rc"
    sed -n 's/^  \([A-Za-z0-9._-]\{1,\}\)  .*/\1/p' "$last_out" | sort | tr '\n' ' ' | sed 's/ $//'
}
# suites_in SUMMARY: the suite names in a summary.json, sorted, one line.
suites_in() { json "$1" "' '.join(sorted(s['name'] for s in d['suites']))"; }

note "two shards cover every suite exactly once"
# These two run the smoke guard as CI would: its outputs must survive the merge.
gl run --tier wide --shard 1/2 --run-id R --artifact-dir "$work/shard-a"
expect_rc 0 "shard 1/2"
gl run --tier wide --shard 2/2 --run-id R --artifact-dir "$work/shard-b"
expect_rc 0 "shard 2/2"
a=$work/shard-a/sharded/R
b=$work/shard-b/sharded/R
suites_a=$(suites_in "$a/summary.json")
suites_b=$(suites_in "$b/summary.json")
[[ -n $suites_a && -n $suites_b ]] || fail "a shard ran no suite: shard 1 [$suites_a], shard 2 [$suites_b]"
together=$(echo "$suites_a $suites_b" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')
[[ $together == "$all_suites" ]] || fail "the shards ran [$suites_a] and [$suites_b]; together they must be each of [$all_suites] once"
expect_json "$a/summary.json" "[d['shard']['index'], d['shard']['count']]" '[1, 2]' "shard 1 summary.json"
expect_json "$b/summary.json" "[d['shard']['index'], d['shard']['count']]" '[2, 2]' "shard 2 summary.json"
# Each shard records the suites the others run: together with its own, the whole tier.
expect_json "$a/summary.json" "' '.join(sorted(d['shard']['other_shards_suites']))" "$suites_b" "shard 1 summary.json"
expect_json "$b/summary.json" "' '.join(sorted(d['shard']['other_shards_suites']))" "$suites_a" "shard 2 summary.json"

note "the split is the same when planned again"
[[ $(planned_suites 1/2) == "$suites_a" ]] || fail "run --list --shard 1/2 plans [$(planned_suites 1/2)], shard 1 ran [$suites_a]"
[[ $(planned_suites 2/2) == "$suites_b" ]] || fail "run --list --shard 2/2 plans [$(planned_suites 2/2)], shard 2 ran [$suites_b]"

note "merge two green shards"
gl merge "$a" "$b" -o "$work/merged"
expect_rc 0 "merge of two green shards"
merged=$work/merged
expect_file "$merged/summary.json" "merged summary.json"
[[ $(suites_in "$merged/summary.json") == "$all_suites" ]] || fail "merged summary has suites [$(suites_in "$merged/summary.json")]"
expect_json "$merged/summary.json" "d['schema']" "greenlight.summary/v1" "merged summary.json"
expect_json "$merged/summary.json" "d['run_id']" "R" "merged summary.json"
expect_json "$merged/summary.json" "d['status']" "complete" "merged summary.json"
expect_json "$merged/summary.json" "d['verdict']" "pass" "merged summary.json"
expect_json "$merged/summary.json" "d['green']" "true" "merged summary.json"
"$python" - "$a/summary.json" "$b/summary.json" "$merged/summary.json" <<'PY' || fail "merged counts are not the sums of the shards' counts"
import json, sys
a, b, m = (json.load(open(p)) for p in sys.argv[1:])
keys = set(a["counts"]) | set(b["counts"])
sums = {k: a["counts"].get(k, 0) + b["counts"].get(k, 0) for k in keys}
per_suite = {}
for s in m["suites"]:
    for k, v in s["counts"].items():
        per_suite[k] = per_suite.get(k, 0) + v
ok = all(m["counts"].get(k) == v for k, v in sums.items()) and m["counts"]["total"] == 11 and m["counts"]["passed"] == 10 \
     and m["counts"]["skipped"] == 1 and all(m["counts"][k] == per_suite.get(k, 0) for k in m["counts"])
if not ok:
    print("shard counts:", a["counts"], b["counts"], "merged:", m["counts"], file=sys.stderr)
    sys.exit(1)
PY
for s in $all_suites; do
    expect_file "$merged/suites/$s/result.json" "merged bundle: suites/$s/result.json"
    expect_file "$merged/suites/$s/output.log" "merged bundle: suites/$s/output.log"
done
expect_file "$merged/junit.xml" "merged junit.xml"
"$python" -c '
import sys, xml.etree.ElementTree as ET
names = sorted(s.get("name") for s in ET.parse(sys.argv[1]).getroot().iter("testsuite"))
sys.exit(0 if names == ["s1", "s2", "s3", "s4", "s5"] else 1)' "$merged/junit.xml" || fail "merged junit.xml does not have one <testsuite> per suite"
expect_file "$merged/summary.md" "merged summary.md"
expect_dir "$a/smoke" "shard 1: smoke/"
[[ -n $(find "$merged/smoke" -name smoke-report.json 2>/dev/null) ]] || fail "the merged bundle lost the shards' smoke guard outputs (no smoke/**/smoke-report.json)"
[[ $(find "$merged/smoke" -name smoke-report.json | wc -l) == 2 ]] || fail "the merged bundle should keep both shards' smoke reports"
gl verify "$merged"
expect_rc 0 "verify of the merged bundle"

note "merge into a non-empty folder is refused"
gl merge "$a" "$b" -o "$merged"
expect_rc 2 "merge into a non-empty folder"

note "the same shard twice is refused"
gl merge "$a" "$a" -o "$work/merged-overlap"
expect_rc 2 "merge of a shard with itself"
expect_grep "both shard 1/2" "$last_err" "the message names the duplicate shard"

note "a lost shard makes the merged run red and names it"
gl merge "$a" -o "$work/merged-partial"
expect_rc 1 "merge of shard 1 of 2 alone"
expect_json "$work/merged-partial/summary.json" "d['verdict']" "error" "merge of shard 1 of 2 alone"
expect_json "$work/merged-partial/summary.json" "d['green']" "false" "merge of shard 1 of 2 alone"
expect_json "$work/merged-partial/summary.json" "d['status']" "incomplete" "merge of shard 1 of 2 alone"
expect_json "$work/merged-partial/summary.json" "d['missing_shards']" '[{"count": 2, "index": 2}]' "merge of shard 1 of 2 alone"
expect_json "$work/merged-partial/summary.json" "' '.join(sorted(d['missing_suites']))" "$suites_b" "merge of shard 1 of 2 alone"
expect_grep "shard 2/2 missing" "$work/merged-partial/summary.json" "the reason names the missing shard"
expect_grep "shard 2/2 missing" "$last_out" "merge prints the missing shard"
gl verify "$work/merged-partial"
expect_rc 0 "verify of the partial merge"

note "--allow-partial writes the merged run as incomplete, never green"
gl merge "$b" --allow-partial -o "$work/merged-allowed"
expect_rc 1 "merge --allow-partial of shard 2 of 2 alone"
expect_json "$work/merged-allowed/summary.json" "d['verdict']" "pass" "merge --allow-partial (the verdict of the shards present)"
expect_json "$work/merged-allowed/summary.json" "d['green']" "false" "merge --allow-partial"
expect_json "$work/merged-allowed/summary.json" "d['status']" "incomplete" "merge --allow-partial"
expect_json "$work/merged-allowed/summary.json" "d['allow_partial']" "true" "merge --allow-partial"
expect_grep "shard 1/2 missing" "$work/merged-allowed/summary.json" "the reason names the missing shard"

note "merge --help explains the flags"
gl merge --help
expect_rc 0 "merge --help"
expect_grep "allow-partial" "$last_out" "merge --help"
expect_grep "never green" "$last_out" "merge --help"

note "one red shard makes the merged run red"
shard_with_s4=$a
grep -qw s4 <<<"$suites_b" && shard_with_s4=$b
index_with_s4=1
[[ $shard_with_s4 == "$b" ]] && index_with_s4=2
other_shard=$a
[[ $shard_with_s4 == "$a" ]] && other_shard=$b
MAKE_RED=1 gl run --tier wide --no-smoke --shard "$index_with_s4/2" --run-id R --artifact-dir "$work/shard-red"
expect_rc 1 "the red shard"
gl merge "$other_shard" "$work/shard-red/sharded/R" -o "$work/merged-red"
expect_rc 1 "merge with a red shard"
expect_json "$work/merged-red/summary.json" "d['verdict']" "fail" "merged summary with a red shard"
expect_json "$work/merged-red/summary.json" "d['green']" "false" "merged summary with a red shard"

note "bundles of different runs are refused"
gl run --tier wide --no-smoke --shard 2/2 --run-id OTHER --artifact-dir "$work/shard-other"
expect_rc 0 "shard 2/2 of another run"
gl merge "$a" "$work/shard-other/sharded/OTHER" -o "$work/merged-mixed"
expect_rc 2 "merge of shards of different runs"
expect_grep "run_id .R. in the first, .OTHER." "$last_err" "the message names the differing run id"

note "a shard of another shard count, or an unsharded run, is refused"
gl run --tier wide --no-smoke --shard 2/3 --run-id R --artifact-dir "$work/shard-of-three"
gl merge "$a" "$work/shard-of-three/sharded/R" -o "$work/merged-counts"
expect_rc 2 "merge of shard 1/2 with shard 2/3"
expect_grep "shard 2/3" "$last_err" "the message names the other shard count"
gl run --tier wide --no-smoke --run-id R --artifact-dir "$work/unsharded"
expect_rc 0 "the unsharded run"
gl merge "$a" "$work/unsharded/sharded/R" -o "$work/merged-unsharded"
expect_rc 2 "merge of a shard with an unsharded run"
expect_grep "not a shard" "$last_err" "the message says which input is not a shard"

note "a tampered shard is refused"
mkdir -p "$work/tampered"
cp -a "$b" "$work/tampered/R"
first_log=$(find "$work/tampered/R/suites" -name output.log | head -n 1)
echo "rewritten history" >>"$first_log"
gl merge "$a" "$work/tampered/R" -o "$work/merged-tampered"
expect_rc 1 "merge with a tampered shard"
cat "$last_out" "$last_err" >"$work/both"
expect_grep "modified" "$work/both" "the message says what does not verify"

note "packed shards merge too"
gl pack "$a" -o "$work/shard-1.tar.gz"
expect_rc 0 "pack shard 1"
gl pack "$b" -o "$work/shard-2.tar.gz"
expect_rc 0 "pack shard 2"
gl merge "$work/shard-1.tar.gz" "$work/shard-2.tar.gz" -o "$work/merged-packed"
expect_rc 0 "merge of packed shards"
[[ $(suites_in "$work/merged-packed/summary.json") == "$all_suites" ]] || fail "merge of packed shards has suites [$(suites_in "$work/merged-packed/summary.json")]"
gl verify "$work/merged-packed"
expect_rc 0 "verify of the bundle merged from archives"

note "--durations-from balances the shards"
"$python" - "$a/summary.json" "$work/earlier-summary.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
durations = {"s1": 3000, "s2": 10, "s3": 1000, "s4": 10, "s5": 5000}
d["suites"] = [{"name": n, "verdict": "pass", "green": True, "attempts": 1, "duration_ms": ms,
                "counts": {"passed": 1, "failed": 0, "errored": 0, "skipped": 0, "total": 1}}
               for n, ms in durations.items()]
d["shard"] = None
json.dump(d, open(sys.argv[2], "w"), indent=2)
PY
bal1=$(planned_suites 1/2 --durations-from "$work/earlier-summary.json")
bal2=$(planned_suites 2/2 --durations-from "$work/earlier-summary.json")
together=$(echo "$bal1 $bal2" | tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')
[[ $together == "$all_suites" ]] || fail "with durations the shards plan [$bal1] and [$bal2]; together they must be each of [$all_suites] once"
"$python" - "$bal1" "$bal2" <<'PY' || fail "with durations the shards are not balanced: [$bal1] and [$bal2]"
import sys
durations = {"s1": 3000, "s2": 10, "s3": 1000, "s4": 10, "s5": 5000}
loads = [sum(durations[s] for s in arg.split()) for arg in sys.argv[1:]]
# The best split puts s5 (5000 ms) alone: 5000 against 4020.
sys.exit(0 if max(loads) <= 5000 else 1)
PY
[[ "$bal1|$bal2" != "$suites_a|$suites_b" ]] || fail "--durations-from did not change the split ([$bal1] / [$bal2])"
[[ $(planned_suites 1/2 --durations-from "$work/earlier-summary.json") == "$bal1" ]] || fail "the balanced split is not deterministic"
gl run --tier wide --no-smoke --shard 1/2 --durations-from "$work/earlier-summary.json" --run-id BAL --artifact-dir "$work/shard-bal"
expect_rc 0 "balanced shard 1/2"
[[ $(suites_in "$work/shard-bal/sharded/BAL/summary.json") == "$bal1" ]] || fail "balanced shard 1 ran [$(suites_in "$work/shard-bal/sharded/BAL/summary.json")], planned [$bal1]"

echo "PASS: merge_shards"
