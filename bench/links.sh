#!/usr/bin/env bash
# Benchmark of `greenlight check --only links` against markdown-link-check and remark-cli +
# remark-validate-links (both offline) on a generated docs tree: 5,000 Markdown files, 105,000 links
# (100,000 local, 5,000 http ones every tool is told to skip) and a known planted set of broken links.
#
#   bench/links.sh [GREENLIGHT]        GREENLIGHT defaults to build/greenlight
#
# Environment: BENCH_DIR (work folder, default $TMPDIR/greenlight-bench-links), BENCH_NPM_PREFIX (where the
# peers are installed, default $TMPDIR/greenlight-bench-npm; installed on first use with npm), AREAS and
# PAGES (tree shape, default 50 x 100), MLC_FILES (how many files markdown-link-check runs on; default all,
# the run is extrapolated per file when it is a subset), SKIP_PEERS=1 to time greenlight alone.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
greenlight=${1:-${GREENLIGHT:-$here/build/greenlight}}
tmp=${TMPDIR:-/tmp}
bench_dir=${BENCH_DIR:-$tmp/greenlight-bench-links}
npm_prefix=${BENCH_NPM_PREFIX:-$tmp/greenlight-bench-npm}
areas=${AREAS:-50}
pages=${PAGES:-100}

[ -x "$greenlight" ] || { echo "links.sh: $greenlight is not an executable greenlight; build it first" >&2; exit 2; }
greenlight=$(cd "$(dirname "$greenlight")" && pwd)/$(basename "$greenlight")

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }

# --- the docs tree -------------------------------------------------------------------------------------
tree=$bench_dir/tree
rm -rf "$tree"
mkdir -p "$tree"
python3 - "$tree" "$areas" "$pages" > "$bench_dir/planted.txt" <<'PY'
import os, random, sys
root, areas, pages = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(20261121)
sections = 5
os.makedirs(os.path.join(root, "assets"), exist_ok=True)
for image in range(20):
    open(os.path.join(root, "assets", f"img{image}.png"), "wb").write(b"\x89PNG\r\n")
