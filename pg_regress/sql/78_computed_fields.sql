-- Computed fields, Hasura's bodies unchanged: pg_add_computed_field with a STABLE
-- function of the table's row (and optionally the session as json), exposed as a
-- field, usable in where and order_by, and as a remote relationship's join field
-- (one request per level, counted at the fixture). pg_drop_computed_field. Those with
-- arguments and those returning rows: 79_functions.
-- Statements that fail on purpose roll back to an automatic savepoint.
\set ON_ERROR_ROLLBACK on
begin;
create table authors (id int primary key, first_name text not null, last_name text not null, account int);
insert into authors values (1, 'Ada', 'Lovelace', 10), (2, 'Alan', 'Turing', 20), (3, 'Grace', 'Hopper', null),
                           (4, 'Edsger', 'Dijkstra', 10);
create function author_full_name(a authors) returns text language sql stable as $$
  select a.first_name || ' ' || a.last_name
$$;
create function author_user_id(a authors) returns int language sql immutable as $$
  select a.account / 10
$$;
create function author_viewer(hasura_session json, author authors) returns text language sql stable as $$
  select (hasura_session ->> 'x-hasura-user-id') || ' reads ' || author.last_name
$$;
select graphql.metadata($${"type": "bulk", "args": [
  {"type": "add_remote_schema", "args": {"name": "users_api",
    "definition": {"url": "http://127.0.0.1:4101/graphql", "timeout_seconds": 5}}},
  {"type": "pg_add_computed_field", "args": {"table": "authors", "name": "full_name",
    "definition": {"function": "author_full_name"}, "comment": "first and last name"}},
  {"type": "pg_add_computed_field", "args": {"source": "default", "table": {"schema": "public", "name": "authors"},
    "name": "user_id", "definition": {"function": {"schema": "public", "name": "author_user_id"}}}},
  {"type": "pg_add_computed_field", "args": {"table": "authors", "name": "viewer",
    "definition": {"function": "author_viewer", "table_argument": "author", "session_argument": "hasura_session"}}}
]}$$);
select jsonb_pretty(graphql.metadata('{"type": "export_metadata", "args": {}}') #> '{sources,0,tables,0,computed_fields}');

-- In the schema: fields of the table type, in where and order_by, not select columns.
select jsonb_pretty(graphql.resolve($${
  fields: __type(name: "authors") { fields { name description type { name } } }
  where: __type(name: "authors_bool_exp") { inputFields { name } }
  order: __type(name: "authors_order_by") { inputFields { name } }
  columns: __type(name: "authors_select_column") { enumValues { name } }
}$$)::jsonb);

-- Selected, filtered and ordered by.
select jsonb_pretty(graphql.resolve($${
  authors(where: {full_name: {_ilike: "a%"}}, order_by: {full_name: desc}) { id full_name user_id }
  authors_by_pk(id: 3) { full_name user_id }
}$$)::jsonb);
-- The session argument: the call's session variables, as json (Hasura's: x-hasura-*
-- keys in lower case, from the claims namespace when there is one, the role the
-- current user's).
set local request.jwt.claims = '{"x-hasura-user-id": "7", "x-hasura-role": "reader"}';
select graphql.resolve($${ authors(where: {id: {_eq: 2}}) { viewer } }$$)::jsonb;
set local request.jwt.claims = '{"sub": "x", "https://hasura.io/jwt/claims": {"X-Hasura-User-Id": "8"}}';
select graphql.resolve($${ authors(where: {id: {_eq: 2}}) { viewer } }$$)::jsonb;
select graphql.session_variables() ? 'sub' as claims_outside_the_namespace, graphql.session_variables() ->> 'x-hasura-role' = current_user as role;
reset request.jwt.claims;

-- A computed field as the join field of a remote relationship: one request for the
-- level, a null key (Grace has no account) gets null and no call.
select graphql.metadata($${"type": "pg_create_remote_relationship", "args": {"table": "authors", "name": "user",
  "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"],
    "remote_field": {"user": {"arguments": {"id": "$user_id"}}}}}}}$$);
select regress.fixture(4101, 'POST', '_reset') ->> 'ok' as reset;
select jsonb_pretty(graphql.resolve($${ authors(order_by: {id: asc}) { id user { name } } }$$)::jsonb);
select regress.fixture(4101, 'GET', '_stats') -> 'requests' as requests;

-- A role without EXECUTE on the function does not see the field.
create role pgf_cf_reader;
grant select on authors to pgf_cf_reader;
revoke execute on function author_full_name(authors) from public;
set local role pgf_cf_reader;
select graphql.resolve('{ authors(limit: 1) { id full_name } }')::jsonb -> 'errors' -> 0 ->> 'message' as hidden;
reset role;

-- Bad bodies: named, with the reason, nothing changed.
create function author_volatile(a authors) returns text language sql volatile as $$ select a.last_name $$;
create function order_total(o int) returns int language sql stable as $$ select o $$;
create function author_numbers(a authors) returns setof int language sql stable as $$ select a.id $$;
create function author_unnamed(a authors, int) returns text language sql stable as $$ select a.last_name || $2 $$;
select graphql.metadata('{"type": "pg_add_computed_field", "args": {"table": "authors", "name": "v", "definition": {"function": "author_volatile"}}}');
select graphql.metadata('{"type": "pg_add_computed_field", "args": {"table": "authors", "name": "v", "definition": {"function": "order_total"}}}');
select graphql.metadata('{"type": "pg_add_computed_field", "args": {"table": "authors", "name": "v", "definition": {"function": "author_numbers"}}}');
select graphql.metadata('{"type": "pg_add_computed_field", "args": {"table": "authors", "name": "v", "definition": {"function": "author_unnamed"}}}');
select graphql.metadata('{"type": "pg_add_computed_field", "args": {"table": "authors", "name": "v", "definition": {"function": "no_such_function"}}}');
select graphql.metadata('{"type": "pg_add_computed_field", "args": {"table": "authors", "name": "last_name", "definition": {"function": "author_full_name"}}}');
select graphql.metadata('{"type": "pg_add_computed_field", "args": {"table": "authors", "name": "v", "definition": {"function": "author_viewer", "table_argument": "author", "session_argument": "nope"}}}');
select jsonb_array_length(graphql.metadata('{"type": "export_metadata", "args": {}}') #> '{sources,0,tables,0,computed_fields}') as computed_fields;

-- Dropping one a relationship joins on is refused; after the relationship, it goes.
select graphql.metadata('{"type": "pg_drop_computed_field", "args": {"table": "authors", "name": "user_id"}}');
select graphql.metadata($${"type": "bulk", "args": [
  {"type": "pg_delete_remote_relationship", "args": {"table": "authors", "name": "user"}},
  {"type": "pg_drop_computed_field", "args": {"table": "authors", "name": "user_id"}}]}$$);
select graphql.resolve('{ authors(limit: 1) { user_id } }')::jsonb -> 'errors' -> 0 ->> 'message' as dropped;
-- A function dropped under a computed field: reported, the rest works.
drop function author_viewer(json, authors);
select graphql.metadata('{"type": "get_inconsistent_metadata", "args": {}}') -> 'inconsistent_objects' -> 0 ->> 'name' as inconsistent;
select graphql.resolve('{ authors(limit: 1, order_by: {id: asc}) { full_name } }')::jsonb;
rollback;
