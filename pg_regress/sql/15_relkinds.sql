-- Every kind of relation is exposed: tables, partitioned tables (not their
-- partitions), views, materialized views and foreign tables.
begin;

create table plain (id int primary key, v text);
insert into plain values (1, 'a'), (2, 'b');
create table parted (id int, region text) partition by list (region);
create table parted_eu partition of parted for values in ('eu');
insert into parted values (1, 'eu');
create view plain_view as select id, upper(v) as v from plain;
create materialized view plain_mat as select id, v || v as vv from plain;

-- A foreign table through postgres_fdw, looping back into this same database.
create extension postgres_fdw;
do $$
begin
  execute format('create server loopback foreign data wrapper postgres_fdw options (host %L, port %L, dbname %L)',
                 split_part(current_setting('unix_socket_directories'), ',', 1),
                 current_setting('port'), current_database());
end
$$;
create user mapping for current_user server loopback;
-- (The loopback is another session: it cannot see this file's uncommitted tables, so
-- the foreign table points at a catalog.)
create foreign table remote_ns (nspname name) server loopback
  options (schema_name 'pg_catalog', table_name 'pg_namespace');

select graphql.resolve($$ {
  plain(order_by: {id: asc}) { id v }
  parted { id region }
  plain_view(order_by: {id: asc}) { v }
  plain_mat(order_by: {id: asc}) { vv }
  remote_ns(where: {nspname: {_eq: "graphql"}}) { nspname }
} $$)::jsonb;

-- Partitions are reached through their parent only; views have no _by_pk.
select graphql.resolve($$ { __type(name: "query_root") { fields { name } } } $$)::jsonb #> '{data,__type,fields}';

rollback;
