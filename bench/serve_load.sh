#!/usr/bin/env bash
# How fast does `greenlight serve` take pings and run reports? Starts the server on loopback (no rate limit to
# speak of: serve.limits.requests_per_minute at its maximum, 1,000,000), makes SERVE_BENCH_CHECKS checks
# (default 50) through the admin API, then, on SQLite and then on a throwaway PostgreSQL cluster:
# - pings, open loop: SERVE_BENCH_PINGS pings (default 100,000) spread over the checks' keys, sent at a fixed
#   SERVE_BENCH_RATE (default 2,000/s) whether or not earlier ones have answered, each one's latency counted
#   from when it was due (bench/serve_load.go, standard-library Go);
# - pings, closed loop: wrk cycling over the same ping URLs for SERVE_BENCH_SECONDS (default 20), the ceiling;
# - ingestion: SERVE_BENCH_RUNS run reports (default 1,000; `PUT /api/v1/runs/<id>`, each a different run id,
#   a valid greenlight.run-report/v1 with 4 suites and 40 test cases) from SERVE_BENCH_SENDERS (default 4)
#   concurrent senders.
# Prints requests, requests/s (answered 200/201) and latency p50/p99/max per database and endpoint, with the
# 1-minute load average when each step started. A report, not a test: the target (pings at 2,000/s with p99 < 20 ms) is printed
# next to the figures, and a miss does not fail the script.
# Usage: bench/serve_load.sh [GREENLIGHT_BINARY]   (default build/greenlight; needs go, wrk, curl and, for
# PostgreSQL, the postgresql package's initdb/pg_ctl; without them the PostgreSQL half is skipped)
# SERVE_BENCH_DATABASES (default "sqlite postgresql") picks the databases; SERVE_BENCH_CONNECTIONS (default 32)
# and SERVE_BENCH_THREADS (default 2) are passed to wrk; SERVE_BENCH_POSTGRES_OPTIONS adds server options to the
# PostgreSQL cluster (e.g. "-c synchronous_commit=off", to compare with SQLite's WAL and synchronous=NORMAL).
set -euo pipefail

