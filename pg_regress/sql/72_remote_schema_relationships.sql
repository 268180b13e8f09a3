-- Relationships of remote object types: remote -> remote and remote -> table, on
-- remote root fields, under table -> remote joins, and chained (table -> remote ->
-- remote -> table -> remote). Requests are counted at both fixtures; statements
-- are counted in the server log (auto_explain logs each statement resolve runs).
-- Statements that fail on purpose roll back to an automatic savepoint.
\set ON_ERROR_ROLLBACK on
begin;

-- regress.explain_on (00_setup) needs auto_explain in this session.
load 'auto_explain';
create function pg_temp.requests(port int) returns int language sql as $$
  select (regress.fixture(port, 'GET', '_stats') ->> 'requests')::int
$$;
create function pg_temp.last_document(port int) returns text language sql as $$
  select regress.fixture(port, 'GET', '_stats') -> 'documents' ->> -1
$$;
create function pg_temp.reset() returns void language sql as $$
  select regress.fixture(4101, 'POST', '_reset'); select regress.fixture(4102, 'POST', '_reset'); select null::void
$$;

select graphql.metadata($${"type": "bulk", "args": [
  {"type": "add_remote_schema", "args": {"name": "users_api",
    "definition": {"url": "http://127.0.0.1:4101/graphql", "timeout_seconds": 5}}},
  {"type": "add_remote_schema", "args": {"name": "users_b",
    "definition": {"url": "http://127.0.0.1:4102/graphql", "timeout_seconds": 5,
                   "customization": {"root_fields_namespace": "b", "type_names": {"prefix": "B_"}}}}}]}$$);

create table accounts (user_id int primary key, plan text not null, credits int);
insert into accounts select g, case when g % 2 = 0 then 'pro' else 'free' end, g * 10 from generate_series(1, 40) g;
create table notes (id int primary key, user_id int not null, body text);
insert into notes select g, (g - 1) / 3 + 1, 'note ' || g from generate_series(1, 60) g;  -- 3 per user, users 1..20
create table orders (id int primary key, user_id int);
insert into orders select g, case when g % 10 = 0 then null else g % 4 + 1 end from generate_series(1, 100) g;

-- Remote -> table (object and array), remote -> remote, and a table -> remote.
select graphql.metadata($${"type": "bulk", "args": [
  {"type": "create_remote_schema_remote_relationship", "args": {"remote_schema": "users_api", "type_name": "User",
    "name": "account", "definition": {"to_source": {"source": "default", "table": "accounts",
      "relationship_type": "object", "field_mapping": {"userId": "user_id"}}}}},
  {"type": "create_remote_schema_remote_relationship", "args": {"remote_schema": "users_api", "type_name": "User",
    "name": "notes", "definition": {"to_source": {"source": "default", "table": {"schema": "public", "name": "notes"},
      "relationship_type": "array", "field_mapping": {"userId": "user_id"}}}}},
  {"type": "create_remote_schema_remote_relationship", "args": {"remote_schema": "users_api", "type_name": "Post",
    "name": "author_b", "definition": {"to_remote_schema": {"remote_schema": "users_b", "lhs_fields": ["authorId"],
      "remote_field": {"user": {"arguments": {"id": "$authorId"}}}}}}},
  {"type": "create_remote_schema_remote_relationship", "args": {"remote_schema": "users_b", "type_name": "User",
    "name": "account", "definition": {"to_source": {"table": "accounts",
      "relationship_type": "object", "field_mapping": {"userId": "user_id"}}}}},
  {"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "user",
    "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"],
      "remote_field": {"user": {"arguments": {"id": "$user_id"}}}}}}},
  {"type": "pg_create_remote_relationship", "args": {"table": "accounts", "name": "profile",
    "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"],
      "remote_field": {"user": {"arguments": {"id": "$user_id"}}}}}}}
]}$$);

-- The join fields are in the schema, nullable, on the remote types (ours: B_User).
select jsonb_pretty(graphql.resolve($${
  user: __type(name: "User") { fields { name type { kind name ofType { name } } } }
  b_user: __type(name: "B_User") { fields { name } }
}$$)::jsonb -> 'data') as types;

-- Remote root field -> table: ONE statement per relationship for all the users; the
-- join key (userId) was not selected by the client and does not come back.
select pg_temp.reset();
select regress.log_size() as log_start \gset
select regress.explain_on();
select jsonb_pretty(graphql.resolve($${
  users(ids: [1, 2, 3, 2, 41]) { name account { plan credits } notes(order_by: {id: desc}, limit: 2) { body } }
}$$)::jsonb);
select regress.keyed_statements(:log_start) as keyed_statements, pg_temp.requests(4101) as requests;
select regress.explain_off();

-- Remote -> remote under a remote root field: one request to users_b for every
-- post of every user (6 posts, 3 distinct authors); the lhs (authorId) is hidden.
select pg_temp.reset();
select jsonb_pretty(graphql.resolve($${
  users(ids: [1, 2, 3]) { userId posts { title author_b { name __typename } } }
}$$)::jsonb);
select pg_temp.requests(4101) as users_api_requests, pg_temp.requests(4102) as users_b_requests,
       (select count(*) from regexp_matches(pg_temp.last_document(4102), 'pgf_\d+: user', 'g')) as aliases;

-- The forwarded document carries the lhs under a hidden alias, not the join field.
select pg_temp.last_document(4101) as forwarded;

-- Chained kinds: table -> remote -> remote -> table -> remote. One request or one
-- statement per (relationship, level), whatever the number of rows: 100 orders,
-- 4 distinct users, 8 posts, 4 distinct authors.
select pg_temp.reset();
select regress.log_size() as log_start \gset
select regress.explain_on();
select count(*) as orders,
       count(*) filter (where o -> 'user' = 'null') as null_users,
       (array_agg(o order by (o ->> 'id')::int))[1] as first
