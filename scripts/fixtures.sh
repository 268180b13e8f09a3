#!/usr/bin/env bash
# Fixture GraphQL servers for tests (tests/fixture_server: async-graphql, counts requests,
# injects faults; see tests/fixture_server/README.md).
#
#   scripts/fixtures.sh start NAME PORT   # build (once), start on 127.0.0.1:PORT, wait until it answers
#   scripts/fixtures.sh stop NAME         # stop it (quiet and successful when not running)
#   scripts/fixtures.sh stop_all          # stop every fixture that has a pid file
#   scripts/fixtures.sh build             # only build the release binary
#
# Or, from another script:
#   source scripts/fixtures.sh
#   pgf_fixture_start users_api 4101; curl -s http://127.0.0.1:4101/_stats; pgf_fixture_stop_all
#
# Files: /tmp/pgf-fixture-NAME.pid (pid of the running server) and /tmp/pgf-fixture-NAME.log
# (its output, kept after it stops). Starting a NAME whose server is still running (left by
# a killed run) stops that one first. Needs cargo (to build) and curl (to wait for it).

PGF_FIXTURE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../tests/fixture_server" && pwd)"
PGF_FIXTURE_BIN="$PGF_FIXTURE_DIR/target/release/pgf-fixture"
PGF_FIXTURE_START_TIMEOUT="${PGF_FIXTURE_START_TIMEOUT:-30}"

pgf_fixture_pidfile() { echo "/tmp/pgf-fixture-$1.pid"; }
pgf_fixture_logfile() { echo "/tmp/pgf-fixture-$1.log"; }

# True when PID is a live (not zombie) pgf-fixture process: never signal a recycled pid.
_pgf_fixture_is_fixture() {
    local pid="$1" argv0
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    argv0="$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline" | head -n 1)" || return 1
    [[ "$(basename -- "${argv0:-none}")" == pgf-fixture ]]
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
_pgf_fixture_port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Build the release binary; cargo skips it when up to date, and this shell asks only once.
pgf_fixture_build() {
    [[ "${_PGF_FIXTURE_BUILT:-0}" == 1 && -x "$PGF_FIXTURE_BIN" ]] && return 0
    if ! command -v cargo >/dev/null 2>&1 && [[ -x "$HOME/.cargo/bin/cargo" ]]; then
        export PATH="$HOME/.cargo/bin:$PATH"
    fi
    echo "fixture: cargo build --release (tests/fixture_server)"
    # --target-dir: its own target dir even when CARGO_TARGET_DIR is set in the environment
    if ! cargo build --release --quiet --manifest-path "$PGF_FIXTURE_DIR/Cargo.toml" \
        --target-dir "$PGF_FIXTURE_DIR/target"; then
        echo "fixture: build failed" >&2
        return 1
    fi
    _PGF_FIXTURE_BUILT=1
}

# Stop fixture NAME if it runs; remove its pid file. Quiet and successful when not running.
pgf_fixture_stop() {
    local name="${1:?usage: pgf_fixture_stop NAME}"
    local pidfile pid i
    pidfile="$(pgf_fixture_pidfile "$name")"
    [[ -f "$pidfile" ]] || return 0
    pid="$(cat -- "$pidfile" 2>/dev/null || true)"
    if _pgf_fixture_is_fixture "$pid"; then
        kill "$pid" 2>/dev/null || true
        # reap it when it is this shell's child (else it would linger as a zombie)
        wait "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            _pgf_fixture_is_fixture "$pid" || break
            sleep 0.1
        done
        if _pgf_fixture_is_fixture "$pid"; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
        echo "fixture $name: stopped"
    fi
    rm -f -- "$pidfile"
}

# Stop every fixture that has a pid file in /tmp.
pgf_fixture_stop_all() {
    local pidfile name
    for pidfile in /tmp/pgf-fixture-*.pid; do
        [[ -e "$pidfile" ]] || continue
        name="${pidfile#/tmp/pgf-fixture-}"
        pgf_fixture_stop "${name%.pid}"
    done
}

# Start fixture NAME on 127.0.0.1:PORT and wait until GET /_stats answers.
pgf_fixture_start() {
    local name="${1:?usage: pgf_fixture_start NAME PORT}"
    local port="${2:?usage: pgf_fixture_start NAME PORT}"
    local pidfile logfile pid deadline
    if [[ ! "$name" =~ ^[A-Za-z0-9_.-]+$ ]]; then
        echo "fixture: bad name '$name' (letters, digits, _ . - only)" >&2
        return 2
    fi
    if [[ ! "$port" =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
        echo "fixture $name: bad port '$port'" >&2
        return 2
    fi
    if ! command -v curl >/dev/null 2>&1; then
        echo "fixture $name: curl not found (scripts/setup.sh installs it)" >&2
        return 1
    fi
    pidfile="$(pgf_fixture_pidfile "$name")"
    logfile="$(pgf_fixture_logfile "$name")"

    # A killed earlier run may have left this fixture running: stop it first.
    pgf_fixture_stop "$name" >/dev/null

    if _pgf_fixture_port_in_use "$port"; then
        echo "fixture $name: port $port on 127.0.0.1 is already in use by another process;" >&2
        echo "  stop it, or pick another port (a fixture of another name? see: ls /tmp/pgf-fixture-*.pid)" >&2
        return 1
    fi

    pgf_fixture_build || return 1

    # 9>&-: a long-lived server must not inherit (and hold) the install lock of the script that started it.
    "$PGF_FIXTURE_BIN" --port "$port" </dev/null >"$logfile" 2>&1 9>&- &
    pid=$!
    echo "$pid" >"$pidfile"

    deadline=$((SECONDS + PGF_FIXTURE_START_TIMEOUT))
    until curl -sf --noproxy '*' -m 2 -o /dev/null "http://127.0.0.1:$port/_stats"; do
        if ! _pgf_fixture_is_fixture "$pid"; then
            wait "$pid" 2>/dev/null || true
            rm -f -- "$pidfile"
            echo "fixture $name: exited before answering on port $port; its log ($logfile):" >&2
            cat -- "$logfile" >&2 || true
            return 1
        fi
        if ((SECONDS >= deadline)); then
            echo "fixture $name: no answer on http://127.0.0.1:$port/_stats after ${PGF_FIXTURE_START_TIMEOUT}s; log ($logfile):" >&2
            cat -- "$logfile" >&2 || true
            pgf_fixture_stop "$name" >/dev/null
            return 1
        fi
        sleep 0.1
    done
    echo "fixture $name: running on http://127.0.0.1:$port/graphql (pid $pid, log $logfile)"
}

# Executed (not sourced): a small command-line front end.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    set -euo pipefail
    cmd="${1:-}"
    shift || true
    case "$cmd" in
        start) pgf_fixture_start "$@" ;;
        stop) pgf_fixture_stop "$@" ;;
        stop_all) pgf_fixture_stop_all ;;
        build) pgf_fixture_build ;;
        *)
            echo "usage: $0 start NAME PORT | stop NAME | stop_all | build" >&2
            exit 2
            ;;
    esac
fi
