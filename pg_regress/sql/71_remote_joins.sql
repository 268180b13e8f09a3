-- Table -> remote schema relationships: batching (asserted by counting requests at
-- the fixture), deduplication, null keys, hidden join columns, argument templates,
-- faithful forwarding, checks at creation, inconsistency, and remote failures.
begin;

create function pg_temp.requests() returns int language sql as $$
  select (regress.fixture(4101, 'GET', '_stats') ->> 'requests')::int
$$;
create function pg_temp.last_document() returns text language sql as $$
  select regress.fixture(4101, 'GET', '_stats') -> 'documents' ->> -1
$$;
create function pg_temp.reset() returns void language sql as $$
  select regress.fixture(4101, 'POST', '_reset'); select null::void
$$;

select graphql.metadata($${"type": "add_remote_schema", "args": {"name": "users_api",
  "definition": {"url": "http://127.0.0.1:4101/graphql", "timeout_seconds": 2}}}$$);

create table orders (id int primary key, user_id int, email text, note text, score float8);
-- 1,000 rows, 1,000 distinct keys.
insert into orders select g, g, 'user' || g || '@example.com', null, g from generate_series(1, 1000) g;

select graphql.metadata($${"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "user",
  "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"],
                 "remote_field": {"user": {"arguments": {"id": "$user_id"}}}}}}}$$);

-- 1,000 distinct keys: ONE request, one alias per key. The join column was not
-- selected by the client and does not appear in the output.
select pg_temp.reset();
select jsonb_array_length(r #> '{data,orders}') as rows,
       r #> '{data,orders,0}' as first_row,
       r #> '{data,orders,999}' as last_row
from to_jsonb(graphql.resolve($$ { orders(order_by: {id: asc}) { id user { name } } } $$)) as r;
select pg_temp.requests() as requests,
       (select count(*) from regexp_matches(pg_temp.last_document(), 'pgf_\d+: user', 'g')) as aliases;

-- At a cap of 300 keys per request: 4 requests (sent concurrently), same answer.
select pg_temp.reset();
set local graphql.remote_batch_size = 300;
select count(*) filter (where (o -> 'user' ->> 'name') = 'user ' || (o ->> 'id')) as correct
from jsonb_array_elements(graphql.resolve($$ { orders { id user { name } } } $$)::jsonb #> '{data,orders}') o;
select pg_temp.requests() as requests;
reset graphql.remote_batch_size;

-- 200 rows with 3 distinct keys: one request with 3 aliases; a null key gets null
-- and causes no call.
update orders set user_id = case when id % 50 = 0 then null else id % 3 + 1 end;
select pg_temp.reset();
select jsonb_pretty(graphql.resolve($$ { orders(where: {id: {_lte: 200}}, order_by: {id: asc}, limit: 4) { id user_id user { userId } } } $$)::jsonb);
select pg_temp.reset();
select count(*) as rows,
       count(*) filter (where o -> 'user' = 'null'::jsonb) as null_users,
       count(distinct o -> 'user') as distinct_users
from jsonb_array_elements(graphql.resolve($$ { orders(where: {id: {_lte: 200}}) { user { userId name } } } $$)::jsonb #> '{data,orders}') o;
select pg_temp.requests() as requests, pg_temp.last_document() as document;

-- The client's selection is forwarded faithfully: aliases, nested fields, arguments
-- merged into the template's, fragments, inline fragments, __typename, variables.
select pg_temp.reset();
select jsonb_pretty(graphql.resolve($$
  query ($size: Int) {
    orders(where: {id: {_eq: 1}}) {
      user {
        __typename
        handle: name
        friends(limit: 1) { ...F }
        avatar(size: $size)
        ... on User { country }
      }
    }
  }
  fragment F on User { userId }
$$, '{"size": 16}')::jsonb);
select pg_temp.last_document() as document;

-- Legacy form, nested remote_field paths, and a template deep inside an input object
-- with a list result.
select graphql.metadata($${"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "owner",
  "hasura_fields": ["user_id"], "remote_schema": "users_api",
  "remote_field": {"namespaced": {"arguments": {}, "field": {"user": {"arguments": {"id": "$user_id"}}}}}}}$$);
select graphql.metadata($${"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "matches",
  "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"],
    "remote_field": {"users": {"arguments": {"where": {"_and": [{"id": {"_in": "$user_id"}}]}}}}}}}}$$);
