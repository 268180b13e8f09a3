-- Batching by a list argument (our addition to Hasura's relationship body, kept by the
-- export): a relationship that names a remote field taking every key at once —
-- "batch": {"field": "users", "argument": "ids", "key_field": "userId"} beside
-- "remote_field": {"user": {"arguments": {"id": "$user_id"}}} — sends ONE field with
-- all distinct keys of a level, `users(ids: [...])`, and matches the answers back by
-- their key field; unknown keys get null. Table -> remote and remote -> remote.
\set ON_ERROR_ROLLBACK on
begin;
create function pg_temp.requests(port int default 4101) returns int language sql as $$
  select (regress.fixture(port, 'GET', '_stats') ->> 'requests')::int
$$;
create function pg_temp.last_document() returns text language sql as $$
  select regress.fixture(4101, 'GET', '_stats') -> 'documents' ->> -1
$$;
create table lb_orders (id int primary key, user_id int);
insert into lb_orders values (1, 1), (2, 2), (3, 1), (4, null), (5, 3), (6, 200000), (7, 2);
select graphql.metadata($${"type": "bulk", "args": [
  {"type": "pg_track_table", "args": {"table": "lb_orders"}},
  {"type": "add_remote_schema", "args": {"name": "users_api",
    "definition": {"url": "http://127.0.0.1:4101/graphql", "timeout_seconds": 5}}},
  {"type": "add_remote_schema", "args": {"name": "products_api",
    "definition": {"url": "http://127.0.0.1:4101/products/graphql", "timeout_seconds": 5}}},
  {"type": "pg_create_remote_relationship", "args": {"table": "lb_orders", "name": "user",
    "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"],
      "remote_field": {"user": {"arguments": {"id": "$user_id"}}},
      "batch": {"field": "users", "argument": "ids", "key_field": "userId"}}}}},
  {"type": "pg_create_remote_relationship", "args": {"table": "lb_orders", "name": "user_aliased",
    "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"],
      "remote_field": {"user": {"arguments": {"id": "$user_id"}}}}}}}
]}$$) is not null as set_up;

-- One request, one field for the three known and one unknown distinct keys; the
-- answer is the one the aliased join (Hasura's contract) gives.
select regress.fixture(4101, 'POST', '_reset') ->> 'ok' as reset;
select jsonb_pretty(graphql.resolve($${ lb_orders(order_by: {id: asc}) { id user { userId name } } }$$)::jsonb);
select pg_temp.requests() as requests, pg_temp.last_document() as sent;
select graphql.resolve($${ lb_orders(order_by: {id: asc}) { id u: user { name country } } }$$)::jsonb -> 'data'
     = graphql.resolve($${ lb_orders(order_by: {id: asc}) { id u: user_aliased { name country } } }$$)::jsonb -> 'data' as same_as_aliased;

-- Chunks of graphql.remote_batch_size keys, sent concurrently: 2 keys a request here.
set local graphql.remote_batch_size = 2;
select regress.fixture(4101, 'POST', '_reset') ->> 'ok' as reset;
select graphql.resolve($${ lb_orders(order_by: {id: asc}) { id user { name } } }$$)::jsonb -> 'data' -> 'lb_orders' -> 4 as fifth;
select pg_temp.requests() as chunked_requests;
reset graphql.remote_batch_size;

-- Two lhs fields, the key argument taking the second: the batch sends that one, and
-- parents whose keys differ only in the other field share the answer.
alter table lb_orders add column region int not null default 1;
update lb_orders set region = id % 2;
select graphql.metadata($${"type": "pg_create_remote_relationship", "args": {"table": "lb_orders", "name": "user_by_region",
  "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["region", "user_id"],
    "remote_field": {"user": {"arguments": {"id": "$user_id"}}},
    "batch": {"field": "users", "argument": "ids", "key_field": "userId"}}}}}$$) ->> 'message' as created;
select jsonb_agg(o -> 'user_by_region' ->> 'name' order by (o ->> 'id')::int) as names
  from jsonb_array_elements(graphql.resolve($${ lb_orders { id user_by_region { name } } }$$)::jsonb -> 'data' -> 'lb_orders') o;

