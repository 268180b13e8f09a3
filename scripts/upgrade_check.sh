#!/usr/bin/env bash
# ALTER EXTENSION pg_federation UPDATE, checked against a running throwaway cluster
# (scripts/cluster.sh) with the current build installed. Sourced by scripts/test.sh and
# scripts/reliability.sh, which hold /tmp/pg_federation-install.lock meanwhile (this
# writes into the system PostgreSQL's extension directory):
#
#   source scripts/upgrade_check.sh
#   pgf_upgrade_check CLUSTER PORT [FIXTURE_URL]
#
# For every released version V with a full install script sql/pg_federation--V.sql
# (0.1.0 so far, generated at commit cc20dd8 and never edited):
#   1. schema: a database created at V and updated (ALTER EXTENSION ... UPDATE) has the
#      same extension objects as a fresh install of the current version: the two
#      `pg_dump --schema-only --binary-upgrade` outputs (which list every member of
#      the extension with its full definition, grants and ownership) are compared
#      after removing OIDs. An upgrade script that falls behind the install script (a
#      function, table, column, trigger, grant or config-dump registration missing or
#      different) shows up here as a diff;
#   2. data: metadata created at V (tracked tables, a relationship, a remote schema and
#      a table -> remote relationship when FIXTURE_URL is given) survives the update:
#      the same export_metadata and the same query results before and after.
# Prints "upgrade check: ok" or the differences; returns non-zero on a difference.

_pgf_upgrade_dump() {
    # pg_dump of the extension's objects, OIDs and per-run tokens removed.
    local cluster="$1" port="$2" db="$3"
    runuser -u "$PGF_PG_OS_USER" -- "$PGF_PG_BIN/pg_dump" -h "$(pgf_cluster_dir "$cluster")" -p "$port" -U postgres \
        --schema-only --binary-upgrade --no-comments -d "$db" |
        grep -v -E '^--|^$|^\\(un)?restrict |binary_upgrade_set_next_' |
        sed -E '/^UPDATE pg_catalog.pg_class$/,/^WHERE oid = /d' |
        sed -E "/binary_upgrade_create_empty_extension/ s/'\{[0-9,]+\}'/'{OIDS}'/; /binary_upgrade_create_empty_extension/ s/'\{(\"\",?)+\}'/'{CONDITIONS}'/"
}

