-- Faults at the remote: down (connection refused), accept-then-hang, HTTP 500,
-- invalid JSON, GraphQL errors, a 100 MB body, slower than the timeout. In every case
-- resolve answers in bounded time with an error carrying the path of each failed
-- field (a remote root field and a table -> remote join), the rest of the response
-- stands, the next query in the same session works, and this backend holds no more
-- connections to the remote afterwards than before.
-- The fixture "faulty" (127.0.0.1:4103) is used by this file and 81_cancel only, so
-- its faults never reach other files; it is reset at the end.
begin;

create function pg_temp.fault(body text) returns void language sql as $$
  select regress.fixture(4103, 'POST', '_fault', body); select null::void
$$;
create function pg_temp.requests() returns int language sql as $$
  select (regress.fixture(4103, 'GET', '_stats') ->> 'requests')::int
$$;
create temp table if not exists fixture_out (line text);
-- TCP connections of this backend (its worker threads included) established to
-- 127.0.0.1:port: its sockets (/proc/PID/fd) matched against /proc/net/tcp.
create function pg_temp.connections(port int) returns int language plpgsql as $$
declare
  n int;
begin
  truncate fixture_out;
  execute format('copy fixture_out from program %L with (format csv, quote e''\x01'', delimiter e''\x02'')',
    format($p$awk -v pid=%s -v port=%s 'BEGIN { cmd = "ls -l /proc/" pid "/fd"; while ((cmd | getline line) > 0) if (match(line, /socket:\[[0-9]+\]/)) s[substr(line, RSTART + 8, RLENGTH - 9)] = 1 } $4 == "01" && substr($3, length($3) - 3) == port && ($10 in s) { n++ } END { print n + 0 }' /proc/net/tcp$p$,
      pg_backend_pid(), upper(lpad(to_hex(port), 4, '0'))));
  select line::int into n from fixture_out;
  return n;
end
$$;
-- Runs a document N times; the last response, the slowest call and the total time.
create temp table runs (response jsonb, slowest interval, total interval);
create function pg_temp.run(doc text, n int default 1) returns void language plpgsql as $$
declare
  started timestamptz := clock_timestamp();
  t0 timestamptz;
  slowest interval := '0';
  r jsonb;
begin
  for i in 1..n loop
    t0 := clock_timestamp();
    r := graphql.resolve(doc)::jsonb;
    slowest := greatest(slowest, clock_timestamp() - t0);
  end loop;
  truncate runs;
  insert into runs values (r, slowest, clock_timestamp() - started);
end
$$;
-- The errors of the last run, one row each: path, code, message.
create function pg_temp.errors() returns table (path text, code text, message text) language sql as $$
  select e ->> 'path', e #>> '{extensions,code}', e ->> 'message'
  from runs, jsonb_array_elements(response -> 'errors') e order by 1, 3
$$;
select regress.fixture(4103, 'POST', '_reset');

create table accounts (id int primary key, owner_id int);
insert into accounts values (1, 1), (2, 2), (3, null);
select graphql.metadata($${"type": "add_remote_schema", "args": {"name": "faulty",
  "definition": {"url": "http://127.0.0.1:4103/graphql", "timeout_seconds": 1}}}$$);
select graphql.metadata($${"type": "pg_create_remote_relationship", "args": {"table": "accounts", "name": "owner",
  "definition": {"to_remote_schema": {"remote_schema": "faulty", "lhs_fields": ["owner_id"],
                 "remote_field": {"user": {"arguments": {"id": "$owner_id"}}}}}}}$$);

-- The document of every case: a table, a join from it and a remote root field.
create temp table doc as select $$ { accounts(order_by: {id: asc}) { id owner { name } } user(id: 7) { name } } $$::text as q;

-- Healthy: the answer, and the connections it leaves in this backend's pool.
select pg_temp.run(q) from doc;
select response from runs;
select pg_temp.connections(4103) as pooled_connections_before;
create temp table pool_before as select pg_temp.connections(4103) as n;

-- HTTP 500, 20 times: errors with paths, the table rows stand, quickly.
select pg_temp.fault('{"mode": "http500"}');
select pg_temp.run(q, 20) from doc;
select response -> 'data' as data, slowest < interval '1 second' as fast from runs;
select * from pg_temp.errors();

-- Invalid JSON, 20 times.
select pg_temp.fault('{"mode": "garbage"}');
select pg_temp.run(q, 20) from doc;
select response -> 'data' as data, slowest < interval '1 second' as fast from runs;
select * from pg_temp.errors();

-- GraphQL errors, 20 times.
select pg_temp.fault('{"mode": "graphql_errors"}');
select pg_temp.run(q, 20) from doc;
select response -> 'data' as data, slowest < interval '1 second' as fast from runs;
select * from pg_temp.errors();

