-- graphql.metadata: Hasura's metadata API for tables and relationships, bulk,
-- whole-document calls, rejected bodies, and what pg_dump keeps.
begin;

create table customers (id int primary key, name text, account_id int);
create table invoices (id int primary key, customer_id int references customers(id), amount int);
create table notes (id int primary key, customer_ref int, body text);
insert into customers values (1, 'Acme', 7), (2, 'Globex', 8);
insert into invoices values (100, 1, 5), (101, 1, 6), (102, 2, 7);
insert into notes values (1, 1, 'call back'), (2, 2, 'paid'), (3, 2, 'vip');

-- The catalog is registered for pg_dump.
select c.relname from pg_extension e, unnest(e.extconfig) as t(oid) join pg_class c on c.oid = t.oid
 where e.extname = 'pg_federation' order by 1;

-- Empty metadata exports Hasura's shape.
select graphql.metadata('{"type": "export_metadata", "args": {}}');

-- Manual relationships, both kinds, with Hasura's bodies unchanged.
select graphql.metadata($${"type": "pg_create_array_relationship", "args": {"source": "default",
  "table": {"schema": "public", "name": "customers"}, "name": "notes_about",
  "using": {"manual_configuration": {"remote_table": {"schema": "public", "name": "notes"},
            "column_mapping": {"id": "customer_ref"}}}}}$$);
select graphql.metadata($${"type": "pg_create_object_relationship", "args": {
  "table": "notes", "name": "customer",
  "using": {"manual_configuration": {"remote_table": "customers", "column_mapping": {"customer_ref": "id"}}}}}$$);
-- A foreign-key relationship under a name of our choosing replaces the inferred one.
select graphql.metadata($${"type": "pg_create_object_relationship", "args": {
  "table": "invoices", "name": "billed_to", "using": {"foreign_key_constraint_on": "customer_id"}}}$$);
select graphql.metadata($${"type": "pg_create_array_relationship", "args": {
  "table": "customers", "name": "bills",
  "using": {"foreign_key_constraint_on": {"table": "invoices", "column": "customer_id"}}}}$$);
select jsonb_pretty(graphql.resolve($$ { customers(order_by: {id: asc}) {
  name notes_about(order_by: {id: asc}) { body customer { name } }
  bills(order_by: {id: asc}) { id billed_to { name } }
} } $$)::jsonb);
-- The inferred names are gone where metadata names the same key.
select graphql.resolve($$ { invoices { customer { name } } } $$)::jsonb;

-- Explicit metadata wins on a name clash with an inferred relationship: `invoices`
-- on customers is now a manual relationship over account_id.
select graphql.metadata($${"type": "pg_drop_relationship", "args": {"table": "customers", "relationship": "bills"}}$$);
select graphql.metadata($${"type": "pg_create_array_relationship", "args": {
  "table": "customers", "name": "invoices",
  "using": {"manual_configuration": {"remote_table": "invoices", "column_mapping": {"account_id": "amount"}}}}}$$);
select graphql.resolve($$ { customers(order_by: {id: asc}) { id invoices { id } } } $$)::jsonb;

-- Custom names through pg_track_table / pg_set_table_customization.
select graphql.metadata($${"type": "pg_set_table_customization", "args": {"table": "notes",
  "configuration": {"custom_name": "Note",
                    "custom_root_fields": {"select": "allNotes", "select_by_pk": {"name": "noteById"}, "select_aggregate": "noteStats"},
                    "column_config": {"body": {"custom_name": "text"}}}}}$$);
select graphql.resolve($$ { allNotes(where: {text: {_eq: "vip"}}) { __typename id text } noteById(id: 1) { text }
                            noteStats { aggregate { count } } } $$)::jsonb;

-- Untracking hides a table; dependent relationships need cascade.
select graphql.metadata('{"type": "pg_untrack_table", "args": {"table": "customers", "cascade": true}}');
select graphql.resolve($$ { customers { id } } $$)::jsonb;
select graphql.resolve($$ { allNotes(limit: 1) { customer { name } } } $$)::jsonb;
select graphql.metadata('{"type": "pg_track_table", "args": {"table": "customers"}}');
select graphql.metadata($${"type": "pg_create_object_relationship", "args": {
  "table": "invoices", "name": "billed_to", "using": {"foreign_key_constraint_on": "customer_id"}}}$$);
select graphql.resolve($$ { customers(limit: 1, order_by: {id: asc}) { name } } $$)::jsonb;