select pg_temp.reset();
select graphql.resolve($$ { orders(where: {id: {_in: [1, 2]}}, order_by: {id: asc}) { id owner { name } matches { userId } } } $$)::jsonb;
select pg_temp.requests() as requests_for_two_relationships;
-- Both relationships' requests go out concurrently (the figure is in bench/, not here).
select pg_temp.reset();
select regress.fixture(4101, 'POST', '_fault', '{"mode": "delay", "delay_ms": 300}');
select graphql.resolve($$ { orders(where: {id: {_in: [1, 2]}}, order_by: {id: asc}) { id owner { name } matches { userId } } } $$)::jsonb -> 'data';
select pg_temp.requests() as requests_with_delay;
select pg_temp.reset();

-- Values survive the round trip: quotes, backslashes, unicode, control characters.
update orders set note = E'quote" back\\slash \u00fc \U0001F600 tab\there' where id = 1;
select graphql.metadata($${"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "echoed",
  "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["note", "score"],
    "remote_field": {"echo": {"arguments": {"text": "$note", "number": "$score"}}}}}}}$$);
select (r #>> '{data,orders,0,echoed,text}') = note as text_round_trip,
       (r #>> '{data,orders,0,echoed,number}')::float8 = score as number_round_trip
from orders, to_jsonb(graphql.resolve($$ { orders(where: {id: {_eq: 1}}) { echoed } } $$)) r where id = 1;

-- ...and so do big integers and JSON values.
alter table orders add column big bigint, add column payload jsonb;
update orders set big = 9007199254740993, payload = '{"a": [1, "x\"y", null, {"b": true}], "n": 12345678901234567}' where id = 1;
select graphql.metadata($${"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "echo_big",
  "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["big"],
    "remote_field": {"echo": {"arguments": {"value": "$big"}}}}}}}$$);
select graphql.metadata($${"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "echo_json",
  "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["payload"],
    "remote_field": {"echo": {"arguments": {"value": "$payload"}}}}}}}$$);