-- An answer without the fields asked for (and no error): each missing field is an
-- error at its path, not a silent null, 20 times.
select pg_temp.fault('{"mode": "empty_data"}');
select pg_temp.run(q, 20) from doc;
select response -> 'data' as data, slowest < interval '1 second' as fast from runs;
select * from pg_temp.errors();

-- Slower than the remote's timeout (1 s): cut at the timeout, not at the remote's 3 s.
-- The document waits on two levels, each cut at the timeout: the remote root field,
-- then the join (whose keys come from the tables).
select pg_temp.fault('{"mode": "delay", "delay_ms": 3000}');
select pg_temp.run(q, 3) from doc;
select response -> 'data' as data, slowest >= interval '1 second' as waited_for_the_timeout,
       slowest < interval '2.8 seconds' as cut_at_the_timeout_on_each_level from runs;
select * from pg_temp.errors();

-- Accepts, then never answers: cut at the timeout too.
select pg_temp.fault('{"mode": "hang"}');
select pg_temp.run(q, 3) from doc;
select response -> 'data' as data, slowest >= interval '1 second' as waited_for_the_timeout,
       slowest < interval '2.8 seconds' as cut_at_the_timeout_on_each_level from runs;
select * from pg_temp.errors();

-- A 100 MB answer: refused past graphql.max_remote_response_kb (default 50 MB) without
-- reading the rest, and the memory it took is given back.
create temp table rss (kb bigint);
create function pg_temp.rss_kb() returns bigint language plpgsql as $$
begin
  truncate fixture_out;
  execute format('copy fixture_out from program %L with (format csv, quote e''\x01'', delimiter e''\x02'')',
    format('awk ''/^VmRSS/ { print $2 }'' /proc/%s/status', pg_backend_pid()));
  return (select line::bigint from fixture_out);
end
$$;
insert into rss select pg_temp.rss_kb();
select pg_temp.fault('{"mode": "huge", "bytes": 104857600}');
select pg_temp.run(q, 2) from doc;
select response -> 'data' as data, slowest < interval '15 seconds' as bounded from runs;
select * from pg_temp.errors();
select pg_temp.rss_kb() - kb < 100 * 1024 as memory_given_back from rss;
-- ...and a lower limit is applied at once. (A 1 MB body: the fixture takes about a
-- second to build each 100 MB one, which would time the fixture, not resolve.)
select pg_temp.fault('{"mode": "huge", "bytes": 1048576}');
set local graphql.max_remote_response_kb = 64;
select pg_temp.run(q, 5) from doc;
select slowest < interval '1 second' as fast from runs;
select * from pg_temp.errors();
reset graphql.max_remote_response_kb;

-- Down: connection refused (the remote moved to a closed port after it was added;
-- resolve never introspects, so the stored schema still serves).
select regress.fixture(4103, 'POST', '_reset');
update graphql.metadata_document
   set document = jsonb_set(document, '{remote_schemas,0,definition,url}', '"http://127.0.0.1:4199/graphql"');
select pg_temp.run(q, 20) from doc;
select response -> 'data' as data, slowest < interval '1 second' as fast from runs;
select * from pg_temp.errors();
update graphql.metadata_document
   set document = jsonb_set(document, '{remote_schemas,0,definition,url}', '"http://127.0.0.1:4103/graphql"');

-- After all that: the same session answers as it did at first ...
select pg_temp.run(q) from doc;
select response from runs;
-- ... and holds no more connections to the remote than before (over 130 failed
-- requests were made; a leak would show here).
select pg_temp.requests() as requests_after_reset;
select pg_temp.connections(4103) <= (select n from pool_before) + 1 as no_leaked_connections;
select graphql.resolve('{ accounts_aggregate { aggregate { count } } }')::jsonb;

-- Hasura's all-or-nothing mode fails the whole response with the same error.
select pg_temp.fault('{"mode": "http500"}');
set local graphql.remote_join_errors = 'fail';
select pg_temp.run($$ { accounts(order_by: {id: asc}) { id owner { name } } } $$);
select response from runs;
reset graphql.remote_join_errors;

select regress.fixture(4103, 'POST', '_reset');

-- A remote string holding U+0000 (the fixture echoes what it got; no Postgres text
-- can hold it): an error at the field's path, never an SQL ERROR, the rest stands.
select jsonb_pretty(graphql.resolve($$ { accounts_by_pk(id: 1) { id } echo(text: "a\u0000b") } $$)::jsonb);
select graphql.resolve('{ accounts_by_pk(id: 2) { id } }')::jsonb as next_query;
rollback;
