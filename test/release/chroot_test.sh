#!/usr/bin/env bash
# The release files work where greenlight was never built: in bare root filesystems of other Debian releases
# (debootstrap --variant=minbase: no compiler, no -dev package, no library greenlight links), the archive's
# greenlight prints its version, passes `smoke`, runs, verifies and packs a small project's tier on
#   bullseye (Debian 11, glibc 2.31: the oldest glibc the release promises) and trixie (Debian 13);
# and the .deb installs with `apt install ./greenlight_<version>_<arch>.deb` on a bare bookworm (Debian 12),
# runs there, and leaves nothing behind when removed.
#
# Root filesystems are made once from the mirror apt already uses and kept in
# ${GREENLIGHT_ROOTFS_CACHE:-$HOME/.cache/greenlight/rootfs}/<release>; each check works on a throwaway copy.
# Needs root (chroot, mount). Exits 77 (skipped) with the reason when not root or when no mirror answers.
# Usage: test/release/chroot_test.sh DIST_DIR [RELEASE...]   (releases: bullseye trixie bookworm-deb; default all)
#        test/release/chroot_test.sh --prepare                 only make the cached root filesystems (CI starts
#                                                              this early, so the downloads overlap the build)
set -euo pipefail

dist=${1:?usage: chroot_test.sh DIST_DIR [RELEASE...] | --prepare}
shift
checks=("$@")
[[ ${#checks[@]} -gt 0 ]] || checks=(bullseye trixie bookworm-deb)
cache=${GREENLIGHT_ROOTFS_CACHE:-$HOME/.cache/greenlight/rootfs}

skip() { echo "SKIP: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

[[ $(id -u) -eq 0 ]] || skip "the chroot checks need root (chroot, mount)"
preparing=false
[[ $dist == --prepare ]] && preparing=true
if $preparing; then archive=none deb=none; else
archive=$(ls "$dist"/greenlight-*-linux-"$(uname -m)".tar.gz 2>/dev/null | head -n 1 || true)
deb=$(ls "$dist"/greenlight_*_*.deb 2>/dev/null | head -n 1 || true)
[[ -n $archive ]] || fail "no greenlight-*-linux-$(uname -m).tar.gz in '$dist' (run make release first)"
[[ -n $deb ]] || fail "no greenlight_*.deb in '$dist' (run make release first)"
(cd "$(dirname "$archive")" && sha256sum --quiet -c "$(basename "$archive").sha256") ||
    fail "$archive does not match its .sha256 file"
fi

# The mirror apt uses (deb822 sources or a sources.list line), else Debian's own.
mirror=$(grep -rhoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
    awk '{print $2}' | grep -v -- '-security' | grep -E '/debian/?$' | head -n 1 || true)
mirror=${mirror:-http://deb.debian.org/debian}

work=$(mktemp -d "${TMPDIR:-/tmp}/greenlight-chroot.XXXXXX")
cleanup() {
    # Every mount below the work folder (not only those this shell recorded), deepest first, before anything
    # is deleted; and the deletion never crosses into another file system.
    local mount
    while read -r mount; do umount -l "$mount" 2>/dev/null || true; done < <(
        awk -v work="$work/" 'index($2, work) == 1 {print $2}' /proc/mounts | sort -r)
    rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A cached root filesystem of RELEASE, made the first time (about 1.5 minutes and 40 MB from the mirror).
rootfs_of() {
    local release=$1 target=$cache/$1
    if [[ ! -x $target/bin/sh ]]; then
        command -v debootstrap >/dev/null || skip "debootstrap is not installed (scripts/install-deps.sh release)"
        command -v curl >/dev/null && ! curl -fsSI --max-time 20 "$mirror/dists/$release/Release" >/dev/null &&
            skip "the Debian mirror $mirror does not answer for $release"
        mkdir -p "$cache"
        rm -rf "$target.partial"
        echo "making a $release root filesystem in $target (debootstrap, once)"
        if ! debootstrap --variant=minbase "$release" "$target.partial" "$mirror" >"$work/debootstrap-$release.log" 2>&1; then
            tail -n 20 "$work/debootstrap-$release.log" >&2
            grep -qiE 'resolv|connect|network|Failed getting release' "$work/debootstrap-$release.log" &&
                skip "debootstrap could not reach $mirror for $release"
            fail "debootstrap $release failed"
        fi
        mv "$target.partial" "$target"
    fi
    printf '%s\n' "$target"
}

# A throwaway copy of RELEASE's root filesystem with /proc mounted and localhost known, in $root.
fresh_root() {
    local release=$1 source
    source=$(rootfs_of "$release")
    root=$work/root-$release
    cp -a "$source" "$root"
    printf '127.0.0.1 localhost\n::1 localhost ip6-localhost\n' >"$root/etc/hosts"
    mount -t proc proc "$root/proc"
}

in_root() {
    local root=$1
    shift
    chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root LANG=C.UTF-8 "$@"
}

# Everything a user does first, with the greenlight at BINARY (a path inside ROOT).
exercise() {
    local root=$1 binary=$2 label=$3
    in_root "$root" "$binary" --version >"$work/version.out" 2>&1 || { cat "$work/version.out" >&2; fail "$label: --version"; }
    grep -q "greenlight" "$work/version.out" || fail "$label: --version printed no version: $(cat "$work/version.out")"
    in_root "$root" "$binary" smoke --output-dir /tmp/smoke >"$work/smoke.out" 2>&1 ||
        { tail -n 30 "$work/smoke.out" >&2; fail "$label: greenlight smoke"; }
    pass "$label: smoke passes ($(head -n 1 "$work/version.out"))"

    mkdir -p "$root/srv/project"
    cat >"$root/srv/project/greenlight.yml" <<'YAML'
version: 1
project: chroot
artifacts: artifacts
suites:
  hello:
    run: ["sh", "-c", "printf 'ok 1 - hello\\n1..1\\n' > hello.tap"]
    results: { tap: hello.tap }
  counts:
    run: ["sh", "-c", "for i in 1 2 3; do echo \"ok $i - count $i\"; done > counts.tap; echo 1..3 >> counts.tap"]
    results: { tap: counts.tap }
tiers:
  all: [hello, counts]
YAML
    in_root "$root" sh -c "cd /srv/project && $binary run --tier all --run-id chroot-1 --jobs 2" >"$work/run.out" 2>&1 ||
        { cat "$work/run.out" >&2; fail "$label: greenlight run"; }
    in_root "$root" "$binary" verify /srv/project/artifacts/chroot/chroot-1 >"$work/verify.out" 2>&1 ||
        { cat "$work/verify.out" >&2; fail "$label: greenlight verify"; }
    in_root "$root" "$binary" pack /srv/project/artifacts/chroot/chroot-1 -o /tmp/bundle.tar.gz >"$work/pack.out" 2>&1 &&
        in_root "$root" "$binary" verify /tmp/bundle.tar.gz >>"$work/pack.out" 2>&1 ||
        { cat "$work/pack.out" >&2; fail "$label: greenlight pack + verify"; }
    /usr/bin/python3 -c 'import json, sys; counts = json.load(open(sys.argv[1]))["counts"]; sys.exit(counts["passed"] != 4)' \
        "$root/srv/project/artifacts/chroot/chroot-1/summary.json" || fail "$label: summary.json does not count the 4 tests that ran"
    pass "$label: run, verify and pack a project"
}

check_archive() {
    local release=$1
    fresh_root "$release"
    mkdir -p "$root/opt/greenlight"
    tar -xzf "$archive" -C "$root/opt/greenlight" --strip-components=1
    [[ -x $root/opt/greenlight/bin/greenlight ]] || fail "the archive has no bin/greenlight"
    if in_root "$root" sh -c 'command -v g++ cc c++ >/dev/null'; then fail "$release root has a compiler"; fi
    glibc=$(in_root "$root" sh -c 'getconf GNU_LIBC_VERSION' 2>/dev/null || echo "glibc ?")
    exercise "$root" /opt/greenlight/bin/greenlight "archive on $release ($glibc)"
}

check_deb() {
    local name
    fresh_root bookworm
    name=$(basename "$deb")
    cp "$deb" "$root/tmp/$name"
    in_root "$root" apt-get install -y "/tmp/$name" >"$work/apt.out" 2>&1 ||
        { tail -n 30 "$work/apt.out" >&2; fail "apt install ./$name on bookworm"; }
    [[ -x $root/usr/bin/greenlight ]] || fail "the .deb put no /usr/bin/greenlight"
    in_root "$root" dpkg -L greenlight >"$work/files.out"
    grep -q '^/usr/share/man/man1/greenlight.1' "$work/files.out" || fail "the .deb has no man page"
    grep -q 'bash-completion/completions/greenlight$' "$work/files.out" || fail "the .deb has no bash completion"
    exercise "$root" /usr/bin/greenlight "deb on bookworm"
    in_root "$root" apt-get remove -y greenlight >"$work/remove.out" 2>&1 || { cat "$work/remove.out" >&2; fail "apt remove"; }
    [[ ! -e $root/usr/bin/greenlight ]] || fail "apt remove left /usr/bin/greenlight"
    pass "deb on bookworm: apt remove takes it away"
}

if $preparing; then
    for release in bullseye trixie bookworm; do rootfs_of "$release" >/dev/null; done
    echo "release chroot checks: root filesystems ready in $cache"
    exit 0
fi
for check in "${checks[@]}"; do
    case $check in
        bullseye|trixie|bookworm) check_archive "$check" ;;
        bookworm-deb) check_deb ;;
        *) fail "unknown check '$check' (bullseye, trixie, bookworm, bookworm-deb)" ;;
    esac
done
echo "release chroot checks: all passed (${checks[*]})"
