#!/usr/bin/env bash
# clang-tidy (the short list of checks in .clang-tidy) on the C++ sources that changed lately, so that a slow
# whole-tree pass is not paid on every CI run. Used by `make tidy` and .ci/run.
#
#   scripts/tidy-changed.sh [BASE]
#
# BASE: a commit; the .cpp files changed between it and HEAD are checked (a changed header is checked through
# the .cpp files of its folder that include it). Default: $TIDY_BASE, else the newest commit at least a day
# older than HEAD, so a run sees everything that landed since the day before. At most $TIDY_MAX_FILES files
# (default 20), the most recently changed first. The compile commands come from a configure-only build folder
# (build-tidy), so nothing is compiled. Exit 0 clean, 1 with a finding, 2 when it cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."
max_files=${TIDY_MAX_FILES:-20}
jobs=${JOBS:-$(nproc)}
command -v clang-tidy >/dev/null || { echo "tidy: clang-tidy is not installed (scripts/install-deps.sh lint)" >&2; exit 2; }

base=${1:-${TIDY_BASE:-}}
if [[ -z "$base" ]]; then
    head_time=$(git log -1 --format=%ct HEAD)
    base=$(git rev-list -1 --before="$((head_time - 86400))" HEAD || true)
fi
if [[ -z "$base" ]]; then
    base=$(git rev-list --max-parents=0 HEAD | tail -1)
fi

# Changed files, most recently changed first, each once; headers stand for the sources beside them that
# include them.
declare -A seen=()
files=()
while IFS= read -r path; do
    [[ -n "$path" && -f "$path" ]] || continue
    candidates=("$path")
    if [[ "$path" == *.hpp ]]; then
        mapfile -t candidates < <(grep -l --include='*.cpp' -r "\"${path#src/}\"" "$(dirname "$path")" || true)
    fi
    for candidate in "${candidates[@]}"; do
        [[ "$candidate" == src/*.cpp && -z "${seen[$candidate]:-}" ]] || continue
        seen[$candidate]=1
        files+=("$candidate")
    done
done < <(git log --format= --name-only "$base..HEAD" -- 'src/*.cpp' 'src/*.hpp')

if ((${#files[@]} == 0)); then
    echo "tidy: no C++ source changed since $(git rev-parse --short "$base")"
    exit 0
fi
if ((${#files[@]} > max_files)); then
    echo "tidy: ${#files[@]} sources changed since $(git rev-parse --short "$base"); checking the $max_files most recent"
    files=("${files[@]:0:max_files}")
fi

cmake -S . -B build-tidy -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGREENLIGHT_TESTS=OFF -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
    >/dev/null
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
printf '%s\n' "${files[@]}" |
    xargs -P "$jobs" -n 4 clang-tidy -p build-tidy --quiet --warnings-as-errors='*' >"$log" 2>&1 || status=$?
if ((status != 0)); then
    grep -E 'warning:|error:' -A3 "$log" | head -n 200
    echo "tidy: findings in the sources above (checks: .clang-tidy)"
    exit 1
fi
echo "tidy: ${#files[@]} sources changed since $(git rev-parse --short "$base") pass .clang-tidy's checks"
