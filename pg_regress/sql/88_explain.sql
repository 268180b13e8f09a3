-- graphql.explain: the plan of a document as a DBA reads it. Without analyze nothing
-- runs (no request reaches the remote, nothing is written); with analyze the document
-- runs under a trace: each level, each statement with its time and EXPLAIN ANALYZE,
-- each request with its keys, bytes and time, what ran while requests were under way;
-- a mutation runs in a subtransaction rolled back afterwards.
\set ON_ERROR_ROLLBACK on
begin;
create function pg_temp.requests() returns int language sql as $$
  select (regress.fixture(4101, 'GET', '_stats') ->> 'requests')::int
$$;
create table ex_authors (id int primary key, name text not null, user_id int);
create table ex_books (id int primary key, author_id int not null references ex_authors (id), title text not null);
insert into ex_authors values (1, 'Ada', 1), (2, 'Bob', 2), (3, 'Cy', 1);
insert into ex_books values (1, 1, 'Notes'), (2, 2, 'Tables'), (3, 3, 'Joins');
select graphql.metadata($${"type": "bulk", "args": [
  {"type": "pg_track_table", "args": {"table": "ex_authors"}},
  {"type": "pg_track_table", "args": {"table": "ex_books"}},
  {"type": "add_remote_schema", "args": {"name": "users_api",
    "definition": {"url": "http://127.0.0.1:4101/graphql", "timeout_seconds": 5}}},
  {"type": "pg_create_remote_relationship", "args": {"table": "ex_authors", "name": "user",
    "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"],
      "remote_field": {"user": {"arguments": {"id": "$user_id"}}}}}}}
]}$$) is not null as tracked;
select regress.fixture(4101, 'POST', '_reset') ->> 'ok' as reset;

-- The plan alone: one statement for the table fields, with Postgres' EXPLAIN; the join
-- edge below it; nothing sent.
create temp table plan as select graphql.explain($${ ex_authors(order_by: {id: asc}) { name user { name } ex_books { title } } }$$) as e;
select e ->> 'operation' as operation, e -> 'analyze' as analyze, jsonb_array_length(e -> 'levels') as levels,
       e -> 'levels' -> 0 -> 'statements' -> 0 ->> 'for' as serves,
       e -> 'levels' -> 0 -> 'statements' -> 0 ->> 'sql' like 'select%' as sql_shown,
       jsonb_typeof(e -> 'levels' -> 0 -> 'statements' -> 0 -> 'explain' -> 0 -> 'Plan') as pg_explain,
       e -> 'levels' -> 0 -> 'statements' -> 0 -> 'explain' -> 0 -> 'Plan' ? 'Actual Rows' as actuals
  from plan;
select jsonb_pretty(e -> 'joins') as joins from plan;
select pg_temp.requests() as requests_after_plan;

-- With analyze (positional, or named: "analyze" is a reserved word in SQL): it runs.
-- Level 0: the statement; level 1: ONE request for the two distinct users, its bytes
-- and time; the answer is the response resolve gives.
create temp table run as select graphql.explain($${ ex_authors(order_by: {id: asc}) { name user { name } } }$$, "analyze" => true) as e;
select pg_temp.requests() as requests_after_analyze;
select jsonb_array_length(e -> 'levels') as levels,
       e -> 'levels' -> 0 -> 'level' as first, jsonb_array_length(e -> 'levels' -> 0 -> 'statements') as statements_at_0,
       e -> 'levels' -> 0 -> 'statements' -> 0 -> 'explain_analyzed' as analyzed,
       e -> 'levels' -> 0 -> 'statements' -> 0 -> 'explain' -> 0 -> 'Plan' ? 'Actual Rows' as actuals,
       (e -> 'levels' -> 0 -> 'statements' -> 0 ->> 'ms')::float >= 0 as timed,
       e -> 'levels' -> 1 -> 'level' as second, jsonb_array_length(e -> 'levels' -> 1 -> 'requests') as requests_at_1,
       e -> 'levels' -> 1 -> 'requests' -> 0 -> 'keys' as keys,
       e -> 'levels' -> 1 -> 'requests' -> 0 ->> 'url' as url,
       (e -> 'levels' -> 1 -> 'requests' -> 0 ->> 'bytes_received')::int > 0 as bytes,
       (e -> 'levels' -> 1 -> 'requests' -> 0 ->> 'ms')::float >= 0 as request_timed,
       e -> 'levels' -> 1 -> 'requests' -> 0 -> 'error' as error
  from run;
select (e -> 'response') = graphql.resolve($${ ex_authors(order_by: {id: asc}) { name user { name } } }$$)::jsonb as same_answer from run;