from jsonb_array_elements(graphql.resolve($${
  orders { id user { name posts { title author_b { name account { plan profile { email } } } } } }
}$$)::jsonb #> '{data,orders}') o;
select pg_temp.requests(4101) as users_api_requests, pg_temp.requests(4102) as users_b_requests,
       regress.keyed_statements(:log_start) as keyed_statements;
select regress.explain_off();

-- Fragments and aliases reach join fields too; both aliases are served.
select pg_temp.reset();
select jsonb_pretty(graphql.resolve($$
  fragment acct on User { a1: account { plan } }
  { user(id: 4) { ...acct ... on User { a2: account { credits } } } }
$$)::jsonb);
select pg_temp.requests(4101) as requests;

-- A namespaced remote's types carry their relationships (B_User.account).
select jsonb_pretty(graphql.resolve($${ b { user(id: 6) { name account { plan } } } }$$)::jsonb);

-- Row-level security and privileges hold: the statement runs as the caller.
alter table accounts enable row level security;
create policy only_pro on accounts for select using (plan = 'pro');
create role pgf_remote_reader;
grant select on accounts, notes, orders to pgf_remote_reader;
set local role pgf_remote_reader;
select graphql.resolve($${ users(ids: [1, 2]) { userId account { plan } } }$$)::jsonb;
reset role;

-- Errors keep their path: a failed join's field is null with an error, the rest stands.
select regress.fixture(4102, 'POST', '_fault', '{"mode": "http500"}') ->> 'ok' as fault_set;
select jsonb_pretty(graphql.resolve($${ user(id: 1) { name posts { author_b { name } } } }$$)::jsonb);
select regress.fixture(4102, 'POST', '_fault', '{"mode": "none"}') ->> 'ok' as fault_cleared;

-- Checks at creation: each names the relationship and the reason; nothing changes.
select graphql.metadata($${"type": "create_remote_schema_remote_relationship", "args": {"remote_schema": "users_api",
  "type_name": "Nope", "name": "x", "definition": {"to_source": {"table": "accounts", "relationship_type": "object",
  "field_mapping": {"userId": "user_id"}}}}}$$);
select graphql.metadata($${"type": "create_remote_schema_remote_relationship", "args": {"remote_schema": "users_api",
  "type_name": "User", "name": "name", "definition": {"to_source": {"table": "accounts", "relationship_type": "object",
  "field_mapping": {"userId": "user_id"}}}}}$$);
select graphql.metadata($${"type": "create_remote_schema_remote_relationship", "args": {"remote_schema": "users_api",
  "type_name": "User", "name": "acct2", "definition": {"to_source": {"table": "accounts", "relationship_type": "object",
  "field_mapping": {"nope": "user_id"}}}}}$$);
select graphql.metadata($${"type": "create_remote_schema_remote_relationship", "args": {"remote_schema": "users_api",
  "type_name": "User", "name": "acct2", "definition": {"to_source": {"table": "accounts", "relationship_type": "object",
  "field_mapping": {"userId": "nope"}}}}}$$);
select graphql.metadata($${"type": "create_remote_schema_remote_relationship", "args": {"remote_schema": "users_api",
  "type_name": "User", "name": "acct2", "definition": {"to_source": {"table": "accounts", "relationship_type": "object",
  "field_mapping": {"friends": "user_id"}}}}}$$);
select graphql.metadata($${"type": "create_remote_schema_remote_relationship", "args": {"remote_schema": "users_api",
  "type_name": "User", "name": "twin", "definition": {"to_remote_schema": {"remote_schema": "users_b",
  "lhs_fields": ["name"], "remote_field": {"user": {"arguments": {"id": "$name"}}}}}}}$$);
select graphql.metadata($${"type": "create_remote_schema_remote_relationship", "args": {"remote_schema": "users_api",
  "type_name": "User", "name": "account", "definition": {"to_source": {"table": "accounts", "relationship_type": "object",
  "field_mapping": {"userId": "user_id"}}}}}$$);
select graphql.metadata($${"type": "create_remote_schema_remote_relationship", "args": {"remote_schema": "nope",
  "type_name": "User", "name": "x", "definition": {"to_source": {"table": "accounts", "relationship_type": "object",
  "field_mapping": {"userId": "user_id"}}}}}$$);

-- Update and delete; the export shows Hasura's shape.
select graphql.metadata($${"type": "update_remote_schema_remote_relationship", "args": {"remote_schema": "users_api",
  "type_name": "User", "name": "account", "definition": {"to_source": {"table": "accounts",
  "relationship_type": "array", "field_mapping": {"userId": "user_id"}}}}}$$);
select graphql.resolve($${ user(id: 2) { account { plan } } }$$)::jsonb;
select graphql.metadata($${"type": "delete_remote_schema_remote_relationship", "args": {"remote_schema": "users_api",
  "type_name": "User", "name": "notes"}}$$);
select jsonb_pretty(graphql.metadata('{"type": "export_metadata", "args": {}}') #> '{remote_schemas,0,remote_relationships}');
select graphql.metadata($${"type": "delete_remote_schema_remote_relationship", "args": {"remote_schema": "users_api",
  "type_name": "User", "name": "notes"}}$$);

-- A relationship the catalog no longer supports is inconsistent, and the rest works.
alter table accounts drop column user_id cascade;
select graphql.resolve($${ user(id: 2) { name } }$$)::jsonb -> 'data' as still_works;
select jsonb_pretty(graphql.metadata('{"type": "get_inconsistent_metadata", "args": {}}'));
rollback;
