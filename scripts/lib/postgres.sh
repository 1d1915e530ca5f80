# shellcheck shell=bash
# A throwaway PostgreSQL 15 for tests and local clusters (sourced by scripts/test and scripts/cluster):
# initdb in a fresh directory under /tmp, a free port, fsync and friends off (the data is thrown away).
#
#   pg_throwaway_start DB   initdb + start + createdb DB; sets PG_TMP, PG_PORT, PG_URL. Exits on failure.
#   pg_throwaway_stop       stops it (immediate) and removes PG_TMP; safe to call twice or before a start
#   pg_server_stop          stops the server, keeping its data (fault tests: the database goes away)
#   pg_server_start         starts it again on the same port and data
#
# The caller installs the traps (e.g. `trap pg_throwaway_stop EXIT`).

PG_BIN=/usr/lib/postgresql/15/bin
PG_TMP=${PG_TMP:-}
PG_PORT=${PG_PORT:-}
PG_URL=${PG_URL:-}

# initdb refuses to run as root, so as root the cluster belongs to the `postgres` user
# (run from / because that user may not be allowed into the current directory).
as_pg() { if [[ $(id -u) == 0 ]]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_server_start() {
    # fsync & co. off: the data is thrown away, so durability only costs time.
    if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/data/server.log" -w -s start -o \
            "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=$PG_TMP -c fsync=off -c synchronous_commit=off -c full_page_writes=off"; then
        cat "$PG_TMP/data/server.log" >&2
        return 1
    fi
}

pg_server_stop() {
    as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" stop -m fast -s >/dev/null 2>&1
}

pg_throwaway_start() { # database name
    # Short path on purpose: the unix socket lives here and socket paths are limited to ~107 bytes.
    PG_TMP=$(mktemp -d /tmp/facestream-pg.XXXXXX)
    if [[ $(id -u) == 0 ]]; then chown postgres: "$PG_TMP"; fi
    PG_PORT=$(free_port)
    if ! as_pg "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres -A trust -E UTF8 --no-sync >"$PG_TMP/initdb.log" 2>&1; then
        cat "$PG_TMP/initdb.log" >&2
        exit 1
    fi
    pg_server_start || exit 1
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$1"
    PG_URL=postgres://postgres@127.0.0.1:$PG_PORT/$1
}

# shellcheck disable=SC2317 # called from the callers' EXIT traps
pg_throwaway_stop() {
    [[ -n $PG_TMP ]] || return 0
    if [[ -f $PG_TMP/data/postmaster.pid ]]; then
        as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" stop -m immediate -s >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_TMP"
    PG_TMP=
}
