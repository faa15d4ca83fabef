#!/usr/bin/env bash
# greenlight check on a real repository: every check type passing, then each of the runbook's common CI
# failures planted one at a time; examined-nothing; advisory; --only; JSON, SARIF and annotations; exit
# codes; and the pre-commit hook.
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"

repo=$work/repo
mkdir -p "$repo"
cd "$repo"
git_() { git -c user.name=greenlight -c user.email=ci@greenlight.invalid -c init.defaultBranch=main "$@" >/dev/null 2>&1; }
git_ init
mkdir -p docs migrations scripts
cat > README.md <<'MD'
# Project

See the [guide](docs/guide.md#getting-started) and the [index](docs/INDEX.md).
MD
cat > docs/INDEX.md <<'MD'
# Docs index

- [Guide](guide.md)
- [Operations](operations.md#rollback)
MD
cat > docs/guide.md <<'MD'
# Guide

## Getting started

Run `make`. Use ${HOME} and {{ name }} freely: template syntax is not a placeholder.
MD
cat > docs/operations.md <<'MD'
# Operations

## Rollback

Back to the [guide](guide.md#getting-started).
MD
printf 'CREATE TABLE t (id int);\n' > migrations/001_init.sql
printf 'README.md\ndocs/*.md\nmigrations/**\n' > required-files.txt
cat > scripts/registry.sh <<'SH'
#!/bin/sh
# The registry lists the docs, one per line.
ls docs/*.md | sort
SH
chmod +x scripts/registry.sh
./scripts/registry.sh > docs-registry.txt
cat > greenlight.yml <<'YML'
version: 1
project: demo
checks:
  links:
  placeholders: { indexes: [docs/INDEX.md] }
  required: { type: required-files, manifest: required-files.txt }
  registry: { type: registry, file: docs-registry.txt, command: ./scripts/registry.sh }
  protected: { type: protected-paths, paths: [migrations/**] }
  shell-syntax: { type: command, command: [sh, -n, scripts/registry.sh] }
  secrets:
YML
git_ add -A && git_ commit -m base

note "a clean repository passes every check, and each says how much it examined"
gl check --json
expect_rc 0 "clean repository"
expect_json "$last_out" "d['verdict']" passed
expect_json "$last_out" "[c['name'] for c in d['checks']]" \
    '["links", "placeholders", "required", "registry", "protected", "shell-syntax", "secrets"]'
expect_json "$last_out" "[c['status'] for c in d['checks'] if c['status'] != 'passed']" '[]'
expect_json "$last_out" "[c['name'] for c in d['checks'] if c['examined'] == 0]" '[]'
expect_json "$last_out" "[c['examined'] for c in d['checks'] if c['name'] == 'links'][0]" 5
gl check
expect_rc 0 "text output"
expect_grep '^pass +links +links +examined 5 links' "$last_out" "links line"
expect_grep '7 checks: 0 failed, 0 advisory warnings, 0 could not run: passed' "$last_out" "closing line"

note "colour on a terminal; none with NO_COLOR, TERM=dumb or --ci"
if command -v script >/dev/null; then
    check_on_terminal() {
        local log=$1 flags=$2; shift 2
        env -u CI -u NO_COLOR "$@" script -q -e -c "'$greenlight' check --only links $flags" "$log" >/dev/null 2>&1 </dev/null
        grep -q 'links' "$log" || fail "check on a terminal printed nothing: $(cat -v "$log")"
    }
    check_on_terminal "$work/check-colour.log" "" TERM=xterm-256color
    grep -q $'\033\[32m' "$work/check-colour.log" || fail "no colour on a terminal: $(cat -v "$work/check-colour.log")"
    check_on_terminal "$work/check-no-colour.log" "" TERM=xterm-256color NO_COLOR=1
    check_on_terminal "$work/check-dumb.log" "" TERM=dumb
    check_on_terminal "$work/check-ci.log" "--ci" TERM=xterm-256color
    for log in check-no-colour check-dumb check-ci; do
        ! grep -q $'\033' "$work/$log.log" || fail "$log: escape codes: $(grep -a -m2 $'\033' "$work/$log.log" | cat -v)"
    done
else
    note "script(1) not installed: colour not checked"
fi

note "a broken link and a missing anchor: exit 1, file:line, did-you-mean"
printf '# Project\n\nSee the [guide](docs/giude.md) and [start](docs/guide.md#getting-startd).\n' > README.md
gl check --only links
expect_rc 1 "broken link"
expect_grep 'README.md:3:[0-9]+: broken-link: .*docs/giude.md.*did you mean .docs/guide.md' "$last_out" "broken link"
expect_grep 'README.md:3:[0-9]+: missing-anchor: .*getting-startd.*did you mean .docs/guide.md#getting-started' "$last_out" "anchor"
git_ checkout README.md

note "a placeholder left in an indexed doc; template syntax and an allow comment are not findings"
printf '\nTBD: write this part. <!-- greenlight-allow: placeholder --> TODO later\n' >> docs/operations.md
gl check --only placeholders --json
expect_rc 1 "placeholder"
expect_json "$last_out" "[(f['path'], f['line']) for f in d['checks'][0]['findings']]" '[["docs/operations.md", 7]]'
git_ checkout docs/operations.md

note "a required file missing"
git_ rm -q docs/operations.md
rm -f docs/operations.md
gl check --only required --json
expect_rc 0 "the glob docs/*.md still matches files"
echo "LICENSE" >> required-files.txt
gl check --only required --json
expect_rc 1 "missing LICENSE"
expect_json "$last_out" "[f['rule'] for f in d['checks'][0]['findings']]" '["missing-required-file"]'
git_ reset -q --hard

note "a stale generated registry, with a short diff and the command to regenerate"
printf '# New\n' > docs/new.md
gl check --only registry
expect_rc 1 "stale registry"
expect_grep 'stale-registry' "$last_out" "stale"
expect_grep '\| \+docs/new.md' "$last_out" "the diff shows the missing line"
./scripts/registry.sh > docs-registry.txt
gl check --only registry
expect_rc 0 "regenerated"
git_ reset -q --hard && git_ clean -fdq

note "a protected path deleted or renamed in the change (git rename detection)"
git_ checkout -b change
git_ mv migrations/001_init.sql migrations/001_first.sql
git_ commit -m rename
gl check --only protected --from-ref main --to-ref HEAD --json
expect_rc 1 "rename of a protected file"
expect_json "$last_out" "[f['rule'] for f in d['checks'][0]['findings']]" '["protected-path-renamed"]'
gl check --only protected --from-ref main --to-ref no-such-ref
expect_rc 2 "unknown ref"
expect_grep 'no-such-ref' "$last_err" "names the ref"
git_ checkout main
note "... and in the work tree, before committing"
rm migrations/001_init.sql
gl check --only protected --json
expect_rc 1 "deletion in the work tree"
expect_json "$last_out" "[f['rule'] for f in d['checks'][0]['findings']]" '["protected-path-deleted"]'
git_ checkout migrations/001_init.sql

note "a failing command check shows the end of its output"
printf 'if then\n' > scripts/broken.sh
sed -i 's|command: \[sh, -n, scripts/registry.sh\]|command: [sh, -n, scripts/broken.sh]|' greenlight.yml
gl check --only shell-syntax
expect_rc 1 "command failed"
expect_grep 'command-failed' "$last_out" "finding"
git_ checkout greenlight.yml && rm scripts/broken.sh

note "a secret committed is found, and never printed"
printf 'aws_key = "AKIAIOSFODNN7EXAMPL3"\n' > config.py
gl check --only secrets --json
expect_rc 1 "secret"
expect_json "$last_out" "[(f['rule'], f['path'], f['line']) for f in d['checks'][0]['findings']]" '[["aws-access-key-id", "config.py", 1]]'
expect_no_grep 'AKIAIOSFODNN7EXAMPL3' "$last_out" "the secret itself"
rm config.py

note "a change-scoped secrets check: an empty change passes, a mistyped glob fails, an added secret is found"
cat > "$work/changed.yml" <<'YML'
version: 1
project: demo
checks:
  new-secrets: { type: secrets, scope: changed, paths: ["*.py"] }
  typo-secrets: { type: secrets, scope: changed, paths: ["*.pyy"] }
YML
printf 'x = 1\n' > app.py && git_ add app.py && git_ commit -m app
cp "$work/changed.yml" greenlight.yml.changed
gl check -c greenlight.yml.changed --only new-secrets
expect_rc 0 "nothing changed"
expect_grep 'the change touches none of its files' "$last_out" "says why it examined nothing"
gl check -c greenlight.yml.changed --only typo-secrets
expect_rc 1 "a glob matching no file of the repository"
printf 'x = 1\ntoken = "ghp_%s"\n' "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5" > app.py
gl check -c greenlight.yml.changed --only new-secrets --json
expect_rc 1 "a secret added in the work tree"
expect_json "$last_out" "[(f['rule'], f['line']) for f in d['checks'][0]['findings']]" '[["github-token", 2]]'
git_ checkout app.py && rm greenlight.yml.changed

note "a mistyped glob examines nothing, and that fails"
cat >> greenlight.yml <<'YML'
  typo: { type: links, paths: [doc/**/*.md] }
YML
gl check --only typo
expect_rc 1 "examined nothing"
expect_grep 'examined nothing' "$last_out" "says why"
note "... an advisory check reports it and does not fail"
sed -i 's|  typo: { type: links, paths: \[doc/\*\*/\*.md\] }|  typo: { type: links, mode: advisory, paths: [doc/**/*.md] }|' greenlight.yml
gl check --only typo
expect_rc 0 "advisory"
expect_grep '^warn +typo' "$last_out" "warned"

note "SARIF 2.1.0 and GitHub annotations"
printf '# Project\n\n[gone](docs/gone.md)\n' > README.md
gl check --ci --sarif "$work/check.sarif"
expect_rc 1 "broken link again"
expect_grep '^::error file=README.md,line=3,col=[0-9]+,title=greenlight check links::broken-link' "$last_out" "annotation"
expect_grep '^::warning title=greenlight check typo::' "$last_out" "advisory annotation"
expect_json "$work/check.sarif" "d['version']" "2.1.0"
expect_json "$work/check.sarif" "d['runs'][0]['tool']['driver']['name']" "greenlight"
expect_json "$work/check.sarif" \
    "[(r['ruleId'], r['level'], r['locations'][0]['physicalLocation']['artifactLocation']['uri'], r['locations'][0]['physicalLocation']['region']['startLine']) for r in d['runs'][0]['results']]" \
    '[["links/broken-link", "error", "README.md", 3], ["links/examined-nothing", "warning", "greenlight.yml", 11]]'
expect_json "$work/check.sarif" \
    "sorted(set(r['ruleId'] for r in d['runs'][0]['results'])) == sorted(x['id'] for x in d['runs'][0]['tool']['driver']['rules'])" "true"
git_ checkout README.md

note "bad input: unknown --only, a config error, no checks section"
gl check --only linsk
expect_rc 2 "unknown check"
expect_grep "did you mean 'links'" "$last_err" "did-you-mean"
printf '  broken: { type: links, manifest: x }\n' >> greenlight.yml
gl check
expect_rc 2 "config error"
expect_grep 'greenlight.yml:12:[0-9]+: checks.broken.manifest' "$last_err" "file:line"
git_ checkout greenlight.yml
printf 'version: 1\nproject: p\nsuites: { u: { run: [true] } }\n' > "$work/no-checks.yml"
gl check -c "$work/no-checks.yml"
expect_rc 2 "no checks"
expect_grep 'no `checks:` section' "$last_err" "says so"

note "the pre-commit hook runs greenlight check"
if command -v pre-commit >/dev/null; then
    export PATH="$(dirname "$greenlight"):$PATH" PRE_COMMIT_HOME=$work/pre-commit-home
    hooks_repo=$work/hooks
    git_ init "$hooks_repo"
    cp "$source_dir/.pre-commit-hooks.yaml" "$hooks_repo/"
    git_ -C "$hooks_repo" add -A && git_ -C "$hooks_repo" commit -m hooks
    pre-commit try-repo "$hooks_repo" greenlight-check --all-files >"$work/pc.out" 2>&1 || fail "pre-commit hook on a clean repo: $(tail -20 "$work/pc.out")"
    expect_grep 'greenlight check\.+Passed' "$work/pc.out" "hook passed"
    printf '[x](missing.md)\n' > docs/extra.md
    if pre-commit try-repo "$hooks_repo" greenlight-check --all-files >"$work/pc.out" 2>&1; then
        fail "pre-commit hook passed with a broken link"
    fi
    expect_grep 'greenlight check\.+Failed' "$work/pc.out" "hook failed"
    rm docs/extra.md
elif [[ ${CI:-} == true ]]; then
    fail "pre-commit is not installed (scripts/install-deps.sh test installs it)"
else
    note "pre-commit is not installed: hook not exercised (scripts/install-deps.sh test installs it)"
fi
echo "PASS"
