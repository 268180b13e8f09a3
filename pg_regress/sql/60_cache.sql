-- The per-backend schema cache: a repeated call reuses the schema (no reflection),
-- DDL and metadata writes invalidate it, and role / settings changes key it.
begin;

create table gadgets (id int primary key, label text);
insert into gadgets values (1, 'lamp');
create temp table stats_log (step text, builds bigint, hits bigint);
create function pg_temp.note(step text) returns void language sql as $$
  insert into stats_log select step, (graphql.cache_stats()->>'builds')::bigint, (graphql.cache_stats()->>'hits')::bigint
$$;

select graphql.resolve('{ gadgets { label } }')::jsonb;
select pg_temp.note('first');
select graphql.resolve('{ gadgets { label } }')::jsonb;
select graphql.resolve('{ gadgets { id } }')::jsonb;
select pg_temp.note('two cached calls');
-- DDL bumps the catalog version: the next call rebuilds and sees the new column.
alter table gadgets add column price int;
select graphql.resolve('{ gadgets { price } }')::jsonb;
select pg_temp.note('after DDL');
-- A metadata write invalidates too.
select graphql.metadata('{"type": "pg_set_table_customization", "args": {"table": "gadgets", "configuration": {"custom_name": "Gadget"}}}');
select graphql.resolve('{ gadgets { __typename } }')::jsonb;
select pg_temp.note('after metadata');
-- Another exposed-schema list is another key.
set local graphql.exposed_schemas = 'public,pg_temp';
select graphql.resolve('{ Gadget { id } }')::jsonb;
select pg_temp.note('other settings');
set local graphql.exposed_schemas = 'public';

-- Deltas: a cached call builds nothing; DDL, metadata and settings each build once.
select step,
       builds - lag(builds) over (order by ctid) as new_builds,
       hits - lag(hits) over (order by ctid) as new_hits
from stats_log order by ctid;

-- The version the cache is keyed by is visible, and DDL moved it.
select version > 1 as bumped_by_ddl from graphql.schema_version;

rollback;

-- Another session's committed change is seen by this backend's next call: the change
-- sends an invalidation, and a cached call reads the schema version again only after
-- one (a call with nothing announced reads nothing).
-- (committed: the other session must see it; the metadata is put back at the end)
create extension if not exists dblink;
create temp table saved_metadata as select graphql.metadata('{"type": "export_metadata", "args": {}}') as document;
create table shared_gadgets (id int primary key);
select graphql.resolve('{ shared_gadgets { id } }')::jsonb -> 'data' as before;
select dblink_connect('other', format('host=%s port=%s dbname=%s user=postgres',
  split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'), current_database()));
select r from dblink('other', $$select graphql.metadata('{"type": "pg_set_table_customization", "args": {"table": "shared_gadgets", "configuration": {"custom_name": "SharedGadget"}}}')::text$$) as t(r text);
select graphql.resolve('{ SharedGadget { id } }')::jsonb -> 'data' as seen_after_the_other_commit;
select r from dblink('other', $$select graphql.metadata('{"type": "pg_set_table_customization", "args": {"table": "shared_gadgets", "configuration": {}}}')::text$$) as t(r text);
select graphql.resolve('{ shared_gadgets { id } }')::jsonb -> 'data' as seen_again;
select dblink_disconnect('other');
select graphql.metadata(jsonb_build_object('type', 'replace_metadata', 'args', document)) from saved_metadata;
drop table shared_gadgets;
drop extension dblink;

