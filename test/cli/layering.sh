#!/usr/bin/env bash
# scripts/check-layering.py holds the source tree to docs/ARCHITECTURE.md's layer table: the tree as it is
# passes; a copy with a planted breach fails naming the file and line (an include a row does not allow, a link
# it does not allow, a link with no include, a folder the table does not describe); no table is exit 2.
# Usage: layering.sh GREENLIGHT_BINARY (the binary is not used: this checks the sources)
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"

checker=$source_dir/scripts/check-layering.py
out=$work/out.txt

"$python" "$checker" --root "$source_dir" >"$out" 2>&1 || { cat "$out" >&2; fail "the tree breaches its own layer table"; }
grep -q "keep to docs/ARCHITECTURE.md's layer table" "$out" || fail "no success line: $(cat "$out")"

# fresh_copy: the parts of the repository the checker reads, in $work/tree.
fresh_copy() {
    rm -rf "$work/tree"
    mkdir -p "$work/tree/docs"
    cp -r "$source_dir/src" "$work/tree/src"
    cp "$source_dir/CMakeLists.txt" "$work/tree/"
    cp "$source_dir/docs/ARCHITECTURE.md" "$work/tree/docs/"
}

# expect_breach LABEL PATTERN: the checker exits 1 on the copy and prints PATTERN.
expect_breach() {
    local status=0
    "$python" "$checker" --root "$work/tree" >"$out" 2>&1 || status=$?
    [[ $status -eq 1 ]] || { cat "$out" >&2; fail "$1: exit $status, expected 1"; }
    grep -Eq -- "$2" "$out" || { cat "$out" >&2; fail "$1: the report does not say: $2"; }
}

note "an include reaching up from util/"
fresh_copy
header=$(cd "$work/tree" && ls src/greenlight/util/*.hpp | head -n 1)
line=$(grep -n '^#include' "$work/tree/$header" | tail -n 1 | cut -d: -f1)
sed -i "${line}a #include \"greenlight/cli/commands.hpp\"" "$work/tree/$header"
expect_breach "planted include" "^$header:$((line + 1)): \`util/\` includes \`cli/\`, which the layer table \(docs/ARCHITECTURE.md:[0-9]+\) does not allow"

note "an include sideways (config and bundle are on one line)"
fresh_copy
echo '#include "greenlight/bundle/manifest.hpp"' >>"$work/tree/src/greenlight/config/config.hpp"
expect_breach "sideways include" "^src/greenlight/config/config.hpp:[0-9]+: \`config/\` includes \`bundle/\`"

note "a link the table does not allow"
fresh_copy
sed -i 's/^greenlight_area(diff DEPS greenlight_util greenlight_process)/greenlight_area(diff DEPS greenlight_util greenlight_process greenlight_serve)/' "$work/tree/CMakeLists.txt"
grep -q 'greenlight_area(diff DEPS greenlight_util greenlight_process greenlight_serve)' "$work/tree/CMakeLists.txt" ||
    fail "the diff library's line in CMakeLists.txt changed: update this test"
expect_breach "planted link" "^CMakeLists.txt:[0-9]+: greenlight_diff links greenlight_serve, which the layer table"

note "a link the table allows but nothing includes"
fresh_copy
sed -i 's/^greenlight_area(smoke DEPS greenlight_runner /greenlight_area(smoke DEPS greenlight_runner greenlight_results /' "$work/tree/CMakeLists.txt"
expect_breach "unused link" "^CMakeLists.txt:[0-9]+: greenlight_smoke links greenlight_results but no file of src/greenlight/smoke/ includes it"

note "a folder the table does not describe"
fresh_copy
mkdir -p "$work/tree/src/greenlight/newroom"
echo '#pragma once' >"$work/tree/src/greenlight/newroom/thing.hpp"
expect_breach "new folder" "^src/greenlight/newroom/: a folder docs/ARCHITECTURE.md's layer table does not describe"

note "no table"
fresh_copy
echo "# Architecture" >"$work/tree/docs/ARCHITECTURE.md"
status=0
"$python" "$checker" --root "$work/tree" >"$out" 2>&1 || status=$?
[[ $status -eq 2 ]] || { cat "$out" >&2; fail "no table: exit $status, expected 2"; }
grep -q "no layer table" "$out" || fail "no table: $(cat "$out")"

echo "layering: ok"
