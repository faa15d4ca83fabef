#!/usr/bin/env bash
# Patch coverage must agree with diff-cover on reports from the native coverage tools, written on a real
# change in a real git repository: gcovr's Cobertura XML and lcov's tracefile for C compiled with --coverage.
# diff-cover cannot read Go cover profiles (it takes "XML or lcov.info"), so the Go report of a real
# `go test -coverprofile` is checked against `go tool cover -func` and the fixture's known lines instead.
# Everything (sources, objects, .gcda files, Go caches) stays in the test's temp dir.
source "$(dirname "$0")/lib/common.bash"
source "$(dirname "$0")/lib/diff_cover.bash"
gl_init "$@"
require_tool diff-cover diff-cover
require_tool gcc gcc
require_tool gcovr gcovr
require_tool lcov lcov
require_tool go golang-go

# --- C: one build and run, reported by gcovr and by lcov ------------------------------------------
repo=$work/c
mkdir -p "$repo/src"
cd "$repo" || exit 1
git_ init
cat > src/main.c <<'C'
#include <stdio.h>
#include "mathx.h"

int main(int argc, char **argv) {
    (void)argv;
    printf("%d\n", add(argc, 2));
    return 0;
}
C
cat > src/mathx.h <<'C'
int add(int a, int b);
int count_words(const char *s);
C
cat > src/mathx.c <<'C'
#include "mathx.h"

int add(int a, int b) {
    return a + b;
}
C
cat > src/words.c <<'C'
#include "mathx.h"

int count_words(const char *s) {
    int n = 0, in_word = 0;
    for (; *s; ++s) {
        if (*s == ' ') {
            in_word = 0;
        } else if (!in_word) {
            in_word = 1;
            ++n;
        }
    }
    return n;
}
C
cat > src/old.c <<'C'
int old(void) { return 1; }
C
printf '*.gcda\n*.gcno\n/app\n*.json\n*.out\n/gcovr.xml\n/lcov.info\n' > .gitignore
git_ add -A && git_ commit -m base

git_ checkout -b feature
# Changed: new functions with an untaken branch, a function never called and an excluded line; a renamed
# and edited file (words.c -> text/words.c); a header (no executable lines); a file that is never compiled
# (unmeasured: greenlight lists it, diff-cover drops it); a deleted file.
cat > src/main.c <<'C'
#include <stdio.h>
#include "mathx.h"

int main(int argc, char **argv) {
    (void)argv;
    printf("%d\n", add(argc, 2));
    printf("%d\n", clamp(argc, 2, 5));
    printf("%d\n", count_words("two words"));
    if (argc > 3)
        printf("many\n");
    return 0;
}
C
cat > src/mathx.h <<'C'
int add(int a, int b);
int clamp(int v, int lo, int hi);
int never_called(int x);
int count_words(const char *s);
int count_lines(const char *s);
C
cat > src/mathx.c <<'C'
#include "mathx.h"

int add(int a, int b) {
    return a + b;
}

int clamp(int v, int lo, int hi) {
    if (v < lo)
        return lo;
    if (v > hi) {
        return hi;
    }
    return v;
}

int never_called(int x) {
    int y = x * 2;
    if (y < 0)
        return -1; /* LCOV_EXCL_LINE */
    return y + 1;
}
C
mkdir -p src/text
git_ mv src/words.c src/text/words.c
cat >> src/text/words.c <<'C'

int count_lines(const char *s) {
    int n = 0;
    for (; *s; ++s)
        n += *s == '\n';
    return n;
}
C
cat > src/unused.c <<'C'
int unused(void) {
    return 42;
}
C
git_ rm src/old.c
git_ add -A && git_ commit -m "clamp, word and line counts"

gcc --coverage -O0 -Isrc -o app src/main.c src/mathx.c src/text/words.c >"$work/gcc.out" 2>&1 \
    || { cat "$work/gcc.out" >&2; fail "gcc --coverage failed"; }
