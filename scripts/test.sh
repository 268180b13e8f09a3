#!/usr/bin/env bash
# THE test command. Runs, in order:
#   lint                            cargo clippy --all-targets -- -D warnings (one test)
#   (a) the Rust #[pg_test]s        cargo pgrx test pg15 (as the postgres OS user)
#   (b) the SQL suite               pg_regress over pg_regress/sql/*.sql
#   (c) the introspection check     tests/introspection/check.mjs (graphql-js)
#   (d) the upgrade check           scripts/upgrade_check.sh: ALTER EXTENSION UPDATE from
#                                   every released version (sql/pg_federation--V.sql)
#   (e) the HTTP front              cargo test -p pgf-server: its unit tests, the `pgf` binary
#                                   end to end against the cluster and the fixture, and the
#                                   console in headless Chromium (server/console/browser_test.mjs;
#                                   screenshot in $PGF_TEST_OUT/console.png)
# (b) to (e) share one throwaway cluster ("regress", port 54329), removed on exit.
# Ends with one line "N passed, N failed" (each pg_test, regress file and node check
# counts as one test) and a non-zero exit status when anything failed.
#
#   scripts/test.sh                     # everything
#   scripts/test.sh 10_foo 20_bar       # only these regress files (00_setup always runs)
#   PGF_SKIP_PGTEST=1 scripts/test.sh   # skip (a), for quick iteration
#   PGF_SKIP_NODE=1 scripts/test.sh     # skip (c)
#   PGF_SKIP_UPGRADE=1 scripts/test.sh  # skip (d)
#   PGF_SKIP_FRONT=1 scripts/test.sh    # skip (e)
# Outputs (logs, pg_regress results/ and regression.diffs) land in $PGF_TEST_OUT
# (default /tmp/pgf-test-out), replaced on every run.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=./install_lock.sh source-path=SCRIPTDIR
source scripts/install_lock.sh
pgf_hold_install_lock
ROOT="$PWD"

PG_CONFIG="${PGF_PG_CONFIG:-/usr/bin/pg_config}"
CLUSTER=regress
PORT="${PGF_REGRESS_PORT:-54329}"
REGRESS_DB=pgf_regress
NODE_DB=pgf_introspection
OUT="${PGF_TEST_OUT:-/tmp/pgf-test-out}"
PGTEST_DATA=/tmp/pg_federation-pgtest

passed=0
failed=0
summary=()

# cargo_test_counts LOG: "PASSED FAILED", summed over its "test result:" lines (one
# per test binary).
cargo_test_counts() {
    awk '/^test result:/ {
            for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i }
        } END { print p + 0, f + 0 }' "$1"
}

# record PART PASSED FAILED
record() {
    passed=$((passed + $2))
    failed=$((failed + $3))
    summary+=("$(printf '%-22s %3d passed, %3d failed' "$1" "$2" "$3")")
}

section() { printf '\n===== %s\n' "$*"; }

finish() {
    section "summary"
    printf '%s\n' "${summary[@]}"
    # stop the cluster before the last line, so the count really is the last line
    pgf_cluster_stop "$CLUSTER" >/dev/null 2>&1 || true
    echo "$passed passed, $failed failed"
    if ((failed)); then exit 1; fi
    exit 0
}

install_args=(--pg-config "$PG_CONFIG")
[[ "${PGF_RELEASE:-0}" == "1" ]] && install_args+=(--release)

