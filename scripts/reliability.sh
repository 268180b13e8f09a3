#!/usr/bin/env bash
# THE long reliability command (issue 6). Minutes, not seconds; not part of CI.
#
#   bash scripts/reliability.sh                 # every part
#   bash scripts/reliability.sh dump standby    # only these parts (setup always runs)
#
# Parts, in order:
#   fuzz     the proptest fuzzers of src/fuzz_tests.rs with PGF_FUZZ_CASES inputs per
#            property (default 20000; CI runs 500), through `cargo pgrx test`, on a new
#            seed each run (PGF_FUZZ_SEED to repeat one); figures per property
#   dump     pg_dump -Fc of a database with tables, relationships, remote schemas (with a
#            secret header), table -> remote and remote -> table relationships, actions
#            with relationships, and a source (postgres_fdw) with a table -> source
#            relationship; pg_restore into a fresh database of a fresh cluster: the same
#            export_metadata, the same answers, the source's server/mapping/tables back
#   crash    pg_ctl stop -m immediate with a committed metadata change and an
#            uncommitted one in flight; after restart the first is there, the second not
#   upgrade  ALTER EXTENSION UPDATE from every released version (scripts/upgrade_check.sh)
#   standby  a streaming replica made with pg_basebackup: the metadata arrives by WAL,
#            resolve (tables, table -> remote joins, remote root fields) answers there and
#            in read-only transactions, a backend's schema cache follows metadata
#            changes replayed under it, and metadata writes are refused up front
#            (SQLSTATE 25006, a message saying to run them on the primary)
#   load     pgbench, PGF_LOAD_CLIENTS clients (8) for PGF_LOAD_SECONDS (60): a mix of
#            table-only queries, table -> remote, remote -> table, action -> table and
#            table -> source joins, remote root fields, a restricted role (a select
#            permission and a remote schema permission), and mutations (an insert and an
#            update with remote joins in returning); every response is checked
#            (an error aborts the client); zero failed transactions, no backend crash in
#            the server log, and backend memory (VmRSS, sampled every 5 s) flat
# Ends with "N passed, N failed" (one per check) and writes the figures to
# $PGF_RELIABILITY_OUT/report.txt (default /tmp/pgf-reliability).
#
# Holds /tmp/pg_federation-install.lock for the whole run (it installs the extension
# into the system PostgreSQL, as scripts/test.sh does). Its own clusters and ports:
# rel-primary 54350, rel-restore 54351, rel-standby 54352 (pgrx's fuzz cluster in
# /tmp/pg_federation-rel-pgtest), fixtures rel_users 4150 and rel_users_b 4151.
#
# To add a kind of metadata: put its metadata calls in setup_metadata(), a query using
# it in QUERIES (the dump, crash and standby parts compare every query's answer), and,
# for load, a pgbench script in write_load_scripts() with its -f line and weight.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

# shellcheck source=./install_lock.sh source-path=SCRIPTDIR
source scripts/install_lock.sh
pgf_hold_install_lock

OUT="${PGF_RELIABILITY_OUT:-/tmp/pgf-reliability}"
FUZZ_CASES="${PGF_FUZZ_CASES:-20000}"
LOAD_CLIENTS="${PGF_LOAD_CLIENTS:-8}"
LOAD_SECONDS="${PGF_LOAD_SECONDS:-60}"
PRIMARY=rel-primary PRIMARY_PORT=54350
RESTORE=rel-restore RESTORE_PORT=54351
STANDBY=rel-standby STANDBY_PORT=54352
FIX_A=rel_users FIX_A_PORT=4150
FIX_B=rel_users_b FIX_B_PORT=4151
DB=relmain
SOURCE_DB=relcrm
PGTEST_DATA=/tmp/pg_federation-rel-pgtest