-- Rejected bodies: an ERROR naming the object and the reason; nothing changes.
select graphql.metadata('{"type": "export_metadata", "args": {}}') as before \gset
savepoint s;
select graphql.metadata('{"type": "pg_create_object_relationship", "args": {"table": "invoices", "name": "x", "using": {"foreign_key_constraint_on": "nope"}}}');
rollback to savepoint s;
select graphql.metadata('{"type": "pg_create_object_relationship", "args": {"table": "invoices", "name": "amount", "using": {"foreign_key_constraint_on": "customer_id"}}}');
rollback to savepoint s;
select graphql.metadata('{"type": "pg_create_object_relationship", "args": {"table": "nowhere", "name": "x", "using": {"foreign_key_constraint_on": "id"}}}');
rollback to savepoint s;
select graphql.metadata('{"type": "pg_create_array_relationship", "args": {"table": "customers", "name": "x", "using": {"foreign_key_constraint_on": {"table": "notes", "column": "customer_ref"}}}}');
rollback to savepoint s;
select graphql.metadata('{"type": "pg_create_array_relationship", "args": {"table": "customers", "name": "bad name", "using": {}}}');
rollback to savepoint s;
select graphql.metadata('{"type": "pg_drop_relationship", "args": {"table": "customers", "relationship": "nope"}}');
rollback to savepoint s;
select graphql.metadata('{"type": "pg_track_table", "args": {"table": "notes"}}');
rollback to savepoint s;
select graphql.metadata('{"type": "no_such_call", "args": {}}');
rollback to savepoint s;
select graphql.metadata('[1, 2]');
rollback to savepoint s;
-- bulk is all or nothing: the first item is valid, the second is not.
select graphql.metadata($${"type": "bulk", "args": [
  {"type": "pg_drop_relationship", "args": {"table": "invoices", "relationship": "billed_to"}},
  {"type": "pg_drop_relationship", "args": {"table": "invoices", "relationship": "billed_to"}}]}$$);
rollback to savepoint s;
select graphql.metadata('{"type": "export_metadata", "args": {}}') = :'before'::jsonb as unchanged;

-- A successful bulk returns one response per item.
select graphql.metadata($${"type": "bulk", "args": [
  {"type": "pg_rename_relationship", "args": {"table": "invoices", "name": "billed_to", "new_name": "client"}},
  {"type": "export_metadata", "args": {}}]}$$) -> 0;
select graphql.resolve($$ { invoices(where: {id: {_eq: 102}}) { client { name } } } $$)::jsonb;

-- DDL that breaks a relationship makes it inconsistent: it leaves the schema and
-- everything else keeps working; drop_inconsistent_metadata purges it.
alter table invoices drop column customer_id cascade;
select graphql.metadata('{"type": "get_inconsistent_metadata", "args": {}}');
select graphql.resolve($$ { invoices(order_by: {id: asc}, limit: 1) { id amount } allNotes(limit: 1, order_by: {id: asc}) { text } } $$)::jsonb;
select graphql.metadata('{"type": "reload_metadata", "args": {}}');
select graphql.metadata('{"type": "drop_inconsistent_metadata", "args": {}}');
select graphql.metadata('{"type": "get_inconsistent_metadata", "args": {}}');

-- replace_metadata with an exported document gives it back unchanged.
select graphql.metadata('{"type": "export_metadata", "args": {}}') as exported \gset
select graphql.metadata('{"type": "clear_metadata", "args": {}}');
select graphql.metadata('{"type": "export_metadata", "args": {}}');
select graphql.metadata(jsonb_build_object('type', 'replace_metadata', 'args', :'exported'::jsonb));
select graphql.metadata('{"type": "export_metadata", "args": {}}') = :'exported'::jsonb as round_trip;
-- replace_metadata refuses an inconsistent document unless told to allow it.
savepoint s;
select graphql.metadata($${"type": "replace_metadata", "args": {"version": 3, "sources": [{"name": "default", "kind": "postgres",
  "tables": [{"table": {"schema": "public", "name": "ghost"}}], "configuration": {}}]}}$$);
rollback to savepoint s;
select graphql.metadata($${"type": "replace_metadata", "args": {"allow_inconsistent_metadata": true, "metadata": {"version": 3,
  "sources": [{"name": "default", "kind": "postgres", "tables": [{"table": {"schema": "public", "name": "ghost"}}], "configuration": {}}]}}}$$);

-- SQL helpers wrap the same calls.
select graphql.metadata('{"type": "clear_metadata", "args": {}}');
select graphql.untrack_table('public', 'invoices');
select graphql.resolve($$ { invoices { id } } $$)::jsonb;
select graphql.track_table('public', 'invoices', 'Bill');
select graphql.resolve($$ { Bill(order_by: {id: asc}, limit: 1) { __typename id } } $$)::jsonb;

rollback;

-- A metadata change in a read-only transaction is refused up front with its reason
-- and SQLSTATE 25006 (read_only_sql_transaction), before anything runs (a source's
-- DDL or a remote schema's introspection would otherwise fail half-way); calls that
-- only read work there. A hot standby refuses changes the same way (tested by
-- scripts/reliability.sh standby).
\set ON_ERROR_ROLLBACK on
begin transaction read only;
select graphql.metadata('{"type": "pg_track_table", "args": {"table": "pg_class"}}');
\echo :LAST_ERROR_SQLSTATE
select graphql.metadata('{"type": "bulk", "args": [{"type": "export_metadata", "args": {}}, {"type": "reload_metadata", "args": {}}]}');
select graphql.metadata('{"type": "pg_add_source", "args": {"name": "crm", "configuration": {"connection_info": {"database_url": "postgres://x@127.0.0.1/db"}}}}');
select graphql.untrack_table('public', 'nope');
select graphql.metadata('{"type": "export_metadata", "args": {}}') -> 'version' as version;
select graphql.metadata('{"type": "get_inconsistent_metadata", "args": {}}');
select graphql.metadata('{"type": "bulk", "args": [{"type": "export_metadata", "args": {}}]}') -> 0 -> 'version' as version;
select pg_current_xact_id_if_assigned() is null as nothing_written;
rollback;
\set ON_ERROR_ROLLBACK off
