-- graphql.resolve answers json with every object's keys in the order of the selection
-- set (GraphQL's rule; jsonb would sort them), compact, whichever path built it: the
-- one statement of a tables-only document, a response with joins, remote answers with
-- joins inside them, actions, mutations. `::jsonb` still gives callers jsonb.
\set ON_ERROR_ROLLBACK on
begin;
create table so_authors (id int primary key, name text not null, user_id int);
create table so_books (id int primary key, author_id int not null references so_authors, title text not null);
insert into so_authors values (1, 'Ann', 2), (2, 'Bob', 1);
insert into so_books values (10, 1, 'Zeta'), (11, 1, 'Alpha'), (12, 2, 'Mu');
create table so_accounts (user_id int primary key, tier text not null);
insert into so_accounts values (1, 'gold'), (2, 'tin');
select graphql.metadata($${"type": "bulk", "args": [
  {"type": "pg_track_table", "args": {"table": "so_authors"}},
  {"type": "pg_track_table", "args": {"table": "so_books"}},
  {"type": "pg_track_table", "args": {"table": "so_accounts"}},
  {"type": "pg_create_array_relationship", "args": {"table": "so_authors", "name": "books",
    "using": {"foreign_key_constraint_on": {"table": "so_books", "column": "author_id"}}}},
  {"type": "add_remote_schema", "args": {"name": "users_api",
    "definition": {"url": "http://127.0.0.1:4101/graphql", "timeout_seconds": 5}}},
  {"type": "add_remote_schema", "args": {"name": "accounts_api",
    "definition": {"url": "http://127.0.0.1:4101/accounts/graphql", "timeout_seconds": 5}}},
  {"type": "pg_create_remote_relationship", "args": {"table": "so_authors", "name": "user",
    "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"],
      "remote_field": {"user": {"arguments": {"id": "$user_id"}}}}}}},
  {"type": "create_remote_schema_remote_relationship", "args": {"remote_schema": "users_api", "type_name": "User",
    "name": "account", "definition": {"to_remote_schema": {"remote_schema": "accounts_api", "lhs_fields": ["userId"],
      "remote_field": {"account": {"arguments": {"userId": "$userId"}}}}}}},
  {"type": "create_remote_schema_remote_relationship", "args": {"remote_schema": "users_api", "type_name": "User",
    "name": "tier", "definition": {"to_source": {"source": "default", "table": "so_accounts",
      "relationship_type": "object", "field_mapping": {"userId": "user_id"}}}}}
]}$$) is not null as set_up;

-- Tables only (ONE statement, its json passed through): fields, relationships,
-- __typename and aliases where the client put them.
select graphql.resolve($${ so_authors(order_by: {id: asc}) { name id __typename books(order_by: {id: desc}) { title id } } }$$);
select graphql.resolve($${ z: so_authors_by_pk(id: 1) { user_id name } a: so_books_aggregate { nodes { title id } aggregate { max { id } count } } }$$);

-- A table -> remote join in the middle of the selection: its value takes the place of
-- the field, and the remote object's fields keep the client's order.
select graphql.resolve($${ so_authors(order_by: {id: asc}) { name user { name userId } id } }$$);

-- Such a join is written into the statement's json text without a tree: a json column
-- whose content has a key like the engine's hidden keys is left as it is, and a join
-- below the remote answer (remote -> remote) takes the tree path, with the same order.
alter table so_authors add column meta jsonb;
update so_authors set meta = '{"pgf:user": [1], "b": 2, "a": 1}';
select graphql.resolve($${ so_authors(order_by: {id: asc}, limit: 1) { meta user { userId } id } }$$);
select graphql.resolve($${ so_authors(order_by: {id: asc}, limit: 1) { user { account { plan } userId } name } }$$);

-- Every level of joins is planned before the first runs: graphql.explain shows the join
-- below the remote answer (its key in phantom fields of that answer) without running.
select regress.fixture(4101, 'POST', '_reset') ->> 'ok' as reset;
select j ->> 'field' as field, j -> 'keys_at' as keys_at,
       (select jsonb_agg(jsonb_build_array(b ->> 'field', b ->> 'to', b -> 'keys_at', jsonb_array_length(b -> 'below')))
          from jsonb_array_elements(j -> 'below') b) as below
  from graphql.explain($${ so_authors { user { account { plan } tier { tier } userId } name } }$$) e,
       jsonb_array_elements(e -> 'joins') j;
select (regress.fixture(4101, 'GET', '_stats') ->> 'requests')::int as requests_while_planning;

-- Remote root fields with joins inside their answers (remote -> remote, remote -> table),
-- each in its place, next to a table field and __typename at the root.
select graphql.resolve($${ users(ids: [2, 1]) { name account { plan userId } userId tier { tier } } so_accounts_by_pk(user_id: 1) { tier } __typename }$$);

-- A join skipped by @include/@skip leaves nothing of its key in the answer.
select graphql.resolve($${ users(ids: [1]) { name account @include(if: false) { plan } tier { tier } } }$$);

-- A mutation's answer, and its returning rows with a remote join.
select graphql.resolve($$mutation { insert_so_authors_one(object: {id: 3, name: "Cy", user_id: 3}) { user { userId name } name id } }$$);
select graphql.resolve($$mutation { delete_so_books(where: {id: {_eq: 12}}) { returning { title id } affected_rows } }$$);

-- More than 50 fields in one object (json_build_object takes 50 pairs a call): the
-- order holds across the calls.
create table so_wide as select 1 as id;
do $$ begin
  for i in 1..60 loop execute format('alter table so_wide add column c%s int default %s', i, i); end loop;
end $$;
select graphql.metadata('{"type": "pg_track_table", "args": {"table": "so_wide"}}') ->> 'message' as tracked;
select array_agg(k order by n) = (select array_agg('c' || i order by i desc) from generate_series(1, 60) i) as reversed_order_kept
  from json_object_keys(graphql.resolve(
         (select format('{ so_wide { %s } }', string_agg('c' || i, ' ' order by i desc)) from generate_series(1, 60) i)
       ) -> 'data' -> 'so_wide' -> 0) with ordinality as t(k, n);

-- Errors keep their shape; `::jsonb` still works for callers that want jsonb.
select graphql.resolve($${ so_authors { nope } }$$);
select graphql.resolve($${ so_authors(order_by: {id: asc}) { name } }$$)::jsonb -> 'data' -> 'so_authors' -> 0 ->> 'name' as first_name;
select pg_typeof(graphql.resolve('{ __typename }')) as returns;
rollback;
