-- Hasura's remote schema permissions, bodies unchanged, on two remote schemas that are
-- not customised: a role with a permission sees exactly the SDL it was given (a subset
-- of the remote's); @preset arguments and input fields leave its schema and are
-- injected into every request (root fields and joins), static or from a session
-- variable; relationships appear only where the role's view has their whole path.
-- What the fixture received is read back from it.
\set ON_ERROR_ROLLBACK on
begin;
create role pgf_rs_user nologin;
create role pgf_rs_plain nologin;
create function pg_temp.last_request() returns jsonb language sql as $$
  select jsonb_build_object('query', s -> 'documents' ->> -1, 'variables', s -> 'variables' -> -1)
    from regress.fixture(4101, 'GET', '_stats') s
$$;

select graphql.metadata($${"type": "bulk", "args": [
  {"type": "add_remote_schema", "args": {"name": "users_api",
    "definition": {"url": "http://127.0.0.1:4101/graphql", "timeout_seconds": 5}}},
  {"type": "add_remote_schema", "args": {"name": "products_api",
    "definition": {"url": "http://127.0.0.1:4101/products/graphql", "timeout_seconds": 5}}}
]}$$);

create table orders (id int primary key, user_id int not null);
insert into orders values (1, 1), (2, 2), (3, 3);
grant select on orders to pgf_rs_user, pgf_rs_plain;
select graphql.metadata($${"type": "bulk", "args": [
  {"type": "pg_track_table", "args": {"table": "orders"}},
  {"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "user",
    "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"],
      "remote_field": {"user": {"arguments": {"id": "$user_id"}}}}}}},
  {"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "buyers",
    "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"],
      "remote_field": {"users": {"arguments": {"where": {"id": {"_eq": "$user_id"}}}}}}}}},
  {"type": "create_remote_schema_remote_relationship", "args": {
    "remote_schema": "products_api", "type_name": "Review", "name": "author",
    "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["authorId"],
      "remote_field": {"user": {"arguments": {"id": "$authorId"}}}}}}}
]}$$);

-- The role's view: `me`-style user (its id preset from X-Hasura-User-Id), users with a
-- preset country filter (static), a few fields of User; no email, no namespaced, no
-- search. Hasura's body as its docs show it.
select graphql.metadata(jsonb_build_object('type', 'add_remote_schema_permissions', 'args', jsonb_build_object(
  'remote_schema', 'users_api', 'role', 'pgf_rs_user', 'comment', 'own user, users of one country',
  'definition', jsonb_build_object('schema', $sdl$
    schema { query: Query }
    type Query {
      user(id: Int! @preset(value: "x-hasura-user-id")): User
      users(where: UserWhere, limit: Int): [User!]!
    }
    type User { id: ID! userId: Int! name: String! country: String! posts: [Post!]! }
    type Post { id: ID! title: String! }
    input UserWhere { id: IntFilter country: StringFilter @preset(value: {_eq: "FR"}) }
    input IntFilter { _eq: Int _in: [Int!] }
    input StringFilter { _eq: String _in: [String!] }
  $sdl$))));
select jsonb_pretty(p) as stored_permission
  from jsonb_array_elements(graphql.metadata('{"type": "export_metadata", "args": {}}') -> 'remote_schemas') r,
       jsonb_array_elements(r -> 'permissions') p
 where r ->> 'name' = 'users_api';

