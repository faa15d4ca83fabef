#!/usr/bin/env bash
# One PostgreSQL server for all of a ctest run's database tests (a ctest fixture: `start` before the first test
# that needs it, `stop` after the last), so each test makes a database in it instead of a server of its own.
#
#   postgres_fixture.sh start FOLDER    # initdb + pg_ctl start in FOLDER; writes FOLDER/port when it accepts
#   postgres_fixture.sh stop FOLDER     # stops it and removes FOLDER
#
# `start` always exits 0: where PostgreSQL cannot run it writes no port file and says why, and each test then
# tries a server of its own and fails with the reason (test/unit/serve/postgres_cluster.hpp). The server listens
# on 127.0.0.1 only, trusts local connections and does not fsync; as root it runs as the postgres user.
set -uo pipefail

action=${1:-}
folder=${2:-}
[[ ($action == start || $action == stop) && -n $folder ]] || {
    echo "usage: postgres_fixture.sh start|stop FOLDER" >&2
    exit 2
}

binaries=
if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
    binaries=/usr/lib/postgresql/15/bin
else
    for candidate in /usr/lib/postgresql/*/bin; do
        [[ -x $candidate/initdb ]] && binaries=$candidate
    done
fi

as_owner() {
    if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [[ $action == stop ]]; then
    if [[ -n $binaries && -f $folder/data/postmaster.pid ]]; then
        as_owner "$binaries/pg_ctl" -D "$folder/data" -m immediate -w -t 20 stop >/dev/null 2>&1 </dev/null
    fi
    rm -rf "$folder"
    exit 0
fi

skip() {
    echo "postgres_fixture: $1; the database tests start their own server" >&2
    exit 0
}
[[ -n $binaries ]] || skip "PostgreSQL's server programs are not installed"
# A server left by an interrupted run is stopped first.
if [[ -f $folder/data/postmaster.pid ]]; then
    as_owner "$binaries/pg_ctl" -D "$folder/data" -m immediate -w -t 20 stop >/dev/null 2>&1 </dev/null
fi
rm -rf "$folder"
mkdir -p "$folder" || skip "cannot create $folder"
if [[ $(id -u) == 0 ]]; then
    id postgres >/dev/null 2>&1 || skip "running as root and there is no postgres user"
    chown postgres: "$folder"
fi
as_owner "$binaries/initdb" -D "$folder/data" --auth=trust -U greenlight --no-sync --encoding=UTF8 --locale=C \
    >>"$folder/commands.log" 2>&1 </dev/null || skip "initdb failed (see $folder/commands.log)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])') ||
    skip "no free port on 127.0.0.1"
as_owner "$binaries/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w -t 30 \
    -o "-k $folder -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >>"$folder/commands.log" 2>&1 </dev/null || skip "pg_ctl start failed (see $folder/server.log)"
echo "$port" >"$folder/port.partial" && mv -f "$folder/port.partial" "$folder/port"
echo "postgres_fixture: PostgreSQL on 127.0.0.1:$port"
