-- Actions (REST handlers) with Hasura's handler contract, custom types, and action
-- -> table relationships: one handler call per action field, one statement per
-- (relationship, level) whatever the length of the output list.
-- Statements that fail on purpose roll back to an automatic savepoint.
\set ON_ERROR_ROLLBACK on
begin;

-- regress.explain_on (00_setup) needs auto_explain in this session.
load 'auto_explain';
create function pg_temp.action_requests() returns int language sql as $$
  select (regress.fixture(4101, 'GET', '_stats') ->> 'action_requests')::int
$$;
create function pg_temp.last_action() returns jsonb language sql as $$
  select regress.fixture(4101, 'GET', '_stats') -> 'actions' -> -1
$$;
create function pg_temp.reset() returns void language sql as $$
  select regress.fixture(4101, 'POST', '_reset'); select null::void
$$;

create table accounts (user_id int primary key, plan text not null);
insert into accounts select g, case when g % 2 = 0 then 'pro' else 'free' end from generate_series(1, 3) g;
create table notes (id int primary key, user_id int not null, body text);
insert into notes select g, (g - 1) % 3 + 1, 'note ' || g from generate_series(1, 9) g;

select graphql.metadata($${"type": "set_custom_types", "args": {
  "scalars": [{"name": "Money"}],
  "enums": [{"name": "Tier", "values": [{"value": "FREE"}, {"value": "PRO"}]}],
  "input_objects": [{"name": "OrderInput", "fields": [{"name": "id", "type": "Int!"}]}],
  "objects": [
    {"name": "Order", "fields": [{"name": "id", "type": "Int!"}, {"name": "user_id", "type": "Int"},
                                 {"name": "label", "type": "String!"}],
     "relationships": [
       {"name": "account", "type": "object", "remote_table": "accounts", "field_mapping": {"user_id": "user_id"}},
       {"name": "notes", "type": "array", "remote_table": {"schema": "public", "name": "notes"},
        "field_mapping": {"user_id": "user_id"}}]},
    {"name": "Echo", "fields": [{"name": "name", "type": "String"}, {"name": "input", "type": "String"},
                                {"name": "role", "type": "String"}, {"name": "request_query", "type": "String"},
                                {"name": "headers", "type": "String"}]}]}}$$);

select graphql.metadata($${"type": "bulk", "args": [
  {"type": "create_action", "args": {"name": "getOrder", "definition": {"type": "query", "kind": "synchronous",
    "handler": "http://127.0.0.1:4101/actions", "arguments": [{"name": "id", "type": "Int!"}], "output_type": "Order"}}},
  {"type": "create_action", "args": {"name": "listOrders", "definition": {"type": "query",
    "handler": "http://127.0.0.1:4101/actions", "arguments": [{"name": "n", "type": "Int!"}], "output_type": "[Order!]!"}}},
  {"type": "create_action", "args": {"name": "failing", "definition": {"type": "query",
    "handler": "http://127.0.0.1:4101/actions", "arguments": [{"name": "id", "type": "Int!"}], "output_type": "Order"}}},
  {"type": "create_action", "args": {"name": "echo", "definition": {"type": "query",
    "handler": "http://127.0.0.1:4101/actions", "forward_client_headers": true,
    "headers": [{"name": "x-api-key", "value": "k-123"}],
    "arguments": [{"name": "text", "type": "String"}, {"name": "order", "type": "OrderInput"}], "output_type": "Echo"}}},
  {"type": "create_action", "args": {"name": "slow", "definition": {"type": "query", "timeout": 1,
    "handler": "http://127.0.0.1:4101/actions", "arguments": [{"name": "ms", "type": "Int!"}], "output_type": "Order"}}},
  {"type": "create_action", "args": {"name": "placeOrder", "definition": {"type": "mutation",
    "handler": "http://127.0.0.1:4101/actions", "arguments": [{"name": "id", "type": "Int!"}], "output_type": "Order"}}}
]}$$);