# --- regress files to run ----------------------------------------------------------
# 00_setup creates the extension the other files rely on, so it always runs first.
regress_tests=()
if (($#)); then
    regress_tests=(00_setup)
    for t in "$@"; do
        t="$(basename "$t" .sql)"
        [[ "$t" == 00_setup ]] && continue
        if [[ ! -f "pg_regress/sql/$t.sql" ]]; then
            echo "test: no such regress file: pg_regress/sql/$t.sql" >&2
            exit 2
        fi
        regress_tests+=("$t")
    done
else
    for f in pg_regress/sql/*.sql; do
        [[ -e "$f" ]] && regress_tests+=("$(basename "$f" .sql)")
    done
fi

rm -rf -- "$OUT"
mkdir -p -- "$OUT"

# Remove a pgrx test cluster left running by a killed run (pgrx names its data dir
# $PGTEST_DATA/15-<pid> and removes it itself on a normal exit).
cleanup_pgtest() {
    local pidfile
    for pidfile in "$PGTEST_DATA"/*/postmaster.pid; do
        [[ -e "$pidfile" ]] || continue
        runuser -u postgres -- "$PGF_PG_BIN/pg_ctl" -D "$(dirname "$pidfile")" -m immediate -w stop >/dev/null 2>&1 || true
    done
    rm -rf -- "$PGTEST_DATA"
}

# --- setup --------------------------------------------------------------------------
# With (a), the test build that `cargo pgrx test` installs is replaced by a normal
# install afterwards, so setup.sh need not install first.
section "setup"
if [[ "${PGF_SKIP_PGTEST:-0}" == "1" ]]; then setup_args=(); else setup_args=(--deps-only); fi
# Chromium for the console's browser test in (e), unless (e) is skipped.
[[ "${PGF_SKIP_FRONT:-0}" == "1" ]] || export PGF_SETUP_BROWSER=1
bash scripts/setup.sh "${setup_args[@]}" || { record "setup (build+install)" 0 1; finish; }
export PATH="$HOME/.cargo/bin:$PATH"

# shellcheck source=./cluster.sh source-path=SCRIPTDIR
source scripts/cluster.sh
# shellcheck source=./fixtures.sh source-path=SCRIPTDIR
source scripts/fixtures.sh
# Only this script's fixtures: other scripts (benchmarks, reliability runs) may run theirs.
FIXTURES=(users_api users_api_b faulty)
stop_fixtures() { local f; for f in "${FIXTURES[@]}"; do pgf_fixture_stop "$f"; done; }
trap 'pgf_cluster_stop "$CLUSTER" >/dev/null 2>&1 || true; stop_fixtures >/dev/null 2>&1 || true; cleanup_pgtest' EXIT
trap 'exit 130' INT TERM

# --- lint: cargo clippy, warnings are errors -------------------------------------------
section "lint: cargo clippy --all-targets -- -D warnings"
if ! cargo clippy --version >/dev/null 2>&1; then
    echo "test: cargo clippy is not installed (rustup component add clippy); lint skipped"
else
    set +e
    { cargo clippy --all-targets --features "pg15 pg_test" -- -D warnings &&
        cargo clippy -p pgf-server --all-targets -- -D warnings; } >"$OUT/clippy.log" 2>&1
    rc=$?
    set -e
    if ((rc == 0)); then
        record "cargo clippy" 1 0
    else
        grep -E '^(warning|error)' -A8 "$OUT/clippy.log" | head -n 200
        echo "test: cargo clippy failed (exit $rc; all of it in $OUT/clippy.log)"
        record "cargo clippy" 0 1
    fi
fi

# --- (a) cargo pgrx test ------------------------------------------------------------
if [[ "${PGF_SKIP_PGTEST:-0}" == "1" ]]; then
    section "(a) cargo pgrx test: skipped (PGF_SKIP_PGTEST=1)"
else
    section "(a) cargo pgrx test pg15"
    cleanup_pgtest
    # pgrx creates $PGTEST_DATA/15-<pid> as postgres, so the parent must be theirs.
    mkdir -p -- "$PGTEST_DATA"
    chown postgres: "$PGTEST_DATA"
    set +e
    cargo pgrx test pg15 --runas postgres --pgdata "$PGTEST_DATA" 2>&1 | tee "$OUT/pgtest.log"
    rc="${PIPESTATUS[0]}"
    set -e
    read -r pt_pass pt_fail < <(cargo_test_counts "$OUT/pgtest.log")
    # a build error or a crashed harness reports no failed test: count it as one
    if ((rc != 0 && pt_fail == 0)); then pt_fail=1; echo "test: cargo pgrx test failed (exit $rc) before reporting tests"; fi
    record "cargo pgrx test" "$pt_pass" "$pt_fail"
    cleanup_pgtest

    # Replace the test build (compiled with the pg_test feature) with the real one.
    section "install"
    if ! cargo pgrx install "${install_args[@]}"; then
        record "install" 0 1
        finish
    fi
fi

# --- throwaway cluster for (b) and (c) -----------------------------------------------
section "cluster"
# A Rust backtrace that leaks into an ERROR's DETAIL (pgrx adds one when the server runs
# with RUST_BACKTRACE set) then shows in the regress outputs, whatever the caller's
# environment: 81_cancel checks that a cancelled wait on a remote has none.
export RUST_BACKTRACE=1
# For 75_uncustomised_remotes: a remote schema url written as {{PGF_FIXTURE_ORIGIN}}/graphql.
export PGF_FIXTURE_ORIGIN=http://127.0.0.1:4101
pgf_cluster_start "$CLUSTER" "$PORT" || { record "cluster start" 0 1; finish; }
SOCKET_DIR="$(pgf_cluster_dir "$CLUSTER")"

# --- fixture GraphQL servers for (b) (tests/fixture_server) ------------------------
section "fixtures"
# faulty (4103): the fault-injection files (80_faults, 81_cancel) only.
{ pgf_fixture_start users_api 4101 && pgf_fixture_start users_api_b 4102 && pgf_fixture_start faulty 4103; } ||
    { record "fixtures start" 0 1; finish; }

# --- (b) pg_regress ---------------------------------------------------------------
section "(b) pg_regress: ${regress_tests[*]:-(no files)}"
if ((${#regress_tests[@]})); then
    PG_REGRESS="$("$PG_CONFIG" --pkglibdir)/pgxs/src/test/regress/pg_regress"
    # pg_regress runs as postgres (the server's trust auth and file ownership want
    # that), from a staging copy of pg_regress/ it can read. A missing expected file
    # makes pg_regress abort the whole run, so stage an empty one: the test then fails
    # with its full output as the diff, and the results/ file is there for review.
    work="$OUT/regress"
    mkdir -p -- "$work/input/sql" "$work/input/expected"
    cp -- pg_regress/sql/*.sql "$work/input/sql/"
    cp -- pg_regress/expected/*.out "$work/input/expected/" 2>/dev/null || true
    for t in "${regress_tests[@]}"; do
        if [[ ! -f "pg_regress/expected/$t.out" ]]; then
            echo "test: pg_regress/expected/$t.out does not exist yet; after review:"
            echo "        cp $work/results/$t.out pg_regress/expected/"
            : >"$work/input/expected/$t.out"
        fi
    done
    chown -R postgres: "$work"

    # No --use-existing: pg_regress (re)creates pgf_regress itself from template0 with
    # fixed lc_messages/datestyle/timezone settings, so outputs do not vary by machine.
    set +e
    (cd "$work" && runuser -u postgres -- "$PG_REGRESS" \
        --bindir="$PGF_PG_BIN" \
        --host="$SOCKET_DIR" --port="$PORT" --user=postgres \
        --dbname="$REGRESS_DB" \
        --inputdir="$work/input" --outputdir="$work" \
        "${regress_tests[@]}") 2>&1 | tee "$OUT/regress.log"
    rc="${PIPESTATUS[0]}"
    set -e
    # PostgreSQL 15 prints "test NAME ... ok|FAILED"; 16+ prints "ok N - NAME"/"not ok N - NAME".
    rg_pass="$(grep -cE '\.\.\. ok|^ok [0-9]+ ' "$OUT/regress.log" || true)"
    rg_fail="$(grep -cE '\.\.\. FAILED|\.\.\. failed|^not ok [0-9]+ ' "$OUT/regress.log" || true)"
    if ((rc != 0 && rg_fail == 0)); then rg_fail=1; echo "test: pg_regress failed (exit $rc) before reporting tests"; fi
    if [[ -s "$work/regression.diffs" ]] && ((rg_fail)); then
        section "regression.diffs ($work/regression.diffs)"
        cat "$work/regression.diffs"
    fi
    record "pg_regress" "$rg_pass" "$rg_fail"
else
    echo "test: no files in pg_regress/sql"
fi

# --- (c) introspection check (graphql-js) ------------------------------------------
if [[ "${PGF_SKIP_NODE:-0}" == "1" ]]; then
    section "(c) introspection check: skipped (PGF_SKIP_NODE=1)"
elif ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    section "(c) introspection check"
    echo "test: node/npm not found (scripts/setup.sh installs them)"
    record "introspection (node)" 0 1
else
    section "(c) introspection check (tests/introspection)"
    node_ok=1
    # shellcheck source=./npm_ci.sh source-path=SCRIPTDIR
    source scripts/npm_ci.sh
    pgf_npm_ci tests/introspection || node_ok=0

    # A fresh database with the extension and the demo schema.
    if ((node_ok)); then
        pgf_psql "$CLUSTER" "$PORT" -q -c "create database $NODE_DB" &&
            pgf_psql "$CLUSTER" "$PORT" -q -d "$NODE_DB" -c 'create extension pg_federation' &&
            pgf_psql "$CLUSTER" "$PORT" -q -d "$NODE_DB" -o /dev/null <"$ROOT/examples/demo_schema.sql" ||
            node_ok=0
    fi

    if ((node_ok)); then
        set +e
        PGHOST="$SOCKET_DIR" PGPORT="$PORT" PGUSER=postgres PGDATABASE="$NODE_DB" PSQL="$PGF_PG_BIN/psql" \
            node tests/introspection/check.mjs 2>&1 | tee "$OUT/introspection.log"
        rc="${PIPESTATUS[0]}"
        set -e
        counts="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$OUT/introspection.log" | tail -n 1 || true)"
        if [[ -n "$counts" ]]; then
            read -r n_pass _ n_fail _ <<<"${counts//,/}"
        else
            n_pass=0 n_fail=0
        fi
        if ((rc != 0 && n_fail == 0)); then n_fail=1; echo "test: check.mjs failed (exit $rc) without reporting"; fi
        record "introspection (node)" "$n_pass" "$n_fail"
    else
        echo "test: could not prepare the introspection check (see above)"
        record "introspection (node)" 0 1
    fi
fi

# --- (d) upgrade check -----------------------------------------------------------
if [[ "${PGF_SKIP_UPGRADE:-0}" == "1" ]]; then
    section "(d) upgrade check: skipped (PGF_SKIP_UPGRADE=1)"
else
    section "(d) upgrade check (scripts/upgrade_check.sh)"
    # shellcheck source=./upgrade_check.sh source-path=SCRIPTDIR
    source scripts/upgrade_check.sh
    if pgf_upgrade_check "$CLUSTER" "$PORT" http://127.0.0.1:4101/graphql 2>&1 | tee "$OUT/upgrade.log"; [[ "${PIPESTATUS[0]}" == 0 ]]; then
        record "upgrade check" 1 0
    else
        record "upgrade check" 0 1
    fi
fi

# --- (e) the HTTP front ----------------------------------------------------------
if [[ "${PGF_SKIP_FRONT:-0}" == "1" ]]; then
    section "(e) the HTTP front: skipped (PGF_SKIP_FRONT=1)"
else
    section "(e) the HTTP front (cargo test -p pgf-server)"
    set +e
    PGF_FRONT_PGHOST="$SOCKET_DIR" PGF_FRONT_PGPORT="$PORT" PSQL="$PGF_PG_BIN/psql" PGF_TEST_OUT="$OUT" \
        cargo test -p pgf-server 2>&1 | tee "$OUT/front.log"
    rc="${PIPESTATUS[0]}"
    set -e
    read -r fr_pass fr_fail < <(cargo_test_counts "$OUT/front.log")
    if ((rc != 0 && fr_fail == 0)); then fr_fail=1; echo "test: cargo test -p pgf-server failed (exit $rc) before reporting tests"; fi
    record "HTTP front" "$fr_pass" "$fr_fail"
fi

stop_fixtures

finish
