#!/usr/bin/env bash
# How fast does greenlight hash a bundle compared with coreutils' sha256sum? Generates 1 GiB of
# bundle files (64 files of 16 MiB of random data plus 1000 small ones), warms the page cache, then
# times `sha256sum` over them single-threaded against `greenlight manifest DIR --jobs N` with 1 and
# 2 jobs. Prints the three times and the ratios greenlight throughput / sha256sum throughput
# (targets: at least 0.9 with 1 job, above 1 with 2 jobs). A report, not a test: a missed target
# does not fail the script.
# Usage: bench/manifest_throughput.sh [GREENLIGHT_BINARY] [SCRATCH_DIR]
#   GREENLIGHT_BINARY defaults to build/greenlight, SCRATCH_DIR to $TMPDIR or /tmp; the generated
#   files live in a temporary folder there (1 GiB free needed) and are removed at the end.
# Uses hyperfine when installed (median of 5 runs after a warm-up), otherwise times 5 runs itself.
set -euo pipefail

large_count=64
large_mebibytes=16
small_count=1000
small_bytes=4096
runs=5

binary=${1:-build/greenlight}
scratch=${2:-${TMPDIR:-/tmp}}
if [[ ! -x $binary ]]; then
    echo "manifest_throughput: no greenlight binary at '$binary' (build it, or pass its path)" >&2
    exit 2
fi
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
for tool in sha256sum find sort xargs; do
    command -v "$tool" >/dev/null || { echo "manifest_throughput: '$tool' is needed" >&2; exit 2; }
done

work=$(mktemp -d "$scratch/greenlight-manifest-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
bundle=$work/bundle

# --- the bundle: big random outputs plus many small files, as a real run leaves them ----------
echo "generating $((large_count * large_mebibytes)) MiB in $large_count files and $small_count small files..."
mkdir -p "$bundle/suites/big/outputs"
for ((i = 0; i < large_count; i++)); do
    head -c $((large_mebibytes << 20)) /dev/urandom >"$bundle/suites/big/outputs/blob-$i.bin"
done
for ((i = 0; i < small_count; i++)); do
    folder=$bundle/suites/small-$((i % 10))/outputs
    mkdir -p "$folder"
    head -c "$small_bytes" /dev/urandom >"$folder/file-$i.txt"
done

# The file list is fixed before greenlight runs, so its manifest files are never hashed by sha256sum.
find "$bundle" -type f -print0 | sort -z >"$work/files.list"
total_bytes=$(find "$bundle" -type f -printf '%s\n' | awk '{ total += $1 } END { print total }')
# Warm the page cache: the benchmark is about hashing, not about the disk.
xargs -0 cat <"$work/files.list" >/dev/null

sha256sum_command="xargs -0 sha256sum <'$work/files.list' >/dev/null"
one_job_command="'$binary' manifest '$bundle' --jobs 1"
two_jobs_command="'$binary' manifest '$bundle' --jobs 2"

# Prints the median wall time in seconds of `runs` runs of a shell command.
median_seconds() {
    local command=$1
    if command -v hyperfine >/dev/null; then
        hyperfine --style none --warmup 1 --runs "$runs" --export-csv "$work/timing.csv" "$command" >/dev/null
        # Columns: command,mean,stddev,median,user,system,min,max
        awk -F, 'NR == 2 { print $(NF - 4) }' "$work/timing.csv"
        return
    fi
    bash -c "$command"  # warm-up
    local times=() start end
    for ((run = 0; run < runs; run++)); do
        start=$(date +%s.%N)
        bash -c "$command"
        end=$(date +%s.%N)
        times+=("$(awk -v start="$start" -v end="$end" 'BEGIN { printf "%.6f", end - start }')")
    done
    printf '%s\n' "${times[@]}" | sort -g | awk '{ value[NR] = $1 } END { print value[int((NR + 1) / 2)] }'
}

# Fails early, and loudly, when the binary cannot write a manifest at all.
if ! "$binary" manifest "$bundle" --jobs 1 >/dev/null; then
    echo "manifest_throughput: '$binary manifest' failed; does this greenlight have the manifest command?" >&2
    exit 1
fi

echo "timing ($runs runs each, median)..."
sha256sum_seconds=$(median_seconds "$sha256sum_command")
one_job_seconds=$(median_seconds "$one_job_command")
two_jobs_seconds=$(median_seconds "$two_jobs_command")

awk -v bytes="$total_bytes" -v files="$(tr -cd '\0' <"$work/files.list" | wc -c)" \
    -v reference="$sha256sum_seconds" -v one="$one_job_seconds" -v two="$two_jobs_seconds" 'BEGIN {
    mebibytes = bytes / 1048576
    printf "bundle: %d files, %.0f MiB\n", files, mebibytes
    printf "%-28s %8.3f s  %8.0f MiB/s\n", "sha256sum (1 thread)", reference, mebibytes / reference
    printf "%-28s %8.3f s  %8.0f MiB/s\n", "greenlight manifest -j1", one, mebibytes / one
    printf "%-28s %8.3f s  %8.0f MiB/s\n", "greenlight manifest -j2", two, mebibytes / two
    printf "ratio greenlight/sha256sum throughput, 1 job:  %.2f (target >= 0.9)\n", reference / one
    printf "ratio greenlight/sha256sum throughput, 2 jobs: %.2f (target > 1)\n", reference / two
}'
