#!/usr/bin/env bash
# The demo: a throwaway PostgreSQL with pg_federation and a small shop schema, queried
# with GraphQL through graphql.resolve. Prints each query and its JSON answer.
#
#   scripts/demo.sh
#
# Queries are examples/queries/*.graphql (first line "# Title"); a NAME.json next to
# NAME.graphql holds its variables. The cluster (name "demo", port 54330, override with
# PGF_DEMO_PORT) is removed on exit, whatever happens.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=./install_lock.sh source-path=SCRIPTDIR
source scripts/install_lock.sh
pgf_hold_install_lock
ROOT="$PWD"

CLUSTER=demo
PORT="${PGF_DEMO_PORT:-54330}"
DB=pgf_demo

bash scripts/setup.sh
# shellcheck source=./cluster.sh source-path=SCRIPTDIR
source scripts/cluster.sh
# shellcheck source=./fixtures.sh source-path=SCRIPTDIR
source scripts/fixtures.sh
REMOTE_PORT="${PGF_DEMO_REMOTE_PORT:-4111}"

trap 'pgf_cluster_stop "$CLUSTER" >/dev/null; pgf_fixture_stop demo_users_api >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM
pgf_cluster_start "$CLUSTER" "$PORT"

psql_db() { pgf_psql "$CLUSTER" "$PORT" -d "$DB" -q "$@"; }

# --- 1. database, extension, sample data ------------------------------------------
pgf_psql "$CLUSTER" "$PORT" -q -c "create database $DB"
psql_db -c 'create extension pg_federation'
# On stdin, not -f: psql runs as postgres, which may not read a checkout under root's $HOME or mktemp -d.
psql_db -o /dev/null <"$ROOT/examples/demo_schema.sql"
echo "demo: database $DB has pg_federation and the shop schema (examples/demo_schema.sql)"

# Run every NAME.graphql in a directory through graphql.resolve and print the answer.
run_queries() {
    local dir="$1" file base title query vars sql
    for file in "$dir"/*.graphql; do
        [[ -e "$file" ]] || continue
        base="${file%.graphql}"
        title="$(sed -n '1s/^#[[:space:]]*//p' "$file")"
        query="$(cat "$file")"
        vars='{}'
        [[ -f "$base.json" ]] && vars="$(cat "$base.json")"
        # Dollar quoting keeps the GraphQL text verbatim; refuse the one text that breaks it.
        # shellcheck disable=SC2016  # literal $q$ / $v$, not expansions
        if [[ "$query$vars" == *'$q$'* || "$query$vars" == *'$v$'* ]]; then
            echo "demo: $file contains \$q\$ or \$v\$; cannot quote it" >&2
            return 1
        fi
        sql="select jsonb_pretty(graphql.resolve(\$q\$$query\$q\$, \$v\$$vars\$v\$::jsonb))"

        echo
        echo "=== ${title:-$(basename "$file")}  ($(basename "$file"))"
        grep -v '^#' "$file"
        [[ -f "$base.json" ]] && echo "variables: $vars"
        echo "--- result"
        psql_db -At -c "$sql"
    done
}

# --- 2. table queries ------------------------------------------------------------
run_queries "$ROOT/examples/queries"

# --- a remote GraphQL API joined onto table rows ---------------------------------------
# The example remote API is the test fixture (tests/fixture_server): a real GraphQL
# server that counts the requests it gets.
pgf_fixture_start demo_users_api "$REMOTE_PORT"
psql_db -o /dev/null <<SQL
select graphql.metadata(\$\${"type": "add_remote_schema", "args": {"name": "users_api",
  "definition": {"url": "http://127.0.0.1:$REMOTE_PORT/graphql", "timeout_seconds": 10,
                 "customization": {"root_fields_namespace": "users_api"}}}}\$\$);
select graphql.metadata(\$\${"type": "pg_create_remote_relationship", "args": {
  "table": "orders", "name": "profile",
  "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"],
                 "remote_field": {"user": {"arguments": {"id": "\$user_id"}}}}}}}\$\$);
SQL
curl -s -X POST "http://127.0.0.1:$REMOTE_PORT/_reset" >/dev/null
remote_query='{ orders(order_by: {id: asc}) { id total user { name } profile { name country } } }'
echo
echo "=== table -> remote join: orders.profile comes from the remote users API"
echo "$remote_query"
echo "--- result"
psql_db -At -c "select jsonb_pretty(graphql.resolve(\$q\$$remote_query\$q\$))"
requests="$(curl -s "http://127.0.0.1:$REMOTE_PORT/_stats" | sed -n 's/.*"requests":\([0-9]*\).*/\1/p')"
rows="$(psql_db -At -c "select count(*) from orders")"
echo "--- remote requests for $rows order rows: $requests (one batched request, one alias per distinct user)"

# --- 3. remote GraphQL join (to come) -----------------------------------------------
# The remote-schema feature plugs in here:
#   - start the fixture GraphQL API (tests/...) in the background and stop it in the
#     EXIT trap above, next to the cluster;
#   - register it: graphql.metadata('{"type":"add_remote_schema", ...}') and
#     graphql.metadata('{"type":"pg_create_remote_relationship", ...}') (e.g.
#     orders.customer -> users_api.user(id: $user_id)), from examples/remote_setup.sql;
#   - run_queries "$ROOT/examples/remote_queries"

echo
echo "demo: done"
