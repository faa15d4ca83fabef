#!/bin/sh
# Repository hygiene checks written in plain shell, reported as TAP (Test Anything Protocol)
# to the file named by $1 so greenlight can count each check as a test.
# Usage: repo_checks.sh RESULTS_FILE   (run from examples/demo)
set -u
results=${1:?usage: repo_checks.sh RESULTS_FILE}
number=0
failed=0

# report DESCRIPTION COMMAND...: one TAP line for the outcome of COMMAND.
report() {
    description=$1
    shift
    number=$((number + 1))
    if "$@" >/dev/null 2>&1; then
        echo "ok $number - $description"
    else
        echo "not ok $number - $description"
        failed=$((failed + 1))
    fi
}

no_tabs_in_cpp() { ! grep -rl "$(printf '\t')" cpp/src cpp/include cpp/tests; }
every_header_has_pragma_once() {
    for header in cpp/include/*/*.hpp; do
        grep -q '^#pragma once' "$header" || return 1
    done
}
config_declares_version_1() { grep -q '^version: 1$' greenlight.yml; }

{
    echo "TAP version 13"
    echo "1..5"
    report "README.md is present" test -s README.md
    report "no tab characters in the C++ sources" no_tabs_in_cpp
    report "every public header has #pragma once" every_header_has_pragma_once
    report "greenlight.yml declares version 1" config_declares_version_1
    # Outside a git checkout (a copied demo) there is nothing to ask: say so instead of passing.
    number=$((number + 1))
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        if git check-ignore -q build/; then
            echo "ok $number - build/ is ignored by git"
        else
            echo "not ok $number - build/ is ignored by git"
            failed=$((failed + 1))
        fi
    else
        echo "ok $number - build/ is ignored by git # SKIP not inside a git checkout"
    fi
} >"$results"

cat "$results"
[ "$failed" -eq 0 ]
