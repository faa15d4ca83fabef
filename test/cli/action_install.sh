#!/usr/bin/env bash
# The GitHub Action's install (action/install.sh, which action.yml runs) against a loopback server laid out
# as GitHub serves release downloads, with GitHub's variables emulated: greenlight lands in the tool cache
# and on the path written to $GITHUB_PATH; a second install uses the cache (no request reaches the server);
# a checksum mismatch, a wrong pin, a missing release (404), a missing .sha256 or an archive of another
# version fail with a clear message and leave nothing in the cache or on PATH; a transient 503 is retried;
# `args` runs `greenlight run` on a small project, and shell metacharacters in it are never executed.
#
# The release archive is the one scripts/package-release.sh writes when that script exists; otherwise a
# stand-in of the same layout is packed here from the binary under test.
# shellcheck source=lib/common.bash
source "$(dirname "$0")/lib/common.bash"
gl_init "$@"

install_script=$source_dir/action/install.sh
expect_file "$install_script" "the action's install script"
repository="greenlight-ci/greenlight"
version=$("$greenlight" --version | awk '{ print $2 }')
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || fail "greenlight --version gave no version: $("$greenlight" --version)"
archive=greenlight-$version-linux-x86_64.tar.gz

# --- the release ------------------------------------------------------------------------------------
# stand_in_release OUT: an archive of the release layout (one top folder, bin/greenlight, share/...) and
# its .sha256 in sha256sum's format.
stand_in_release() {
    local out=$1 top=greenlight-$version-linux-x86_64 stage=$work/stage
    mkdir -p "$stage/$top/bin" "$stage/$top/share/greenlight/schemas" "$stage/$top/share/doc/greenlight" "$out"
    # As the release does, without debug information (it keeps that in a file of its own).
    strip --strip-debug -o "$stage/$top/bin/greenlight" "$greenlight" 2>/dev/null || cp "$greenlight" "$stage/$top/bin/greenlight"
    cp "$source_dir"/docs/schemas/*.json "$stage/$top/share/greenlight/schemas/"
    cp "$source_dir/README.md" "$stage/$top/share/doc/greenlight/"
    tar -czf "$out/$archive" -C "$stage" "$top"
    (cd "$out" && sha256sum "$archive" >"$archive.sha256")
}

dist=$work/dist
if [[ -x $source_dir/scripts/package-release.sh ]]; then
    note "packing the release with scripts/package-release.sh"
    "$source_dir/scripts/package-release.sh" --build-dir "$(dirname "$greenlight")" --out "$dist" >"$work/package.log" 2>&1 ||
        { tail -n 30 "$work/package.log" >&2; fail "scripts/package-release.sh --build-dir $(dirname "$greenlight") failed (it lays the release out with the build's install rules: cmake --install)"; }
else
    note "no scripts/package-release.sh: packing a stand-in archive of the release layout"
    stand_in_release "$dist"
fi
expect_file "$dist/$archive" "release archive"
expect_file "$dist/$archive.sha256" "release checksum file"
(cd "$dist" && sha256sum --check --quiet "$archive.sha256") || fail "$archive.sha256 does not check its archive"

# The server's folders: one good release and broken ones, each as GitHub would serve it.
served=$work/served
releases=$served/$repository/releases/download
mkdir -p "$releases/v$version"
cp "$dist/$archive" "$dist/$archive.sha256" "$releases/v$version/"
# v9.9.1: the archive changed after its checksum was published.
mkdir -p "$releases/v9.9.1"
cp "$dist/$archive" "$releases/v9.9.1/greenlight-9.9.1-linux-x86_64.tar.gz"
printf 'tampered' >>"$releases/v9.9.1/greenlight-9.9.1-linux-x86_64.tar.gz"
sed "s/$archive/greenlight-9.9.1-linux-x86_64.tar.gz/" "$dist/$archive.sha256" >"$releases/v9.9.1/greenlight-9.9.1-linux-x86_64.tar.gz.sha256"
# v9.9.2: no .sha256 beside the archive.
mkdir -p "$releases/v9.9.2"
cp "$dist/$archive" "$releases/v9.9.2/greenlight-9.9.2-linux-x86_64.tar.gz"
# v9.9.4: a consistent archive (top folder, checksum) whose program is another version.
mkdir -p "$releases/v9.9.4" "$work/relabel"
tar -xzf "$dist/$archive" -C "$work/relabel"
mv "$work/relabel/greenlight-$version-linux-x86_64" "$work/relabel/greenlight-9.9.4-linux-x86_64"
tar -czf "$releases/v9.9.4/greenlight-9.9.4-linux-x86_64.tar.gz" -C "$work/relabel" greenlight-9.9.4-linux-x86_64
(cd "$releases/v9.9.4" && sha256sum greenlight-9.9.4-linux-x86_64.tar.gz >greenlight-9.9.4-linux-x86_64.tar.gz.sha256)

# --- the server --------------------------------------------------------------------------------------
server_log=$work/server.log
control=$work/control
mkdir -p "$control"
: >"$server_log"
# It stops by itself after 240 s; gl_cleanup kills it at the end (disowned: no "Killed" notice then).
"$python" "$source_dir/test/cli/lib/release_server.py" "$served" "$server_log" "$work/port" "$control" 240 \
    >"$work/server.out" 2>&1 &
track_pid $!
disown $!
wait_for 10 test -s "$work/port" || fail "the release server did not start: $(cat "$work/server.out")"
server_url=http://127.0.0.1:$(cat "$work/port")
requests() { wc -l <"$server_log"; }

# --- GitHub's environment ----------------------------------------------------------------------------
# new_job NAME: a fresh job's files ($GITHUB_PATH, $GITHUB_OUTPUT, $RUNNER_TEMP) under $work/NAME; the
# tool cache is $tool_cache (the runner's, shared by its jobs) unless the caller changes it.
tool_cache=$work/toolcache
new_job() {
    job=$work/jobs/$1
    mkdir -p "$job/temp"
    : >"$job/path"
    : >"$job/output"
}

# install [VAR=VALUE...]: runs the action's install step with GitHub's variables, then the given ones;
# output in $last_out/$last_err, exit code in $rc.
install() {
    env -i PATH="$PATH" HOME="$HOME" \
        GITHUB_ACTIONS=true GITHUB_SERVER_URL="$server_url" GITHUB_ACTION_REPOSITORY=$repository \
        GITHUB_ACTION_REF="v$version" GITHUB_ACTION_PATH="$work/runner/_actions/$repository/v$version" \
        RUNNER_OS=Linux RUNNER_ARCH=X64 RUNNER_TOOL_CACHE="$tool_cache" RUNNER_TEMP="$job/temp" \
        GITHUB_PATH="$job/path" GITHUB_OUTPUT="$job/output" \
        GREENLIGHT_VERSION= GREENLIGHT_SHA256= \
        "$@" bash "$install_script" install >"$last_out" 2>"$last_err" </dev/null
    rc=$?
}

output_of() { sed -n "s/^$1=//p" "$job/output"; }

# expect_failure WHAT PATTERN: the install failed with an error annotation matching PATTERN, and left
# nothing behind: no PATH entry, no output, no download in RUNNER_TEMP, nothing in the tool cache.
expect_failure() {
    local what=$1 pattern=$2
    expect_rc 1 "$what"
    grep -Eq -- "^::error title=greenlight action::.*($pattern)" "$last_err" ||
        fail "$what: expected an error annotation matching /$pattern/"
    [[ ! -s $job/path ]] || fail "$what: something was added to GITHUB_PATH: $(cat "$job/path")"
    [[ ! -s $job/output ]] || fail "$what: outputs were set: $(cat "$job/output")"
    [[ -z $(ls -A "$job/temp") ]] || fail "$what: left files in RUNNER_TEMP: $(ls -A "$job/temp")"
}

# expect_installed: the install succeeded and greenlight, found through $GITHUB_PATH, runs.
expect_installed() {
    local bin_dir found
    expect_rc 0 "$1"
    [[ $(wc -l <"$job/path") == 1 ]] || fail "$1: expected one line in GITHUB_PATH, found: $(cat "$job/path")"
    bin_dir=$(cat "$job/path")
    [[ $bin_dir == "$tool_cache/greenlight/$version/x64/bin" ]] ||
        fail "$1: GITHUB_PATH holds $bin_dir, expected the tool cache's $tool_cache/greenlight/$version/x64/bin"
    found=$(PATH="$bin_dir:/usr/bin:/bin" command -v greenlight)
    [[ $found == "$bin_dir/greenlight" ]] || fail "$1: on the new PATH, greenlight is '$found'"
    [[ $(PATH="$bin_dir:/usr/bin:/bin" greenlight --version) == "greenlight $version ("* ]] ||
        fail "$1: greenlight --version from $bin_dir"
    expect_file "$tool_cache/greenlight/$version/x64.complete" "$1: the tool cache's completion marker"
    [[ $(output_of path) == "$tool_cache/greenlight/$version/x64" ]] || fail "$1: output path is '$(output_of path)'"
    [[ $(output_of version) == "$version" ]] || fail "$1: output version is '$(output_of version)'"
    grep -qx "greenlight $version (commit .*, built .*)" "$last_out" || fail "$1: the step did not print greenlight --version"
    [[ -z $(ls -A "$job/temp") ]] || fail "$1: left files in RUNNER_TEMP: $(ls -A "$job/temp")"
}

# --- a first install downloads, checks and caches ---------------------------------------------------
note "first install: download, checksum, tool cache"
new_job first
install
expect_installed "first install"
[[ $(output_of cache-hit) == false ]] || fail "first install: cache-hit is '$(output_of cache-hit)', expected false"
for file in "$archive" "$archive.sha256"; do
    grep -q "^GET /$repository/releases/download/v$version/$file 302$" "$server_log" ||
        fail "first install: no request for the release's $file (server log: $(cat "$server_log"))"
    grep -q "^GET /storage/$repository/releases/download/v$version/$file 200$" "$server_log" ||
        fail "first install: the redirect to $file's storage was not followed"
done
expect_grep "SHA-256 [0-9a-f]{64} checked" "$last_out" "first install: the checksum note"
expect_file "$tool_cache/greenlight/$version/x64/share/greenlight/schemas/summary-v1.schema.json" "the unpacked share/ folder"
[[ $(find "$tool_cache/greenlight/$version" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' ') == "x64 x64.complete " ]] ||
    fail "the tool cache's version folder should hold x64 and x64.complete only: $(ls -A "$tool_cache/greenlight/$version")"
grep -q "^$(sha256sum "$dist/$archive" | cut -d' ' -f1)  $archive$" "$tool_cache/greenlight/$version/x64.complete" ||
    fail "the completion marker should name the archive's SHA-256: $(cat "$tool_cache/greenlight/$version/x64.complete")"

note "second install: from the tool cache, no request"
before=$(requests)
new_job second
install
expect_installed "second install"
[[ $(output_of cache-hit) == true ]] || fail "second install: cache-hit is '$(output_of cache-hit)', expected true"
[[ $(requests) == "$before" ]] || fail "second install: requests reached the server: $(tail -n +"$((before + 1))" "$server_log")"

note "the version from the action's checkout folder, as a composite action's steps see it"
new_job from-path
install GITHUB_ACTION_REF= GITHUB_ACTION_REPOSITORY=
expect_installed "version from GITHUB_ACTION_PATH"
new_job nested
install GREENLIGHT_ACTION_REF=v7.7.7 GREENLIGHT_ACTION_REPOSITORY=example/outer-action
expect_installed "inside another composite action (github.action_ref names the outer one)"
new_job from-expression
install GITHUB_ACTION_REF= GITHUB_ACTION_PATH="$source_dir" GREENLIGHT_ACTION_REF="v$version"
expect_installed "version from github.action_ref"
new_job from-input
install GITHUB_ACTION_REF=main GITHUB_ACTION_PATH="$source_dir" GREENLIGHT_VERSION="v$version"
expect_installed "version input"

note "a correct sha256 pin uses the cache"
new_job pinned
install GREENLIGHT_SHA256="$(sha256sum "$dist/$archive" | cut -d' ' -f1 | tr a-f A-F)"
expect_installed "pinned install"
[[ $(output_of cache-hit) == true ]] || fail "pinned install: the cached copy with the pinned SHA-256 was not used"
[[ $(requests) == "$before" ]] || fail "pinned install: requests reached the server"

# --- what fails, fails clearly and leaves nothing -------------------------------------------------------
note "no version: the action used at a branch"
new_job at-branch
install GITHUB_ACTION_REF=main GITHUB_ACTION_PATH="$source_dir"
expect_failure "used at main" "used at 'main', which is not a release tag vX.Y.Z.*set the version input"
new_job bad-version
install GREENLIGHT_VERSION=latest
expect_failure "version latest" "the version input is 'latest'; expected a release number"

note "an unsupported runner"
new_job mac
install RUNNER_OS=macOS RUNNER_ARCH=ARM64
expect_failure "macOS ARM64" "Linux on x86_64 only; this runner is macOS ARM64"
new_job arm
install RUNNER_ARCH=ARM64
expect_failure "Linux ARM64" "Linux on x86_64 only; this runner is Linux ARM64"

# The failures that download get a tool cache of their own, which must stay empty.
tool_cache=$work/toolcache-failures
mkdir -p "$tool_cache"
expect_empty_cache() {
    [[ -z $(ls -A "$tool_cache") ]] || fail "$1: the tool cache is not empty: $(find "$tool_cache" | head)"
}

note "checksum mismatch"
new_job tampered
install GREENLIGHT_VERSION=9.9.1
expect_failure "tampered archive" "checksum mismatch: greenlight-9.9.1-linux-x86_64.tar.gz has SHA-256 [0-9a-f]{64}, but .*\.sha256 says [0-9a-f]{64}"
expect_empty_cache "tampered archive"

note "a pin the archive does not match"
new_job wrong-pin
install GREENLIGHT_SHA256="$(printf '0%.0s' {1..64})"
expect_failure "wrong pin" "checksum mismatch: $archive has SHA-256 [0-9a-f]{64}, but the sha256 input pins 0{64}"
expect_empty_cache "wrong pin"
new_job bad-pin
install GREENLIGHT_SHA256=abc
expect_failure "malformed pin" "the sha256 input is 'abc'; expected 64 hexadecimal digits"

note "a wrong pin does not take the cached copy, and leaves it as it was"
tool_cache=$work/toolcache
marker_before=$(cat "$tool_cache/greenlight/$version/x64.complete")
new_job wrong-pin-cached
install GREENLIGHT_SHA256="$(printf 'f%.0s' {1..64})"
expect_failure "wrong pin over the cache" "the sha256 input pins f{64}"
[[ $(cat "$tool_cache/greenlight/$version/x64.complete") == "$marker_before" ]] || fail "the failed install changed the cached marker"
[[ -x $tool_cache/greenlight/$version/x64/bin/greenlight ]] || fail "the failed install removed the cached greenlight"
tool_cache=$work/toolcache-failures

note "a release that does not exist (404)"
new_job missing
install GREENLIGHT_VERSION=9.9.3
expect_failure "missing release" "/releases/download/v9\.9\.3/greenlight-9\.9\.3-linux-x86_64\.tar\.gz: not found \(HTTP 404\)\. Is greenlight v9\.9\.3 released"
expect_empty_cache "missing release"

note "a release without its .sha256 (404)"
new_job no-sums
install GREENLIGHT_VERSION=9.9.2
expect_failure "missing .sha256" "greenlight-9\.9\.2-linux-x86_64\.tar\.gz\.sha256: not found \(HTTP 404\)"
expect_empty_cache "missing .sha256"

note "an archive whose greenlight is another version; one with another top folder"
new_job other-version
install GREENLIGHT_VERSION=9.9.4
expect_failure "another version inside" "the archive of v9\.9\.4 holds a greenlight that says 'greenlight $version \(commit [^']*'; expected 'greenlight 9\.9\.4 \(\.\.\.\)'"
expect_empty_cache "another version inside"
mkdir -p "$releases/v9.9.6"
cp "$dist/$archive" "$releases/v9.9.6/greenlight-9.9.6-linux-x86_64.tar.gz"
(cd "$releases/v9.9.6" && sha256sum greenlight-9.9.6-linux-x86_64.tar.gz >greenlight-9.9.6-linux-x86_64.tar.gz.sha256)
new_job other-folder
install GREENLIGHT_VERSION=9.9.6
expect_failure "another top folder" "greenlight-9\.9\.6-linux-x86_64\.tar\.gz should hold one folder, greenlight-9\.9\.6-linux-x86_64/; it holds: greenlight-$version-linux-x86_64"
expect_empty_cache "another top folder"

note "a server that cannot be reached"
new_job unreachable
install GITHUB_SERVER_URL=http://127.0.0.1:9 GREENLIGHT_VERSION=9.9.5
expect_failure "unreachable server" "could not be downloaded \(no HTTP answer"
expect_empty_cache "unreachable server"

# --- recoveries --------------------------------------------------------------------------------------------
note "a transient 503 is retried"
tool_cache=$work/toolcache-retry
echo "/$repository/releases/download/v$version/$archive" >"$control/fail-once"
new_job retry
install
expect_installed "install after a 503"
grep -q "^GET /$repository/releases/download/v$version/$archive 503$" "$server_log" || fail "the 503 was never served"
[[ ! -e $control/fail-once ]] || fail "the server did not see the failing request"

note "a folder left without its completion marker is replaced"
tool_cache=$work/toolcache-broken
mkdir -p "$tool_cache/greenlight/$version/x64/bin"
echo "half unpacked" >"$tool_cache/greenlight/$version/x64/bin/leftover"
new_job broken-cache
install
expect_installed "install over a half-finished folder"
[[ $(output_of cache-hit) == false ]] || fail "a folder without its marker counted as a cache hit"
expect_absent "$tool_cache/greenlight/$version/x64/bin/leftover" "the half-finished folder's files"

# --- args: greenlight run after the install, never through a shell -----------------------------------------
# run_args ARGS: the action's run step with the args input ARGS, in the project folder.
run_args() {
    (cd "$work/project" && env -i PATH="$PATH" HOME="$HOME" RUNNER_TEMP="$job/temp" \
        GREENLIGHT_BINARY="$(output_of path)/bin/greenlight" GREENLIGHT_ARGS="$1" \
        bash "$install_script" run >"$last_out" 2>"$last_err" </dev/null)
    rc=$?
}

mkdir -p "$work/project"
cat >"$work/project/greenlight.yml" <<'YAML'
version: 1
project: tiny
artifacts: artifacts
suites:
  hello: { run: ["sh", "-c", "echo hello"] }
  world: { run: "echo world" }
tiers:
  pr-fast: [hello, world]
YAML

note "args runs greenlight run on a project"
run_args "--tier pr-fast --no-smoke --run-id args-1"
expect_rc 0 "greenlight run through args"
expect_grep "^greenlight run --tier pr-fast --no-smoke --run-id args-1$" "$last_out" "the logged command"
gl verify "$work/project/artifacts/tiny/args-1"
expect_rc 0 "verify the bundle the args run wrote"

note "quoted words in args stay one word; metacharacters are not executed"
# shellcheck disable=SC2016 # the dollar signs are the point: they must reach greenlight unexpanded
run_args '--tier pr-fast --no-smoke --run-id args-2 --artifact-dir "out $(touch pwned-1); touch pwned-2 `touch pwned-3` $HOME *"'
expect_rc 0 "args with quoted metacharacters"
# shellcheck disable=SC2016
expected_dir='out $(touch pwned-1); touch pwned-2 `touch pwned-3` $HOME *'
expect_dir "$work/project/$expected_dir/tiny/args-2" "the bundle under the literal artifact dir"
# shellcheck disable=SC2016
run_args '--tier pr-fast --no-smoke --run-id args-3 ; touch pwned-4 && touch pwned-5 | touch pwned-6 $(touch pwned-7) > pwned-8'
expect_rc 2 "args with bare metacharacters (greenlight refuses the extra words)"
expect_grep "not expected" "$last_err" "greenlight's usage error"
for n in 1 2 3 4 5 6 7 8; do
    expect_absent "$work/project/pwned-$n" "a command from args was executed"
done
expect_absent "$work/project/artifacts/tiny/args-3" "a run with refused arguments"

note "an unmatched quote in args is an error"
run_args "--tier 'pr-fast"
expect_rc 1 "args with an unmatched quote"
expect_grep "^::error title=greenlight action::the args input cannot be split into words: unmatched single quote" "$last_err" "unmatched quote"

echo "ok: the action installs from a release (cache, checksum, pin, 404, retry) and runs args without a shell"
