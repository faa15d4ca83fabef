#!/usr/bin/env bash
# The steps of the greenlight GitHub Action (action.yml at the repository root), kept in a file so that
# they can be tested and linted on their own.
#
#   install.sh install   find greenlight <version> in the runner's tool cache, or download the release
#                        archive for this runner, check its SHA-256 and unpack it there; put its bin/ on
#                        PATH ($GITHUB_PATH) and set the outputs path, version and cache-hit
#   install.sh run       greenlight run with the words of the `args` input, never through a shell
#
# Everything comes in through the environment, never pasted into a script:
#   GREENLIGHT_VERSION            the `version` input (X.Y.Z or vX.Y.Z); empty: the action's own tag
#   GREENLIGHT_SHA256             the `sha256` input: the archive must have this SHA-256 (optional)
#   GREENLIGHT_ARGS               the `args` input (run)
#   GREENLIGHT_BINARY             the greenlight to run (run)
#   GREENLIGHT_ACTION_REF/_REPOSITORY  github.action_ref / github.action_repository, passed by the step
#                                 because GITHUB_ACTION_REF/_REPOSITORY are empty in a composite action's
#                                 own steps
#   GitHub's: GITHUB_SERVER_URL, GITHUB_ACTION_REPOSITORY, GITHUB_ACTION_REF, GITHUB_ACTION_PATH,
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TOOL_CACHE, RUNNER_TEMP, GITHUB_PATH, GITHUB_OUTPUT.
set -euo pipefail

readonly tool=greenlight
# The release archives come from this repository unless the action runs from another (a fork).
readonly home_repository=greenlight-ci/greenlight

