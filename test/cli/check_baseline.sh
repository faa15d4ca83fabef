#!/usr/bin/env bash
# `greenlight check --write-baseline` accepts the current secrets findings of the selected checks: `--only`
# selects them alike whether repeated or comma-separated (with spaces), both baselines then hold and the
# checks pass; a secret added later still fails; no secrets check selected, or one without `baseline:`, is exit 2;
# the secret never appears in the baseline or the output.
# Usage: check_baseline.sh GREENLIGHT_BINARY
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"

repo=$work/repo
mkdir -p "$repo/app" "$repo/tools"
cd "$repo" || fail "cd $repo"
git_() { git -c user.name=greenlight -c user.email=ci@greenlight.invalid -c init.defaultBranch=main "$@" >/dev/null 2>&1; }
git_ init
secret_a=AKIAIOSFODNN7EXAMPL3
secret_b=AKIAJ2Q3RZ7YXWVUTS4P
printf 'aws_key = "%s"\n' "$secret_a" >app/settings.py
printf 'aws_key = "%s"\n' "$secret_b" >tools/deploy.py
cat >greenlight.yml <<'YML'
version: 1
project: baselines
checks:
  app-secrets: { type: secrets, paths: ["app/**"], baseline: .greenlight/app-baseline.json }
  tool-secrets: { type: secrets, paths: ["tools/**"], baseline: .greenlight/tool-baseline.json }
  bare-secrets: { type: secrets, paths: ["app/**"] }
  required: { type: required-files, files: [greenlight.yml] }
YML
git_ add -A && git_ commit -m base

note "a baseline named in the config but not written yet: the check cannot run, and says how to write it"
gl check --only app-secrets,tool-secrets
expect_rc 2 "a missing baseline"
expect_grep "write it with \`greenlight check --write-baseline\`" "$last_out"

note "--write-baseline with a comma-separated --only (and a space) writes both baselines"
gl check --write-baseline --only 'app-secrets, tool-secrets'
expect_rc 0 "write both baselines"
expect_file .greenlight/app-baseline.json "the app baseline"
expect_file .greenlight/tool-baseline.json "the tool baseline"
expect_grep "app-secrets: 1 accepted finding written to .greenlight/app-baseline.json" "$last_err"
expect_grep "tool-secrets: 1 accepted finding written to .greenlight/tool-baseline.json" "$last_err"
for file in .greenlight/app-baseline.json .greenlight/tool-baseline.json "$last_out" "$last_err"; do
    expect_no_grep "$secret_a" "$file" "secret A in $file"
    expect_no_grep "$secret_b" "$file" "secret B in $file"
done

note "with the baselines the checks pass, repeated --only as well as comma-separated"
gl check --only app-secrets,tool-secrets
expect_rc 0 "baselined findings"
gl check --only app-secrets --only tool-secrets
expect_rc 0 "baselined findings, --only repeated"

note "a new secret is not covered by the baseline"
printf 'other_key = "AKIAZZZZ7777YYYY3333"\n' >>app/settings.py
gl check --only app-secrets
expect_rc 1 "a secret added after the baseline"

note "no secrets check selected, and a secrets check without baseline:, are usage errors"
gl check --write-baseline --only required
expect_rc 2 "--write-baseline on no secrets check"
expect_grep "no secrets check selected" "$last_err"
gl check --write-baseline --only bare-secrets
expect_rc 2 "--write-baseline on a check without baseline"
expect_grep "checks.bare-secrets: --write-baseline needs \`baseline: FILE\`" "$last_err"

echo "check_baseline: ok"
