#!/usr/bin/env bash
# Packs a built greenlight into the release files: from BUILD_DIR (configured and built; the release build is
# GREENLIGHT_STATIC=ON, see `make release`) it writes into OUT_DIR
#   greenlight-<version>-linux-<arch>.tar.gz          one folder greenlight-<version>-linux-<arch>/ holding what
#                                                    `cmake --install` lays out (bin/, share/man, completions,
#                                                    schemas, docs and licences), the binary stripped
#   greenlight-<version>-linux-<arch>.tar.gz.sha256   its SHA-256, as sha256sum prints it
#   greenlight-<version>-linux-<arch>.debug           the binary's debug information (gdb finds it by debuglink)
# The archive is reproducible: the same build gives the same bytes (names sorted, owner 0, times from
# SOURCE_DATE_EPOCH or the last commit, gzip without a timestamp).
# Usage: scripts/package-release.sh --build-dir DIR --out DIR
set -euo pipefail

build_dir=
out_dir=
while [[ $# -gt 0 ]]; do
    case $1 in
        --build-dir) build_dir=${2:?--build-dir needs a folder}; shift 2 ;;
        --out) out_dir=${2:?--out needs a folder}; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "package-release: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[[ -n $build_dir && -n $out_dir ]] || { echo "package-release: --build-dir and --out are needed" >&2; exit 2; }
[[ -f $build_dir/CMakeCache.txt ]] || { echo "package-release: '$build_dir' is not a configured build" >&2; exit 2; }
[[ -x $build_dir/greenlight ]] || { echo "package-release: '$build_dir' has no built greenlight" >&2; exit 2; }
for tool in objcopy strip tar gzip sha256sum; do
    command -v "$tool" >/dev/null || { echo "package-release: '$tool' is needed" >&2; exit 2; }
done

version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build_dir/CMakeCache.txt")
[[ -n $version ]] || { echo "package-release: no project version in $build_dir/CMakeCache.txt" >&2; exit 2; }
arch=$(uname -m)
name=greenlight-$version-linux-$arch
source_dir=$(cd "$(dirname "$0")/.." && pwd)
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$source_dir" log -1 --format=%ct 2>/dev/null || date +%s)}

mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
stage=$(mktemp -d "${TMPDIR:-/tmp}/greenlight-package.XXXXXX")
trap 'rm -rf "$stage"' EXIT

cmake --install "$build_dir" --prefix "$stage/$name" >"$stage/install.log" ||
    { cat "$stage/install.log" >&2; echo "package-release: cmake --install failed" >&2; exit 1; }
binary=$stage/$name/bin/greenlight
[[ -x $binary ]] || { echo "package-release: the install put no bin/greenlight" >&2; exit 1; }

# Debug information apart, linked back by name and checksum, so a stack trace from a release binary can be
# symbolised with the .debug file beside it.
objcopy --only-keep-debug --compress-debug-sections=zlib "$binary" "$stage/$name.debug"
strip --strip-all "$binary"
(cd "$stage" && objcopy --add-gnu-debuglink="$name.debug" "$binary")

# Written under temporary names and renamed at the end: a failed packing leaves the last good release files.
find "$stage/$name" -exec touch -h -d "@$epoch" {} +
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" --format=gnu -C "$stage" -cf - "$name" |
    gzip -n -9 >"$stage/$name.tar.gz"
(cd "$stage" && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")
for file in "$name.tar.gz" "$name.tar.gz.sha256" "$name.debug"; do
    cp "$stage/$file" "$out_dir/.$file.partial"
done
for file in "$name.tar.gz" "$name.tar.gz.sha256" "$name.debug"; do
    mv -f "$out_dir/.$file.partial" "$out_dir/$file"
done
size=$(stat -c %s "$out_dir/$name.tar.gz")
echo "package-release: $out_dir/$name.tar.gz ($((size / 1024)) KiB)"
