#!/usr/bin/env bash
# How fast and how lean is greenlight's patch coverage next to diff-cover on a large project? Generates a
# git repository of 20,000 Python files (2,400,000 lines), a change that modifies and adds lines in 2,000
# of them, and a coverage.py-style Cobertura report of the head (2,200,000 <line> entries, a fixed
# pseudo-random mix of hit and missed lines). Then runs, on the same inputs, once each:
#   diff-cover coverage.xml --compare-branch=main --json-report dc.json
#   greenlight gate --base main --head HEAD --coverage coverage.xml --json --labels R2-medium
# and prints both wall times, both peak resident set sizes, both patch percentages, whether the measured
# and uncovered added lines are the same (MATCH or MISMATCH), and the ratio diff-cover/greenlight.
# Targets: identical figures, greenlight at least 20x faster, greenlight's peak memory below diff-cover's.
# A report, not a test: a missed target does not fail the script (a mismatch or a crashed tool does).
# Usage: bench/patch_coverage.sh [GREENLIGHT_BINARY]   (default build/greenlight)
# Needs git, diff-cover, python3 and GNU time (/usr/bin/time, Debian package `time`).
set -euo pipefail

file_count=20000        # source files in the repository
lines_per_file=120      # every 12th line is a comment, so 110 measured lines per file
changed_every=10        # every 10th file is changed: 2,000 files
limit_seconds=900       # the whole script stops by itself after this long

# Everything below runs under one timeout; `timeout` signals the whole process group when it expires.
if [[ -z ${GREENLIGHT_PATCH_BENCH_BOUNDED:-} ]]; then
    export GREENLIGHT_PATCH_BENCH_BOUNDED=1
    exec timeout "$limit_seconds" bash "$0" "$@"
fi

binary=${1:-build/greenlight}
if [[ ! -x $binary ]]; then
    echo "patch_coverage: no greenlight binary at '$binary' (build it, or pass its path)" >&2
    exit 2
fi
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
python=/usr/bin/python3
[[ -x $python ]] || python=$(command -v python3 || true)
[[ -n $python ]] || { echo "patch_coverage: python3 is needed" >&2; exit 2; }
for tool in git diff-cover timeout; do
    command -v "$tool" >/dev/null || { echo "patch_coverage: '$tool' is needed (scripts/install-deps.sh test bench)" >&2; exit 2; }
done
gnu_time=/usr/bin/time
if ! "$gnu_time" -f '%e %M' true >/dev/null 2>&1; then
    echo "patch_coverage: GNU time is needed at /usr/bin/time (Debian package time: scripts/install-deps.sh bench)" >&2
    exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/greenlight-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
repo=$work/repo
mkdir -p "$repo"

git_() {
    git -C "$repo" -c user.name=greenlight -c user.email=bench@greenlight.invalid -c init.defaultBranch=main \
        -c gc.auto=0 "$@" >/dev/null
}

# --- the repository and the report ------------------------------------------------------------
# One generator for both commits: `base` writes every file as on main, `head` rewrites the changed
# files and writes the Cobertura report of the head tree. The content is a function of the file's index,
# so both runs agree without sharing state; hits come from a seeded generator, so every run is the same.
cat >"$work/generate.py" <<'PY'
import os
import random
import sys

stage, repo, report_path = sys.argv[1], sys.argv[2], sys.argv[3]
file_count, lines_per_file, changed_every = (int(a) for a in sys.argv[4:7])
packages = 200
files_per_package = file_count // packages


def path_of(index):
    return f"pkg_{index // files_per_package:03d}/mod_{index:05d}.py"


def is_changed(index):
    return index % changed_every == 3


def base_lines(index):
    return [f"# {path_of(index)}, part {n}" if n % 12 == 1 else f"value_{n} = {n} + {index}"
            for n in range(1, lines_per_file + 1)]


