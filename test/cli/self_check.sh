#!/usr/bin/env bash
# greenlight checks its own repository with its own greenlight.yml: the docs' links and anchors resolve,
# the required files are there, every shell script parses.
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"

gl check -c "$source_dir/greenlight.yml" --ci
expect_rc 0 "greenlight check on greenlight's own repository: $(cat "$last_out" "$last_err")"
expect_grep '^pass +links ' "$last_out" "links checked"
echo "PASS"
