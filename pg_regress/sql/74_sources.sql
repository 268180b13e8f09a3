-- A second database as a source (postgres_fdw over 127.0.0.1): pg_add_source
-- imports its tables; table -> source, remote -> source and action -> source joins
-- are ONE query to the other database per (relationship, level), with the key set
-- pushed down as = ANY($1) (checked in the plan's Remote SQL).
drop database if exists pgf_regress_crm;
create database pgf_regress_crm;
\c pgf_regress_crm
create table customers (id int primary key, user_id int not null unique, tier text not null);
insert into customers select g, g, case when g % 3 = 0 then 'gold' else 'basic' end from generate_series(1, 50) g;
create table invoices (id int primary key, user_id int not null, amount numeric not null);
insert into invoices select g, (g - 1) % 50 + 1, g * 1.5 from generate_series(1, 200) g;
\c pgf_regress
-- Statements that fail on purpose roll back to an automatic savepoint.
\set ON_ERROR_ROLLBACK on
begin;

-- regress.explain_on (00_setup) needs auto_explain in this session.
load 'auto_explain';
-- The queries sent to the other database since `since`, as the plans show them.
create function pg_temp.remote_sql(since bigint) returns setof text language sql as $$
  select m[1] from regexp_matches(regress.log_since(since), 'Remote SQL: ([^\n]*)', 'g') m
$$;

-- Add the source; the password goes into the user mapping only.
select graphql.metadata(format($${"type": "pg_add_source", "args": {"name": "crm", "configuration":
  {"connection_info": {"database_url": "postgres://postgres:s3cret@127.0.0.1:%s/pgf_regress_crm"}}}}$$,
  current_setting('port'))::jsonb);
select srvname, replace(array_to_string(srvoptions, ', '), current_setting('port'), 'PORT') as options
  from pg_foreign_server where srvname = 'pgf_crm';
select foreign_table_schema, foreign_table_name from information_schema.foreign_tables
 where foreign_table_schema = 'crm' order by 2;
select replace(jsonb_pretty(graphql.metadata('{"type": "export_metadata", "args": {}}') -> 'sources'),
               current_setting('port'), 'PORT') as sources;
select graphql.metadata('{"type": "export_metadata", "args": {}}')::text like '%s3cret%' as password_in_metadata;

-- Its tables are queryable (root fields crm_<table>; foreign tables have no primary key).
select graphql.resolve($${ crm_customers(where: {id: {_eq: 3}}) { id tier } }$$)::jsonb;

create table orders (id int primary key, user_id int);
insert into orders select g, case when g % 10 = 0 then null else g % 5 + 1 end from generate_series(1, 100) g;
select graphql.metadata($${"type": "bulk", "args": [
  {"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "customer",
    "definition": {"to_source": {"source": "crm", "table": "customers", "relationship_type": "object",
                   "field_mapping": {"user_id": "user_id"}}}}},
  {"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "invoices",
    "definition": {"to_source": {"source": "crm", "table": {"schema": "public", "name": "invoices"},
                   "relationship_type": "array", "field_mapping": {"user_id": "user_id"}}}}},
  {"type": "add_remote_schema", "args": {"name": "users_api",
    "definition": {"url": "http://127.0.0.1:4101/graphql", "timeout_seconds": 5}}},
  {"type": "create_remote_schema_remote_relationship", "args": {"remote_schema": "users_api", "type_name": "User",
    "name": "customer", "definition": {"to_source": {"source": "crm", "table": "customers",
      "relationship_type": "object", "field_mapping": {"userId": "user_id"}}}}},
  {"type": "set_custom_types", "args": {"objects": [{"name": "Order",
    "fields": [{"name": "id", "type": "Int!"}, {"name": "user_id", "type": "Int"}, {"name": "label", "type": "String!"}],
    "relationships": [{"name": "customer", "type": "object", "source": "crm", "remote_table": "customers",
                       "field_mapping": {"user_id": "user_id"}}]}]}},
  {"type": "create_action", "args": {"name": "listOrders", "definition": {"type": "query",
    "handler": "http://127.0.0.1:4101/actions", "arguments": [{"name": "n", "type": "Int!"}], "output_type": "[Order!]!"}}}
]}$$);

select regress.explain_on();
select set_config('auto_explain.log_analyze', 'on', true), set_config('auto_explain.log_timing', 'off', true);

-- Table -> source, object and array, over 100 orders (5 distinct keys, nulls):
-- one remote query per relationship, each with the key set as = ANY($1).
select regress.log_size() as log_start \gset
select count(*) as orders,
       count(*) filter (where o -> 'customer' = 'null') as without_customer,
       (array_agg(o order by (o ->> 'id')::int))[1:2] as first_two
