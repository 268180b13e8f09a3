-- Batching by Apollo Federation's `_entities` (our addition to Hasura's relationship
-- body, kept by the export): "batch": {"field": "_entities", "argument": "representations",
-- "key_field": "userId"} beside "remote_field": {"account": {"arguments": {"userId": "$user_id"}}}
-- sends ONE `_entities` field a level with one representation {"__typename": "Account",
-- "userId": key} per distinct key, and takes the answers back in order (null for an
-- unknown key). The subgraph (`/accounts/graphql`) is added beside the users API, neither
-- customised. Table -> remote and remote -> remote.
\set ON_ERROR_ROLLBACK on
begin;
create function pg_temp.stats() returns jsonb language sql as $$
  select regress.fixture(4101, 'GET', '_stats')
$$;
create table en_orders (id int primary key, user_id int);
insert into en_orders values (1, 1), (2, 2), (3, 1), (4, null), (5, 3), (6, 200000), (7, 2);
select graphql.metadata($${"type": "bulk", "args": [
  {"type": "pg_track_table", "args": {"table": "en_orders"}},
  {"type": "add_remote_schema", "args": {"name": "users_api",
    "definition": {"url": "http://127.0.0.1:4101/graphql", "timeout_seconds": 5}}},
  {"type": "add_remote_schema", "args": {"name": "accounts_api",
    "definition": {"url": "http://127.0.0.1:4101/accounts/graphql", "timeout_seconds": 5}}},
  {"type": "pg_create_remote_relationship", "args": {"table": "en_orders", "name": "account",
    "definition": {"to_remote_schema": {"remote_schema": "accounts_api", "lhs_fields": ["user_id"],
      "remote_field": {"account": {"arguments": {"userId": "$user_id"}}},
      "batch": {"field": "_entities", "argument": "representations", "key_field": "userId"}}}}},
  {"type": "pg_create_remote_relationship", "args": {"table": "en_orders", "name": "account_aliased",
    "definition": {"to_remote_schema": {"remote_schema": "accounts_api", "lhs_fields": ["user_id"],
      "remote_field": {"account": {"arguments": {"userId": "$user_id"}}}}}}}
]}$$) is not null as set_up;

-- One request, one `_entities` field for the three known and one unknown distinct keys;
-- the answer is the one the aliased join (Hasura's contract) gives.
select regress.fixture(4101, 'POST', '_reset') ->> 'ok' as reset;
select jsonb_pretty(graphql.resolve($${ en_orders(order_by: {id: asc}) { id account { __typename userId name } } }$$)::jsonb);
select s -> 'accounts_requests' as accounts_requests, s -> 'documents' ->> -1 as sent, s -> 'variables' -> -1 as variables
  from pg_temp.stats() s;
select graphql.resolve($${ en_orders(order_by: {id: asc}) { id a: account { name plan } } }$$)::jsonb -> 'data'
     = graphql.resolve($${ en_orders(order_by: {id: asc}) { id a: account_aliased { name plan } } }$$)::jsonb -> 'data' as same_as_aliased;

-- Chunks of graphql.remote_batch_size keys, sent concurrently, each answered in its order.
set local graphql.remote_batch_size = 2;
select regress.fixture(4101, 'POST', '_reset') ->> 'ok' as reset;
select jsonb_agg(o -> 'account' ->> 'name' order by (o ->> 'id')::int) as names
  from jsonb_array_elements(graphql.resolve($${ en_orders { id account { name } } }$$)::jsonb -> 'data' -> 'en_orders') o;
select pg_temp.stats() -> 'accounts_requests' as chunked_requests;
reset graphql.remote_batch_size;

-- A remote error in the batch (account 4242 is locked, and this subgraph then answers
-- `_entities: null`): one error, at the path of the first parent; the rows stay.
insert into en_orders values (8, 4242);
select jsonb_pretty(graphql.resolve($${ en_orders(where: {id: {_in: [2, 8]}}, order_by: {id: asc}) { id account { name } } }$$)::jsonb);
delete from en_orders where id = 8;

-- Remote -> remote: the users API's User.account -> the subgraph, batched: one request to each API.
select graphql.metadata($${"type": "create_remote_schema_remote_relationship", "args": {
  "remote_schema": "users_api", "type_name": "User", "name": "account",
  "definition": {"to_remote_schema": {"remote_schema": "accounts_api", "lhs_fields": ["userId"],
    "remote_field": {"account": {"arguments": {"userId": "$userId"}}},
    "batch": {"field": "_entities", "argument": "representations", "key_field": "userId"}}}}}$$) ->> 'message' as related;
select regress.fixture(4101, 'POST', '_reset') ->> 'ok' as reset;
select graphql.resolve($${ users(ids: [3, 1, 2, 3]) { userId account { userId plan } } }$$)::jsonb -> 'data' as users;
select s -> 'requests' as users_requests, s -> 'accounts_requests' as accounts_requests,
       s -> 'documents' ->> -1 like '%_entities(representations: $pgf_batch_keys) { ... on Account {%' as batched
  from pg_temp.stats() s;

-- graphql.explain says how the join batches.
select e #>> '{joins,0,how}' as batching
  from graphql.explain($${ en_orders { id account { name } } }$$) e;

-- The export keeps the addition as it was given.
select r -> 'definition' -> 'to_remote_schema' -> 'batch' as kept
  from jsonb_array_elements(graphql.metadata('{"type": "export_metadata", "args": {}}') -> 'sources' -> 0 -> 'tables') t,
       jsonb_array_elements(t -> 'remote_relationships') r
 where r ->> 'name' = 'account';

-- Checked at creation, naming what does not fit; nothing stored: a key field the entity
-- lacks, a key field of another type, an argument that is neither a list of the key's
-- type nor representations.
select graphql.metadata($${"type": "pg_create_remote_relationship", "args": {"table": "en_orders", "name": "bad",
  "definition": {"to_remote_schema": {"remote_schema": "accounts_api", "lhs_fields": ["user_id"],
    "remote_field": {"account": {"arguments": {"userId": "$user_id"}}}, "batch": {"field": "_entities", "argument": "representations", "key_field": "id"}}}}}$$);
select graphql.metadata($${"type": "pg_create_remote_relationship", "args": {"table": "en_orders", "name": "bad",
  "definition": {"to_remote_schema": {"remote_schema": "accounts_api", "lhs_fields": ["user_id"],
    "remote_field": {"account": {"arguments": {"userId": "$user_id"}}}, "batch": {"field": "_entities", "argument": "representations", "key_field": "name"}}}}}$$);
select graphql.metadata($${"type": "pg_create_remote_relationship", "args": {"table": "en_orders", "name": "bad",
  "definition": {"to_remote_schema": {"remote_schema": "accounts_api", "lhs_fields": ["user_id"],
    "remote_field": {"account": {"arguments": {"userId": "$user_id"}}}, "batch": {"field": "account", "argument": "userId", "key_field": "userId"}}}}}$$);
select count(*) as stored_bad from jsonb_array_elements(graphql.metadata('{"type": "export_metadata", "args": {}}') -> 'sources' -> 0 -> 'tables') t,
       jsonb_array_elements(t -> 'remote_relationships') r where r ->> 'name' = 'bad';
rollback;
