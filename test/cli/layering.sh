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

# The compiler holds the same line: a library's include path shows only its own folder and what it links, so an
# include reaching up does not even compile. Checked with util's own compile command from the build folder.
note "an include reaching up does not compile in util/"
compile_db=$(dirname "$greenlight")/compile_commands.json
[[ -f $compile_db ]] || fail "no $compile_db (CMAKE_EXPORT_COMPILE_COMMANDS is on in CMakeLists.txt)"
planted=$work/planted.cpp
syntax_check() {  # syntax_check INCLUDE: compiles a file that includes it with util's flags; prints the output
    printf '#include "greenlight/util/result.hpp"\n#include "%s"\nint main() { return 0; }\n' "$1" >"$planted"
    "$python" - "$compile_db" "$planted" <<'PY'
import json, shlex, subprocess, sys
entries = json.load(open(sys.argv[1]))
entry = next(e for e in entries if "greenlight_util.dir" in e.get("output", e["command"]))
arguments = shlex.split(entry["command"])
kept, skip = [], False
for argument in arguments:
    if skip:
        skip = False
        continue
    if argument in ("-o", "-c", "-MF", "-MT", "-MQ"):
        skip = argument != "-c"
        continue
    if argument == entry["file"] or argument.endswith((".cpp", ".cxx")) or argument in ("-MD", "-MMD"):
        continue
    kept.append(argument)
result = subprocess.run(kept + ["-fsyntax-only", sys.argv[2]], cwd=entry["directory"], capture_output=True, text=True)
print(result.stdout + result.stderr)
sys.exit(result.returncode)
PY
}
syntax_check "greenlight/util/strings.hpp" >"$out" 2>&1 || { cat "$out" >&2; fail "util's own headers do not compile with its flags"; }
if syntax_check "greenlight/runner/run.hpp" >"$out" 2>&1; then
    fail "util/ can include runner/run.hpp: the include paths are not per library"
fi
grep -q "greenlight/runner/run.hpp" "$out" || { cat "$out" >&2; fail "the failed compile does not name the header"; }

echo "layering: ok"