-- A query action: one handler call; the output is shaped by the selection
-- (aliases, __typename); its relationship to a table is one statement.
select pg_temp.reset();
select jsonb_pretty(graphql.resolve($${ getOrder(id: 2) { __typename id label ref: id account { plan } notes { body } } }$$)::jsonb);
select pg_temp.action_requests() as action_requests;

-- The handler got Hasura's body: action name, input, session variables, the query.
select jsonb_pretty((pg_temp.last_action() -> 'body') - 'request_query'::text) as body,
       pg_temp.last_action() #>> '{body,request_query}' like '%getOrder(id: 2)%' as has_query;

-- A list output of 50 orders: one handler call and ONE statement per relationship
-- (not one per element); a null key (every 4th order) gets null and no lookup.
select pg_temp.reset();
select regress.log_size() as log_start \gset
select regress.explain_on();
select jsonb_array_length(r #> '{data,listOrders}') as orders,
       (select count(*) from jsonb_array_elements(r #> '{data,listOrders}') o where o -> 'account' = 'null') as no_account,
       r #> '{data,listOrders,0}' as first, r #> '{data,listOrders,3}' as fourth
from to_jsonb(graphql.resolve($${ listOrders(n: 50) { id account { plan } notes(limit: 1) { body } } }$$)) r;
select pg_temp.action_requests() as action_requests, regress.keyed_statements(:log_start) as keyed_statements;
select regress.explain_off();

-- Configured headers are sent, client headers forwarded; variables reach the input.
set local request.headers = '{"x-client": "c-1", "host": "example"}';
select jsonb_pretty(graphql.resolve($$ query ($t: String) { echo(text: $t, order: {id: 7}) { name input role headers } } $$,
                                    '{"t": "hello"}')::jsonb);
reset request.headers;

-- A non-2xx answer is a GraphQL error with the handler's message and extensions at
-- the action's path; other root fields still answer.
select jsonb_pretty(graphql.resolve($${ failing(id: 9) { id } getOrder(id: 1) { id } }$$)::jsonb);

-- The timeout applies.
select jsonb_pretty(graphql.resolve($${ slow(ms: 3000) { id } }$$)::jsonb);

-- A mutation action.
select jsonb_pretty(graphql.resolve($$ mutation { placeOrder(id: 5) { id label account { plan } } } $$)::jsonb);

-- Introspection shows the actions and custom types.
select jsonb_pretty(graphql.resolve($${
  __schema { mutationType { name fields { name } } }
  order: __type(name: "Order") { fields { name } }
  tier: __type(name: "Tier") { enumValues { name } }
}$$)::jsonb -> 'data');

-- Bad bodies name the action and the reason; nothing changes.
select graphql.metadata($${"type": "create_action", "args": {"name": "bad", "definition": {"type": "query",
  "handler": "http://127.0.0.1:4101/actions", "output_type": "NoSuchType"}}}$$);
select graphql.metadata($${"type": "create_action", "args": {"name": "getOrder", "definition": {"type": "query",
  "handler": "http://127.0.0.1:4101/actions", "output_type": "Order"}}}$$);
select graphql.metadata($${"type": "create_action", "args": {"name": "bad", "definition": {"type": "query",
  "kind": "asynchronous", "handler": "http://x", "output_type": "Order"}}}$$);
select graphql.metadata($${"type": "create_action", "args": {"name": "bad", "definition": {"type": "query",
  "handler": "{{PGF_NO_SUCH_VARIABLE}}/x", "output_type": "Order"}}}$$);
select graphql.resolve($${ bad { id } }$$)::jsonb -> 'errors' -> 0 ->> 'message' as missing_env;
select graphql.metadata($${"type": "drop_action", "args": {"name": "bad"}}$$);
-- Custom types the actions use cannot go (Hasura's dependency error, naming them).
select graphql.metadata($${"type": "set_custom_types", "args": {"objects": [{"name": "Order",
  "fields": [{"name": "id", "type": "Int!"}]}]}}$$);
select graphql.metadata($${"type": "set_custom_types", "args": {
  "input_objects": [{"name": "OrderInput", "fields": [{"name": "id", "type": "Int!"}]}],
  "objects": [{"name": "Order", "fields": [{"name": "id", "type": "Int!"}], "relationships": [{"name": "x", "type": "object",
  "remote_table": "nope", "field_mapping": {"id": "id"}}]}, {"name": "Echo", "fields": [{"name": "name", "type": "String"}]}]}}$$);
select graphql.metadata($${"type": "set_custom_types", "args": {"input_objects": [{"name": "OrderInput", "fields": [{"name": "id", "type": "Int!"}]}],
  "objects": [{"name": "Order", "fields": [{"name": "id", "type": "Int!"}]}, {"name": "Echo", "fields": [{"name": "name", "type": "String"}]},
              {"name": "accounts", "fields": [{"name": "id", "type": "Int!"}]}]}}$$);
select graphql.metadata($${"type": "drop_action", "args": {"name": "nope"}}$$);

-- Action permissions, Hasura's rule: an action without a permission for a role is
-- admin's only (admin: a role that may change metadata). The permission keeps through
-- update_action.
create role pgf_action_user;
grant usage on schema graphql to pgf_action_user;
set local role pgf_action_user;
select graphql.resolve($${ getOrder(id: 3) { id } }$$)::jsonb -> 'errors' -> 0 ->> 'message' as admin_only;
select graphql.metadata($${"type": "create_action_permission", "args": {"action": "getOrder", "role": "pgf_action_user"}}$$);
reset role;
select graphql.metadata($${"type": "create_action_permission", "args": {"action": "getOrder", "role": "pgf_action_user",
  "comment": "support staff"}}$$);
select graphql.metadata('{"type": "export_metadata", "args": {}}') -> 'actions' -> 0 -> 'permissions' as stored;
set local role pgf_action_user;
select graphql.resolve($${ getOrder(id: 3) { id label } }$$)::jsonb;
select graphql.resolve($${ listOrders(n: 1) { id } }$$)::jsonb -> 'errors' -> 0 ->> 'message' as other_actions_stay_admin_only;
reset role;
select graphql.metadata($${"type": "create_action_permission", "args": {"action": "getOrder", "role": "pgf_action_user"}}$$);
select graphql.metadata($${"type": "create_action_permission", "args": {"action": "nope", "role": "pgf_action_user"}}$$);
select graphql.metadata($${"type": "drop_action_permission", "args": {"action": "getOrder", "role": "someone_else"}}$$);

-- update_action and drop_action.
select graphql.metadata($${"type": "update_action", "args": {"name": "getOrder", "definition": {"type": "query",
  "handler": "http://127.0.0.1:4101/actions", "arguments": [{"name": "id", "type": "Int!"}], "output_type": "[Order]"}}}$$);
select graphql.resolve($${ getOrder(id: 3) { id } }$$)::jsonb;
set local role pgf_action_user;
select graphql.resolve($${ getOrder(id: 3) { id } }$$)::jsonb -> 'data' as still_permitted;
reset role;
select graphql.metadata($${"type": "drop_action_permission", "args": {"action": "getOrder", "role": "pgf_action_user"}}$$);
set local role pgf_action_user;
select graphql.resolve($${ getOrder(id: 3) { id } }$$)::jsonb -> 'errors' -> 0 ->> 'message' as admin_only_again;
reset role;
select graphql.metadata($${"type": "drop_action", "args": {"name": "getOrder"}}$$);
select graphql.resolve($${ getOrder(id: 3) { id } }$$)::jsonb -> 'errors' -> 0 ->> 'message' as gone;
select jsonb_array_length(graphql.metadata('{"type": "export_metadata", "args": {}}') -> 'actions') as actions_left;
rollback;
