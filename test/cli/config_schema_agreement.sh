#!/usr/bin/env bash
# `greenlight config validate` and the JSON Schema `greenlight config schema` prints cannot disagree:
# every config fixture of the test suite (test/data/config/fixtures) and every key of a full config
# given each wrong JSON type, or joined by an unknown key, gets the same answer from the loader and
# from a real validator (python3-jsonschema); a type error names file:line:column and the key path.
# The schema printed is the text of docs/schemas/greenlight-config.schema.json.
# Usage: config_schema_agreement.sh GREENLIGHT_BINARY
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"

if ! "$python" -c 'import yaml, jsonschema' 2>/dev/null; then
    fail "$python cannot import yaml and jsonschema; install python3-yaml and python3-jsonschema"
fi

note "config schema prints docs/schemas/greenlight-config.schema.json, byte for byte"
gl config schema
expect_rc 0 "config schema"
cmp -s "$last_out" "$source_dir/docs/schemas/greenlight-config.schema.json" ||
    fail "config schema differs from docs/schemas/greenlight-config.schema.json: $(diff "$last_out" \
        "$source_dir/docs/schemas/greenlight-config.schema.json" | head -20)"

note "run: 42 is refused with file:line:column, key path, expected and found"
cd "$work" || fail "cd $work"
printf 'version: 1\nproject: p\nsuites:\n  unit:\n    run: 42\n' >number-run.yml
gl config validate number-run.yml
expect_rc 2 "validate run: 42"
cat "$last_out" "$last_err" >both.txt
expect_grep '^number-run\.yml:5:10: suites\.unit\.run: expected .*; found the number 42$' both.txt \
    "the type error of run: 42"

note "the loader and the schema agree on every fixture and mutation"
mkdir -p "$work/judged"
"$python" "$source_dir/test/cli/lib/config_agreement.py" "$greenlight" "$test_data/config" "$work/judged" \
    >"$work/agreement.txt" 2>&1
status=$?
tail -n 1 "$work/agreement.txt"
if [[ $status != 0 ]]; then
    grep -A3 '^DIFFERENCE' "$work/agreement.txt" | head -n 120 >&2
    fail "the loader and the schema disagree ($(grep -c '^DIFFERENCE' "$work/agreement.txt") differences)"
fi
echo "PASS"
