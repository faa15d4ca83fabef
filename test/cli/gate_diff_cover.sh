#!/usr/bin/env bash
# Patch coverage must agree with diff-cover on the same diff and reports: the same measured added
# lines and the same uncovered ones. Reports come from coverage.py (Cobertura XML and LCOV) run on
# a real change in a real git repository. gate_diff_cover_native.sh does the same for gcovr, lcov and Go.
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/diff_cover.bash"
gl_init "$@"
require_tool diff-cover diff-cover
"$python" -m coverage --version >/dev/null 2>&1 || fail "coverage.py is not installed (Debian package python3-coverage)"

repo=$work/repo
mkdir -p "$repo/shop" "$repo/tests"
cd "$repo"
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

note "Cobertura from coverage.py"
compare_with_diff_cover coverage.xml
# Make sure the comparison is not vacuous: the change has measured and uncovered added lines.
expect_json "$last_out" "d['patch_coverage']['measured'] > 5 and d['patch_coverage']['covered'] < d['patch_coverage']['measured']" "true"
if [[ -s coverage.lcov ]]; then
    note "LCOV from coverage.py"
    compare_with_diff_cover coverage.lcov
fi
echo "PASS: gate_diff_cover"