binary=$(realpath "${1:-build/greenlight}")
here=$(cd "$(dirname "$0")" && pwd)
pings=${SERVE_BENCH_PINGS:-100000}
rate=${SERVE_BENCH_RATE:-2000}
checks=${SERVE_BENCH_CHECKS:-50}
runs=${SERVE_BENCH_RUNS:-1000}
senders=${SERVE_BENCH_SENDERS:-4}
seconds=${SERVE_BENCH_SECONDS:-20}
connections=${SERVE_BENCH_CONNECTIONS:-32}
threads=${SERVE_BENCH_THREADS:-2}
databases=${SERVE_BENCH_DATABASES:-sqlite postgresql}
postgres_options=${SERVE_BENCH_POSTGRES_OPTIONS:-}
for tool in go wrk curl; do
    command -v "$tool" >/dev/null || { echo "serve bench: $tool is needed (scripts/install-deps.sh bench)" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/greenlight-serve-bench.XXXXXX")
server_pid=
postgres_bin=
postgres_data=
postgres_owner=()
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    if [ -n "$postgres_data" ] && [ -f "$postgres_data/postmaster.pid" ]; then
        "${postgres_owner[@]}" "$postgres_bin/pg_ctl" -D "$postgres_data" -m fast -w -t 30 stop >/dev/null 2>&1
    fi
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
load_average() { cut -d' ' -f1 /proc/loadavg; }

echo "building the load generator (bench/serve_load.go)"
(cd "$here" && GOFLAGS="" go build -o "$work/serve_load" serve_load.go)

mkdir -p "$work/project"
cat > "$work/project/greenlight.yml" <<'YAML'
version: 1
project: bench
serve:
  bundles: state/bundles
  limits: { requests_per_minute: 1000000 }
YAML

# The run report every ingestion request sends, its run id filled in by the load generator.
/usr/bin/python3 - > "$work/report.json" <<'PYTHON'
import json
suites, cases = [], []
for s in range(4):
    name = f"suite{s}"
    suites.append({"name": name, "verdict": "fail" if s == 0 else "pass", "tests": 10, "failures": 1 if s == 0 else 0,
                   "errors": 0, "skipped": 0, "duration_seconds": 12.5, "attempts": 1})
    for c in range(10):
        failed = s == 0 and c == 0
        case = {"suite": name, "classname": f"{name}.module{c % 3}", "name": f"test_case_{c}",
                "outcome": "failed" if failed else "passed", "duration_seconds": 0.25}
        if failed:
            case["output_excerpt"] = "expected 200, got 500\n" + "traceback line\n" * 40
        cases.append(case)
print(json.dumps({"schema": "greenlight.run-report/v1", "run_id": "@RUN_ID@", "project": "bench", "tier": "nightly",
                  "verdict": "fail", "started_at": "2026-11-21T10:36:00.123Z", "ended_at": "2026-11-21T10:38:05.623Z",
                  "duration_seconds": 125.5, "git_sha": "0123456789abcdef0123456789abcdef01234567",
                  "branch": "main", "suites": suites, "cases": cases}))
PYTHON

cat > "$work/pings.lua" <<'LUA'
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local next_index = math.random(#paths)
request = function()
    next_index = next_index % #paths + 1
    return wrk.format("GET", paths[next_index])
end
LUA

# A throwaway PostgreSQL cluster (as root, it belongs to the postgres user: PostgreSQL refuses to run as root).
start_postgres() {  # sets pg_url to the database's URL; leaves it empty when PostgreSQL cannot be started here
    local versions
    versions=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -1)
    [ -x /usr/lib/postgresql/15/bin/initdb ] && versions=/usr/lib/postgresql/15/bin
    [ -n "$versions" ] && [ -x "$versions/initdb" ] || return 0
    postgres_bin=$versions
    mkdir -p "$work/postgres"
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || return 0
        chmod 755 "$work"
        chown postgres: "$work/postgres"
        postgres_owner=(runuser -u postgres --)
    fi
    postgres_data=$work/postgres/data
    "${postgres_owner[@]}" "$postgres_bin/initdb" -D "$postgres_data" --auth=trust -U greenlight --no-sync \
        --encoding=UTF8 --locale=C > "$work/postgres-init.log" 2>&1 || { cat "$work/postgres-init.log" >&2; return 0; }
    local port
    port=$(free_port)
    # Durable writes as a production server has them: fsync and synchronous_commit stay on (unless
    # SERVE_BENCH_POSTGRES_OPTIONS says otherwise).
    "${postgres_owner[@]}" "$postgres_bin/pg_ctl" -D "$postgres_data" -l "$work/postgres/server.log" -w -t 30 \
        -o "-k $work/postgres -p $port -c listen_addresses=127.0.0.1 -c max_connections=200 $postgres_options" start \
        > "$work/postgres-start.log" 2>&1 || { cat "$work/postgres-start.log" "$work/postgres/server.log" >&2; return 0; }
    "$postgres_bin/createdb" -h 127.0.0.1 -p "$port" -U greenlight serve_bench >&2 || return 0
    pg_url=postgresql://greenlight@127.0.0.1:$port/serve_bench
}

run_wrk() {  # run_wrk URL PATHS_FILE: prints "requests requests_per_second p50_ms p99_ms max_ms errors"
    BENCH_PATHS=$2 wrk -t "$threads" -c "$connections" -d "${seconds}s" --timeout 10s --latency \
        -s "$work/pings.lua" "$1" > "$work/wrk.out"
    /usr/bin/python3 - "$work/wrk.out" <<'PYTHON'
import re, sys
text = open(sys.argv[1]).read()
def to_ms(value, unit):
    value = float(value)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
def quantile(label):
    m = re.search(r"^\s*%s\s+([\d.]+)(us|ms|s)\s*$" % re.escape(label), text, re.M)
    return to_ms(m.group(1), m.group(2))
latency = re.search(r"^\s*Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)", text, re.M)
requests = int(re.search(r"(\d+) requests in", text).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
errors = (int(bad.group(1)) if bad else 0) + (sum(int(g) for g in socket.groups()) if socket else 0)
print(f"{requests} {rps:.0f} {quantile('50%'):.2f} {quantile('99%'):.2f} {to_ms(latency.group(1), latency.group(2)):.2f} {errors}")
PYTHON
}

row() {  # row DATABASE ENDPOINT LOAD REQUESTS RPS P50 P99 MAX ERRORS
    printf '%-11s %-30s %6s %9s %11s %9s %9s %9s %7s\n' "$@" >> "$work/table"
}

bench_database() {  # bench_database LABEL DB_URL
    local label=$1 db=$2 admin ingest url load
    echo "== $label"
    admin=$("$binary" serve token create --config "$work/project/greenlight.yml" --db "$db" --scope admin bench-admin 2>/dev/null)
    ingest=$("$binary" serve token create --config "$work/project/greenlight.yml" --db "$db" --scope ingest bench-ingest 2>/dev/null)
    "$binary" serve --config "$work/project/greenlight.yml" --db "$db" --listen 127.0.0.1:0 \
        </dev/null > "$work/serve-$label.out" 2> "$work/serve-$label.log" &
    server_pid=$!
    for _ in $(seq 1 200); do
        grep -q "listening on" "$work/serve-$label.log" && break
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.1
    done
    url=$(sed -n 's/^greenlight serve: listening on \(http[^ ]*\)$/\1/p' "$work/serve-$label.log" | head -1)
    [ -n "$url" ] || { echo "serve bench: the server did not start:" >&2; cat "$work/serve-$label.log" >&2; exit 3; }

    : > "$work/paths-$label.txt"
    for i in $(seq 1 "$checks"); do
        curl -sS -f -X PUT -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
            --data '{"period_seconds": 3600, "grace_seconds": 600}' "$url/api/v1/checks/bench-$i" |
            /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["ping_url_path"])' >> "$work/paths-$label.txt"
    done
    echo "$checks checks on $url"

    load=$(load_average)
    echo "pings, open loop: $pings at ${rate}/s over $checks keys (load average $load)"
    read -r n _ rps p50 p99 max errors first <<< "$("$work/serve_load" open -base "$url" \
        -paths "$work/paths-$label.txt" -rate "$rate" -requests "$pings")"
    [ "$errors" = 0 ] || echo "  first error: ${first//_/ }"
    row "$label" "ping, open loop at ${rate}/s" "$load" "$n" "$rps" "$p50" "$p99" "$max" "$errors"
    echo "$label $rate $p99 $errors $rps" >> "$work/targets"

    load=$(load_average)
    echo "pings, closed loop: wrk for ${seconds}s ($threads threads, $connections connections; load average $load)"
    read -r n rps p50 p99 max errors <<< "$(run_wrk "$url" "$work/paths-$label.txt")"
    row "$label" "ping, wrk -c$connections (ceiling)" "$load" "$n" "$rps" "$p50" "$p99" "$max" "$errors"

    load=$(load_average)
    echo "ingestion: $runs run reports ($(wc -c < "$work/report.json") bytes each), $senders senders (load average $load)"
    read -r n _ rps p50 p99 max errors first <<< "$("$work/serve_load" closed -base "$url" \
        -body "$work/report.json" -token "$ingest" -requests "$runs" -concurrency "$senders")"
    [ "$errors" = 0 ] || echo "  first error: ${first//_/ }"
    row "$label" "PUT /api/v1/runs, $senders senders" "$load" "$n" "$rps" "$p50" "$p99" "$max" "$errors"

    counted=$(curl -sS -f "$url/metrics" | awk '/^greenlight_pings_total/ { n += $NF } END { printf "%d", n }')
    echo "the server counted $counted pings"
    stored=$(curl -sS -f "$url/api/v1/runs?limit=500" | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["runs"]))')
    echo "the server lists $stored runs (at most 500 asked for)"

    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=
}

