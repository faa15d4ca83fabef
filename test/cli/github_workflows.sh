#!/usr/bin/env bash
# The example GitHub Actions workflows (examples/github/) keep the promises their comments make: the right
# triggers, permissions and flags per event; greenlight installed by the action at a release tag, never
# built; each bundle uploaded as the artifact's root even after a red run, then downloaded and verified;
# a sharded run downloaded, merged (a missing shard is red) and verified; inputs passed through env. The
# action (action.yml) is composite and passes its inputs through env. Also checks that the demo config is
# valid. (test/cli/github_lint.sh lints them; test/cli/github_artifacts.sh runs their artifact steps.)
# Usage: github_workflows.sh GREENLIGHT_BINARY   (env GREENLIGHT_SOURCE_DIR: the repository root)
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"

"$python" -c 'import yaml' 2>/dev/null || fail "$python cannot import yaml; install python3-yaml"
"$python" "$source_dir/test/cli/lib/github_workflows.py" "$source_dir" || fail "the workflows break their promises (above)"

# The demo's config must load with the greenlight under test.
gl config validate --config "$source_dir/examples/demo/greenlight.yml"
expect_rc 0 "greenlight config validate --config examples/demo/greenlight.yml"
echo "ok: examples/demo/greenlight.yml is valid"