-- Three levels: the table statement, the table -> remote request, then the remote ->
-- table statement over the users' keys.
select graphql.metadata($${"type": "add_remote_schema", "args": {"name": "more_users",
  "definition": {"url": "http://127.0.0.1:4101/graphql", "timeout_seconds": 5,
                 "customization": {"root_fields_namespace": "more"}}}}$$) ->> 'message' as added;
select graphql.metadata($${"type": "create_remote_schema_remote_relationship", "args": {"remote_schema": "users_api",
  "type_name": "User", "name": "books_by_author", "definition": {"to_source": {"source": "default",
  "table": "ex_books", "relationship_type": "array", "field_mapping": {"id": "author_id"}}}}}$$) ->> 'message' as related;
create temp table nested as select graphql.explain($${ ex_authors(order_by: {id: asc}) { name user { name books_by_author { title } } } }$$, '{}', null, true) as e;
select jsonb_agg(jsonb_build_object('level', l -> 'level', 'statements', jsonb_array_length(l -> 'statements'),
                                    'requests', jsonb_array_length(l -> 'requests')) order by (l ->> 'level')::int) as levels
  from nested, jsonb_array_elements(e -> 'levels') l;

-- What ran concurrently: a remote root field's request is sent first, and the table
-- field's statement runs while it is under way (its batch is named).
select e -> 'levels' -> 0 -> 'statements' -> 0 -> 'while_batches_under_way' as statement_overlaps,
       e -> 'levels' -> 0 -> 'requests' -> 0 -> 'batch' as request_batch
  from (select graphql.explain($${ user(id: 1) { name } ex_books(order_by: {id: asc}) { title } }$$, '{}', null, true) as e) x;

-- A remote root field: its request in the plan, the document it sends.
select r ->> 'to' as target, r ->> 'query' as sent
  from jsonb_array_elements(graphql.explain($${ user(id: 3) { name } }$$) -> 'levels' -> 0 -> 'requests') r;

-- A mutation: the plan shows its statement (a write, not analyzed); with analyze it runs
-- and its answer is shown, then rolled back: nothing written.
select s ->> 'for' as serves, s -> 'writes' as writes, jsonb_typeof(s -> 'explain') as explained
  from jsonb_array_elements(graphql.explain($$mutation { insert_ex_books_one(object: {id: 9, author_id: 1, title: "Nine"}) { id } }$$)
                              -> 'levels' -> 0 -> 'statements') s;
select e -> 'response' as answer, e -> 'levels' -> 0 -> 'statements' -> 0 -> 'explain_analyzed' as analyzed
  from (select graphql.explain($$mutation { insert_ex_books_one(object: {id: 9, author_id: 1, title: "Nine"}) { id title } }$$,
                               '{}', null, true) as e) x;
select count(*) as books_9_after from ex_books where id = 9;

-- A mutation that would call a remote mutation is not run by analyze (a remote cannot
-- be rolled back); its plan shows the request.
select graphql.metadata($${"type": "add_remote_schema", "args": {"name": "products_api",
  "definition": {"url": "http://127.0.0.1:4101/products/graphql", "timeout_seconds": 5}}}$$) ->> 'message' as added;
select regress.fixture(4101, 'POST', '_reset') ->> 'ok' as reset;
select graphql.explain($$mutation { addReview(productUpc: "p3", body: "b", authorId: 4) { accepted } }$$, '{}', null, true)
         -> 'errors' -> 0 ->> 'message' as refused;
select (regress.fixture(4101, 'GET', '_stats') ->> 'products_requests')::int as products_requests;
select r ->> 'to' as target
  from jsonb_array_elements(graphql.explain($$mutation { addReview(productUpc: "p3", body: "b", authorId: 4) { accepted } }$$)
                              -> 'levels' -> 0 -> 'requests') r;

-- A role that may not change metadata sees no remote URL (it may come from the
-- server's environment).
create role pgf_explain_reader nologin;
grant select on ex_authors to pgf_explain_reader;
set local role pgf_explain_reader;
select e -> 'levels' -> 1 -> 'requests' -> 0 ->> 'url' as url_for_a_reader
  from (select graphql.explain($${ ex_authors(order_by: {id: asc}) { name user { name } } }$$, '{}', null, true) as e) x;
reset role;

-- Bad documents: the errors, as resolve gives them; a bad one with analyze runs nothing.
select graphql.explain($${ ex_authors { nope } }$$) -> 'errors' -> 0 ->> 'message' as bad;
select graphql.explain($${ ex_authors { nope } }$$, '{}', null, true) -> 'errors' -> 0 ->> 'message' as bad_analyzed;
rollback;