./app >/dev/null || fail "the C fixture failed to run"
ls ./*.gcda >/dev/null 2>&1 || fail "running the fixture wrote no .gcda files"

note "Cobertura from gcovr"
gcovr -r . --xml-pretty -o gcovr.xml >"$work/gcovr.out" 2>&1 || { cat "$work/gcovr.out" >&2; fail "gcovr failed"; }
compare_with_diff_cover gcovr.xml
# Not vacuous: several files, covered and uncovered added lines, and the never-compiled file listed.
expect_json "$last_out" "(len(d['patch_coverage']['files']) >= 3, d['patch_coverage']['measured'] > 10, 0 < d['patch_coverage']['covered'] < d['patch_coverage']['measured'])" "[true, true, true]"
expect_json "$last_out" "'src/unused.c' in d['patch_coverage']['unmeasured_files']" "true"

note "LCOV from lcov --capture"
# lcov 1.16 with gcc 12 prints "Subroutine ... redefined" warnings on stderr; they are harmless.
lcov --quiet --capture --directory . --output-file lcov.info >"$work/lcov.out" 2>&1 \
    || { cat "$work/lcov.out" >&2; fail "lcov --capture failed"; }
grep -q '^SF:/' lcov.info || fail "expected absolute SF: paths from lcov --capture"
compare_with_diff_cover lcov.info
expect_json "$last_out" "(len(d['patch_coverage']['files']) >= 3, 0 < d['patch_coverage']['covered'] < d['patch_coverage']['measured'])" "[true, true]"

# --- Go: go test -coverprofile (no diff-cover support) -------------------------------------------
note "Go cover profile from go test -coverprofile"
export GOCACHE=$work/go-cache GOPATH=$work/go-path GOMODCACHE=$work/go-path/pkg/mod GOPROXY=off GOFLAGS='' \
    GO111MODULE=on GOTOOLCHAIN=local GOTELEMETRY=off GOENV=off
repo=$work/go
mkdir -p "$repo/shapes"
cd "$repo" || exit 1
git_ init
printf 'module example.com/geometry\n\ngo 1.19\n' > go.mod
cat > shapes/shapes.go <<'GO'
package shapes

func Area(w, h int) int {
	return w * h
}
GO
cat > shapes/shapes_test.go <<'GO'
package shapes

import "testing"

func TestArea(t *testing.T) {
	if Area(2, 3) != 6 {
		t.Fatal("area")
	}
}
GO
printf '/cover.out\n*.json\n' > .gitignore
git_ add -A && git_ commit -m base
git_ checkout -b feature
cat > shapes/shapes.go <<'GO'
package shapes

func Area(w, h int) int {
	return w * h
}

func Clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

func NeverCalled(x int) int {
	y := x * 2
	return y + 1
}
GO
cat >> shapes/shapes_test.go <<'GO'

func TestClamp(t *testing.T) {
	if Clamp(1, 2, 5) != 2 {
		t.Fatal("clamp")
	}
}
GO
git_ add -A && git_ commit -m clamp
go test -count=1 -covermode=set -coverprofile=cover.out ./... >"$work/go.out" 2>&1 \
    || { cat "$work/go.out" >&2; fail "go test -coverprofile failed"; }
go tool cover -func=cover.out >"$work/go-func.out" 2>&1 || { cat "$work/go-func.out" >&2; fail "go tool cover -func failed"; }
gl gate --base main --head HEAD --coverage cover.out --json --labels R1-low
[[ $rc == 0 || $rc == 1 ]] || fail "greenlight gate failed on cover.out (exit $rc)"
# Each block of the profile counts for the lines it spans (start to end line): Clamp's lines 7-14 are
# measured, 11-14 (the `v > hi` branch and `return v`) never ran; NeverCalled's 17-20 never ran; line 15
# (Clamp's closing brace) lies in no block.
expect_json "$last_out" "[d['patch_coverage'][k] for k in ('covered', 'measured')]" "[4, 12]"
expect_json "$last_out" "[(f['path'], f['uncovered']) for f in d['patch_coverage']['files']]" \
    '[["shapes/shapes.go", [[11, 14], [17, 20]]]]'
# Cross-check with `go tool cover -func`: a function of the change at 0.0% has its first line uncovered,
# one that ran (above 0%) has it covered.
"$python" - "$work/go-func.out" "$last_out" <<'PY' || exit 1
import json, re, sys
ours = json.load(open(sys.argv[2]))["patch_coverage"]
uncovered = {f["path"]: {n for a, b in f["uncovered"] for n in range(a, b + 1)} for f in ours["files"]}
problems, checked = [], 0
for line in open(sys.argv[1]):
    m = re.match(r"example\.com/geometry/(\S+):(\d+):\s+(\S+)\s+([\d.]+)%", line)
    if not m or m.group(1) not in uncovered:
        continue
    path, first, name, percent = m.group(1), int(m.group(2)), m.group(3), float(m.group(4))
    checked += 1
    if (percent == 0) != (first in uncovered[path]):
        problems.append(f"{path}:{first} {name}: go tool cover -func {percent}%, "
                        f"greenlight {'uncovered' if first in uncovered[path] else 'covered'}")
if checked < 3:
    problems.append(f"only {checked} functions of the change found in go tool cover -func")
if problems:
    print("FAIL: cover.out: greenlight and go tool cover -func disagree:", *problems, sep="\n  ", file=sys.stderr)
    sys.exit(1)
print(f"--- cover.out: {ours['covered']}/{ours['measured']} measured added lines covered; "
      f"{checked} functions agree with go tool cover -func")
PY
echo "PASS: gate_diff_cover_native"
