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
ROOT="$PWD"

CLUSTER=demo
PORT="${PGF_DEMO_PORT:-54330}"
DB=pgf_demo

bash scripts/setup.sh
# shellcheck source=./cluster.sh source-path=SCRIPTDIR
source scripts/cluster.sh

trap 'pgf_cluster_stop "$CLUSTER" >/dev/null' EXIT
trap 'exit 130' INT TERM
pgf_cluster_start "$CLUSTER" "$PORT"

psql_db() { pgf_psql "$CLUSTER" "$PORT" -d "$DB" -q "$@"; }

# --- 1. database, extension, sample data ------------------------------------------
pgf_psql "$CLUSTER" "$PORT" -q -c "create database $DB"
psql_db -c 'create extension pg_federation'
psql_db -o /dev/null -f "$ROOT/examples/demo_schema.sql"
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