def head_lines(index):
    lines = base_lines(index)
    if not is_changed(index):
        return lines
    # Three lines modified, eight inserted (one a comment) further up, two appended at the end.
    for n in (70, 71, 72):
        lines[n - 1] = f"value_{n} = {n} * {index}  # changed"
    inserted = [f"added_{k} = {k} - {index}" if k != 4 else "# an added comment" for k in range(8)]
    lines[40:40] = inserted
    lines += ["tail_a = 1", "tail_b = 2"]
    return lines


def write_tree(which):
    for index in range(file_count):
        if which == "head" and not is_changed(index):
            continue
        path = os.path.join(repo, path_of(index))
        if index % files_per_package == 0:
            os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as out:
            out.write("\n".join(base_lines(index) if which == "base" else head_lines(index)) + "\n")


def write_report():
    rng = random.Random(20261121)
    out = open(report_path, "w")
    out.write('<?xml version="1.0" ?>\n'
              '<coverage version="7.2.7" timestamp="1763683200000" lines-valid="0" lines-covered="0" '
              'line-rate="0" branches-covered="0" branches-valid="0" branch-rate="0" complexity="0">\n'
              '\t<!-- Generated by coverage.py: https://coverage.readthedocs.io/en/7.2.7 -->\n'
              '\t<!-- Based on https://raw.githubusercontent.com/cobertura/web/master/htdocs/xml/coverage-04.dtd -->\n'
              f'\t<sources>\n\t\t<source>{os.path.abspath(repo)}</source>\n\t</sources>\n\t<packages>\n')
    for package in range(packages):
        out.write(f'\t\t<package name="pkg_{package:03d}" line-rate="0.7" branch-rate="0" complexity="0">\n'
                  '\t\t\t<classes>\n')
        for index in range(package * files_per_package, (package + 1) * files_per_package):
            path = path_of(index)
            parts = [f'\t\t\t\t<class name="{os.path.basename(path)}" filename="{path}" complexity="0" '
                     'line-rate="0.7" branch-rate="0">\n\t\t\t\t\t<methods/>\n\t\t\t\t\t<lines>\n']
            for number, text in enumerate(head_lines(index), start=1):
                if text.startswith("#"):
                    continue
                hits = 0 if rng.random() < 0.3 else rng.randint(1, 5)
                parts.append(f'\t\t\t\t\t\t<line number="{number}" hits="{hits}"/>\n')
            parts.append('\t\t\t\t\t</lines>\n\t\t\t\t</class>\n')
            out.write("".join(parts))
        out.write('\t\t\t</classes>\n\t\t</package>\n')
    out.write('\t</packages>\n</coverage>\n')
    out.close()


write_tree(stage)
if stage == "head":
    write_report()
PY

echo "patch_coverage: generating $file_count files, a change to $((file_count / changed_every)) of them, and the report..."
generation_start=$(date +%s%N)
generate() { "$python" "$work/generate.py" "$1" "$repo" "$work/coverage.xml" "$file_count" "$lines_per_file" "$changed_every"; }
git_ init
generate base
git_ add -A
git_ commit -q -m base
git_ checkout -q -b change
generate head
git_ commit -q -a -m change
generation_seconds=$(( ($(date +%s%N) - generation_start) / 1000000 ))
report_lines=$(grep -c '<line ' "$work/coverage.xml")
report_megabytes=$(( $(stat -c %s "$work/coverage.xml") / 1048576 ))
echo "patch_coverage: generated in $((generation_seconds / 1000)).$(printf '%03d' $((generation_seconds % 1000))) s:" \
     "$(git -C "$repo" ls-files | wc -l) files, $report_lines <line> entries ($report_megabytes MiB of Cobertura XML)," \
     "$(git -C "$repo" diff --name-only main...HEAD | wc -l) files changed"

