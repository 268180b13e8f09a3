#!/usr/bin/env bash
# Throwaway PostgreSQL clusters for tests and the demo.
#
#   scripts/cluster.sh start NAME PORT    # fresh cluster at /tmp/pg_federation-NAME
#   scripts/cluster.sh stop NAME          # stop it and delete its directory
#   scripts/cluster.sh psql NAME PORT [psql args...]
#
# Or, from another script:
#   source scripts/cluster.sh
#   pgf_cluster_start NAME PORT; pgf_psql NAME PORT -c 'select 1'; pgf_cluster_stop NAME
#
# Layout: /tmp/pg_federation-NAME/{data,server.log} plus the Unix socket
# (.s.PGSQL.PORT) in /tmp/pg_federation-NAME itself, so `psql -h /tmp/pg_federation-NAME`
# works. The directory is owned by postgres and mode 0700: only postgres and root can
# reach the socket, which is why the cluster can use trust authentication.
#
# PostgreSQL refuses to run as root, so everything server-side runs as the `postgres`
# OS user through runuser.

PGF_PG_CONFIG="${PGF_PG_CONFIG:-/usr/bin/pg_config}"
PGF_PG_BIN="${PGF_PG_BIN:-$("$PGF_PG_CONFIG" --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)}"
PGF_PG_OS_USER="${PGF_PG_OS_USER:-postgres}"

# Directory of a named cluster (data dir and socket dir live inside it).
pgf_cluster_dir() {
    echo "/tmp/pg_federation-$1"
}

# Run a command as the postgres OS user, from a directory it can read (runuser keeps
# root's cwd, and pg_ctl/initdb complain when they cannot stat it).
pgf_as_postgres() {
    (cd / && runuser -u "$PGF_PG_OS_USER" -- "$@")
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
pgf_port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Stop the named cluster (if running) and delete its directory. Quiet and successful
# when there is nothing to stop, so it doubles as stale-cluster cleanup.
pgf_cluster_stop() {
    local name="${1:?usage: pgf_cluster_stop NAME}"
    local dir
    dir="$(pgf_cluster_dir "$name")"
    [[ -e "$dir" ]] || return 0
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        # fast: roll back open transactions and close sessions; immediate as a fallback
        # for a wedged server (the cluster is thrown away anyway).
        pgf_as_postgres "$PGF_PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1 ||
            pgf_as_postgres "$PGF_PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 ||
            true
    fi
    rm -rf -- "$dir"
    echo "cluster $name: stopped and removed"
}

# Create and start a fresh cluster NAME on PORT (127.0.0.1 and the socket in its dir).
pgf_cluster_start() {
    local name="${1:?usage: pgf_cluster_start NAME PORT}"
    local port="${2:?usage: pgf_cluster_start NAME PORT}"
    local dir
    dir="$(pgf_cluster_dir "$name")"

    # A killed earlier run may have left this cluster running: remove it first.
    pgf_cluster_stop "$name" >/dev/null

    if pgf_port_in_use "$port"; then
        echo "cluster $name: port $port on 127.0.0.1 is already in use by another process;" >&2
        echo "  stop it, or pick another port (a pg_federation cluster of another name?" >&2
        echo "  see: ls -d /tmp/pg_federation-*)" >&2
        return 1
    fi

    mkdir -p -- "$dir"
    chown "$PGF_PG_OS_USER": "$dir"
    chmod 0700 "$dir"

    # --no-locale + UTF8: byte-order collation, so expected outputs do not depend on the
    # machine's locale. Trust auth: see the header (socket dir is private; TCP on loopback).
    if ! pgf_as_postgres "$PGF_PG_BIN/initdb" -D "$dir/data" -U postgres --encoding=UTF8 --no-locale \
        --auth-local=trust --auth-host=trust >"$dir/initdb.log" 2>&1; then
        echo "cluster $name: initdb failed:" >&2
        cat "$dir/initdb.log" >&2
        return 1
    fi

    # Settings for a short-lived test server: durability off (fast), quiet, deterministic.
    cat >>"$dir/data/postgresql.conf" <<EOF

# --- pg_federation throwaway cluster ($name) ---
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
shared_buffers = 64MB
log_min_messages = warning
log_line_prefix = '%m [%p] %d '
timezone = 'UTC'
log_timezone = 'UTC'
EOF

    # 9>&-: the server must not inherit (and hold) the install lock of the script that started it.
    if ! pgf_as_postgres "$PGF_PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null 9>&-; then
        echo "cluster $name: failed to start; server log:" >&2
        tail -n 30 "$dir/server.log" >&2 || true
        return 1
    fi
    echo "cluster $name: running on 127.0.0.1:$port and socket dir $dir"
}

# psql as postgres against cluster NAME; extra arguments go to psql.
# -X: ignore ~/.psqlrc so output is the same for everyone.
pgf_psql() {
    local name="${1:?usage: pgf_psql NAME PORT [psql args]}"
    local port="${2:?usage: pgf_psql NAME PORT [psql args]}"
    shift 2
    runuser -u "$PGF_PG_OS_USER" -- "$PGF_PG_BIN/psql" -X -v ON_ERROR_STOP=1 \
        -h "$(pgf_cluster_dir "$name")" -p "$port" -U postgres "$@"
}

# Executed (not sourced): a small command-line front end.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    cmd="${1:-}"
    shift || true
    case "$cmd" in
        start) pgf_cluster_start "$@" ;;
        stop) pgf_cluster_stop "$@" ;;
        psql) pgf_psql "$@" ;;
        *)
            echo "usage: $0 start NAME PORT | stop NAME | psql NAME PORT [psql args...]" >&2
            exit 2
            ;;
    esac
fi