select (r #>> '{data,orders,0,echo_big,value}') = big::text as bigint_round_trip,
       (r #> '{data,orders,0,echo_json,value}') = payload as json_round_trip
from orders, to_jsonb(graphql.resolve($$ { orders(where: {id: {_eq: 1}}) { echo_big echo_json } } $$)) r where id = 1;

-- Checks at creation: each names the relationship and the reason.
savepoint bad;
select graphql.metadata('{"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "r1", "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["nope"], "remote_field": {"user": {"arguments": {"id": "$nope"}}}}}}}');
rollback to savepoint bad;
select graphql.metadata('{"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "r1", "definition": {"to_remote_schema": {"remote_schema": "nowhere", "lhs_fields": ["user_id"], "remote_field": {"user": {"arguments": {"id": "$user_id"}}}}}}}');
rollback to savepoint bad;
select graphql.metadata('{"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "r1", "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"], "remote_field": {"person": {"arguments": {"id": "$user_id"}}}}}}}');
rollback to savepoint bad;
select graphql.metadata('{"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "r1", "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"], "remote_field": {"user": {"arguments": {"uid": "$user_id"}}}}}}}');
rollback to savepoint bad;
select graphql.metadata('{"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "r1", "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["email"], "remote_field": {"user": {"arguments": {"id": "$email"}}}}}}}');
rollback to savepoint bad;
select graphql.metadata('{"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "r1", "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"], "remote_field": {"user": {"arguments": {"id": "$id"}}}}}}}');
rollback to savepoint bad;
select graphql.metadata('{"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "r1", "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"], "remote_field": {"user": {"arguments": {"id": "seven"}}}}}}}');
rollback to savepoint bad;
select graphql.metadata('{"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "email", "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"], "remote_field": {"user": {"arguments": {"id": "$user_id"}}}}}}}');
rollback to savepoint bad;
select graphql.metadata('{"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "user", "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"], "remote_field": {"user": {"arguments": {"id": "$user_id"}}}}}}}');
rollback to savepoint bad;
-- (email fits a String argument.)
select graphql.metadata('{"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "by_email", "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["email"], "remote_field": {"userByEmail": {"arguments": {"email": "$email"}}}}}}}');

-- Remote failures become errors with the path of the field; the rest stands.
select regress.fixture(4101, 'POST', '_fault', '{"mode": "http500"}');
select graphql.resolve($$ { orders(where: {id: {_eq: 1}}) { id user { name } } } $$)::jsonb;
select regress.fixture(4101, 'POST', '_fault', '{"mode": "garbage"}');
select graphql.resolve($$ { orders(where: {id: {_eq: 1}}) { id user { name } } } $$)::jsonb;
select regress.fixture(4101, 'POST', '_fault', '{"mode": "graphql_errors"}');
select graphql.resolve($$ { orders(where: {id: {_eq: 1}}) { id user { name } } } $$)::jsonb;
select regress.fixture(4101, 'POST', '_fault', '{"mode": "delay", "delay_ms": 3000}');
select graphql.resolve($$ { orders(where: {id: {_eq: 1}}) { id user { name } } } $$)::jsonb;
select regress.fixture(4101, 'POST', '_fault', '{"mode": "huge", "bytes": 300000}');
set local graphql.max_remote_response_kb = 100;
select graphql.resolve($$ { orders(where: {id: {_eq: 1}}) { id user { name } } } $$)::jsonb;
reset graphql.max_remote_response_kb;
-- statement_timeout (like pg_cancel_backend) interrupts a wait on a remote at once:
-- the remote here answers after 8 s, the remote's own timeout is 2 s.
select regress.fixture(4101, 'POST', '_fault', '{"mode": "delay", "delay_ms": 8000}');
create temp table cancel_timing (elapsed interval);
set local statement_timeout = '400ms';
do $$
declare
  started timestamptz := clock_timestamp();
begin
  perform graphql.resolve('{ orders(where: {id: {_eq: 1}}) { id user { name } } }')::jsonb;
exception when query_canceled then
  insert into cancel_timing values (clock_timestamp() - started);
end
$$;
reset statement_timeout;
select elapsed >= interval '0.4 seconds' as waited_for_the_timeout,
       elapsed < interval '1.5 seconds' as interrupted_within_a_second_of_it
from cancel_timing;
-- Hasura's behaviour on request: the whole response is the error.
select regress.fixture(4101, 'POST', '_fault', '{"mode": "http500"}');
set local graphql.remote_join_errors = 'fail';
select graphql.resolve($$ { orders(where: {id: {_eq: 1}}) { id user { name } } } $$)::jsonb;
reset graphql.remote_join_errors;
select regress.fixture(4101, 'POST', '_reset');

-- DDL that breaks a remote relationship makes it inconsistent: it leaves the schema,
-- the rest works, and drop_inconsistent_metadata purges it.
alter table orders drop column email;
select graphql.metadata('{"type": "get_inconsistent_metadata", "args": {}}');
select graphql.resolve($$ { orders(where: {id: {_eq: 3}}) { id user { name } } } $$)::jsonb;
select graphql.metadata('{"type": "drop_inconsistent_metadata", "args": {}}');
select graphql.metadata('{"type": "get_inconsistent_metadata", "args": {}}') -> 'is_consistent' as consistent;

-- update and delete.
select graphql.metadata($${"type": "pg_update_remote_relationship", "args": {"table": "orders", "name": "user",
  "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["id"],
                 "remote_field": {"user": {"arguments": {"id": "$id"}}}}}}}$$);
select graphql.resolve($$ { orders(where: {id: {_eq: 42}}) { user { userId } } } $$)::jsonb;
select graphql.metadata('{"type": "pg_delete_remote_relationship", "args": {"table": "orders", "name": "user"}}');
select graphql.resolve($$ { orders(limit: 1) { id user { userId } } } $$)::jsonb -> 'errors' -> 0 ->> 'message';

rollback;
