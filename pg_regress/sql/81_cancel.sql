-- Cancel and timeouts, with a second session (dblink): pg_cancel_backend on a backend
-- waiting on a hung remote returns within a second, with a plain ERROR (no Rust
-- backtrace in its DETAIL); statement_timeout is honoured; a resolve in a transaction
-- that is rolled back leaves no trace (it writes nothing: no transaction id is even
-- assigned), and resolve works in a read-only transaction.
-- The other session must see the remote schema, so this file commits its set-up and
-- removes it at the end (fixture "faulty", 127.0.0.1:4103, as in 80_faults).
create extension if not exists dblink;
select regress.fixture(4103, 'POST', '_reset');
create temp table saved_metadata as select graphql.metadata('{"type": "export_metadata", "args": {}}') as doc;

create table cancel_accounts (id int primary key, owner_id int);
insert into cancel_accounts values (1, 1), (2, 2);
select graphql.metadata($${"type": "add_remote_schema", "args": {"name": "cancel_remote",
  "definition": {"url": "http://127.0.0.1:4103/graphql", "timeout_seconds": 30,
                 "customization": {"root_fields_namespace": "cr", "type_names": {"prefix": "CR_"}}}}}$$);
select graphql.metadata($${"type": "pg_create_remote_relationship", "args": {"table": "cancel_accounts", "name": "owner",
  "definition": {"to_remote_schema": {"remote_schema": "cancel_remote", "lhs_fields": ["owner_id"],
                 "remote_field": {"user": {"arguments": {"id": "$owner_id"}}}}}}}$$);
create temp table doc as
  select $$ { cancel_accounts(order_by: {id: asc}) { id owner { name } } cr { user(id: 3) { name } } } $$::text as q;
create temp table trace (what text, value text);

-- A resolve (tables, a join, a remote root field, and a failing query) in a transaction
-- that is rolled back: it wrote nothing, so there is nothing to roll back.
insert into trace select 'metadata', document::text from graphql.metadata_document;
insert into trace select 'schema_version', version::text from graphql.schema_version;
begin;
select graphql.resolve(q)::jsonb from doc;
select graphql.resolve('{ cancel_accounts_by_pk(id: "x") { id } }')::jsonb -> 'errors' -> 0 -> 'extensions';
select pg_current_xact_id_if_assigned() is null as nothing_written;
rollback;
select (select document::text from graphql.metadata_document) = value as metadata_unchanged from trace where what = 'metadata';
select (select version::text from graphql.schema_version) = value as version_unchanged from trace where what = 'schema_version';
select count(*) as rows from cancel_accounts;

-- ... and it runs in a read-only transaction.
begin transaction read only;
select graphql.resolve(q)::jsonb from doc;
rollback;

-- statement_timeout interrupts a wait on a hung remote (whose own timeout is 30 s).
select regress.fixture(4103, 'POST', '_fault', '{"mode": "hang"}');
create temp table timing (what text, elapsed interval);
set statement_timeout = '300ms';
do $$
declare
  started timestamptz := clock_timestamp();
begin
  perform graphql.resolve(q)::jsonb from doc;
exception when query_canceled then
  insert into timing values ('statement_timeout', clock_timestamp() - started);
end
$$;
reset statement_timeout;
select what, elapsed >= interval '300 ms' and elapsed < interval '1300 ms' as within_a_second_of_it from timing;
-- The session goes on.
select graphql.resolve('{ cancel_accounts(order_by: {id: asc}) { id } }')::jsonb;

-- pg_cancel_backend from another session: the waiting backend answers within a second.
select dblink_connect('other', format('host=%s port=%s dbname=%s user=postgres',
  split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'), current_database()));
create temp table other (pid int);
insert into other select pid from dblink('other', 'select pg_backend_pid()') as t(pid int);
select regress.fixture(4103, 'POST', '_reset');
select regress.fixture(4103, 'POST', '_fault', '{"mode": "hang"}');
select dblink_send_query('other', format('select graphql.resolve(%L)::jsonb', q)) from doc;
-- Wait until it is waiting on the remote: the fixture has received its request.
do $$
declare
  started timestamptz := clock_timestamp();
begin
  while (regress.fixture(4103, 'GET', '_stats') ->> 'requests')::int < 1 and clock_timestamp() - started < interval '10 s' loop
    perform pg_sleep(0.02);
  end loop;
  perform pg_sleep(0.2);
end
$$;
select dblink_is_busy('other') as waiting_on_the_remote;
do $$
declare
  started timestamptz := clock_timestamp();
begin
  perform pg_cancel_backend(pid) from other;
  while dblink_is_busy('other') = 1 and clock_timestamp() - started < interval '10 s' loop
    perform pg_sleep(0.01);
  end loop;
  insert into timing values ('pg_cancel_backend', clock_timestamp() - started);
end
$$;
select what, elapsed < interval '1 second' as within_a_second from timing where what = 'pg_cancel_backend';
-- The cancelled statement's error, as the other session's client sees it (message and
-- DETAIL, which used to hold forty lines of Rust backtrace).
select * from dblink_get_result('other', false) as t(r jsonb);
select * from dblink_get_result('other', false) as t(r jsonb);
-- The other session goes on too.
select * from dblink('other', $$select graphql.resolve('{ cancel_accounts(order_by: {id: asc}) { id } }')::jsonb$$) as t(r jsonb);
select dblink_disconnect('other');

-- Clean up what this file committed.
select regress.fixture(4103, 'POST', '_reset');
select graphql.metadata('{"type": "pg_delete_remote_relationship", "args": {"table": "cancel_accounts", "name": "owner"}}');
select graphql.metadata('{"type": "remove_remote_schema", "args": {"name": "cancel_remote"}}');
select graphql.metadata(jsonb_build_object('type', 'replace_metadata', 'args', doc)) from saved_metadata;
select graphql.metadata('{"type": "export_metadata", "args": {}}') = doc as metadata_as_before from saved_metadata;
drop table cancel_accounts;
drop extension dblink;