pgf_upgrade_check() {
    local cluster="${1:?usage: pgf_upgrade_check CLUSTER PORT [FIXTURE_URL]}"
    local port="${2:?usage: pgf_upgrade_check CLUSTER PORT [FIXTURE_URL]}"
    local fixture_url="${3:-}"
    local root extdir current ok=1 old script work
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    extdir="$("$PGF_PG_CONFIG" --sharedir)/extension"
    work="$(mktemp -d /tmp/pgf-upgrade.XXXXXX)"
    chmod 0755 "$work"
    local psql=(pgf_psql "$cluster" "$port" -q -X -At)
    local -x PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

    current="$("${psql[@]}" -c "select default_version from pg_available_extensions where name = 'pg_federation'")"
    if [[ -z "$current" ]]; then
        echo "upgrade check: pg_federation is not installed" >&2
        rm -rf -- "$work"
        return 1
    fi
    for script in "$root"/sql/pg_federation--*.sql; do
        old="$(basename "$script" .sql)"
        old="${old#pg_federation--}"
        [[ "$old" == *--* ]] && continue # an upgrade script
        [[ "$old" == "$current" ]] && continue
        echo "upgrade check: $old -> $current"
        # The historical install script (cargo pgrx install copies only A--B scripts).
        install -m 0644 "$script" "$extdir/pg_federation--$old.sql"
        if [[ "$("${psql[@]}" -c "select count(*) from pg_extension_update_paths('pg_federation') where source = '$old' and target = '$current' and path is not null")" != 1 ]]; then
            echo "upgrade check: no update path from $old to $current (is sql/pg_federation--$old--$current.sql missing, or not installed?)"
            ok=0
            continue
        fi

        # 1. schema: updated == fresh
        for db in pgf_upg_fresh pgf_upg_updated; do
            "${psql[@]}" -c "drop database if exists $db" -c "create database $db"
        done
        "${psql[@]}" -d pgf_upg_fresh -c "create extension pg_federation"
        "${psql[@]}" -d pgf_upg_updated -c "create extension pg_federation version '$old'" \
            -c "alter extension pg_federation update"
        _pgf_upgrade_dump "$cluster" "$port" pgf_upg_fresh >"$work/fresh.sql"
        _pgf_upgrade_dump "$cluster" "$port" pgf_upg_updated >"$work/updated.sql"
        if ! grep -q 'pg_federation' "$work/fresh.sql"; then
            echo "upgrade check: pg_dump of the fresh install is empty"
            ok=0
        elif ! diff -u "$work/fresh.sql" "$work/updated.sql" >"$work/schema.diff"; then
            echo "upgrade check: $old + ALTER EXTENSION UPDATE differs from a fresh $current install"
            echo "  (< fresh $current, > updated from $old; fix sql/pg_federation--$old--$current.sql):"
            cat "$work/schema.diff"
            ok=0
        else
            echo "upgrade check: schema after update from $old = fresh $current ($(grep -c 'ALTER EXTENSION pg_federation ADD' "$work/fresh.sql") extension objects)"
        fi

        # 2. data: metadata and answers survive the update
        "${psql[@]}" -c "drop database if exists pgf_upg_data" -c "create database pgf_upg_data"
        "${psql[@]}" -d pgf_upg_data -c "create extension pg_federation version '$old'"
        "${psql[@]}" -d pgf_upg_data -o /dev/null <<SQL
create table authors (id int primary key, name text);
create table books (id int primary key, author_id int references authors(id), title text, reader_id int);
insert into authors values (1, 'Ann'), (2, 'Bo');
insert into books values (1, 1, 'One', 3), (2, 1, 'Two', 4), (3, 2, 'Three', null);
select graphql.metadata('{"type": "pg_set_table_customization", "args": {"table": "books", "configuration": {"custom_root_fields": {"select": "all_books"}}}}');
select graphql.metadata('{"type": "pg_create_array_relationship", "args": {"table": "authors", "name": "written", "using": {"foreign_key_constraint_on": {"table": "books", "column": "author_id"}}}}');
SQL
        [[ $? == 0 ]] || ok=0
        if [[ -n "$fixture_url" ]]; then
            "${psql[@]}" -d pgf_upg_data -o /dev/null <<SQL || ok=0
select graphql.metadata('{"type": "add_remote_schema", "args": {"name": "users_api", "definition": {"url": "$fixture_url", "timeout_seconds": 5, "headers": [{"name": "X-Key", "value": "secret"}]}}}');
select graphql.metadata('{"type": "pg_create_remote_relationship", "args": {"table": "books", "name": "reader", "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["reader_id"], "remote_field": {"user": {"arguments": {"id": "\$reader_id"}}}}}}}');
SQL
        fi
        local query='{ all_books(order_by: {id: asc}) { id title author { name written { title } } } authors_aggregate { aggregate { count } } }'
        [[ -n "$fixture_url" ]] && query='{ all_books(order_by: {id: asc}) { id title author { name written { title } } reader { name } } authors_aggregate { aggregate { count } } }'
        local snapshot="select graphql.metadata('{\"type\": \"export_metadata\", \"args\": {}}'); select graphql.resolve('$query')::jsonb;"
        "${psql[@]}" -d pgf_upg_data -c "$snapshot" >"$work/before.txt"
        # A DBA's privileges on graphql.resolve survive the update (0.2.0 re-creates it).
        "${psql[@]}" -d pgf_upg_data -c "drop role if exists pgf_upg_reader" -c "create role pgf_upg_reader" \
            -c "revoke execute on function graphql.resolve(text, jsonb, text) from public" \
            -c "grant execute on function graphql.resolve(text, jsonb, text) to pgf_upg_reader"
        "${psql[@]}" -d pgf_upg_data -c "alter extension pg_federation update"
        local kept
        kept="$("${psql[@]}" -d pgf_upg_data -c "select has_function_privilege('pgf_upg_reader', 'graphql.resolve(text, jsonb, text)', 'execute')
            and (select p.proacl is not null and not exists (select from aclexplode(p.proacl) a where a.grantee = 0)
                   from pg_proc p where p.oid = 'graphql.resolve(text, jsonb, text)'::regprocedure)")"
        if [[ "$kept" != t ]]; then
            echo "upgrade check: the privileges on graphql.resolve changed across the update"
            ok=0
        fi
        # a new session: the updated library state, as after a real upgrade
        "${psql[@]}" -d pgf_upg_data -c "$snapshot" >"$work/after.txt"
        if [[ "$("${psql[@]}" -d pgf_upg_data -c "select extversion from pg_extension where extname = 'pg_federation'")" != "$current" ]]; then
            echo "upgrade check: the data database is not at $current after the update"
            ok=0
        elif grep -q '"errors"' "$work/before.txt" || ! diff -u "$work/before.txt" "$work/after.txt"; then
            echo "upgrade check: metadata or answers changed across the update (or had errors):"
            cat "$work/before.txt"
            ok=0
        else
            echo "upgrade check: metadata and answers identical before and after the update ($(wc -c <"$work/before.txt") bytes)"
        fi
        for db in pgf_upg_fresh pgf_upg_updated pgf_upg_data; do
            "${psql[@]}" -c "drop database if exists $db"
        done
        "${psql[@]}" -c "drop role if exists pgf_upg_reader"
    done
    rm -rf -- "$work"
    if ((ok)); then
        echo "upgrade check: ok"
        return 0
    fi
    return 1
}