set local role pgf_rs_user;
set local request.jwt.claims = '{"x-hasura-user-id": "2"}';
-- The preset argument is the session's user; the request carries it as a variable.
-- (The fixture is read as the superuser: reading it runs a program.)
select graphql.resolve($${ user { name } }$$)::jsonb as own_user;
reset role;
select pg_temp.last_request() as sent;
set local role pgf_rs_user;
-- The preset input field joins whatever the client writes inline or in a variable;
-- the client cannot write it itself (it is not in the role's UserWhere).
select graphql.resolve($${ users(where: {id: {_in: [1, 2, 3, 4, 5, 6]}}) { userId country } }$$)::jsonb as french_users;
reset role;
select pg_temp.last_request() ->> 'query' as sent_inline;
set local role pgf_rs_user;
select graphql.resolve($$ query ($w: UserWhere) { users(where: $w, limit: 1) { userId country } } $$,
                       '{"w": {"id": {"_in": [3, 4, 5, 6]}}}')::jsonb as from_a_variable;
reset role;
select pg_temp.last_request() -> 'variables' as sent_variables;
set local role pgf_rs_user;
select graphql.resolve($$ query ($w: UserWhere) { users(where: $w) { userId } } $$,
                       '{"w": {"country": {"_eq": "US"}}}')::jsonb -> 'errors' -> 0 ->> 'message' as client_cannot_set_it;
-- What is not in the role's SDL is not in its schema.
select graphql.resolve($${ user(id: 5) { name } }$$)::jsonb -> 'errors' -> 0 ->> 'message' as preset_argument_gone;
select graphql.resolve($${ user { email } }$$)::jsonb -> 'errors' -> 0 ->> 'message' as field_not_granted;
select graphql.resolve($${ __type(name: "UserWhere") { inputFields { name } } }$$)::jsonb as user_where_for_role;
select jsonb_path_query_array(graphql.resolve($${ __schema { queryType { fields { name } } } }$$)::jsonb,
  '$.data.__schema.queryType.fields[*].name') as role_root_fields;
-- Relationships follow the role's view: orders.user needs `user(id:)`, which the role
-- cannot pass (preset): not derivable, not there; orders.buyers is, and its request
-- carries the preset too: one request for the three orders.
select graphql.resolve($${ __type(name: "orders") { fields { name } } }$$)::jsonb as order_fields;
-- The same for a remote -> remote relationship: products' Review.author needs user(id:).
select graphql.resolve($${ __type(name: "Review") { fields { name } } }$$)::jsonb as review_fields;
reset role;
select regress.fixture(4101, 'POST', '_reset') is not null as reset;
set local role pgf_rs_user;
select jsonb_pretty(graphql.resolve($${ orders(order_by: {id: asc}) { id buyers { userId country } } }$$)::jsonb) as order_buyers;
reset role;
select (regress.fixture(4101, 'GET', '_stats') ->> 'requests')::int as requests,
       pg_temp.last_request() -> 'variables' as sent_join_variables;
set local role pgf_rs_user;
-- A session variable a preset needs and the call lacks: an error at that field.
set local request.jwt.claims = '{}';
select graphql.resolve($${ user { name } }$$)::jsonb as missing_session_variable;
reset role;

-- A role without a permission: not users_api (it has permissions, none for this role);
-- products_api (it has none) while the flag is off; with
-- graphql.remote_schema_permissions on (superuser-only), neither.
set local role pgf_rs_plain;
select jsonb_path_query_array(graphql.resolve($${ __schema { queryType { fields { name } } } }$$)::jsonb,
  '$.data.__schema.queryType.fields[*].name') as plain_root_fields;
reset role;
set local graphql.remote_schema_permissions = on;
set local role pgf_rs_plain;
select jsonb_path_query_array(graphql.resolve($${ __schema { queryType { fields { name } } } }$$)::jsonb,
  '$.data.__schema.queryType.fields[*].name') as plain_root_fields_with_flag;
-- The role cannot switch it off.
set local graphql.remote_schema_permissions = off;
reset role;
set local graphql.remote_schema_permissions = off;
-- Admin is not restricted.
select graphql.resolve($${ user(id: 3) { email } }$$)::jsonb as admin_sees_all;
select graphql.resolve($${ __type(name: "Review") { fields { name } } }$$)::jsonb as admin_review_fields;

-- Bad bodies: an ERROR naming the type or field, nothing stored.
select graphql.metadata($${"type": "add_remote_schema_permissions", "args": {"remote_schema": "users_api", "role": "r2",
  "definition": {"schema": "type Query { nope: Int }"}}}$$);
select graphql.metadata($${"type": "add_remote_schema_permissions", "args": {"remote_schema": "users_api", "role": "r2",
  "definition": {"schema": "type Query { user(id: Int!): String }"}}}$$);
select graphql.metadata($${"type": "add_remote_schema_permissions", "args": {"remote_schema": "users_api", "role": "r2",
  "definition": {"schema": "type Query { user: User } type User { name: String! }"}}}$$);
select graphql.metadata($${"type": "add_remote_schema_permissions", "args": {"remote_schema": "users_api", "role": "r2",
  "definition": {"schema": "type Query { user(id: Int! @preset(value: \"two\")): User } type User { name: String! }"}}}$$);
select graphql.metadata($${"type": "add_remote_schema_permissions", "args": {"remote_schema": "users_api", "role": "r2",
  "definition": {"schema": "type Query { user(id: Int!): User }"}}}$$);
select graphql.metadata($${"type": "add_remote_schema_permissions", "args": {"remote_schema": "users_api", "role": "r2",
  "definition": {"schema": "interface User { name: String! }"}}}$$);
select graphql.metadata($${"type": "add_remote_schema_permissions", "args": {"remote_schema": "users_api", "role": "r2",
  "definition": {"schema": "type Query { user(id: Int!): User"}}}$$);
select graphql.metadata($${"type": "add_remote_schema_permissions", "args": {"remote_schema": "nope", "role": "r2",
  "definition": {"schema": "type Query { user(id: Int!): User }"}}}$$);
select graphql.metadata($${"type": "add_remote_schema_permissions", "args": {"remote_schema": "users_api", "role": "pgf_rs_user",
  "definition": {"schema": "type Query { user(id: Int!): User } type User { name: String! }"}}}$$);
select graphql.metadata($${"type": "drop_remote_schema_permissions", "args": {"remote_schema": "users_api", "role": "r2"}}$$);
select jsonb_array_length(r -> 'permissions') as permissions_after_refusals
  from jsonb_array_elements(graphql.metadata('{"type": "export_metadata", "args": {}}') -> 'remote_schemas') r
 where r ->> 'name' = 'users_api';

-- Dropped, the role sees all of the remote again.
select graphql.metadata($${"type": "drop_remote_schema_permissions", "args": {"remote_schema": "users_api", "role": "pgf_rs_user"}}$$);
set local role pgf_rs_user;
select graphql.resolve($${ user(id: 3) { email } }$$)::jsonb as after_drop;
reset role;
rollback;
