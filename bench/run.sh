#!/usr/bin/env bash
# THE benchmark command (issue 5): builds the release extension, installs it, starts its
# own cluster, three fixture remote APIs and the JavaScript gateway of group (c), runs
# every group side by side in one run and writes bench/REPORT.md and bench/cost_growth.svg.
#
#   bash bench/run.sh                 # the full run (about 10 minutes, plus the first builds)
#   bash bench/run.sh --quick         # few repetitions, small sizes: bench/REPORT.quick.md
#   bash bench/run.sh --groups a,e    # only some groups (also writes REPORT.quick.md)
#   bash bench/run.sh --rows 10,1000  # other row counts for (a) (REPORT.quick.md)
#   bash bench/run.sh --with-patches  # the extension built from HEAD + bench/patches/*.patch
#                                     # (a copy under /tmp/pgf-bench): REPORT.patched.md
#
# Needs what scripts/setup.sh installs (it runs it with --deps-only) and installs the
# rest itself: a Python venv under bench/.venv (psycopg from PyPI), the gateway's npm
# packages (bench/gateway, npm ci from the checked-in lock file), python3-venv from
# Debian when missing. Ports: cluster 54340, fixtures 4141-4143, gateway 4149
# (PGF_BENCH_PORT, PGF_BENCH_FIXTURE_PORTS=a,b,c, PGF_BENCH_GATEWAY_PORT override them).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"
run_started=$(date +%s)
say() { echo "bench: $*"; }

PG_CONFIG="${PGF_PG_CONFIG:-/usr/bin/pg_config}"
CLUSTER=bench
PORT="${PGF_BENCH_PORT:-54340}"
FIXTURE_PORTS="${PGF_BENCH_FIXTURE_PORTS:-4141,4142,4143}"
GATEWAY_PORT="${PGF_BENCH_GATEWAY_PORT:-4149}"
WORK=/tmp/pgf-bench
GATEWAY_PIDFILE="$WORK/gateway.pid"
mkdir -p "$WORK"

# --with-patches is ours; everything else goes to the driver.
with_patches=0
driver_args=()
for arg in "$@"; do
    if [[ "$arg" == --with-patches ]]; then with_patches=1; else driver_args+=("$arg"); fi
done

# --- tools (no lock needed: nothing here touches the system PostgreSQL) ------------------
bash scripts/setup.sh --deps-only
export PATH="$HOME/.cargo/bin:$PATH"

# Python: a venv with psycopg, reinstalled only when requirements.txt changes.
python=/usr/bin/python3
[[ -x "$python" ]] || python="$(command -v python3 || true)"
if [[ -z "$python" ]] || ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    say "installing python3 and python3-venv (Debian)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null; }
    python=/usr/bin/python3
fi
venv="$ROOT/bench/.venv"
req_hash="$(sha256sum bench/requirements.txt | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/python" || "$(cat "$venv/.pgf-installed" 2>/dev/null)" != "$req_hash" ]]; then
    say "creating the Python venv (bench/.venv)"
    rm -rf -- "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r bench/requirements.txt
    echo "$req_hash" >"$venv/.pgf-installed"
fi

# The npm packages of the gateway (c) and of plain PostGraphile (j), from their lock files.
# shellcheck source=../scripts/npm_ci.sh
source scripts/npm_ci.sh
for dir in bench/gateway bench/postgraphile; do
    pgf_npm_ci "$dir" >/dev/null || { say "npm ci failed in $dir"; exit 1; }
done

# wrk, the HTTP load generator of group (j), from Debian.
if ! command -v wrk >/dev/null 2>&1; then
    say "installing wrk (Debian)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
fi

# shellcheck source=../scripts/cluster.sh
source scripts/cluster.sh
# shellcheck source=../scripts/fixtures.sh
source scripts/fixtures.sh
pgf_fixture_build

