-- Table permissions hold across sources: a join from a remote schema into a table reads
-- only the rows and columns the role's select permission allows (the join key may be a
-- column the role cannot select); a table -> remote relationship exists for a role only
-- when it may select the relationship's lhs columns; a tracked function returning a
-- table's rows returns only those the role may see. Requests counted at the fixture.
\set ON_ERROR_ROLLBACK on
begin;
create role pgf_perm_member nologin;
create role pgf_perm_guest nologin;
create function pg_temp.requests(port int) returns int language sql as $$
  select (regress.fixture(port, 'GET', '_stats') ->> 'requests')::int
$$;

select graphql.metadata($${"type": "add_remote_schema", "args": {"name": "users_api",
  "definition": {"url": "http://127.0.0.1:4101/graphql", "timeout_seconds": 5}}}$$);

create table accounts (user_id int primary key, plan text not null, credits int);
insert into accounts select g, case when g % 2 = 0 then 'pro' else 'free' end, g * 10 from generate_series(1, 10) g;
create table notes (id int primary key, user_id int not null, body text, private boolean not null);
insert into notes select g, (g - 1) / 3 + 1, 'note ' || g, g % 3 = 0 from generate_series(1, 30) g;  -- 3 per user
create table orders (id int primary key, user_id int, total int);
insert into orders select g, g % 4 + 1, g * 100 from generate_series(1, 8) g;
create function notes_of(uid int) returns setof notes language sql stable as $$
  select * from notes where user_id = uid order by id
$$;
grant select on accounts, notes, orders to pgf_perm_member, pgf_perm_guest;
grant execute on function notes_of(int) to pgf_perm_member, pgf_perm_guest;

select graphql.metadata($${"type": "bulk", "args": [
  {"type": "pg_track_table", "args": {"table": "accounts"}},
  {"type": "pg_track_table", "args": {"table": "notes"}},
  {"type": "pg_track_table", "args": {"table": "orders"}},
  {"type": "pg_track_function", "args": {"function": "notes_of"}},
  {"type": "create_remote_schema_remote_relationship", "args": {"remote_schema": "users_api", "type_name": "User",
    "name": "account", "definition": {"to_source": {"source": "default", "table": "accounts",
      "relationship_type": "object", "field_mapping": {"userId": "user_id"}}}}},
  {"type": "create_remote_schema_remote_relationship", "args": {"remote_schema": "users_api", "type_name": "User",
    "name": "notes", "definition": {"to_source": {"source": "default", "table": "notes",
      "relationship_type": "array", "field_mapping": {"userId": "user_id"}}}}},
  {"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "user",
    "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"],
      "remote_field": {"user": {"arguments": {"id": "$user_id"}}}}}}},
  {"type": "pg_create_select_permission", "args": {"table": "accounts", "role": "pgf_perm_member",
    "permission": {"columns": ["plan"], "filter": {"user_id": {"_eq": "X-Hasura-User-Id"}}}}},
  {"type": "pg_create_select_permission", "args": {"table": "notes", "role": "pgf_perm_member",
    "permission": {"columns": ["id", "body"], "filter": {"private": {"_eq": false}}, "limit": 1}}},
  {"type": "pg_create_select_permission", "args": {"table": "orders", "role": "pgf_perm_member",
    "permission": {"columns": ["id", "user_id"], "filter": {}}}},
  {"type": "pg_create_select_permission", "args": {"table": "orders", "role": "pgf_perm_guest",
    "permission": {"columns": ["id", "total"], "filter": {}}}},
  {"type": "pg_create_select_permission", "args": {"table": "notes", "role": "pgf_perm_guest",
    "permission": {"columns": "*", "filter": {"private": {"_eq": false}}}}}
]}$$);

-- Member 2: remote users joined to accounts and notes. Only account 2 comes back
-- (the filter), without user_id (not among the columns, yet the join keys on it); one
-- public note per user (the limit, per parent).
select regress.fixture(4101, 'POST', '_reset') is not null as reset;
set local role pgf_perm_member;
set local request.jwt.claims = '{"x-hasura-user-id": "2"}';
select jsonb_pretty(graphql.resolve($${
  users(ids: [1, 2, 3]) { id account { plan } notes(order_by: {id: asc}) { id body } }
}$$)::jsonb) as member_joins;
select graphql.resolve($${ users(ids: [2]) { account { user_id } } }$$)::jsonb as join_key_not_selectable;
-- The lhs column is selectable: the table -> remote relationship exists.
select graphql.resolve($${ orders(where: {id: {_lte: 2}}, order_by: {id: asc}) { id user { name } } }$$)::jsonb as member_orders;
-- A tracked function's rows: the permission's filter and limit apply to them too.
select graphql.resolve($${ notes_of(args: {uid: 1}) { id body } }$$)::jsonb as member_function_rows;
reset role;
-- Two requests: the users, then the users of both orders (batched).
select pg_temp.requests(4101) as requests;

-- The guest may not select orders.user_id: no `user` relationship for it; it has no
-- permission on accounts: no `account` join field on User.
set local role pgf_perm_guest;
select graphql.resolve($${ orders { user { name } } }$$)::jsonb as guest_no_lhs;
select graphql.resolve($${ __type(name: "User") { fields { name } } }$$)::jsonb as guest_user_fields;
reset role;
rollback;
