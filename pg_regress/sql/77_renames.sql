-- Renames follow the catalog, as Hasura rewrites its metadata: ALTER TABLE … RENAME TO
-- and RENAME COLUMN rewrite, in the same transaction, the tracked entry, relationships
-- at both ends, a remote relationship's lhs fields and its $column template, to_source
-- mappings and column customisations. A rename that makes a relationship invalid leaves
-- it inconsistent and reported, never a broken document.
-- Statements that fail on purpose roll back to an automatic savepoint.
\set ON_ERROR_ROLLBACK on
begin;
create table customers (id int primary key, full_name text);
insert into customers select g, 'customer ' || g from generate_series(1, 3) g;
create table orders (id int primary key, customer_id int, user_id int);
insert into orders select g, g % 3 + 1, g from generate_series(1, 6) g;
create table notes (id int primary key, order_id int, body text);
insert into notes select g, g % 6 + 1, 'note ' || g from generate_series(1, 6) g;
select graphql.metadata($${"type": "bulk", "args": [
  {"type": "add_remote_schema", "args": {"name": "users_api",
    "definition": {"url": "http://127.0.0.1:4101/graphql", "timeout_seconds": 5}}},
  {"type": "pg_track_table", "args": {"table": "customers",
    "configuration": {"column_config": {"full_name": {"custom_name": "name"}}}}},
  {"type": "pg_create_object_relationship", "args": {"table": "orders", "name": "buyer",
    "using": {"manual_configuration": {"remote_table": "customers", "column_mapping": {"customer_id": "id"}}}}},
  {"type": "pg_create_array_relationship", "args": {"table": "orders", "name": "order_notes",
    "using": {"manual_configuration": {"remote_table": "notes", "column_mapping": {"id": "order_id"}}}}},
  {"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "user",
    "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["user_id"],
      "remote_field": {"user": {"arguments": {"id": "$user_id"}}}}}}},
  {"type": "pg_create_remote_relationship", "args": {"table": "notes", "name": "parent",
    "definition": {"to_source": {"source": "default", "table": "orders", "relationship_type": "object",
      "field_mapping": {"order_id": "id"}}}}}
]}$$);
create function pg_temp.query() returns jsonb language sql as $$
  select graphql.resolve($q${ purchases(order_by: {id: asc}, limit: 2) { id buyer { name } order_notes { body } user { name } }
                              notes(limit: 1, order_by: {id: asc}) { parent { id } } }$q$)::jsonb
$$;

-- The table and its columns renamed, by the table's owner (not a metadata admin).
create role pgf_rename_owner;
grant create on schema public to pgf_rename_owner;
alter table orders owner to pgf_rename_owner;
alter table customers owner to pgf_rename_owner;
set local role pgf_rename_owner;
alter table orders rename to purchases;
alter table purchases rename column user_id to account_id;
alter table purchases rename column customer_id to client_id;
alter table customers rename column full_name to display_name;
alter table customers rename column id to customer_no;
reset role;

-- The document follows every name.
select jsonb_pretty(graphql.metadata('{"type": "export_metadata", "args": {}}') #> '{sources,0,tables}');
select jsonb_pretty(pg_temp.query());
select graphql.metadata('{"type": "get_inconsistent_metadata", "args": {}}') -> 'is_consistent' as consistent;

-- A table tracked only for its computed field, and a schema renamed: followed too.
create schema shop;
create table shop.items (id int primary key, price int);
insert into shop.items values (1, 10);
create function shop.item_double(i shop.items) returns int language sql stable as $$ select i.price * 2 $$;
select graphql.metadata($${"type": "pg_add_computed_field", "args": {"table": {"schema": "shop", "name": "items"},
  "name": "double", "definition": {"function": {"schema": "shop", "name": "item_double"}}}}$$);
alter table shop.items rename to goods;
alter schema shop rename to store;
select graphql.metadata('{"type": "export_metadata", "args": {}}') #> '{sources,0,tables,3,table}' as renamed_entry;
select graphql.metadata('{"type": "get_inconsistent_metadata", "args": {}}') -> 'is_consistent' as consistent;
select graphql.resolve('{ store_goods { id double } }')::jsonb;

-- Permissions follow too: a column renamed in the table's own permission (columns,
-- set, filter, check, under _and/_or/_not), and in an _exists over that table in another
-- table's permission; a table renamed in that _exists.
create role pgf_rename_reader nologin;
create table memberships (member int primary key, active boolean not null);
select graphql.metadata($${"type": "bulk", "args": [
  {"type": "pg_track_table", "args": {"table": "memberships"}},
  {"type": "pg_create_select_permission", "args": {"table": "memberships", "role": "pgf_rename_reader",
    "permission": {"columns": ["member", "active"], "filter": {"_and": [{"active": {"_eq": true}}, {"_not": {"member": {"_eq": 0}}}]}}}},
  {"type": "pg_create_insert_permission", "args": {"table": "memberships", "role": "pgf_rename_reader",
    "permission": {"columns": ["member"], "set": {"active": true}, "check": {"active": {"_eq": true}}}}},
  {"type": "pg_create_select_permission", "args": {"table": "customers", "role": "pgf_rename_reader",
    "permission": {"columns": "*", "filter": {"_exists": {"_table": {"schema": "public", "name": "memberships"},
                                                            "_where": {"active": {"_eq": true}}}}}}}
]}$$);
alter table memberships rename column active to is_active;
alter table memberships rename to members;
select jsonb_pretty(jsonb_path_query_array(graphql.metadata('{"type": "export_metadata", "args": {}}'),
  '$.sources[0].tables[*] ? (@.table.name == "members" || @.table.name == "customers").select_permissions[*].permission')) as followed_permissions;
select graphql.metadata('{"type": "get_inconsistent_metadata", "args": {}}') -> 'is_consistent' as consistent;

-- A column renamed to the name of a relationship: that relationship is left out and
-- reported; the document and the rest of the schema stand.
alter table purchases rename column account_id to buyer;
select graphql.metadata('{"type": "get_inconsistent_metadata", "args": {}}') -> 'inconsistent_objects' -> 0 ->> 'name' as inconsistent;
select graphql.resolve('{ purchases(limit: 1, order_by: {id: asc}) { id buyer } }')::jsonb;
rollback;
