#!/usr/bin/env bash
# The demo: a throwaway PostgreSQL with pg_federation and a small shop schema, queried
# with GraphQL through graphql.resolve. Prints each query and its JSON answer.
#
#   scripts/demo.sh
#
# Queries are examples/queries/*.graphql (first line "# Title"); a NAME.json next to
# NAME.graphql holds its variables. The cluster (name "demo", port 54330, override with
# PGF_DEMO_PORT) is removed on exit, whatever happens. Last, the HTTP front (`pgf serve`,
# port 8090 or PGF_DEMO_HTTP_PORT) answers the same join over HTTP with a JWT; with
# PGF_DEMO_SERVE=1 it stays up, console included, until Ctrl-C.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=./install_lock.sh source-path=SCRIPTDIR
source scripts/install_lock.sh
pgf_hold_install_lock
ROOT="$PWD"

CLUSTER=demo
PORT="${PGF_DEMO_PORT:-54330}"
DB=pgf_demo

SETUP_LOG=/tmp/pgf-demo-setup.log
echo "demo: setting up (packages, cargo-pgrx, build and install; the first run takes minutes; log: $SETUP_LOG)"
if ! bash scripts/setup.sh >"$SETUP_LOG" 2>&1; then
    tail -n 30 "$SETUP_LOG"
    echo "demo: setup failed; all of it is in $SETUP_LOG" >&2
    exit 1
fi
# shellcheck source=./cluster.sh source-path=SCRIPTDIR
source scripts/cluster.sh
# shellcheck source=./fixtures.sh source-path=SCRIPTDIR
source scripts/fixtures.sh
REMOTE_PORT="${PGF_DEMO_REMOTE_PORT:-4111}"

HTTP_PORT="${PGF_DEMO_HTTP_PORT:-8090}"
front_pid=
stop_front() { [[ -n "$front_pid" ]] && kill "$front_pid" 2>/dev/null && wait "$front_pid" 2>/dev/null; front_pid=; }
trap 'stop_front || true; pgf_cluster_stop "$CLUSTER" >/dev/null; pgf_fixture_stop demo_users_api >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM
pgf_cluster_start "$CLUSTER" "$PORT"

psql_db() { pgf_psql "$CLUSTER" "$PORT" -d "$DB" -q "$@"; }

# --- 1. database, extension, sample data ------------------------------------------
pgf_psql "$CLUSTER" "$PORT" -q -c "create database $DB"
psql_db -c 'create extension pg_federation'
# On stdin, not -f: psql runs as postgres, which may not read a checkout under root's $HOME or mktemp -d.
psql_db -o /dev/null <"$ROOT/examples/demo_schema.sql"
echo "demo: database $DB has pg_federation and the shop schema (examples/demo_schema.sql)"

# An answer indented, its keys in the order of the selection set and every digit kept.
pretty_json() { node "$ROOT/scripts/pretty_json.mjs"; }

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
        sql="select graphql.resolve(\$q\$$query\$q\$, \$v\$$vars\$v\$::jsonb)"

        echo
        echo "=== ${title:-$(basename "$file")}  ($(basename "$file"))"
        grep -v '^#' "$file"
        [[ -f "$base.json" ]] && echo "variables: $vars"
        echo "--- result"
        psql_db -At -c "$sql" | pretty_json
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
psql_db -At -c "select graphql.resolve(\$q\$$remote_query\$q\$)" | pretty_json
requests="$(curl -s "http://127.0.0.1:$REMOTE_PORT/_stats" | sed -n 's/.*"requests":\([0-9]*\).*/\1/p')"
rows="$(psql_db -At -c "select count(*) from orders")"
echo "--- remote requests for $rows order rows: $requests (one batched request, one alias per distinct user)"

# --- 3. the HTTP front: Hasura's /v1/graphql, a JWT, the console ----------------------
# The front logs in as an authenticator that may take the role a JWT names (PostgREST's
# pattern); the role reads the two tables of the join.
psql_db <<'SQL'
create role demo_authenticator login noinherit;
create role demo_customer nologin;
grant demo_customer to demo_authenticator;
grant select on orders, users to demo_customer;
SQL
JWT_KEY=demo-signing-key-of-at-least-32-bytes
ADMIN_SECRET=demo-admin-secret
PGF="$ROOT/target/$([[ "${PGF_RELEASE:-0}" == "1" ]] && echo release || echo debug)/pgf"
HASURA_GRAPHQL_ADMIN_SECRET="$ADMIN_SECRET" \
    HASURA_GRAPHQL_JWT_SECRET="{\"type\": \"HS256\", \"key\": \"$JWT_KEY\"}" \
    HASURA_GRAPHQL_ENABLE_CONSOLE=true \
    "$PGF" serve --host 127.0.0.1 --port "$HTTP_PORT" \
    --database-url "host=$(pgf_cluster_dir "$CLUSTER") port=$PORT user=demo_authenticator dbname=$DB" \
    2>/tmp/pgf-demo-front.log &
front_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$HTTP_PORT/healthz" >/dev/null && break; sleep 0.1; done

# A JWT as an auth service would sign it (HS256), with Hasura's claims.
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
header="$(printf '%s' '{"alg":"HS256","typ":"JWT"}' | b64url)"
claims="$(printf '%s' '{"sub":"2","https://hasura.io/jwt/claims":{"x-hasura-allowed-roles":["demo_customer"],"x-hasura-default-role":"demo_customer","x-hasura-user-id":"2"}}' | b64url)"
signature="$(printf '%s' "$header.$claims" | openssl dgst -sha256 -hmac "$JWT_KEY" -binary | b64url)"
JWT="$header.$claims.$signature"

http_query='{ orders(where: {user_id: {_eq: 2}}) { id total profile { name country } } }'
echo
echo "=== the same join over HTTP: pgf serve, a JWT for the role demo_customer"
echo "curl -s http://127.0.0.1:$HTTP_PORT/v1/graphql -H \"Authorization: Bearer \$JWT\" \\"
echo "     -d '{\"query\": \"$http_query\"}'"
echo "--- result"
answer="$(curl -s "http://127.0.0.1:$HTTP_PORT/v1/graphql" -H "Authorization: Bearer $JWT" \
    -d "{\"query\": \"$http_query\"}")"
echo "$answer" | pretty_json
echo "--- the console: http://127.0.0.1:$HTTP_PORT/console (admin secret: $ADMIN_SECRET)"
if [[ "${PGF_DEMO_SERVE:-0}" == "1" ]]; then
    echo "demo: serving until Ctrl-C (front log: /tmp/pgf-demo-front.log)"
    wait "$front_pid" || true
else
    echo "    (run with PGF_DEMO_SERVE=1 to keep it up and open it in a browser)"
fi

echo
echo "demo: done"