from jsonb_array_elements(graphql.resolve($${
  orders { id customer { tier } invoices(order_by: {amount: desc}, limit: 2) { amount } }
}$$)::jsonb #> '{data,orders}') o;
select sql from pg_temp.remote_sql(:log_start) sql;
-- Each foreign scan ran once (loops=1): no nested loop of remote scans.
select m[1] as foreign_scan, m[2] as loops
  from regexp_matches(regress.log_since(:log_start), 'Foreign Scan on (\S+)[^\n]*loops=(\d+)', 'g') m;

-- Remote -> source under a remote root field, and action -> source for a list.
select regress.log_size() as log_start \gset
select jsonb_pretty(graphql.resolve($${ users(ids: [3, 6, 9, 9]) { userId customer { tier } } }$$)::jsonb);
select count(*) as remote_queries from pg_temp.remote_sql(:log_start);
select regress.log_size() as log_start \gset
select jsonb_array_length(r #> '{data,listOrders}') as orders, r #> '{data,listOrders,2}' as third
from to_jsonb(graphql.resolve($${ listOrders(n: 30) { id customer { id tier } } }$$)) r;
select count(*) as remote_queries from pg_temp.remote_sql(:log_start);
select regress.explain_off();

-- Privileges: a role needs SELECT on the imported tables, like on any table, and
-- cannot read the mapping's password.
create role pgf_crm_reader;
grant usage on schema crm to pgf_crm_reader;
grant select on orders to pgf_crm_reader;
set local role pgf_crm_reader;
select umoptions from pg_user_mappings where srvname = 'pgf_crm';
select graphql.resolve($${ orders(limit: 1) { id customer { tier } } }$$)::jsonb;
select graphql.metadata('{"type": "pg_drop_source", "args": {"name": "crm"}}');
reset role;
grant select on crm.customers to pgf_crm_reader;
set local role pgf_crm_reader;
select graphql.resolve($${ orders(limit: 1) { id customer { tier } } }$$)::jsonb;
reset role;

-- Bad bodies: named, with the reason, nothing created.
select graphql.metadata('{"type": "pg_add_source", "args": {"name": "crm", "configuration": {"connection_info": {"database_url": "postgres://x@127.0.0.1/db"}}}}');
select graphql.metadata('{"type": "pg_add_source", "args": {"name": "crm2", "configuration": {"connection_info": {"database_url": "mysql://x@h/db"}}}}');
select graphql.metadata('{"type": "pg_add_source", "args": {"name": "crm2", "configuration": {}}}');
select graphql.metadata('{"type": "pg_add_source", "args": {"name": "public", "configuration": {"connection_info": {"database_url": "postgres://x@127.0.0.1/db"}}}}');
select graphql.metadata($${"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "x",
  "definition": {"to_source": {"source": "nope", "table": "customers", "relationship_type": "object",
                 "field_mapping": {"user_id": "user_id"}}}}}$$);
select graphql.metadata($${"type": "pg_create_remote_relationship", "args": {"table": "orders", "name": "x",
  "definition": {"to_source": {"source": "crm", "table": "customers", "relationship_type": "object",
                 "field_mapping": {"user_id": "nope"}}}}}$$);

-- Dropping a source that relationships use is refused, naming them (Hasura's
-- dependency error), and changes nothing.
select graphql.metadata('{"type": "pg_drop_source", "args": {"name": "crm"}}');
select count(*) as servers from pg_foreign_server where srvname = 'pgf_crm';
-- Should its tables go from under the relationships (DDL), the relationships become
-- inconsistent and everything else works.
savepoint before_ddl;
drop foreign table crm.customers, crm.invoices;
select graphql.resolve($${ orders(limit: 1) { id } }$$)::jsonb;
select jsonb_pretty(graphql.metadata('{"type": "get_inconsistent_metadata", "args": {}}') -> 'inconsistent_objects');
rollback to savepoint before_ddl;
-- With "cascade" the source goes with the relationships that use it: the server,
-- mapping and foreign tables are removed, and nothing is left inconsistent.
select graphql.metadata('{"type": "pg_drop_source", "args": {"name": "crm", "cascade": true}}');
select count(*) as servers from pg_foreign_server where srvname = 'pgf_crm';
select count(*) as schemas from pg_namespace where nspname = 'crm';
select graphql.resolve($${ orders(limit: 1) { id } }$$)::jsonb;
select jsonb_pretty(graphql.metadata('{"type": "get_inconsistent_metadata", "args": {}}') -> 'inconsistent_objects');
select graphql.metadata('{"type": "export_metadata", "args": {}}') #> '{sources,0,tables}' as default_tables,
       graphql.metadata('{"type": "export_metadata", "args": {}}') -> 'custom_types' as custom_types;
rollback;
drop database pgf_regress_crm;