# fail MESSAGE: an error annotation on the workflow run, then exit 1. On stderr, so that it is seen from
# inside $(...) too (the runner reads workflow commands from both streams).
fail() {
    local message=$*
    message=${message//'%'/'%25'}
    message=${message//$'\r'/'%0D'}
    message=${message//$'\n'/'%0A'}
    echo "::error title=greenlight action::$message" >&2
    exit 1
}

note() { echo "greenlight action: $*"; }

require_variables() {
    local name
    for name in "$@"; do
        [[ -n ${!name:-} ]] || fail "\$$name is not set: this script runs as a step of the greenlight action on GitHub Actions (or with GitHub's variables set the same way)"
    done
}

require_commands() {
    local name missing=()
    for name in "$@"; do
        command -v "$name" >/dev/null || missing+=("$name")
    done
    ((${#missing[@]} == 0)) ||
        fail "the runner lacks ${missing[*]}, which the install needs (on Debian or Ubuntu: apt-get install -y ${missing[*]})"
}

# The ref and repository the action was used at (greenlight-ci/greenlight@v0.2.0: v0.2.0 and
# greenlight-ci/greenlight). First from the action's own checkout, .../_actions/<owner>/<repo>/<ref>: that is
# this action's even when another composite action uses it, where github.action_ref names the outer one.
# Then from github.action_ref/_repository as the step passes them, then from GitHub's variables (empty in a
# composite action's steps, set when the script runs on its own).
action_ref() {
    if [[ ${GITHUB_ACTION_PATH:-} =~ /_actions/[^/]+/[^/]+/([^/]+)/?$ ]]; then
        echo "${BASH_REMATCH[1]}"
    else
        echo "${GREENLIGHT_ACTION_REF:-${GITHUB_ACTION_REF:-}}"
    fi
}

action_repository() {
    local repository=
    if [[ ${GITHUB_ACTION_PATH:-} =~ /_actions/([^/]+/[^/]+)/[^/]+/?$ ]]; then
        repository=${BASH_REMATCH[1]}
    else
        repository=${GREENLIGHT_ACTION_REPOSITORY:-${GITHUB_ACTION_REPOSITORY:-}}
    fi
    echo "${repository:-$home_repository}"
}

# Sets $version from the `version` input, else from the action's tag.
resolve_version() {
    local requested=${GREENLIGHT_VERSION:-} ref
    requested=${requested#v}
    if [[ -n $requested ]]; then
        [[ $requested =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]] ||
            fail "the version input is '${GREENLIGHT_VERSION}'; expected a release number such as 0.2.0"
        version=$requested
        return
    fi
    ref=$(action_ref)
    if [[ $ref =~ ^v([0-9]+\.[0-9]+\.[0-9]+)$ ]]; then
        version=${BASH_REMATCH[1]}
        return
    fi
    fail "no version to install: the action was used at '${ref:-an unknown ref}', which is not a release tag vX.Y.Z." \
        "Use a release tag (uses: $home_repository@v0.2.0) or set the version input (with: { version: 0.2.0 })"
}

# Sets $platform (the archive's name part) and $cache_arch (the tool cache's) for this runner.
resolve_platform() {
    local os=${RUNNER_OS:-$(uname -s)} arch=${RUNNER_ARCH:-$(uname -m)}
    case "$os/$arch" in
        Linux/X64 | Linux/x86_64 | Linux/amd64)
            platform=linux-x86_64
            cache_arch=x64
            ;;
        *)
            fail "greenlight releases are built for Linux on x86_64 only; this runner is $os $arch." \
                "Run this job on a Linux x64 runner (runs-on: ubuntu-24.04), or build greenlight from source"
            ;;
    esac
}

# download URL FILE: fetches URL to FILE, retrying transient failures; fails with the reason otherwise.
download() {
    local url=$1 file=$2 status
    if status=$(curl --silent --show-error --location --fail --retry 5 --retry-max-time 120 \
        --connect-timeout 20 --max-time 600 --output "$file" --write-out '%{http_code}' "$url"); then
        return 0
    fi
    case "$status" in
        404) fail "$url: not found (HTTP 404). Is greenlight v$version released, with an archive for $platform? The releases: $releases_page" ;;
        000 | '') fail "$url: could not be downloaded (no HTTP answer; see curl's message above)" ;;
        *) fail "$url: could not be downloaded (HTTP $status)" ;;
    esac
}

sha256_of() {
    local sum
    sum=$(sha256sum "$1")
    echo "${sum%% *}"
}

# The digest the release's .sha256 file gives for FILE_NAME (sha256sum's `<hex>  <name>` lines).
published_sha256() {
    local sums_file=$1 name=$2 digest
    digest=$(awk -v name="$name" '{ file = $2; sub(/^\*/, "", file); if (file == name) { print $1; exit } }' "$sums_file")
    [[ $digest =~ ^[0-9a-fA-F]{64}$ ]] ||
        fail "$sums_url: expected a line '<sha256>  $name'; found: $(head -c 200 "$sums_file")"
    echo "${digest,,}"
}

# The SHA-256 the cached copy was unpacked from (written into its .complete marker), or nothing.
cached_sha256() {
    [[ -f $marker ]] || return 0
    awk 'NR == 1 { print $1 }' "$marker"
}

is_cached() {
    [[ -f $marker && -x $install_dir/bin/$tool ]] || return 1
    [[ -z $pinned_sha256 ]] && return 0
    [[ $(cached_sha256) == "$pinned_sha256" ]] && return 0
    note "the cached greenlight $version came from an archive whose SHA-256 is not the pinned one; downloading it again"
    return 1
}

# Leaves no partial download or half-unpacked folder behind, whatever happened.
cleanup() {
    [[ -n ${download_dir:-} ]] && rm -rf -- "$download_dir"
    [[ -n ${staging_dir:-} ]] && rm -rf -- "$staging_dir"
    if [[ -n ${version_dir:-} ]]; then
        rmdir -- "$version_dir" 2>/dev/null || true
        rmdir -- "$(dirname "$version_dir")" 2>/dev/null || true
    fi
    return 0
}

# Downloads the archive and its .sha256 into $download_dir; sets $archive_file and $archive_sha256.
fetch_release() {
    local base="$server_url/$repository/releases/download/v$version" expected
    download_dir=$(mktemp -d "$RUNNER_TEMP/greenlight-download.XXXXXX")
    archive_file=$download_dir/$archive
    sums_url="$base/$archive.sha256"
    note "downloading $base/$archive"
    download "$base/$archive" "$archive_file"
    download "$sums_url" "$download_dir/$archive.sha256"

    archive_sha256=$(sha256_of "$archive_file")
    expected=$(published_sha256 "$download_dir/$archive.sha256" "$archive")
    [[ $archive_sha256 == "$expected" ]] ||
        fail "checksum mismatch: $archive has SHA-256 $archive_sha256, but $sums_url says $expected. The download is damaged or not the release's; nothing was installed"
    if [[ -n $pinned_sha256 && $archive_sha256 != "$pinned_sha256" ]]; then
        fail "checksum mismatch: $archive has SHA-256 $archive_sha256, but the sha256 input pins $pinned_sha256; nothing was installed"
    fi
    note "SHA-256 $archive_sha256 checked against the release's $archive.sha256${pinned_sha256:+ and the sha256 input}"
}

# Unpacks the checked archive beside its final place, proves the program runs, then renames it in:
# the cache holds a whole greenlight or none.
unpack_into_cache() {
    local top entries reported
    mkdir -p "$version_dir"
    staging_dir=$(mktemp -d "$version_dir/.$cache_arch.XXXXXX")
    tar -xzf "$archive_file" -C "$staging_dir" --no-same-owner ||
        fail "$archive could not be unpacked (see tar's message above)"
    entries=$(find "$staging_dir" -mindepth 1 -maxdepth 1 -printf '%f\n')
    top=$staging_dir/${archive%.tar.gz}
    [[ $entries == "${archive%.tar.gz}" && -d $top ]] ||
        fail "$archive should hold one folder, ${archive%.tar.gz}/; it holds: $(echo "$entries" | head -n 5 | tr '\n' ' ')"
    [[ -f $top/bin/$tool && -x $top/bin/$tool ]] || fail "$archive has no executable bin/$tool"
    reported=$("$top/bin/$tool" --version 2>&1) ||
        fail "the unpacked greenlight does not start on this runner: $reported"
    # "greenlight 0.2.0", then the commit and build date in parentheses.
    [[ $reported == "$tool $version" || $reported == "$tool $version ("* ]] ||
        fail "the archive of v$version holds a greenlight that says '$reported'; expected '$tool $version (...)'"

    # Another job on this runner may have finished the same install meanwhile: keep that one.
    if is_cached; then
        return 0
    fi
    rm -f -- "$marker"
    [[ -e $install_dir ]] && mv -- "$install_dir" "$staging_dir/replaced"
    mv -- "$top" "$install_dir"
    printf '%s  %s\n' "$archive_sha256" "$archive" >"$staging_dir/complete"
    mv -- "$staging_dir/complete" "$marker"
}

install() {
    require_variables RUNNER_TOOL_CACHE RUNNER_TEMP GITHUB_PATH GITHUB_OUTPUT
    resolve_version
    resolve_platform

    pinned_sha256=${GREENLIGHT_SHA256:-}
    pinned_sha256=${pinned_sha256,,}
    if [[ -n $pinned_sha256 && ! $pinned_sha256 =~ ^[0-9a-f]{64}$ ]]; then
        fail "the sha256 input is '${GREENLIGHT_SHA256}'; expected 64 hexadecimal digits (the archive's SHA-256)"
    fi

    server_url=${GITHUB_SERVER_URL:-https://github.com}
    server_url=${server_url%/}
    repository=$(action_repository)
    releases_page="$server_url/$repository/releases"
    archive="$tool-$version-$platform.tar.gz"
    # The layout actions/tool-cache uses: <tool cache>/<tool>/<version>/<arch>, complete when <arch>.complete exists.
    version_dir=$RUNNER_TOOL_CACHE/$tool/$version
    install_dir=$version_dir/$cache_arch
    marker=$install_dir.complete
    trap cleanup EXIT

    local cache_hit=false
    if is_cached; then
        cache_hit=true
        note "greenlight $version found in the tool cache: $install_dir"
    else
        require_commands curl tar gzip sha256sum
        fetch_release
        unpack_into_cache
        note "greenlight $version unpacked into the tool cache: $install_dir"
    fi

    echo "$install_dir/bin" >>"$GITHUB_PATH"
    {
        echo "path=$install_dir"
        echo "version=$version"
        echo "cache-hit=$cache_hit"
    } >>"$GITHUB_OUTPUT"
    "$install_dir/bin/$tool" --version
}

# The words as a shell would take them back: plain words as they are, others quoted.
shell_quoted() {
    local word
    for word in "$@"; do
        if [[ $word =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then
            printf ' %s' "$word"
        else
            printf ' %s' "${word@Q}"
        fi
    done
}

# greenlight run with the args input split into words as a shell would split them ('...', "..." and
# backslashes group), but nothing in them is expanded or executed: no $VAR, no globs, no ;, |, $(...).
run_greenlight() {
    require_variables GREENLIGHT_BINARY
    local words_file words=()
    words_file=$(mktemp "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/greenlight-args.XXXXXX")
    # xargs parses quotes and backslashes and runs printf directly (no shell), one NUL after each word.
    if ! printf '%s' "${GREENLIGHT_ARGS:-}" | xargs -r printf '%s\0' >"$words_file" 2>"$words_file.err"; then
        local reason
        reason=$(cat "$words_file.err")
        rm -f -- "$words_file" "$words_file.err"
        fail "the args input cannot be split into words: ${reason#xargs: }"
    fi
    mapfile -d '' -t words <"$words_file"
    rm -f -- "$words_file" "$words_file.err"
    echo "greenlight run$(shell_quoted "${words[@]}")"
    exec "$GREENLIGHT_BINARY" run "${words[@]}"
}

case "${1:-}" in
    install) install ;;
    run) run_greenlight ;;
    *)
        echo "usage: $0 install|run   (the steps of the greenlight action; see action.yml)" >&2
        exit 2
        ;;
esac
