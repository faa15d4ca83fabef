#!/usr/bin/env bash
# Lists the Debian packages whose code a static greenlight carries, and copies each one's copyright file.
# Reads the linker's map (which archive members the link took) and the headers of the header-only libraries
# greenlight compiles in, asks dpkg which package owns each, and writes OUT_DIR/THIRD-PARTY.txt (package,
# version, what greenlight takes from it) and OUT_DIR/<package>.copyright.
# Usage: scripts/third-party-notices.sh LINK_MAP OUT_DIR
set -euo pipefail

map=${1:?usage: third-party-notices.sh LINK_MAP OUT_DIR}
out=${2:?usage: third-party-notices.sh LINK_MAP OUT_DIR}
[[ -f $map ]] || { echo "third-party-notices: no link map at '$map'" >&2; exit 2; }
command -v dpkg-query >/dev/null || { echo "third-party-notices: dpkg is needed" >&2; exit 2; }

# Archives the link took members from: map lines that name "archive.a(member.o)".
mapfile -t archives < <(grep -oE '^/[^ ()]+\.a\(' "$map" | sed 's/($//' | sort -u)
# Header-only libraries compiled in (their headers are all the code there is).
headers=(/usr/include/fmt/format.h /usr/include/nlohmann/json.hpp /usr/include/CLI/CLI.hpp
         /usr/include/boost/beast.hpp /usr/include/date/date.h)

declare -A what=()
for file in "${archives[@]}" "${headers[@]}"; do
    [[ -e $file ]] || continue
    resolved=$(readlink -f "$file")
    owner=$(dpkg-query -S "$file" 2>/dev/null || dpkg-query -S "$resolved" 2>/dev/null || true)
    package=${owner%%:*}
    package=${package%%,*}
    [[ -n $package ]] || { echo "third-party-notices: no Debian package owns $file" >&2; exit 1; }
    what[$package]+="${what[$package]:+ }$(basename "$file")"
done

rm -rf "$out"
mkdir -p "$out"
{
    echo "Third-party code in this greenlight binary, linked statically from Debian 12 packages."
    echo "Each package's copyright file is beside this one as <package>.copyright."
    echo
    printf '%-28s %-28s %s\n' package version "linked from"
    for package in $(printf '%s\n' "${!what[@]}" | sort); do
        version=$(dpkg-query -W -f '${Version}' "$package")
        printf '%-28s %-28s %s\n' "$package" "$version" "${what[$package]}"
        copyright=/usr/share/doc/$package/copyright
        [[ -r $copyright ]] || { echo "third-party-notices: $package has no $copyright" >&2; exit 1; }
        cp -L "$copyright" "$out/$package.copyright"
    done
} >"$out/THIRD-PARTY.txt"
