-- Database -> database, Hasura's way, bodies unchanged: pg_add_source, then
-- pg_track_table {"source": …} tracks a table of that database under Hasura's name (its
-- own name), relationships between tables of the source, to_source relationships
-- targeting it, pg_untrack_table; and the older track_table / untrack_table forms.
drop database if exists pgf_regress_inventory;
create database pgf_regress_inventory;
\c pgf_regress_inventory
create table warehouses (id int primary key, city text not null);
insert into warehouses values (1, 'Lyon'), (2, 'Porto'), (3, 'Oslo');
create table stock (id int primary key, warehouse_id int not null, sku text not null, qty int not null);
insert into stock select g, g % 3 + 1, 'sku-' || g, g * 10 from generate_series(1, 9) g;
create table items (sku text primary key, label text);
insert into items select 'sku-' || g, 'item ' || g from generate_series(1, 9) g;
\c pgf_regress
-- Statements that fail on purpose roll back to an automatic savepoint.
\set ON_ERROR_ROLLBACK on
begin;
select graphql.metadata(format($${"type": "pg_add_source", "args": {"name": "inventory", "configuration":
  {"connection_info": {"database_url": "postgres://postgres@127.0.0.1:%s/pgf_regress_inventory"}}}}$$,
  current_setting('port'))::jsonb);

select graphql.metadata($${"type": "bulk", "args": [
  {"type": "pg_track_table", "args": {"source": "inventory", "table": "warehouses"}},
  {"type": "pg_track_table", "args": {"source": "inventory", "table": {"schema": "public", "name": "stock"}}},
  {"type": "pg_create_object_relationship", "args": {"source": "inventory", "table": "stock", "name": "warehouse",
    "using": {"manual_configuration": {"remote_table": "warehouses", "column_mapping": {"warehouse_id": "id"}}}}},
  {"type": "pg_create_array_relationship", "args": {"source": "inventory", "table": "warehouses", "name": "stock",
    "using": {"manual_configuration": {"remote_table": {"schema": "public", "name": "stock"},
                                       "column_mapping": {"id": "warehouse_id"}}}}}
]}$$);
-- Stored under the source, as Hasura exports it.
select jsonb_pretty(s -> 'tables') as inventory_tables
  from jsonb_array_elements(graphql.metadata('{"type": "export_metadata", "args": {}}') -> 'sources') s
 where s ->> 'name' = 'inventory';

-- Queried under Hasura's names, relationships in both directions.
select jsonb_pretty(graphql.resolve($${
  warehouses(order_by: {id: asc}, limit: 2) { id city stock(order_by: {id: asc}, limit: 2) { sku qty warehouse { city } } }
  stock_aggregate(where: {warehouse: {city: {_eq: "Oslo"}}}) { aggregate { count } }
}$$)::jsonb);

-- A to_source relationship from this database to a tracked table of the source.
create table shipments (id int primary key, warehouse_id int);
insert into shipments values (1, 3), (2, 1), (3, null);
select graphql.metadata($${"type": "pg_create_remote_relationship", "args": {"table": "shipments", "name": "warehouse",
  "definition": {"to_source": {"source": "inventory", "table": "warehouses", "relationship_type": "object",
                 "field_mapping": {"warehouse_id": "id"}}}}}$$);
select jsonb_pretty(graphql.resolve($${ shipments(order_by: {id: asc}) { id warehouse { city } } }$$)::jsonb);

-- A name another table has already is refused, naming the way out; a custom name works.
create table items (id int primary key);
select graphql.metadata($${"type": "pg_track_table", "args": {"source": "inventory", "table": "items"}}$$);
select graphql.metadata($${"type": "pg_track_table", "args": {"source": "inventory", "table": "items",
  "configuration": {"custom_name": "inventory_items"}}}$$);
select graphql.resolve($${ inventory_items(where: {sku: {_eq: "sku-2"}}) { label } items { id } }$$)::jsonb;

-- Untracking a source table another relationship uses is refused without cascade.
select graphql.metadata('{"type": "pg_untrack_table", "args": {"source": "inventory", "table": "warehouses"}}');
select graphql.metadata('{"type": "pg_untrack_table", "args": {"source": "inventory", "table": "warehouses", "cascade": true}}');
select graphql.resolve('{ warehouses { id } }')::jsonb -> 'errors' -> 0 ->> 'message' as untracked,
       to_jsonb(graphql.resolve('{ stock(limit: 1) { sku } }')) as stock_stays;
select s -> 'tables' as inventory_tables
  from jsonb_array_elements(graphql.metadata('{"type": "export_metadata", "args": {}}') -> 'sources') s
 where s ->> 'name' = 'inventory';

-- Bad bodies: named, with the reason, nothing changed.
select graphql.metadata('{"type": "pg_track_table", "args": {"source": "nope", "table": "stock"}}');
select graphql.metadata('{"type": "pg_track_table", "args": {"source": "inventory", "table": {"schema": "other", "name": "stock"}}}');
select graphql.metadata('{"type": "pg_track_table", "args": {"source": "inventory", "table": "no_such_table"}}');
select graphql.metadata('{"type": "pg_track_table", "args": {"source": "inventory", "table": "stock"}}');

-- The older forms: track_table with the table at the top of args, untrack_table.
create schema legacy;
create table legacy.things (id int primary key);
select graphql.metadata('{"type": "track_table", "args": {"schema": "legacy", "name": "things"}}');
select graphql.resolve('{ legacy_things { id } }')::jsonb;
select graphql.metadata('{"type": "untrack_table", "args": {"table": {"schema": "legacy", "name": "things"}}}');
select graphql.resolve('{ legacy_things { id } }')::jsonb -> 'errors' -> 0 ->> 'message' as untracked;
rollback;
drop database pgf_regress_inventory;