# --- one timed run of each --------------------------------------------------------------------
# timed NAME EXPECTED_EXITS COMMAND...: runs in the repository, wall seconds and peak RSS (KiB) into
# $work/NAME.time; output into $work/NAME.out and $work/NAME.err.
timed() {
    local name=$1 expected=$2 status=0
    shift 2
    (cd "$repo" && "$gnu_time" -f '%e %M' -o "$work/$name.time" "$@") >"$work/$name.out" 2>"$work/$name.err" || status=$?
    if [[ " $expected " != *" $status "* ]]; then
        echo "patch_coverage: $name exited $status; its error output:" >&2
        tail -n 20 "$work/$name.err" >&2
        exit 1
    fi
}
echo "patch_coverage: running diff-cover..."
timed diff-cover "0" diff-cover "$work/coverage.xml" --compare-branch=main --json-report "$work/dc.json"
echo "patch_coverage: running greenlight gate..."
# Exit 1 is a red verdict (the patch is below the gate's minimum, or a label is missing): data, not a failure.
timed greenlight "0 1" "$binary" gate --base main --head HEAD --coverage "$work/coverage.xml" --json --labels R2-medium
cp "$work/greenlight.out" "$work/greenlight.json"

# GNU time puts "Command exited with non-zero status N" before its figures when the command fails.
read -r diff_cover_seconds diff_cover_kib < <(tail -n 1 "$work/diff-cover.time")
read -r greenlight_seconds greenlight_kib < <(tail -n 1 "$work/greenlight.time")

# --- the comparison ---------------------------------------------------------------------------
echo
echo "patch coverage: $file_count files, $report_lines report lines, $((file_count / changed_every)) changed files, one run each"
"$python" - "$work/dc.json" "$work/greenlight.json" <<'PY' || comparison=failed
import json
import sys

diff_cover = json.load(open(sys.argv[1]))
ours = json.load(open(sys.argv[2]))["patch_coverage"]
measured = diff_cover["total_num_lines"]
uncovered = diff_cover["total_num_violations"]
ours_uncovered = sum(f["measured"] - f["covered"] for f in ours["files"])
print(f"  diff-cover  patch {diff_cover['total_percent_covered']}%  measured {measured}  uncovered {uncovered}")
print(f"  greenlight  patch {ours['percent']}  measured {ours['measured']}  uncovered {ours_uncovered}")

problems = []
if (ours["measured"], ours["measured"] - ours["covered"]) != (measured, uncovered):
    problems.append(f"totals: greenlight {ours['measured']} measured / {ours['measured'] - ours['covered']} "
                    f"uncovered, diff-cover {measured} / {uncovered}")
ours_lines = {}
for f in ours["files"]:
    ours_lines[f["path"]] = sorted(n for first, last in f["uncovered"] for n in range(first, last + 1))
theirs_lines = {path: sorted(stats["violation_lines"]) for path, stats in diff_cover["src_stats"].items()}
for path in sorted(set(ours_lines) | set(theirs_lines)):
    if ours_lines.get(path, []) != theirs_lines.get(path, []):
        problems.append(f"{path}: greenlight uncovered {ours_lines.get(path)}, diff-cover {theirs_lines.get(path)}")
if ours["unmeasured_files"]:
    problems.append(f"greenlight found changed files no report measures: {ours['unmeasured_files'][:5]}")
if problems:
    print("  MISMATCH:", *problems[:20], sep="\n    ")
    if len(problems) > 20:
        print(f"    ... and {len(problems) - 20} more")
    sys.exit(1)
print(f"  MATCH: the same {measured} measured and {uncovered} uncovered added lines in "
      f"{len(theirs_lines)} files")
PY
awk -v dt="$diff_cover_seconds" -v gt="$greenlight_seconds" -v dm="$diff_cover_kib" -v gm="$greenlight_kib" 'BEGIN {
    printf "  diff-cover  %8.2f s  peak RSS %7.1f MiB\n", dt, dm / 1024
    printf "  greenlight  %8.2f s  peak RSS %7.1f MiB\n", gt, gm / 1024
    ratio = gt > 0 ? dt / gt : 0
    printf "  ratio diff-cover/greenlight: %.1fx (target >= 20x: %s)\n", ratio, (ratio >= 20 ? "met" : "missed")
    printf "  peak memory greenlight/diff-cover: %.2f (target < 1: %s)\n", gm / dm, (gm < dm ? "met" : "missed")
}'
[[ ${comparison:-} != failed ]] || exit 1
