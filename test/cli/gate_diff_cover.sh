#!/usr/bin/env bash
# Patch coverage must agree with diff-cover on the same diff and reports: the same measured added
# lines and the same uncovered ones. Reports come from coverage.py (Cobertura XML and LCOV) run on
# a real change in a real git repository.
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"
command -v diff-cover >/dev/null || fail "diff-cover is not installed (Debian package diff-cover)"
"$python" -m coverage --version >/dev/null 2>&1 || fail "coverage.py is not installed (Debian package python3-coverage)"

repo=$work/repo
mkdir -p "$repo/shop" "$repo/tests"
cd "$repo"
git_() { git -c user.name=greenlight -c user.email=ci@greenlight.invalid -c init.defaultBranch=main "$@" >/dev/null 2>&1; }
git_ init
cat > shop/__init__.py <<'PY'
PY
cat > shop/cart.py <<'PY'
def total(prices):
    return sum(prices)
PY
cat > tests/test_cart.py <<'PY'
from shop.cart import total


def test_total():
    assert total([1, 2]) == 3
PY
printf '.coverage\ncoverage.xml\ncoverage.lcov\n*.json\n__pycache__/\n' > .gitignore
git_ add -A && git_ commit -m base

git_ checkout -b feature
cat > shop/cart.py <<'PY'
def total(prices):
    return sum(prices)


def discount(price, percent):
    if percent < 0:
        raise ValueError("negative discount")
    if percent > 100:
        return 0
    return price - price * percent // 100


def never_called(x):
    y = x * 2
    return y
PY
cat > shop/tax.py <<'PY'
RATE = 20


def with_tax(price):
    return price + price * RATE // 100
PY
cat >> tests/test_cart.py <<'PY'


def test_discount():
    from shop.cart import discount
    assert discount(100, 10) == 90
PY
git_ add -A && git_ commit -m "discounts and tax"

PYTHONDONTWRITEBYTECODE=1 "$python" -m coverage run --source=shop -m pytest -q -p no:cacheprovider tests >/dev/null 2>&1 \
    || fail "the fixture's tests failed"
"$python" -m coverage xml -o coverage.xml >/dev/null
"$python" -m coverage lcov -o coverage.lcov >/dev/null 2>&1 || note "coverage.py has no lcov output here"

compare() {  # compare REPORT: greenlight's patch coverage equals diff-cover's
    local report=$1
    diff-cover "$report" --compare-branch=main --json-report "$work/diff-cover.json" >/dev/null 2>&1 \
        || fail "diff-cover failed on $report"
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
ours_uncovered = {}
for f in ours["files"]:
    lines = []
    for first, last in f["uncovered"]:
        lines.extend(range(first, last + 1))
    ours_uncovered[f["path"]] = lines
for path, stats in diff_cover["src_stats"].items():
    theirs = sorted(stats["violation_lines"])
    if sorted(ours_uncovered.get(path, [])) != theirs:
        problems.append(f"{path}: greenlight uncovered {ours_uncovered.get(path, [])}, diff-cover {theirs}")
if problems:
    print(f"FAIL: {report}: greenlight and diff-cover disagree:", *problems, sep="\n  ", file=sys.stderr)
    sys.exit(1)
print(f"--- {report}: {covered}/{measured} measured added lines covered, same as diff-cover")
PY
}

note "Cobertura from coverage.py"
compare coverage.xml
# Make sure the comparison is not vacuous: the change has measured and uncovered added lines.
expect_json "$last_out" "d['patch_coverage']['measured'] > 5 and d['patch_coverage']['covered'] < d['patch_coverage']['measured']" "true"
if [[ -s coverage.lcov ]]; then
    note "LCOV from coverage.py"
    compare coverage.lcov
fi
echo "PASS: gate_diff_cover"