-- A remote error inside the batch reaches the parent of that key, at its path.
select regress.fixture(4101, 'POST', '_fault', '{"mode": "graphql_errors"}') ->> 'ok' as faulted;
select jsonb_agg(e -> 'path') as error_paths
  from jsonb_array_elements(graphql.resolve($${ lb_orders(order_by: {id: asc}, limit: 2) { id user { name } } }$$)::jsonb -> 'errors') e;
select regress.fixture(4101, 'POST', '_reset') ->> 'ok' as reset;

-- Remote -> remote: products' Review.author -> users, batched: one request to each API.
select graphql.metadata($${"type": "create_remote_schema_remote_relationship", "args": {
  "remote_schema": "products_api", "type_name": "Review", "name": "author",
  "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["authorId"],
    "remote_field": {"user": {"arguments": {"id": "$authorId"}}},
    "batch": {"field": "users", "argument": "ids", "key_field": "userId"}}}}}$$) ->> 'message' as related;
select regress.fixture(4101, 'POST', '_reset') ->> 'ok' as reset;
select count(*) as reviews, count(*) filter (where v #>> '{author,name}' = 'user ' || (v ->> 'authorId')) as with_their_author
  from to_jsonb(graphql.resolve($${ products(upcs: ["p1", "p2", "p3", "p4", "p5"]) { reviews { authorId author { name } } } }$$)) r,
       jsonb_array_elements(r -> 'data' -> 'products') p, jsonb_array_elements(p -> 'reviews') v;
select (regress.fixture(4101, 'GET', '_stats') ->> 'requests')::int as users_requests,
       (regress.fixture(4101, 'GET', '_stats') ->> 'products_requests')::int as products_requests,
       pg_temp.last_document() like '%users(ids: $pgf_batch_keys)%' as batched;

-- The export keeps the addition as it was given.
select r -> 'definition' -> 'to_remote_schema' -> 'batch' as kept
  from jsonb_array_elements(graphql.metadata('{"type": "export_metadata", "args": {}}') -> 'sources' -> 0 -> 'tables') t,
       jsonb_array_elements(t -> 'remote_relationships') r
 where r ->> 'name' = 'user';

-- Checked at creation, naming what does not fit; nothing stored.
select graphql.metadata($${"type": "pg_create_remote_relationship", "args": {"table": "lb_orders", "name": "bad",
  "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"],
    "remote_field": {"user": {"arguments": {"id": "$user_id"}}}, "batch": {"field": "nope", "argument": "ids", "key_field": "userId"}}}}}$$);
select graphql.metadata($${"type": "pg_create_remote_relationship", "args": {"table": "lb_orders", "name": "bad",
  "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"],
    "remote_field": {"user": {"arguments": {"id": "$user_id"}}}, "batch": {"field": "usersByCountry", "argument": "country", "key_field": "userId"}}}}}$$);
select graphql.metadata($${"type": "pg_create_remote_relationship", "args": {"table": "lb_orders", "name": "bad",
  "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"],
    "remote_field": {"user": {"arguments": {"id": "$user_id"}}}, "batch": {"field": "users", "argument": "ids", "key_field": "name"}}}}}$$);
select graphql.metadata($${"type": "pg_create_remote_relationship", "args": {"table": "lb_orders", "name": "bad",
  "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"],
    "remote_field": {"user": {"arguments": {"id": "$user_id"}}}, "batch": {"field": "users", "argument": "ids", "key_field": "userId", "order": "x"}}}}}$$);
select graphql.metadata($${"type": "pg_create_remote_relationship", "args": {"table": "lb_orders", "name": "bad",
  "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"],
    "remote_field": {"namespaced": {"field": {"user": {"arguments": {"id": "$user_id"}}}}}, "batch": {"field": "users", "argument": "ids", "key_field": "userId"}}}}}$$);
select count(*) as stored_bad from jsonb_array_elements(graphql.metadata('{"type": "export_metadata", "args": {}}') -> 'sources' -> 0 -> 'tables') t,
       jsonb_array_elements(t -> 'remote_relationships') r where r ->> 'name' = 'bad';
rollback;