total = areas * pages
# Planted: 5% of the files get one broken file link, 5% one link to a missing heading in another file.
broken_file = set(rng.sample(range(total), total // 20))
broken_anchor = set(rng.sample(range(total), total // 20))
links = local = 0
for number in range(total):
    area, page = divmod(number, pages)
    lines = [f"# Page {area}-{page}", "", f"Generated page {page} of area {area}.", ""]
    body = []
    for _ in range(10):  # cross-folder links to headings
        other_area, other_page = rng.randrange(areas), rng.randrange(pages)
        body.append(f"See [area {other_area} page {other_page}](../area{other_area:02}/page{other_page:03}.md#section-{rng.randrange(1, sections + 1)}).")
    for _ in range(5):  # same-folder file links
        body.append(f"Next: [page](page{rng.randrange(pages):03}.md).")
    for _ in range(3):  # same-file headings
        body.append(f"Jump to [section](#section-{rng.randrange(1, sections + 1)}).")
    for _ in range(2):  # images
        body.append(f"![figure](../../assets/img{rng.randrange(20)}.png)")
    body.append(f"External: [site](https://example.com/area{area}/page{page}) (not checked offline).")
    if number in broken_file:
        body[0] = f"See [gone](../area{area:02}/missing-{page:03}.md#section-1)."
    if number in broken_anchor:
        body[1] = f"See [no such heading](../area{(area + 1) % areas:02}/page{page:03}.md#section-{sections + 4})."
    links += len(body)
    local += len(body) - 1
    for section in range(1, sections + 1):
        lines += [f"## Section {section}", ""] + body[(section - 1) * 4:section * 4] + [""]
    lines += body[sections * 4:]
    folder = os.path.join(root, "docs", f"area{area:02}")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, f"page{page:03}.md"), "w") as out:
        out.write("\n".join(lines) + "\n")
print(f"files={total} links={links} local={local} broken_files={len(broken_file)} broken_anchors={len(broken_anchor)}")
PY
# shellcheck disable=SC1090
eval "$(cat "$bench_dir/planted.txt")"
planted=$((broken_files + broken_anchors))
cat > "$tree/greenlight.yml" <<'YML'
version: 1
project: links-bench
checks:
  links:
    type: links
    paths: ["**/*.md"]
YML
echo "docs tree: $tree: $files Markdown files, $links links ($local local), planted broken: $broken_files files + $broken_anchors anchors = $planted"

# --- greenlight ----------------------------------------------------------------------------------------
cd "$tree"
"$greenlight" check --only links --json > /dev/null 2>&1 || true  # warm the page cache, as for every tool
# greenlight takes well under a second, so one run is noise: the median of three counts.
runs=()
for run in 1 2 3; do
    start=$(now)
    set +e
    "$greenlight" check --only links --json > "$bench_dir/greenlight.json" 2> "$bench_dir/greenlight.err"
    status=$?
    set -e
    runs+=("$(elapsed "$start" "$(now)")")
done
greenlight_seconds=$(printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p)
greenlight_found=$(python3 -c '
import json, sys
report = json.load(open(sys.argv[1]))
print(sum(len(check["findings"]) for check in report["checks"]))' "$bench_dir/greenlight.json")
echo "greenlight:  ${greenlight_seconds}s (median of ${runs[*]}), exit $status, found $greenlight_found of $planted planted"
[ "$greenlight_found" -eq "$planted" ] || echo "  (greenlight did not find exactly the planted set: see $bench_dir/greenlight.json)"

if [ "${SKIP_PEERS:-0}" = 1 ]; then exit 0; fi

# --- the peers -----------------------------------------------------------------------------------------
if [ ! -x "$npm_prefix/node_modules/.bin/remark" ] || [ ! -x "$npm_prefix/node_modules/.bin/markdown-link-check" ]; then
    echo "installing markdown-link-check, remark-cli, remark-validate-links into $npm_prefix"
    mkdir -p "$npm_prefix"
    npm install --no-save --no-audit --no-fund --prefix "$npm_prefix" markdown-link-check remark-cli \
        remark-validate-links > "$bench_dir/npm.log" 2>&1
fi
bin=$npm_prefix/node_modules/.bin

# remark-validate-links: files and headings across files, offline by design (`repository:false`: the
# tree is not a git clone, and no hosted-URL checks are wanted). The plugin is named by its path since
# remark resolves plugins from the working folder.
start=$(now)
set +e
"$bin/remark" --use "$npm_prefix/node_modules/remark-validate-links/index.js=repository:false" --no-stdout \
    --frail --quiet --no-config --no-ignore --no-color . > "$bench_dir/remark.out" 2> "$bench_dir/remark.err"
set -e
remark_seconds=$(elapsed "$start" "$(now)")
# One broken link can give two warnings (missing file, and so missing heading in it): count places.
remark_found=$(python3 -c '
import re, sys
places, current = set(), None
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    if line and not line[0].isspace() and not re.match(r"\d+:\d+", line):
        current = line.strip()
    match = re.match(r"(\d+:\d+)(?:-\d+:\d+)?\s+warning\s.*missing-(file|heading)", line)
    if match:
        places.add((current, match.group(1)))
print(len(places))' "$bench_dir/remark.err")
echo "remark-validate-links:  ${remark_seconds}s, found $remark_found of $planted planted"

# markdown-link-check: one file after another; http(s) links skipped by the config.
printf '{ "ignorePatterns": [{ "pattern": "^https?:" }] }\n' > "$bench_dir/mlc.json"
find docs -name '*.md' | sort > "$bench_dir/all-files.txt"
mlc_files=${MLC_FILES:-$files}
head -n "$mlc_files" "$bench_dir/all-files.txt" > "$bench_dir/mlc-files.txt"
start=$(now)
set +e
xargs -a "$bench_dir/mlc-files.txt" -n 500 "$bin/markdown-link-check" -q -c "$bench_dir/mlc.json" \
    > "$bench_dir/mlc.out" 2>&1
set -e
mlc_seconds=$(elapsed "$start" "$(now)")
mlc_found=$(grep -c '\[✖\]' "$bench_dir/mlc.out" || true)
if [ "$mlc_files" -lt "$files" ]; then
    measured=$mlc_seconds
    mlc_seconds=$(python3 -c "import sys; print(f'{float(sys.argv[1]) * int(sys.argv[2]) / int(sys.argv[3]):.3f}')" \
        "$measured" "$files" "$mlc_files")
    echo "markdown-link-check:  ${measured}s on $mlc_files of $files files, extrapolated per file to ${mlc_seconds}s;" \
        "found $mlc_found (in the subset) of $planted planted"
else
    echo "markdown-link-check:  ${mlc_seconds}s, found $mlc_found of $planted planted (it checks files and same-file anchors only)"
fi

python3 - "$greenlight_seconds" "$remark_seconds" "$mlc_seconds" <<'PY'
import sys
greenlight, remark, mlc = map(float, sys.argv[1:])
fastest = min(remark, mlc)
print(f"ratios: remark-validate-links / greenlight = {remark / greenlight:.1f}x, "
      f"markdown-link-check / greenlight = {mlc / greenlight:.1f}x; "
      f"fastest peer / greenlight = {fastest / greenlight:.1f}x (target >= 50x)")
PY
