-- Remote schemas: added (introspected once, stored), composed into the schema,
-- queried next to tables, customised, secrets kept from other roles, removed.
-- The fixture servers (tests/fixture_server) run on 127.0.0.1:4101 and :4102.
begin;

create function pg_temp.requests(port int) returns int language sql as $$
  select (regress.fixture(port, 'GET', '_stats') ->> 'requests')::int
$$;
select regress.fixture(4101, 'POST', '_reset');
select regress.fixture(4102, 'POST', '_reset');

create table accounts (id int primary key, owner_id int);
insert into accounts values (1, 1), (2, 2);

-- Adding introspects the remote once; the header value is a secret.
select graphql.metadata($${"type": "add_remote_schema", "args": {"name": "users_api",
  "definition": {"url": "http://127.0.0.1:4101/graphql", "timeout_seconds": 5,
                 "headers": [{"name": "X-Api-Key", "value": "k-123"}]},
  "comment": "the users service"}}$$);
select pg_temp.requests(4101) as introspections;
select (graphql.metadata('{"type": "introspect_remote_schema", "args": {"name": "users_api"}}')
        #>> '{data,__schema,queryType,name}') as remote_query_type;

-- A document mixes table and remote root fields; resolve sends one request and
-- never introspects.
select regress.fixture(4101, 'POST', '_reset');
select jsonb_pretty(graphql.resolve($$
  query ($id: Int!) {
    accounts(order_by: {id: asc}) { id }
    user(id: $id) { name email posts { title } }
    friend: user(id: 2) { name }
    search(text: "x") { __typename ... on User { userId } ... on Post { postId } }
  } $$, '{"id": 3}')::jsonb);
select pg_temp.requests(4101) as requests;
select regress.fixture(4101, 'GET', '_stats') -> 'documents' ->> 0 as forwarded;

-- Remote types appear in our introspection.
select graphql.resolve($$ { __type(name: "User") { kind fields { name } } } $$)::jsonb #> '{data,__type,kind}';

-- The same API again clashes (types and root fields) unless customised.
savepoint clash;
select graphql.metadata('{"type": "add_remote_schema", "args": {"name": "users_b", "definition": {"url": "http://127.0.0.1:4102/graphql"}}}');
rollback to savepoint clash;
select graphql.metadata($${"type": "add_remote_schema", "args": {"name": "users_b",
  "definition": {"url": "http://127.0.0.1:4102/graphql", "forward_client_headers": true,
                 "headers": [{"name": "X-Role", "value": "from-config"}],
                 "customization": {"root_fields_namespace": "b", "type_names": {"prefix": "B_"}}}}}$$);
select graphql.resolve($$ { b { user(id: 5) { __typename name } node(id: "Post:7") { ... on B_Post { title } } } } $$)::jsonb;
select graphql.resolve($$ { __type(name: "B_User") { name } } $$)::jsonb;

-- forward_client_headers: the headers an HTTP front (PostgREST) put in request.headers
-- reach the remote, minus hop headers; configured headers win.
set local request.headers = '{"x-user-id": "42", "x-role": "from-client", "host": "elsewhere"}';
select regress.fixture(4102, 'POST', '_reset');
select graphql.resolve($$ { b { user(id: 1) { name } } } $$)::jsonb;
select regress.fixture(4102, 'GET', '_stats') -> 'headers' -> 0 as headers_seen;
reset request.headers;

-- The session variables travel as headers, as Hasura sends them: the x-hasura-* keys of
-- request.jwt.claims (under Hasura's namespace key when it is there; names in lower
-- case), and x-hasura-role, which is the current role.
set local request.jwt.claims = '{"sub": "u7", "https://hasura.io/jwt/claims": {"x-hasura-user-id": "7", "X-Hasura-Org-Id": 12, "plan": "pro"}}';
select regress.fixture(4102, 'POST', '_reset');
select graphql.resolve($$ { b { user(id: 1) { name } } } $$)::jsonb;
select regress.fixture(4102, 'GET', '_stats') -> 'headers' -> 0 as headers_seen;
set local request.jwt.claims = '{"x-hasura-user-id": "8"}';
select graphql.resolve($$ { b { user(id: 1) { name } } } $$)::jsonb;
select regress.fixture(4102, 'GET', '_stats') -> 'headers' -> 1 ->> 'x-hasura-user-id' as top_level_claims;
-- A client cannot send session variables itself (forwarded x-hasura-* headers are
-- dropped), and the roles a JWT allows are not session variables.
set local request.jwt.claims = '{"x-hasura-allowed-roles": ["a", "b"], "x-hasura-default-role": "a"}';
set local request.headers = '{"x-hasura-user-id": "999", "x-user-id": "42"}';
select graphql.resolve($$ { b { user(id: 1) { name } } } $$)::jsonb;
select regress.fixture(4102, 'GET', '_stats') -> 'headers' -> 2 as headers_seen;
reset request.headers;
reset request.jwt.claims;

-- Rejected bodies name the remote schema and the reason; nothing changes.
savepoint bad;
select graphql.metadata('{"type": "add_remote_schema", "args": {"name": "down", "definition": {"url": "http://127.0.0.1:4199/graphql", "timeout_seconds": 2}}}');
rollback to savepoint bad;
select graphql.metadata('{"type": "add_remote_schema", "args": {"name": "users_api", "definition": {"url": "http://127.0.0.1:4101/graphql"}}}');
rollback to savepoint bad;
select graphql.metadata('{"type": "add_remote_schema", "args": {"name": "x", "definition": {}}}');
rollback to savepoint bad;
select graphql.metadata('{"type": "add_remote_schema", "args": {"name": "x", "definition": {"url": "http://127.0.0.1:4101/graphql", "bogus": 1}}}');
rollback to savepoint bad;
select graphql.metadata('{"type": "remove_remote_schema", "args": {"name": "nope"}}');
rollback to savepoint bad;
select jsonb_array_length(graphql.metadata('{"type": "export_metadata", "args": {}}') -> 'remote_schemas') as remote_schemas;

-- Secrets: the owner's export has the header value; another role's has not, and it
-- cannot read the secrets table.
select graphql.metadata('{"type": "export_metadata", "args": {}}') #> '{remote_schemas,0,definition,headers}';
create role regress_pgf_remote_reader nologin;
set local role regress_pgf_remote_reader;
select graphql.metadata('{"type": "export_metadata", "args": {}}') #> '{remote_schemas,0,definition,headers}';
select graphql.resolve('{ user(id: 1) { name } }')::jsonb;
savepoint secret;
select * from graphql.remote_schema_header;
rollback to savepoint secret;
-- ...and may not add remote schemas (so resolve only contacts registered URLs).
select graphql.metadata('{"type": "add_remote_schema", "args": {"name": "evil", "definition": {"url": "http://127.0.0.1:4102/graphql"}}}');
rollback to savepoint secret;
reset role;
-- The configured header reaches the remote with its value: the fixture records the
-- x-* headers of every request (lowercase names), and a query is sent with it.
select regress.fixture(4101, 'POST', '_reset');
select graphql.resolve('{ user(id: 1) { name } }')::jsonb;
select pg_temp.requests(4101) as requests;
select regress.fixture(4101, 'GET', '_stats') -> 'headers' -> -1 ->> 'x-api-key' as api_key_seen;

-- Reload re-introspects; remove drops the remote and its stored rows.
select regress.fixture(4102, 'POST', '_reset');
select graphql.metadata('{"type": "reload_remote_schema", "args": {"name": "users_b"}}');
select pg_temp.requests(4102) as reload_introspections;
select graphql.metadata('{"type": "remove_remote_schema", "args": {"name": "users_b"}}');
select graphql.resolve('{ b { user(id: 1) { name } } }')::jsonb -> 'errors' -> 0 ->> 'message';
select count(*) from graphql.remote_schema_introspection;

rollback;
