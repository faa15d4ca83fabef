#!/usr/bin/env bash
# `results: { format: go }` on what the real `go test -json` prints (a small module written here, built
# offline with a private GOCACHE): a passing package is a pass with its tests counted; a failing test makes
# the suite red and is named in result.json and junit.xml with its package and its t.Errorf line; a package
# that does not build, and one whose TestMain exits non-zero after every test passed, are never green; the
# text of `go test -v` on the same package counts the same tests.
# Usage: run_go_json.sh GREENLIGHT_BINARY
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"
unset GREENLIGHT_TIER GREENLIGHT_RUN_ID GREENLIGHT_ARTIFACT_DIR GITHUB_ACTIONS GITHUB_STEP_SUMMARY
command -v go >/dev/null || fail "go is needed (scripts/install-deps.sh test installs golang-go)"

# Offline and private: no module downloads, no toolchain switch, a build cache removed with $work.
export GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local GOTELEMETRY=off CGO_ENABLED=0
export GOCACHE=$work/gocache GOPATH=$work/gopath GOENV=off

project=$work/project
mkdir -p "$project"/{good,calc,broken,exitmain}
cd "$project" || fail "cd $project"
printf 'module example.com/fixture\n\ngo 1.19\n' >go.mod
cat >good/good.go <<'GO'
package good

func Double(n int) int { return 2 * n }
GO
cat >good/good_test.go <<'GO'
package good

import "testing"

func TestDouble(t *testing.T) {
	if Double(2) != 4 {
		t.Fatal("Double(2) != 4")
	}
}

func TestDoubleTable(t *testing.T) {
	for _, n := range []int{0, 1} {
		n := n
		t.Run("case", func(t *testing.T) {
			if Double(n) != n+n {
				t.Errorf("Double(%d) wrong", n)
			}
		})
	}
}
GO
cat >calc/calc_test.go <<'GO'
package calc

import "testing"

func TestAddRight(t *testing.T) {}

func TestAddWrong(t *testing.T) {
	t.Log("about to compare")
	if got := 2 + 2; got != 5 {
		t.Errorf("2 + 2 = %d, want 5", got)
	}
}
GO
cat >broken/broken_test.go <<'GO'
package broken

import "testing"

func TestBroken(t *testing.T) { var n int = "not a number"; _ = n }
GO
cat >exitmain/exitmain_test.go <<'GO'
package exitmain

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) { m.Run(); os.Exit(3) }

func TestFine(t *testing.T) {}
GO

cat >greenlight.yml <<'YML'
version: 1
project: gojson
artifacts: out
defaults: { timeout: 120s }
suites:
  good: { run: ["go", "test", "-json", "./good/"], results: { format: go } }
  good-text: { run: ["go", "test", "-v", "./good/"], results: { format: go } }
  calc: { run: ["go", "test", "-json", "./calc/"], results: { format: go } }
  broken: { run: ["go", "test", "-json", "./broken/"], results: { format: go } }
  exitmain: { run: ["go", "test", "-json", "./exitmain/"], results: { format: go } }
tiers:
  all: [good, good-text, calc, broken, exitmain]
YML

gl run --tier all --no-smoke --jobs 1 --run-id g1
expect_rc 1 "a run with failing go packages (red)"
bundle=$project/out/gojson/g1
summary=$bundle/summary.json
result() { echo "$bundle/suites/$1/result.json"; }

# Passing package: TestDouble, TestDoubleTable and its two subtests, counted alike from events and from text.
[[ $(verdict_of "$summary" good) == pass ]] || fail "good: verdict $(verdict_of "$summary" good), expected pass"
expect_json "$(result good)" "d['counts']" '{"errored": 0, "failed": 0, "passed": 4, "skipped": 0, "total": 4}'
[[ $(verdict_of "$summary" good-text) == pass ]] || fail "good-text: expected pass"
expect_json "$(result good-text)" "d['counts']" '{"errored": 0, "failed": 0, "passed": 4, "skipped": 0, "total": 4}'

# A failing test: red, named with its package and the line t.Errorf printed.
[[ $(verdict_of "$summary" calc) == fail ]] || fail "calc: verdict $(verdict_of "$summary" calc), expected fail"
expect_json "$(result calc)" "[d['counts']['passed'], d['counts']['failed']]" '[1, 1]'
expect_json "$(result calc)" "[(t['suite'], t['name']) for t in d['attempts'][-1]['failing_tests']]" \
    '[["example.com/fixture/calc", "TestAddWrong"]]'
expect_json "$(result calc)" "d['attempts'][-1]['failing_tests'][0]['message']" "calc_test.go:10: 2 + 2 = 4, want 5"
expect_grep 'name="TestAddWrong"' "$bundle/junit.xml" "junit.xml lists the failing go test"

# No failing test, yet the package failed: never green, counted as an errored test.
for suite in broken exitmain; do
    got=$(verdict_of "$summary" $suite)
    [[ $got == fail || $got == error ]] || fail "$suite: verdict $got, expected fail or error"
    expect_json "$(result $suite)" "d['counts']['errored']" 1 "$suite result.json"
done
expect_json "$(result exitmain)" "d['counts']['passed']" 1
expect_json "$(result exitmain)" "[(t['name'], t['outcome']) for t in d['attempts'][-1]['failing_tests']]" \
    '[["(package)", "errored"]]'

echo "PASS"
