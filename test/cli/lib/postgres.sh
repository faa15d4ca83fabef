# A throwaway PostgreSQL server for the CLI tests (sourced after common.bash and gl_init, not a test itself).
#
#   source "$(dirname "$0")/lib/postgres.sh"
#   pg_start_new                    # initdb + pg_ctl start in $work/pg; sets $pg_port and $pg_url (database postgres)
#   pg_create_database NAME         # prints the URL of a new empty database
#   pg_stop                         # fast stop (connections cut), files kept
#   pg_start                        # starts it again on the same port
#
# It listens on 127.0.0.1 and a free port, its unix socket in its folder, trusts every local connection and
# does not fsync. PostgreSQL refuses to run as root: as root, the folder belongs to the postgres user and the
# programs run through runuser. The server is stopped at exit (a trap chained before gl_cleanup's).
# shellcheck shell=bash disable=SC2154  # $work, $python and fail come from common.bash

pg_user=greenlight
pg_folder=
pg_port=
pg_url=
pg_running=0
pg_owner=

# The newest /usr/lib/postgresql/<version>/bin with initdb (15 preferred: Debian 12's).
pg_find_binaries() {
    local candidate newest=
    if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
        echo /usr/lib/postgresql/15/bin
        return 0
    fi
    for candidate in /usr/lib/postgresql/*/bin; do
        [[ -x $candidate/initdb ]] && newest=$candidate
    done
    [[ -n $newest ]] || return 1
    echo "$newest"
}

pg_as_owner() {
    if [[ -n $pg_owner ]]; then
        runuser -u "$pg_owner" -- "$@"
    else
        "$@"
    fi
}

pg_log_tail() {
    tail -n 20 "$pg_folder/commands.log" "$pg_folder/server.log" 2>/dev/null
}

pg_start() {
    pg_as_owner "$pg_binaries/pg_ctl" -D "$pg_folder/data" -l "$pg_folder/server.log" -w -t 30 \
        -o "-k $pg_folder -p $pg_port -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >>"$pg_folder/commands.log" 2>&1 </dev/null || return 1
    pg_running=1
}

pg_stop() {
    [[ $pg_running == 1 ]] || return 0
    pg_as_owner "$pg_binaries/pg_ctl" -D "$pg_folder/data" -m fast -w -t 30 stop \
        >>"$pg_folder/commands.log" 2>&1 </dev/null || return 1
    pg_running=0
}

# Stops the server at exit (immediate mode: nothing to keep), then the usual cleanup.
pg_cleanup() {
    if [[ $pg_running == 1 ]]; then
        pg_as_owner "$pg_binaries/pg_ctl" -D "$pg_folder/data" -m immediate -w -t 20 stop >/dev/null 2>&1 </dev/null
        pg_running=0
    fi
    gl_cleanup
}

pg_start_new() {
    pg_binaries=$(pg_find_binaries) ||
        fail "PostgreSQL's server programs (initdb, pg_ctl under /usr/lib/postgresql/<version>/bin) are not installed: run scripts/install-deps.sh test"
    command -v psql >/dev/null || fail "psql is not installed: run scripts/install-deps.sh test"
    pg_folder=$work/pg
    mkdir -p "$pg_folder"
    if [[ $(id -u) == 0 ]]; then
        id postgres >/dev/null 2>&1 || fail "running as root and there is no postgres user to run the test PostgreSQL as"
        pg_owner=postgres
        # The owner must pass through $work (mode 700 from mktemp) to reach its folder, and only that.
        chmod 711 "$work"
        chown postgres: "$pg_folder"
    fi
    trap pg_cleanup EXIT
    pg_as_owner "$pg_binaries/initdb" -D "$pg_folder/data" --auth=trust -U "$pg_user" --no-sync \
        --encoding=UTF8 --locale=C >>"$pg_folder/commands.log" 2>&1 </dev/null ||
        fail "initdb failed: $(pg_log_tail)"
    pg_port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    pg_start || fail "pg_ctl start failed: $(pg_log_tail)"
    pg_url=postgresql://$pg_user@127.0.0.1:$pg_port/postgres
}

# pg_create_database NAME: prints the new database's URL.
pg_create_database() {
    psql -X -q -v ON_ERROR_STOP=1 "$pg_url" -c "CREATE DATABASE $1 TEMPLATE template0" >/dev/null ||
        fail "CREATE DATABASE $1 failed"
    echo "postgresql://$pg_user@127.0.0.1:$pg_port/$1"
}

# pg_sql URL SQL: prints the result rows unaligned, without headers.
pg_sql() {
    psql -X -q -A -t -v ON_ERROR_STOP=1 "$1" -c "$2"
}