: > "$work/targets"
row database endpoint load requests requests/s "p50 ms" "p99 ms" "max ms" errors
for database in $databases; do
    case "$database" in
        sqlite) bench_database sqlite "sqlite:$work/project/state/serve.db" ;;
        postgresql)
            echo "== postgresql: starting a throwaway cluster"
            pg_url=
            start_postgres  # not in a subshell: cleanup needs to know the cluster
            if [ -z "$pg_url" ]; then
                echo "serve bench: PostgreSQL could not be started here (scripts/install-deps.sh bench); skipped" >&2
                continue
            fi
            bench_database postgresql "$pg_url"
            ;;
        *) echo "serve bench: unknown database '$database' (sqlite, postgresql)" >&2; exit 2 ;;
    esac
done

echo
echo "greenlight serve on $(nproc) cores; load average = the 1-minute load average when the step started"
cat "$work/table"
while read -r label target_rate p99 errors achieved; do
    /usr/bin/python3 - "$label" "$target_rate" "$p99" "$errors" "$achieved" <<'PYTHON'
import sys
label, rate, p99, errors, achieved = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
met = p99 < 20 and errors == 0 and achieved >= 0.95 * rate
print(f"{label}: pings at {rate:.0f}/s ({achieved:.0f}/s answered), p99 {p99:.2f} ms, {errors} errors "
      f"(target p99 < 20 ms without errors: {'met' if met else 'MISSED'})")
PYTHON
done < "$work/targets"
