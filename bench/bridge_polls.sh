#!/usr/bin/env bash
# How fast does `greenlight bridge serve` answer status polls? Starts the job host on loopback, fills it with
# BRIDGE_BENCH_FINISHED finished jobs (default 1,000) and BRIDGE_BENCH_ACTIVE running ones (default 200, each
# a step that sleeps), then lets wrk poll `GET /zosmf/restjobs/jobs/{name}/{id}` over all of them, with basic
# auth, for BRIDGE_BENCH_SECONDS (default 30). As the ceiling, nginx serves a static file holding one of those
# job documents (same size) on the same machine, polled by wrk the same way.
# Prints requests/s and latency p50/p99 for both and the ratio. A report, not a test: the targets (p99 < 50 ms,
# at least 50% of nginx's requests/s) are printed next to the figures, and a miss does not fail the script.
# Usage: bench/bridge_polls.sh [GREENLIGHT_BINARY]   (default build/greenlight; needs wrk, nginx and curl)
# BRIDGE_BENCH_CONNECTIONS (default 32) and BRIDGE_BENCH_THREADS (default 2) are passed to wrk.
set -euo pipefail

binary=$(realpath "${1:-build/greenlight}")
finished=${BRIDGE_BENCH_FINISHED:-1000}
active=${BRIDGE_BENCH_ACTIVE:-200}
seconds=${BRIDGE_BENCH_SECONDS:-30}
connections=${BRIDGE_BENCH_CONNECTIONS:-32}
threads=${BRIDGE_BENCH_THREADS:-2}
nginx_binary=$(command -v nginx || echo /usr/sbin/nginx)
for tool in wrk curl; do
    command -v "$tool" >/dev/null || { echo "bridge bench: $tool is needed (scripts/install-deps.sh bench)" >&2; exit 2; }
done
[ -x "$nginx_binary" ] || { echo "bridge bench: nginx is needed (scripts/install-deps.sh bench)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/greenlight-bridge-bench.XXXXXX")
server_pid=
nginx_pid=
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The host, with one user.
password=bench-password-$RANDOM$RANDOM
GREENLIGHT_BRIDGE_PASSWORD=$password "$binary" bridge user add --users "$work/users" BENCH >/dev/null
"$binary" bridge serve --listen 127.0.0.1:0 --state "$work/state" --users "$work/users" \
    --max-active "$active" 2> "$work/server.log" &
server_pid=$!
for _ in $(seq 1 100); do
    grep -q "listening on" "$work/server.log" && break
    sleep 0.1
done
url=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/server.log" | head -1)
[ -n "$url" ] || { echo "bridge bench: the host did not start:" >&2; cat "$work/server.log" >&2; exit 3; }

submit() {  # submit JCL_FILE: prints nothing, fails on an HTTP error
    curl -sS -f -o /dev/null -u "BENCH:$password" -H 'X-CSRF-ZOSMF-HEADER: true' -H 'Content-Type: text/plain' \
        -X PUT --data-binary @"$1" "$url/zosmf/restjobs/jobs"
}
export -f submit
export url password