parts=(fuzz dump crash upgrade standby load)
(($#)) && parts=("$@")
want() { local p; for p in "${parts[@]}"; do [[ "$p" == "$1" ]] && return 0; done; return 1; }

rm -rf -- "$OUT"
mkdir -p -- "$OUT"
chmod 0777 "$OUT"
REPORT="$OUT/report.txt"
: >"$REPORT"

passed=0
failed=0
section() { printf '\n===== %s\n' "$*"; }
figure() { echo "$*" | tee -a "$REPORT"; }
check() { # check NAME COMMAND...: one counted check
    local name="$1"
    shift
    if "$@"; then
        passed=$((passed + 1))
        figure "PASS $name"
    else
        failed=$((failed + 1))
        figure "FAIL $name"
    fi
}

# --- setup --------------------------------------------------------------------------
section "setup"
bash scripts/setup.sh --deps-only
export PATH="$HOME/.cargo/bin:$PATH"
# shellcheck source=./cluster.sh source-path=SCRIPTDIR
source scripts/cluster.sh
# shellcheck source=./fixtures.sh source-path=SCRIPTDIR
source scripts/fixtures.sh
# shellcheck source=./upgrade_check.sh source-path=SCRIPTDIR
source scripts/upgrade_check.sh

cleanup() {
    pgf_cluster_stop "$STANDBY" >/dev/null 2>&1 || true
    pgf_cluster_stop "$RESTORE" >/dev/null 2>&1 || true
    pgf_cluster_stop "$PRIMARY" >/dev/null 2>&1 || true
    pgf_fixture_stop "$FIX_A" >/dev/null 2>&1 || true
    pgf_fixture_stop "$FIX_B" >/dev/null 2>&1 || true
    local pidfile
    for pidfile in "$PGTEST_DATA"/*/postmaster.pid; do
        [[ -e "$pidfile" ]] || continue
        pgf_as_postgres "$PGF_PG_BIN/pg_ctl" -D "$(dirname "$pidfile")" -m immediate -w stop >/dev/null 2>&1 || true
    done
    rm -rf -- "$PGTEST_DATA"
    [[ -n "${load_sampler:-}" ]] && kill "$load_sampler" 2>/dev/null
    return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

finish() {
    section "summary ($REPORT)"
    cat "$REPORT"
    cleanup
    echo "$passed passed, $failed failed"
    if ((failed)); then exit 1; fi
    exit 0
}

psql_at() { # psql_at CLUSTER PORT [args]: quiet, tuples only, unaligned
    local c="$1" p="$2"
    shift 2
    pgf_psql "$c" "$p" -q -X -At "$@"
}

# --- fuzz ---------------------------------------------------------------------------
if want fuzz; then
    section "fuzz: $FUZZ_CASES inputs per property (cargo pgrx test)"
    rm -rf -- "$PGTEST_DATA"
    mkdir -p -- "$PGTEST_DATA"
    chown postgres: "$PGTEST_DATA"
    fuzz_report="$OUT/fuzz-figures.txt"
    : >"$fuzz_report"
    chmod 0666 "$fuzz_report"
    started=$SECONDS
    set +e
    # `cargo pgrx test --runas` passes only CARGO*/RUST* variables to the server.
    env CARGO_PGF_FUZZ_CASES="$FUZZ_CASES" CARGO_PGF_FUZZ_REPORT="$fuzz_report" \
        ${PGF_FUZZ_SEED:+CARGO_PGF_FUZZ_SEED="$PGF_FUZZ_SEED"} \
        cargo pgrx test pg15 --runas postgres --pgdata "$PGTEST_DATA" fuzz_ >"$OUT/fuzz.log" 2>&1
    rc=$?
    set -e
    grep -E '^test |^test result' "$OUT/fuzz.log" || true
    figure "fuzz: $((SECONDS - started)) s in all (build included)"
    while read -r line; do figure "  $line"; done <"$fuzz_report"
    check "fuzz: no panic, no SQL ERROR out of resolve or metadata (NUL bodies refused by name), every input answered ($FUZZ_CASES per property)" test "$rc" -eq 0
    ((rc == 0)) || { grep -A 20 -E '^---- ' "$OUT/fuzz.log" | cut -c1-400 | head -60 || true; }
    rm -rf -- "$PGTEST_DATA"
fi

# --- install the real build, start fixtures and the primary -------------------------------
section "install"
install_args=(--pg-config "$PGF_PG_CONFIG")
[[ "${PGF_RELEASE:-0}" == "1" ]] && install_args+=(--release)
cargo pgrx install "${install_args[@]}" >"$OUT/install.log" 2>&1 || { tail -30 "$OUT/install.log"; check "install" false; finish; }
figure "build: $([[ "${PGF_RELEASE:-0}" == 1 ]] && echo release || echo debug) (PGF_RELEASE=1 for a release build)"

want dump || want crash || want upgrade || want standby || want load || finish

section "fixtures and primary cluster"
pgf_fixture_start "$FIX_A" "$FIX_A_PORT"
pgf_fixture_start "$FIX_B" "$FIX_B_PORT"
pgf_cluster_start "$PRIMARY" "$PRIMARY_PORT"
PRIMARY_DIR="$(pgf_cluster_dir "$PRIMARY")"
# Durable settings (the throwaway defaults turn fsync off) and a replication slot's worth
# of WAL for the standby; then restart.
cat >>"$PRIMARY_DIR/data/postgresql.conf" <<EOF
# --- reliability: durable, replicable, logging crashes
fsync = on
synchronous_commit = on
full_page_writes = on
wal_level = replica
max_wal_senders = 4
hot_standby = on
log_min_messages = warning
max_connections = 60
EOF
pgf_as_postgres "$PGF_PG_BIN/pg_ctl" -D "$PRIMARY_DIR/data" -l "$PRIMARY_DIR/server.log" -w -t 60 restart >/dev/null

# The database every part uses: tables, relationships, remote schemas, remote
# relationships both ways, actions with relationships, and a source ($SOURCE_DB, a second
# database of the same cluster, reached through postgres_fdw over 127.0.0.1).
setup_metadata() { # CLUSTER PORT
    psql_at "$1" "$2" -c "create database $DB"
    psql_at "$1" "$2" -c "create database $SOURCE_DB"
    psql_at "$1" "$2" -d "$SOURCE_DB" -o /dev/null <<SQL
create table tiers (user_id int primary key, tier text not null);
insert into tiers select g, case when g % 3 = 0 then 'gold' else 'basic' end from generate_series(1, 500) g;
SQL
    psql_at "$1" "$2" -d "$DB" -o /dev/null <<SQL
create extension pg_federation;
create schema shop;
create table customers (id int primary key, name text not null, country text);
create table orders (id int primary key, customer_id int references customers(id), user_id int,
                     total numeric(10,2), note text, created_at timestamptz default '2024-01-01');
create table shop.items (id int primary key, order_id int references orders(id), sku text, qty int);
insert into customers select g, 'customer ' || g, (array['NZ','FR','BR'])[g % 3 + 1] from generate_series(1, 200) g;
insert into orders select g, g % 200 + 1, case when g % 10 = 0 then null else g % 500 + 1 end, g * 1.25,
                          E'note "' || g || E'" \\\\ ü', '2024-01-01'::timestamptz + g * interval '1 minute'
  from generate_series(1, 2000) g;
insert into shop.items select g, g % 2000 + 1, 'sku-' || g, g % 5 from generate_series(1, 4000) g;
select graphql.metadata('{"type": "pg_track_table", "args": {"table": {"schema": "shop", "name": "items"}, "configuration": {"custom_name": "items"}}}');
select graphql.metadata('{"type": "pg_set_table_customization", "args": {"table": "customers", "configuration": {"column_config": {"country": {"custom_name": "countryCode"}}}}}');
select graphql.metadata('{"type": "pg_create_array_relationship", "args": {"table": "orders", "name": "lines", "using": {"manual_configuration": {"remote_table": {"schema": "shop", "name": "items"}, "column_mapping": {"id": "order_id"}}}}}');
select graphql.metadata('{"type": "add_remote_schema", "args": {"name": "users_api", "definition": {"url": "http://127.0.0.1:$FIX_A_PORT/graphql", "timeout_seconds": 10, "headers": [{"name": "X-Api-Key", "value": "s3cret"}]}, "comment": "users"}}');
select graphql.metadata('{"type": "add_remote_schema", "args": {"name": "users_b", "definition": {"url": "http://127.0.0.1:$FIX_B_PORT/graphql", "timeout_seconds": 10, "customization": {"root_fields_namespace": "b", "type_names": {"prefix": "B_"}}}}}');
select graphql.metadata('{"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "user", "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"], "remote_field": {"user": {"arguments": {"id": "\$user_id"}}}}}}}');
select graphql.metadata('{"type": "pg_create_remote_relationship", "args": {"table": "customers", "name": "b_people", "definition": {"to_remote_schema": {"remote_schema": "users_b", "lhs_fields": ["country"], "remote_field": {"usersByCountry": {"arguments": {"country": "\$country"}}}}}}}');
-- remote -> table: users_api's User gets its customers row (object) and its orders (array).
select graphql.metadata('{"type": "create_remote_schema_remote_relationship", "args": {"remote_schema": "users_api", "type_name": "User", "name": "customer", "definition": {"to_source": {"source": "default", "table": "customers", "relationship_type": "object", "field_mapping": {"userId": "id"}}}}}');
select graphql.metadata('{"type": "create_remote_schema_remote_relationship", "args": {"remote_schema": "users_api", "type_name": "User", "name": "orders", "definition": {"to_source": {"source": "default", "table": "orders", "relationship_type": "array", "field_mapping": {"userId": "user_id"}}}}}');
-- A source: the password goes into the user mapping only (the document keeps the URL without it).
select graphql.metadata('{"type": "pg_add_source", "args": {"name": "crm", "configuration": {"connection_info": {"database_url": "postgres://postgres:s3cret@127.0.0.1:$2/$SOURCE_DB"}}}}');
-- table -> source.
select graphql.metadata('{"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "tier", "definition": {"to_source": {"source": "crm", "table": "tiers", "relationship_type": "object", "field_mapping": {"user_id": "user_id"}}}}}');
-- Actions (the fixture's POST /actions) whose output type joins a table (action -> table) and the source.
select graphql.metadata('{"type": "set_custom_types", "args": {"objects": [{"name": "Order", "fields": [{"name": "id", "type": "Int!"}, {"name": "user_id", "type": "Int"}, {"name": "label", "type": "String!"}], "relationships": [{"name": "customer", "type": "object", "remote_table": "customers", "field_mapping": {"user_id": "id"}}, {"name": "tier", "type": "object", "source": "crm", "remote_table": "tiers", "field_mapping": {"user_id": "user_id"}}]}]}}');
select graphql.metadata('{"type": "create_action", "args": {"name": "listOrders", "definition": {"type": "query", "handler": "http://127.0.0.1:$FIX_A_PORT/actions", "timeout": 10, "arguments": [{"name": "n", "type": "Int!"}], "output_type": "[Order!]!"}, "comment": "orders service"}}');
select graphql.metadata('{"type": "create_action", "args": {"name": "getOrder", "definition": {"type": "query", "handler": "http://127.0.0.1:$FIX_A_PORT/actions", "timeout": 10, "arguments": [{"name": "id", "type": "Int!"}], "output_type": "Order"}}}');
-- Written by the load's mutation script: a row per call, joined to users_api.
create table notes_log (id bigint generated always as identity primary key, user_id int not null, body text);
select graphql.metadata('{"type": "pg_create_remote_relationship", "args": {"table": "notes_log", "name": "user", "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"], "remote_field": {"user": {"arguments": {"id": "\$user_id"}}}}}}}');
-- A restricted role: its own orders without the note (a select permission), and of
-- users_b its own user only (a remote schema permission presetting the id).
do \$\$ begin create role rel_member nologin; exception when duplicate_object then null; end \$\$;
grant select on orders to rel_member;
select graphql.metadata('{"type": "pg_create_select_permission", "args": {"table": "orders", "role": "rel_member", "permission": {"columns": ["id", "user_id", "total"], "filter": {"user_id": {"_eq": "X-Hasura-User-Id"}}}}}');
select graphql.metadata(jsonb_build_object('type', 'add_remote_schema_permissions', 'args', jsonb_build_object('remote_schema', 'users_b', 'role', 'rel_member',
  'definition', jsonb_build_object('schema', 'schema { query: Query } type Query { user(id: Int! @preset(value: "x-hasura-user-id")): User } type User { userId: Int! name: String! }'))));
SQL
}

# The answers compared between primary, restored database, crash recovery and standby.
QUERIES=(
    '{ orders(order_by: {id: asc}, limit: 25) { id total note created_at customer { name countryCode } lines(order_by: {id: asc}) { sku qty } user { name email } } }'
    '{ customers(where: {id: {_lte: 4}}, order_by: {id: asc}) { id b_people { userId name } } customers_aggregate { aggregate { count } } }'
    '{ user(id: 42) { name posts { title } } b { user(id: 7) { name } } items_aggregate(where: {qty: {_gt: 2}}) { aggregate { count sum { qty } } } }'
    '{ orders_aggregate { aggregate { count sum { total } max { created_at } } } }'
    '{ users(ids: [1, 2, 3, 11, 250]) { userId customer { name countryCode } orders(order_by: {id: asc}, limit: 2) { id total } } }'
    '{ listOrders(n: 9) { id user_id label customer { name } tier { tier } } getOrder(id: 5) { label customer { id } } }'
    '{ orders(order_by: {id: asc}, limit: 12) { id user_id tier { tier } } crm_tiers(where: {user_id: {_lte: 3}}, order_by: {user_id: asc}) { user_id tier } }'
)
snapshot() { # CLUSTER PORT DB FILE: export_metadata (secrets included) and every answer
    local c="$1" p="$2" d="$3" f="$4" q
    {
        psql_at "$c" "$p" -d "$d" -c "select jsonb_pretty(graphql.metadata('{\"type\": \"export_metadata\", \"args\": {}}'))"
        for q in "${QUERIES[@]}"; do
            psql_at "$c" "$p" -d "$d" -v q="$q" <<<"select graphql.resolve(:'q')::jsonb;"
        done
    } >"$f"
}
no_errors() { ! grep -q '"errors"' "$1"; }
same() { diff -u "$1" "$2" >"$OUT/last.diff" || { head -40 "$OUT/last.diff"; return 1; }; }

setup_metadata "$PRIMARY" "$PRIMARY_PORT"
snapshot "$PRIMARY" "$PRIMARY_PORT" "$DB" "$OUT/primary.snapshot"
check "primary: metadata set up and every check query answered without errors" no_errors "$OUT/primary.snapshot"
figure "snapshot: $(wc -c <"$OUT/primary.snapshot") bytes (export_metadata + ${#QUERIES[@]} answers)"

# --- dump / restore -----------------------------------------------------------------
if want dump; then
    section "dump: pg_dump -Fc, pg_restore into a fresh database of a fresh cluster"
    chmod 0777 "$OUT"
    runuser -u postgres -- "$PGF_PG_BIN/pg_dump" -h "$PRIMARY_DIR" -p "$PRIMARY_PORT" -U postgres -Fc -f "$OUT/relmain.dump" "$DB"
    figure "dump: $(stat -c %s "$OUT/relmain.dump") bytes"
    pgf_cluster_start "$RESTORE" "$RESTORE_PORT" >/dev/null
    psql_at "$RESTORE" "$RESTORE_PORT" -c "create database $DB"
    set +e
    runuser -u postgres -- "$PGF_PG_BIN/pg_restore" -h "$(pgf_cluster_dir "$RESTORE")" -p "$RESTORE_PORT" -U postgres \
        --exit-on-error -d "$DB" "$OUT/relmain.dump" >"$OUT/restore.log" 2>&1
    rc=$?
    set -e
    cat "$OUT/restore.log"
    check "dump: pg_restore succeeded without errors" test "$rc" -eq 0
    snapshot "$RESTORE" "$RESTORE_PORT" "$DB" "$OUT/restored.snapshot"
    check "dump: same export_metadata (secret headers included) and same answers after restore" same "$OUT/primary.snapshot" "$OUT/restored.snapshot"
    # The source's server, user mapping (password included) and foreign tables are ordinary
    # objects of the dump, restored as such; the server still names the source database
    # (on the primary's cluster), so the answers through it above came from there.
    source_objects() { # CLUSTER PORT
        psql_at "$1" "$2" -d "$DB" -c "select (select count(*) from pg_foreign_server where srvname = 'pgf_crm')
              || ' ' || (select count(*) from pg_user_mappings where srvname = 'pgf_crm' and 'password=s3cret' = any(umoptions))
              || ' ' || (select string_agg(foreign_table_name, ',' order by foreign_table_name) from information_schema.foreign_tables where foreign_table_schema = 'crm')"
    }
    figure "dump: source objects (servers, mappings with the password, foreign tables): primary $(source_objects "$PRIMARY" "$PRIMARY_PORT"), restored $(source_objects "$RESTORE" "$RESTORE_PORT")"
    check "dump: the source's server, user mapping (password kept) and foreign tables restored" \
        test "$(source_objects "$RESTORE" "$RESTORE_PORT")" = "1 1 tiers"
    # The restored database takes metadata changes like any other.
    check "dump: restored metadata can be changed" psql_at "$RESTORE" "$RESTORE_PORT" -d "$DB" -o /dev/null \
        -c "select graphql.metadata('{\"type\": \"reload_remote_schema\", \"args\": {\"name\": \"users_api\"}}')"
    pgf_cluster_stop "$RESTORE" >/dev/null
fi

# --- crash ----------------------------------------------------------------------------
if want crash; then
    section "crash: pg_ctl stop -m immediate, restart"
    psql_at "$PRIMARY" "$PRIMARY_PORT" -d "$DB" -o /dev/null \
        -c "select graphql.metadata('{\"type\": \"pg_create_remote_relationship\", \"args\": {\"table\": \"customers\", \"name\": \"first_user\", \"definition\": {\"to_remote_schema\": {\"remote_schema\": \"users_api\", \"lhs_fields\": [\"id\"], \"remote_field\": {\"user\": {\"arguments\": {\"id\": \"\$id\"}}}}}}}')"
    QUERIES+=('{ customers(where: {id: {_in: [1, 2]}}, order_by: {id: asc}) { id first_user { name } } }')
    snapshot "$PRIMARY" "$PRIMARY_PORT" "$DB" "$OUT/precrash.snapshot"
    # A metadata change in flight (uncommitted) when the server dies.
    pgf_psql "$PRIMARY" "$PRIMARY_PORT" -q -d "$DB" -o /dev/null \
        -c "begin" \
        -c "select graphql.metadata('{\"type\": \"pg_untrack_table\", \"args\": {\"table\": \"customers\", \"cascade\": true}}')" \
        -c "select pg_sleep(60)" >/dev/null 2>&1 &
    inflight=$!
    for _ in $(seq 1 100); do
        n="$(psql_at "$PRIMARY" "$PRIMARY_PORT" -c "select count(*) from pg_stat_activity where query like '%pg_sleep(60)%' and pid <> pg_backend_pid()")"
        [[ "$n" == 1 ]] && break
        sleep 0.1
    done
    pgf_as_postgres "$PGF_PG_BIN/pg_ctl" -D "$PRIMARY_DIR/data" -m immediate -w stop >/dev/null
    wait "$inflight" 2>/dev/null || true
    pgf_as_postgres "$PGF_PG_BIN/pg_ctl" -D "$PRIMARY_DIR/data" -l "$PRIMARY_DIR/server.log" -w -t 120 start >/dev/null
    snapshot "$PRIMARY" "$PRIMARY_PORT" "$DB" "$OUT/postcrash.snapshot"
    check "crash: committed metadata survived, the uncommitted change did not, same answers" same "$OUT/precrash.snapshot" "$OUT/postcrash.snapshot"
    check "crash: recovery ran (server log)" grep -q "database system was not properly shut down" "$PRIMARY_DIR/server.log"
    cp "$OUT/postcrash.snapshot" "$OUT/primary.snapshot"
fi

# --- upgrade ----------------------------------------------------------------------------
if want upgrade; then
    section "upgrade: ALTER EXTENSION UPDATE"
    check "upgrade: from every released version, schema = fresh install, metadata and answers kept" \
        pgf_upgrade_check "$PRIMARY" "$PRIMARY_PORT" "http://127.0.0.1:$FIX_A_PORT/graphql"
fi

# --- standby ----------------------------------------------------------------------------
if want standby; then
    section "standby: pg_basebackup streaming replica"
    STANDBY_DIR="$(pgf_cluster_dir "$STANDBY")"
    pgf_cluster_stop "$STANDBY" >/dev/null
    mkdir -p -- "$STANDBY_DIR"
    chown postgres: "$STANDBY_DIR"
    chmod 0700 "$STANDBY_DIR"
    pgf_as_postgres "$PGF_PG_BIN/pg_basebackup" -h "$PRIMARY_DIR" -p "$PRIMARY_PORT" -U postgres \
        -D "$STANDBY_DIR/data" -R -X stream -c fast
    cat >>"$STANDBY_DIR/data/postgresql.conf" <<EOF
# --- reliability: the standby
port = $STANDBY_PORT
unix_socket_directories = '$STANDBY_DIR'
EOF
    pgf_as_postgres "$PGF_PG_BIN/pg_ctl" -D "$STANDBY_DIR/data" -l "$STANDBY_DIR/server.log" -w -t 60 start >/dev/null
    check "standby: in recovery" test "$(psql_at "$STANDBY" "$STANDBY_PORT" -c 'select pg_is_in_recovery()')" = t

    wait_replay() {
        local lsn i
        lsn="$(psql_at "$PRIMARY" "$PRIMARY_PORT" -c 'select pg_current_wal_lsn()')"
        for i in $(seq 1 200); do
            [[ "$(psql_at "$STANDBY" "$STANDBY_PORT" -c "select pg_last_wal_replay_lsn() >= '$lsn'")" == t ]] && return 0
            sleep 0.1
        done
        return 1
    }
    check "standby: caught up" wait_replay
    snapshot "$STANDBY" "$STANDBY_PORT" "$DB" "$OUT/standby.snapshot"
    check "standby: same export_metadata and answers as the primary (tables, joins, remote fields)" same "$OUT/primary.snapshot" "$OUT/standby.snapshot"

    # One standby session: its schema cache follows metadata replayed under it.
    cat >"$OUT/standby_session.sql" <<SQL
\\set ON_ERROR_STOP 1
select graphql.resolve('{ orders(where: {id: {_eq: 11}}) { id user { userId } } }')::jsonb;
\\! $PGF_PG_BIN/psql -X -q -At -h $PRIMARY_DIR -p $PRIMARY_PORT -d $DB -o /dev/null -c "select graphql.metadata('{\"type\": \"pg_set_table_customization\", \"args\": {\"table\": \"orders\", \"configuration\": {\"custom_root_fields\": {\"select\": \"all_orders\"}}}}')"
do \$\$ begin
  for i in 1..200 loop
    exit when (select document::text like '%all_orders%' from graphql.metadata_document);
    perform pg_sleep(0.05);
  end loop;
end \$\$;
select graphql.resolve('{ all_orders(where: {id: {_eq: 11}}) { id user { userId } } }')::jsonb;
begin transaction read only;
select graphql.resolve('{ all_orders(where: {id: {_eq: 12}}) { id customer { name } user { userId } } b { user(id: 3) { name } } }')::jsonb;
commit;
SQL
    chmod 0644 "$OUT/standby_session.sql"
    psql_at "$STANDBY" "$STANDBY_PORT" -d "$DB" <"$OUT/standby_session.sql" >"$OUT/standby_session.out" 2>&1 || true
    cat "$OUT/standby_session.out"
    expected='{"data": {"orders": [{"id": 11, "user": {"userId": 12}}]}}
{"data": {"all_orders": [{"id": 11, "user": {"userId": 12}}]}}
{"data": {"b": {"user": {"name": "user 3"}}, "all_orders": [{"id": 12, "user": {"userId": 13}, "customer": {"name": "customer 13"}}]}}'
    check "standby: a session's schema cache follows metadata replayed by WAL; read-only transaction" \
        test "$(cat "$OUT/standby_session.out")" = "$expected"
    # Writes are refused up front with an ERROR that says why (SQLSTATE 25006,
    # read_only_sql_transaction), and the standby keeps serving. Reading calls work.
    set +e
    psql_at "$STANDBY" "$STANDBY_PORT" -d "$DB" -v VERBOSITY=verbose \
        -c "select graphql.metadata('{\"type\": \"pg_untrack_table\", \"args\": {\"table\": \"customers\"}}')" >"$OUT/standby_write.out" 2>&1
    set -e
    cat "$OUT/standby_write.out"
    figure "standby: a metadata write gets: $(head -n 1 "$OUT/standby_write.out")"
    check "standby: a metadata write is refused with a clear ERROR (25006, names the call, says: run it on the primary)" \
        grep -q '^ERROR:  25006: graphql.metadata: "pg_untrack_table" changes metadata, and this server is a hot standby (read-only, in recovery): run metadata changes on the primary$' "$OUT/standby_write.out"
    check "standby: the refusal carries no raw recovery error and no Rust backtrace" \
        test "$(grep -c -E 'TransactionIds|DETAIL|panic' "$OUT/standby_write.out")" = 0
    check "standby: reading metadata calls work (get_inconsistent_metadata)" test "$(psql_at "$STANDBY" "$STANDBY_PORT" -d "$DB" \
        -c "select graphql.metadata('{\"type\": \"get_inconsistent_metadata\", \"args\": {}}') -> 'is_consistent'")" = true
    check "standby: serves on after the refused write" test "$(psql_at "$STANDBY" "$STANDBY_PORT" -d "$DB" \
        -c "select graphql.resolve('{ customers_aggregate { aggregate { count } } }')::jsonb")" = '{"data": {"customers_aggregate": {"aggregate": {"count": 200}}}}'
    check "primary: resolve in a read-only transaction" test "$(psql_at "$PRIMARY" "$PRIMARY_PORT" -d "$DB" \
        -c "begin transaction read only" -c "select graphql.resolve('{ all_orders(where: {id: {_eq: 11}}) { id user { userId } } }')::jsonb" -c "commit")" \
        = '{"data": {"all_orders": [{"id": 11, "user": {"userId": 12}}]}}'
    if grep -E "terminated by signal|PANIC" "$STANDBY_DIR/server.log"; then
        check "standby: no backend crash" false
    else
        check "standby: no backend crash" true
    fi
    pgf_cluster_stop "$STANDBY" >/dev/null
    # Back to the names the other parts use.
    psql_at "$PRIMARY" "$PRIMARY_PORT" -d "$DB" -o /dev/null \
        -c "select graphql.metadata('{\"type\": \"pg_set_table_customization\", \"args\": {\"table\": \"orders\", \"configuration\": {}}}')"
fi

# --- load -------------------------------------------------------------------------------
write_load_scripts() {
    # Each script fails its transaction (division by zero: the client aborts, pgbench
    # exits non-zero) when the answer has errors or misses data.
    cat >"$OUT/load_table.sql" <<'SQL'
\set id random(1, 2000)
select 1 / (case when r ? 'errors' or jsonb_array_length(r #> '{data,orders}') <> 1 then 0 else 1 end)
  from to_jsonb(graphql.resolve('query ($id: Int!) { orders(where: {id: {_eq: $id}}) { id total customer { name countryCode } lines { sku qty } } }',
                       jsonb_build_object('id', :id))) r;
SQL
    cat >"$OUT/load_join.sql" <<'SQL'
\set id random(1, 1990)
select 1 / (case when r ? 'errors' or jsonb_array_length(r #> '{data,orders}') <> 10 then 0 else 1 end)
  from to_jsonb(graphql.resolve('query ($id: Int!) { orders(where: {id: {_gte: $id}}, order_by: {id: asc}, limit: 10) { id user { name email } customer { name } } }',
                       jsonb_build_object('id', :id))) r;
SQL
    cat >"$OUT/load_remote.sql" <<'SQL'
\set id random(1, 200)
select 1 / (case when r ? 'errors' or r #> '{data,customers,0,b_people}' is null then 0 else 1 end)
  from to_jsonb(graphql.resolve('query ($id: Int!) { customers(where: {id: {_eq: $id}}) { id b_people { name } } b { user(id: $id) { name } } }',
                       jsonb_build_object('id', :id))) r;
SQL
    # remote -> table: three users (one request to users_api), then ONE statement per
    # relationship for their customers row (ids 1..200; null above) and their orders
    # (user n has 4 orders unless n - 1 is a multiple of 10; the first 2 asked for).
    cat >"$OUT/load_remote_table.sql" <<'SQL'
\set id random(1, 498)
select 1 / (case when r ? 'errors' or jsonb_array_length(r #> '{data,users}') <> 3
                   or exists (select from jsonb_array_elements(r #> '{data,users}') u, lateral (select cast(u ->> 'userId' as int) as n) x
                               where u #>> '{customer,name}' is distinct from case when n <= 200 then 'customer ' || n end
                                  or jsonb_array_length(u -> 'orders') <> case when (n - 1) % 10 = 0 then 0 else 2 end)
            then 0 else 1 end)
  from to_jsonb(graphql.resolve('query ($ids: [Int!]) { users(ids: $ids) { userId customer { name } orders(order_by: {id: asc}, limit: 2) { id total } } }',
                       jsonb_build_object('ids', jsonb_build_array(:id, :id + 1, :id + 2)))) r;
SQL
    # action -> table: one POST to the handler for n orders, then ONE statement for their
    # customers (order k has user_id k % 3 + 1, null when k % 4 = 0).
    cat >"$OUT/load_action.sql" <<'SQL'
\set n random(1, 20)
select 1 / (case when r ? 'errors' or jsonb_array_length(r #> '{data,listOrders}') <> :n
                   or exists (select from jsonb_array_elements(r #> '{data,listOrders}') o, lateral (select cast(o ->> 'id' as int) as k) x
                               where o #>> '{customer,name}' is distinct from case when k % 4 <> 0 then 'customer ' || (k % 3 + 1) end)
            then 0 else 1 end)
  from to_jsonb(graphql.resolve('query ($n: Int!) { listOrders(n: $n) { id customer { name } } }', jsonb_build_object('n', :n))) r;
SQL
    # table -> source: 10 orders, then ONE query to the source database (postgres_fdw)
    # for their tiers (user u is gold when u % 3 = 0; a null user_id has none).
    cat >"$OUT/load_source.sql" <<'SQL'
\set id random(1, 1990)
select 1 / (case when r ? 'errors' or jsonb_array_length(r #> '{data,orders}') <> 10
                   or exists (select from jsonb_array_elements(r #> '{data,orders}') o, lateral (select cast(o ->> 'user_id' as int) as u) x
                               where o #>> '{tier,tier}' is distinct from case when u % 3 = 0 then 'gold' when u is not null then 'basic' end)
            then 0 else 1 end)
  from to_jsonb(graphql.resolve('query ($id: Int!) { orders(where: {id: {_gte: $id}}, order_by: {id: asc}, limit: 10) { id user_id tier { tier } } }',
                       jsonb_build_object('id', :id))) r;
SQL
    # A restricted role (rel_member, as user :uid): only its orders (user n has 4 unless
    # n - 1 is a multiple of 10), never the note; of users_b only itself (the preset id).
    cat >"$OUT/load_role.sql" <<'SQL'
\set uid random(1, 500)
begin;
set local role rel_member;
select set_config('request.jwt.claims', json_build_object('x-hasura-user-id', :uid::text)::text, true);
select 1 / (case when r ? 'errors'
                   or jsonb_array_length(r #> '{data,orders}') <> (select count(*) from generate_series(1, 2000) g where g % 500 + 1 = :uid and g % 10 <> 0)
                   or exists (select from jsonb_array_elements(r #> '{data,orders}') o where cast(o ->> 'user_id' as int) <> :uid or o ? 'note')
                   or r #>> '{data,b,user,userId}' is distinct from :uid::text
            then 0 else 1 end)
  from to_jsonb(graphql.resolve('{ orders(order_by: {id: asc}) { id user_id total } b { user { userId name } } }')) r;
end;
SQL
    # Mutations: an insert and an update in one document (one unit), each with a remote
    # join in returning; the inserted row's user is the one asked for, the update
    # reaches at least that row.
    cat >"$OUT/load_mutation.sql" <<'SQL'
\set uid random(1, 500)
select 1 / (case when r ? 'errors'
                   or r #>> '{data,insert_notes_log_one,user,userId}' is distinct from :uid::text
                   or cast(r #>> '{data,update_notes_log,affected_rows}' as int) < 1
                   or exists (select from jsonb_array_elements(r #> '{data,update_notes_log,returning}') n
                               where n #>> '{user,userId}' is distinct from :uid::text)
            then 0 else 1 end)
  from to_jsonb(graphql.resolve('mutation ($u: Int!) { insert_notes_log_one(object: {user_id: $u, body: "new"}) { id user { userId } }
                                              update_notes_log(where: {user_id: {_eq: $u}}, _set: {body: "seen"}) { affected_rows returning { user { userId } } } }',
                       jsonb_build_object('u', :uid))) r;
SQL
    chmod 0644 "$OUT"/load_*.sql
}

if want load; then
    section "load: pgbench -c $LOAD_CLIENTS for $LOAD_SECONDS s"
    write_load_scripts
    curl -s -X POST "http://127.0.0.1:$FIX_A_PORT/_reset" >/dev/null
    curl -s -X POST "http://127.0.0.1:$FIX_B_PORT/_reset" >/dev/null
    log_lines_before="$(wc -l <"$PRIMARY_DIR/server.log")"
    # VmRSS of every backend connected to $DB, every 5 s: "seconds pid kB".
    (
        start=$SECONDS
        while sleep 5; do
            for pid in $(psql_at "$PRIMARY" "$PRIMARY_PORT" -c "select pid from pg_stat_activity where datname = '$DB' and backend_type = 'client backend' and pid <> pg_backend_pid()" 2>/dev/null); do
                echo "$((SECONDS - start)) $pid $(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null)"
            done
        done
    ) >"$OUT/rss.txt" &
    load_sampler=$!
    set +e
    runuser -u postgres -- "$PGF_PG_BIN/pgbench" -h "$PRIMARY_DIR" -p "$PRIMARY_PORT" -U postgres -n \
        -c "$LOAD_CLIENTS" -j 2 -T "$LOAD_SECONDS" -P 10 \
        -f "$OUT/load_table.sql@7" -f "$OUT/load_join.sql@5" -f "$OUT/load_remote_table.sql@3" \
        -f "$OUT/load_remote.sql@2" -f "$OUT/load_action.sql@2" -f "$OUT/load_source.sql@1" -f "$OUT/load_role.sql@2" -f "$OUT/load_mutation.sql@2" \
        "$DB" >"$OUT/pgbench.log" 2>&1
    rc=$?
    set -e
    kill "$load_sampler" 2>/dev/null || true
    wait "$load_sampler" 2>/dev/null || true
    load_sampler=
    cat "$OUT/pgbench.log"
    tps="$(awk '/^tps = / {print $3; exit}' "$OUT/pgbench.log")"
    txns="$(awk -F': ' '/number of transactions actually processed/ {print $2}' "$OUT/pgbench.log")"
    failed_txns="$(awk -F': ' '/^number of failed transactions/ {split($2, a, " "); print a[1]; exit}' "$OUT/pgbench.log")"
    figure "load: $LOAD_CLIENTS clients, $LOAD_SECONDS s: tps $tps, transactions $txns, failed ${failed_txns:-?}"
    figure "load: per script:"
    { grep -E "^SQL script|^ - weight|^ - [0-9]+ transactions|latency average" "$OUT/pgbench.log" || true; } | sed 's/^/  /' | tee -a "$REPORT"
    figure "load: fixture requests: users_api $(curl -s "http://127.0.0.1:$FIX_A_PORT/_stats" | sed -E 's/.*"requests":([0-9]+).*/\1/') (GraphQL) + $(curl -s "http://127.0.0.1:$FIX_A_PORT/_stats" | sed -E 's/.*"action_requests":([0-9]+).*/\1/') (actions), users_b $(curl -s "http://127.0.0.1:$FIX_B_PORT/_stats" | sed -E 's/.*"requests":([0-9]+).*/\1/')"
    check "load: pgbench finished, no client aborted (every response checked)" test "$rc" -eq 0 -a "${txns:-0}" -gt 0
    check "load: zero failed transactions" test "${failed_txns:-1}" = 0
    if tail -n +"$((log_lines_before + 1))" "$PRIMARY_DIR/server.log" | grep -E "terminated by signal|PANIC|was terminated"; then
        check "load: no backend crash (server log)" false
    else
        check "load: no backend crash (server log)" true
    fi
    # Memory: per backend, VmRSS at the first sample after 15 s (caches built) and at the
    # last; flat = no backend grew by more than 10 MB after warm-up.
    set +e
    awk -v warm=15 '
        { t = $1; pid = $2; kb = $3; if (kb == "") next
          if (!(pid in first) && t >= warm) first[pid] = kb
          if (!(pid in lo) || kb < lo[pid]) lo[pid] = kb
          if (kb > hi[pid]) hi[pid] = kb
          last[pid] = kb; n[pid]++ }
        END {
          worst = 0
          for (pid in first) {
            growth = last[pid] - first[pid]; if (growth > worst) worst = growth
            printf "  backend %s: %d samples, VmRSS after warm-up %d kB, at the end %d kB, min %d, max %d kB (growth %+d kB)\n", pid, n[pid], first[pid], last[pid], lo[pid], hi[pid], growth
          }
          printf "  worst growth after warm-up: %d kB\n", worst
          exit (worst > 10240)
        }' "$OUT/rss.txt" >"$OUT/memory.txt"
    mem_rc=$?
    set -e
    tee -a "$REPORT" <"$OUT/memory.txt"
    figure "load: all backends: $(awk '{s[$1] += $3; n[$1]++} END {for (t in s) print t, s[t], n[t]}' "$OUT/rss.txt" | sort -n | awk 'NR == 1 {f = $2; ft = $1} {l = $2; lt = $1} END {printf "VmRSS sum %d kB at %d s, %d kB at %d s", f, ft, l, lt}')"
    check "load: backend memory flat (no backend grew > 10 MB after the first 15 s)" test "$mem_rc" -eq 0
fi

finish
