#!/usr/bin/env bash
# `greenlight config validate` reports every mistake at once, each with file:line:column, the key
# path and a did-you-mean, and exits 2; the demo config is valid; `greenlight config schema` prints
# a JSON Schema that accepts the demo config and rejects unknown keys.
# Usage: config_validate.sh GREENLIGHT_BINARY
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"

if ! "$python" -c 'import yaml, jsonschema' 2>/dev/null; then
    fail "$python cannot import yaml and jsonschema; install python3-yaml and python3-jsonschema"
fi
demo=$source_dir/examples/demo/greenlight.yml
expect_file "$demo" "the demo config"

cd "$work" || fail "cd $work"
cat >mistakes.yml <<'YML'
version: 1
project: broken
artifacts: out
colour: blue
defaults:
  timeout: 10 minutes
suites:
  unit:
    run: "echo unit"
    timout: 5m
  lint:
    run: ["echo", "lint"]
    labels: [fast]
tiers:
  pr-fast: [unit, lnt]
YML

note "every mistake is reported, with file:line:column"
gl config validate mistakes.yml
expect_rc 2 "validate a config with four mistakes"
cat "$last_out" "$last_err" >both.txt
expect_grep 'mistakes\.yml:4:1: .*colour' both.txt "the unknown top-level key, at 4:1"
expect_grep 'mistakes\.yml:6:[0-9]+: .*defaults\.timeout.*10 minutes' both.txt "the bad duration, at line 6"
expect_grep 'mistakes\.yml:10:5: .*suites\.unit\.timout' both.txt "the misspelt key, at 10:5"
expect_grep "suites\.unit\.timout.*did you mean .?timeout" both.txt "a did-you-mean for timout"
expect_grep 'mistakes\.yml:15:[0-9]+: .*lnt' both.txt "the tier naming an unknown suite, at line 15"
expect_grep "lnt.*did you mean .?lint" both.txt "a did-you-mean for the unknown suite"
count=$(grep -cE '^mistakes\.yml:[0-9]+:[0-9]+: ' both.txt)
[[ $count == 4 ]] || fail "expected exactly 4 error lines with file:line:column, found $count"

note "-c works the same"
gl config validate -c mistakes.yml
expect_rc 2 "validate -c"
expect_grep 'mistakes\.yml:10:5: ' "$last_err" "validate -c reports the same errors"

note "invalid YAML is reported with its position"
printf 'version: 1\nproject: x\nsuites:\n  a: { run: "echo"\n' >syntax.yml
gl config validate syntax.yml
expect_rc 2 "validate a file that is not YAML"
cat "$last_out" "$last_err" >both.txt
expect_grep 'syntax\.yml:[0-9]+:[0-9]+: ' both.txt "the YAML error has file:line:column"

note "a missing file is a usage error"
gl config validate no-such-file.yml
expect_rc 2 "validate a missing file"

note "greenlight run refuses the broken config with the same errors"
gl run --config mistakes.yml --tier pr-fast --no-smoke --run-id x
expect_rc 2 "run with the broken config"
cat "$last_out" "$last_err" >both.txt
expect_grep 'mistakes\.yml:10:5: ' both.txt "run names the misspelt key"
expect_absent out "a bundle for a broken config"

note "the demo config is valid"
gl config validate "$demo"
expect_rc 0 "validate the demo config"

note "config schema"
gl config schema
expect_rc 0 "config schema"
cp "$last_out" schema.json
"$python" - schema.json "$demo" mistakes.yml <<'PY' || fail "the schema does not hold (see above)"
import json, sys
import jsonschema, yaml

schema = json.load(open(sys.argv[1]))
validator_class = jsonschema.validators.validator_for(schema)
validator_class.check_schema(schema)
validator = validator_class(schema)
failures = []

demo = yaml.safe_load(open(sys.argv[2]))
errors = list(validator.iter_errors(demo))
if errors:
    failures.append("the demo config does not validate: " + "; ".join(e.message for e in errors))

# One unknown key, at the top and in a suite: each must be rejected.
top = dict(demo, colour="blue")
if validator.is_valid(top):
    failures.append("the schema accepts an unknown top-level key")
suite = json.loads(json.dumps(demo))
first = next(iter(suite["suites"]))
suite["suites"][first]["timout"] = "5m"
if validator.is_valid(suite):
    failures.append("the schema accepts a misspelt suite key (timout)")
bad_duration = json.loads(json.dumps(demo))
bad_duration["defaults"]["timeout"] = "10 minutes"
if validator.is_valid(bad_duration):
    failures.append("the schema accepts the duration '10 minutes'")
if validator.is_valid(yaml.safe_load(open(sys.argv[3]))):
    failures.append("the schema accepts mistakes.yml")

for f in failures:
    print("schema:", f, file=sys.stderr)
sys.exit(1 if failures else 0)
PY

echo "PASS: config_validate"