count_jobs() {  # count_jobs STATUS
    curl -sS -f -u "BENCH:$password" "$url/zosmf/restjobs/jobs?owner=*&max-jobs=1000&prefix=$1" |
        /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
wait_for() {  # wait_for PREFIX STATUS COUNT
    local listed
    for _ in $(seq 1 600); do
        listed=$(curl -sS -f -u "BENCH:$password" "$url/zosmf/restjobs/jobs?owner=*&max-jobs=1000&prefix=$1" |
            /usr/bin/python3 -c "import json,sys; print(sum(1 for j in json.load(sys.stdin) if j['status']=='$2'))")
        [ "$listed" -ge "$3" ] && return 0
        sleep 0.5
    done
    echo "bridge bench: only $listed of $3 $1 jobs reached $2" >&2
    exit 3
}

printf '//DONE JOB (BENCH),CLASS=A\n//STEP1 EXEC PGM=BPXBATCH,PARM='"'"'SH echo finished'"'"'\n//STDOUT DD SYSOUT=*\n' \
    > "$work/done.jcl"
printf '//BUSY JOB (BENCH),CLASS=A\n//STEP1 EXEC PGM=BPXBATCH,PARM='"'"'SH sleep 3600'"'"'\n//STDOUT DD SYSOUT=*\n' \
    > "$work/busy.jcl"
echo "submitting $finished finished jobs and $active active ones to $url"
seq 1 "$finished" | xargs -P 8 -I{} bash -c 'submit "$0"' "$work/done.jcl"
wait_for DONE OUTPUT "$finished"
seq 1 "$active" | xargs -P 8 -I{} bash -c 'submit "$0"' "$work/busy.jcl"
wait_for BUSY ACTIVE "$active"

# The request paths wrk cycles through: every job's status URL.
for prefix in DONE BUSY; do
    curl -sS -f -u "BENCH:$password" "$url/zosmf/restjobs/jobs?owner=*&max-jobs=1000&prefix=$prefix" |
        /usr/bin/python3 -c 'import json,sys
for j in json.load(sys.stdin): print("/zosmf/restjobs/jobs/%s/%s" % (j["jobname"], j["jobid"]))'
done > "$work/paths.txt"
paths=$(wc -l < "$work/paths.txt")

cat > "$work/polls.lua" <<'LUA'
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local auth = os.getenv("BENCH_AUTH")
local next_index = math.random(#paths)
request = function()
    next_index = next_index % #paths + 1
    local headers = {}
    if auth ~= "" then headers["Authorization"] = "Basic " .. auth end
    return wrk.format("GET", paths[next_index], headers)
end
LUA

run_wrk() {  # run_wrk URL PATHS_FILE AUTH: prints "requests_per_second p50_ms p99_ms non2xx"
    BENCH_PATHS=$2 BENCH_AUTH=$3 wrk -t "$threads" -c "$connections" -d "${seconds}s" --latency -s "$work/polls.lua" \
        "$1" > "$work/wrk.out"
    /usr/bin/python3 - "$work/wrk.out" <<'PYTHON'
import re, sys
text = open(sys.argv[1]).read()
def ms(label):
    m = re.search(r"^\s*%s\s+([\d.]+)(us|ms|s)\s*$" % re.escape(label), text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
errors = re.search(r"Socket errors:.*", text)
print(f"{rps:.0f} {ms('50%'):.2f} {ms('99%'):.2f} {int(bad.group(1)) if bad else 0}",
      "|", errors.group(0) if errors else "no socket errors")
PYTHON
}

auth=$(printf 'BENCH:%s' "$password" | base64 -w0)
echo "polling $paths job documents with wrk for ${seconds}s ($threads threads, $connections connections)"
read -r host_rps host_p50 host_p99 host_bad host_rest <<< "$(run_wrk "$url" "$work/paths.txt" "$auth")"

# The ceiling: nginx serving one of those documents as a static file.
first_path=$(head -1 "$work/paths.txt")
mkdir -p "$work/nginx/www/zosmf" "$work/nginx/logs"
curl -sS -f -u "BENCH:$password" "$url$first_path" > "$work/nginx/www/zosmf/job.json"
document_bytes=$(wc -c < "$work/nginx/www/zosmf/job.json")
# nginx's workers run as an unprivileged user: they must be able to read the document.
chmod 755 "$work" "$work/nginx" "$work/nginx/www" "$work/nginx/www/zosmf"
chmod 644 "$work/nginx/www/zosmf/job.json"
nginx_port=$(free_port)
cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    server {
        listen 127.0.0.1:$nginx_port;
        root $work/nginx/www;
        default_type application/json;
    }
}
NGINX
"$nginx_binary" -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' 2> "$work/nginx/stderr" &
nginx_pid=$!
for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/zosmf/job.json" && break; sleep 0.1; done
echo "/zosmf/job.json" > "$work/nginx-paths.txt"
echo "polling nginx's static copy ($document_bytes bytes) the same way"
read -r nginx_rps nginx_p50 nginx_p99 nginx_bad nginx_rest <<< "$(run_wrk "http://127.0.0.1:$nginx_port" "$work/nginx-paths.txt" "")"

echo
printf '%-28s %12s %10s %10s %10s\n' "server" "requests/s" "p50 ms" "p99 ms" "non-2xx"
printf '%-28s %12s %10s %10s %10s\n' "greenlight bridge serve" "$host_rps" "$host_p50" "$host_p99" "$host_bad"
printf '%-28s %12s %10s %10s %10s\n' "nginx (static document)" "$nginx_rps" "$nginx_p50" "$nginx_p99" "$nginx_bad"
/usr/bin/python3 - "$host_rps" "$nginx_rps" "$host_p99" <<'PYTHON'
import sys
host, nginx, p99 = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
share = host / nginx
print(f"ratio: {share:.2f} of nginx's requests/s (target >= 0.50: {'met' if share >= 0.5 else 'MISSED'}); "
      f"p99 {p99:.2f} ms (target < 50 ms: {'met' if p99 < 50 else 'MISSED'})")
PYTHON
