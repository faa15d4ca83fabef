#!/usr/bin/env bash
# Installs the Debian 12 packages greenlight needs to build, test and run its demo, if any are missing.
# Usage: scripts/install-deps.sh [build|test|demo|fuzz|release|lint|bench]...   (default: build test)
set -euo pipefail

build=(cmake ninja-build g++ make git libcli11-dev libyaml-cpp-dev nlohmann-json3-dev libfmt-dev
       libpugixml-dev libssl-dev libarchive-dev libre2-dev libcmark-gfm-dev
       libhyperscan-dev libsqlite3-dev libboost-dev libpq-dev libhowardhinnant-date-dev
       libcmark-gfm-extensions-dev libabsl-dev)
test=(libgtest-dev libgmock-dev python3-pytest python3-yaml python3-jsonschema python3-coverage diff-cover
      gcovr lcov golang-go procps util-linux bsdutils libxml2-utils pre-commit curl openssl postgresql chromium
      shellcheck man-db zsh fish)
# What the demo project's suites run beyond the build tools (examples/demo: pytest from Debian's python3).
demo=(python3-pytest)
fuzz=(clang libclang-rt-14-dev)
# The static release build: the static archives libarchive and libpq need beyond their -dev packages
# (PostgreSQL's common and port libraries come with its server development files), dpkg-shlibdeps for the .deb,
# and debootstrap for the release checks in other Debian releases.
release=(libacl1-dev libzstd-dev liblz4-dev postgresql-server-dev-15 dpkg-dev binutils debootstrap curl)
# The formatting and lint checks (make format-check, make tidy).
lint=(clang-format clang-tidy)
bench=(hyperfine time wrk nginx-light curl golang-go postgresql)

wanted=()
groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(build test)
for group in "${groups[@]}"; do
  case "$group" in
    build) wanted+=("${build[@]}") ;;
    test) wanted+=("${test[@]}") ;;
    demo) wanted+=("${demo[@]}") ;;
    fuzz) wanted+=("${fuzz[@]}") ;;
    release) wanted+=("${release[@]}") ;;
    lint) wanted+=("${lint[@]}") ;;
    bench) wanted+=("${bench[@]}") ;;
    *) echo "install-deps: unknown group '$group' (build, test, demo, fuzz, release, lint, bench)" >&2; exit 2 ;;
  esac
done

# The interop tests run the Zowe CLI and the browser tests playwright-core, both from npm: Node.js from Debian
# unless one is on PATH already.
for group in "${groups[@]}"; do
  if [ "$group" = test ]; then
    command -v node >/dev/null || wanted+=(nodejs)
    command -v npm >/dev/null || wanted+=(npm)
  fi
done

missing=()
for package in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing Debian packages: ${missing[*]}" >&2
  echo "install-deps: run as root, or: sudo apt-get install -y ${missing[*]}" >&2
  exit 3
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