# What to build: this checkout, or (--with-patches) a copy of HEAD with bench/patches/*.patch
# applied, built in a target directory of its own.
BUILD_DIR="$ROOT"
if ((with_patches)); then
    BUILD_DIR="$WORK/patched-src"
    say "copying HEAD to $BUILD_DIR and applying bench/patches/*.patch"
    rm -rf -- "$BUILD_DIR"
    mkdir -p "$BUILD_DIR"
    git archive HEAD | tar -x -C "$BUILD_DIR"
    patches=(bench/patches/*.patch)
    [[ -e "${patches[0]}" ]] || { say "no bench/patches/*.patch to measure"; exit 1; }
    for p in "${patches[@]}"; do
        patch --quiet -d "$BUILD_DIR" -p1 <"$p" || { say "could not apply $p"; exit 1; }
    done
    export CARGO_TARGET_DIR="$ROOT/target/bench-patched"
    driver_args+=(--patched)
fi

# The release build, before taking the lock: `cargo pgrx package` builds exactly what
# `cargo pgrx install --release` builds, into a directory of its own, so the install
# below (under the lock) only copies.
say "building the release extension (cargo pgrx package)"
(cd "$BUILD_DIR" && cargo pgrx package --pg-config "$PG_CONFIG" --out-dir "$WORK/package") >"$WORK/build.log" 2>&1 ||
    { tail -n 40 "$WORK/build.log" >&2; say "release build failed (log: $WORK/build.log)"; exit 1; }

say "building the HTTP front (cargo build -p pgf-server --release)"
cargo build -p pgf-server --release >"$WORK/build-front.log" 2>&1 ||
    { tail -n 40 "$WORK/build-front.log" >&2; say "the front's build failed (log: $WORK/build-front.log)"; exit 1; }

# --- from the install to the end of the run: the shared lock ----------------------------
# shellcheck source=./install_lock.sh source-path=SCRIPTDIR
source scripts/install_lock.sh
pgf_hold_install_lock

IFS=, read -r -a fixture_ports <<<"$FIXTURE_PORTS"
cleanup() {
    if [[ -f "$GATEWAY_PIDFILE" ]]; then
        pid="$(cat "$GATEWAY_PIDFILE")"
        # only our own gateway: a live node process running server.mjs
        if [[ "$pid" =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'server.mjs'; then
            kill "$pid" 2>/dev/null || true
        fi
        rm -f "$GATEWAY_PIDFILE"
    fi
    for i in "${!fixture_ports[@]}"; do pgf_fixture_stop "bench_users_$i" >/dev/null 2>&1 || true; done
    pgf_cluster_stop "$CLUSTER" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "installing the release extension (cargo pgrx install --release)"
(cd "$BUILD_DIR" && cargo pgrx install --release --pg-config "$PG_CONFIG") >"$WORK/install.log" 2>&1 ||
    { tail -n 40 "$WORK/install.log" >&2; say "install failed (log: $WORK/install.log)"; exit 1; }

# 9>&-: the servers must not inherit (and hold) the install lock.
pgf_cluster_start "$CLUSTER" "$PORT" 9>&-
for i in "${!fixture_ports[@]}"; do
    pgf_fixture_start "bench_users_$i" "${fixture_ports[$i]}" 9>&-
done

say "running the driver (bench/bench.py)"
"$venv/bin/python" bench/bench.py \
    --socket-dir "$(pgf_cluster_dir "$CLUSTER")" --port "$PORT" \
    --fixture-ports "$FIXTURE_PORTS" --gateway-port "$GATEWAY_PORT" \
    --gateway-pidfile "$GATEWAY_PIDFILE" --work-dir "$WORK" \
    --pgbench "$PGF_PG_BIN/pgbench" --command "bash bench/run.sh${*:+ $*}" ${driver_args[@]+"${driver_args[@]}"}

say "done in $(( ($(date +%s) - run_started) / 60 )) min $(( ($(date +%s) - run_started) % 60 )) s"
