# Helpers for the CLI tests that compare greenlight's patch coverage with diff-cover's (sourced after
# common.bash, not a test itself).
#
#   source "$(dirname "$0")/lib/common.bash"
#   source "$(dirname "$0")/lib/diff_cover.bash"
#   gl_init "$@"
#   require_tool diff-cover diff-cover
#   cd "$repo"                         # a git repository: branch main is the base, HEAD the change
#   compare_with_diff_cover REPORT
# shellcheck shell=bash

# require_tool COMMAND DEBIAN_PACKAGE: fails the test, naming the package, when COMMAND is not on PATH.
require_tool() {
    command -v "$1" >/dev/null \
        || fail "$1 is not installed (Debian package $2; scripts/install-deps.sh test installs it)"
}

# git_ ARGS...: git with a fixed identity and default branch, quiet (for building fixture repositories).
git_() { git -c user.name=greenlight -c user.email=ci@greenlight.invalid -c init.defaultBranch=main "$@" >/dev/null 2>&1; }

# compare_with_diff_cover REPORT: run in the fixture repository. Runs diff-cover and `greenlight gate` on
# REPORT and the change main...HEAD and fails unless both find the same measured added lines and the same
# uncovered ones: equal totals, and for every file either of them counts, the same uncovered lines and the
# same percentage. Changed files that no report measures are left out on purpose: diff-cover drops them,
# greenlight lists them (docs/GATE.md, "Agreement with diff-cover"); they are printed, not compared.
# Leaves greenlight's JSON in $last_out.
compare_with_diff_cover() {
    local report=$1
    diff-cover "$report" --compare-branch=main --json-report "$work/diff-cover.json" >"$work/diff-cover.out" 2>&1 \
        || { cat "$work/diff-cover.out" >&2; fail "diff-cover failed on $report"; }
    gl gate --base main --head HEAD --coverage "$report" --json --labels R1-low
    [[ $rc == 0 || $rc == 1 ]] || fail "greenlight gate failed on $report (exit $rc)"
    "$python" - "$work/diff-cover.json" "$last_out" "$report" <<'PY' || exit 1
import json, sys
diff_cover = json.load(open(sys.argv[1]))
ours = json.load(open(sys.argv[2]))["patch_coverage"]
report = sys.argv[3]
problems = []
measured = diff_cover["total_num_lines"]
covered = measured - diff_cover["total_num_violations"]
if (ours["measured"], ours["covered"]) != (measured, covered):
    problems.append(f"totals: greenlight {ours['covered']}/{ours['measured']}, diff-cover {covered}/{measured}")
our_files = {}
for f in ours["files"]:
    lines = []
    for first, last in f["uncovered"]:
        lines.extend(range(first, last + 1))
    our_files[f["path"]] = (f["covered"], f["measured"], sorted(lines))
for path, stats in diff_cover["src_stats"].items():
    theirs = sorted(stats["violation_lines"])
    if path not in our_files:
        # diff-cover also lists a measured file whose added lines are all unmeasured (100%, no violations).
        if theirs or stats["percent_covered"] != 100:
            problems.append(f"{path}: diff-cover measures it ({stats['percent_covered']:.2f}%, uncovered {theirs}), "
                            "greenlight does not")
        continue
    our_covered, our_measured, our_uncovered = our_files[path]
    if our_uncovered != theirs:
        problems.append(f"{path}: greenlight uncovered {our_uncovered}, diff-cover {theirs}")
    if our_measured and abs(100.0 * our_covered / our_measured - stats["percent_covered"]) > 1e-9:
        problems.append(f"{path}: greenlight {our_covered}/{our_measured}, diff-cover {stats['percent_covered']}%")
for path, (our_covered, our_measured, _) in our_files.items():
    if our_measured and path not in diff_cover["src_stats"]:
        problems.append(f"{path}: greenlight measures {our_measured} added lines, diff-cover none")
if problems:
    print(f"FAIL: {report}: greenlight and diff-cover disagree:", *problems, sep="\n  ", file=sys.stderr)
    sys.exit(1)
print(f"--- {report}: {covered}/{measured} measured added lines covered in {len(our_files)} files, same as diff-cover")
if ours.get("unmeasured_files"):
    print(f"--- {report}: not compared (diff-cover drops them): unmeasured {', '.join(ours['unmeasured_files'])}")
PY
}
