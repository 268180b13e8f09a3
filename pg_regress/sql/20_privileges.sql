-- graphql.resolve runs with the caller's rights: the schema a role sees holds only the
-- tables and columns it may SELECT, row-level security filters its rows, and only
-- roles allowed to write the metadata document may change metadata.
begin;

create role regress_pgf_reader nologin;
create role regress_pgf_clerk nologin;
create role regress_pgf_nobody nologin;
-- Every role may call graphql.resolve: the extension grants USAGE on its schema.
select has_schema_privilege('public', 'graphql', 'USAGE') as public_may_resolve;

create table customers (
    id int primary key,
    name text not null,
    email text,
    ssn text,
    region text
);
create table orders (
    id int primary key,
    customer_id int references customers (id),
    amount numeric not null,
    owner text not null
);
-- Selectable by nobody but the owner.
create table secrets (
    id int primary key,
    customer_id int references customers (id),
    secret text
);
-- The key column is not granted to the reader: no <table>_by_pk for it.
create table profiles (
    handle text primary key,
    bio text,
    salary int
);

insert into customers values
    (1, 'Ada', 'ada@example.com', '111-11-1111', 'eu'),
    (2, 'Bob', 'bob@example.com', '222-22-2222', 'us'),
    (3, 'Cy', null, '333-33-3333', 'eu');
insert into orders values
    (10, 1, 100, 'regress_pgf_reader'),
    (11, 1, 250, 'regress_pgf_clerk'),
    (12, 2, 75, 'regress_pgf_reader'),
    (13, 3, 500, 'regress_pgf_clerk'),
    (14, 2, 20, 'postgres');
insert into secrets values (1, 1, 'the cake is a lie');
insert into profiles values ('ada', 'mathematician', 100000);

-- reader: some columns of customers, all of orders, bio of profiles.
grant select (id, name, region) on customers to regress_pgf_reader;
grant select on orders to regress_pgf_reader;
grant select (bio) on profiles to regress_pgf_reader;
-- clerk: all of customers, orders without the foreign key column.
grant select on customers to regress_pgf_clerk;
grant select (id, amount, owner) on orders to regress_pgf_clerk;

-- Orders: a role other than the owner sees the rows it owns.
alter table orders enable row level security;
create policy orders_own on orders for select using (owner = current_user);
-- Customers: the clerk sees the eu customers only; the reader every customer.
alter table customers enable row level security;
create policy customers_clerk on customers for select to regress_pgf_clerk using (region = 'eu');
create policy customers_reader on customers for select to regress_pgf_reader using (true);

-- ---------------------------------------------------------------------------------
-- The owner (superuser here) sees everything: every table, every column, every row.
select jsonb_pretty(graphql.resolve($$ {
  customers(order_by: {id: asc}) { id name email ssn region }
  orders_aggregate { aggregate { count } }
  secrets { secret }
} $$)::jsonb);

select jsonb_pretty(graphql.resolve($$ {
  __type(name: "customers") { fields { name } }
} $$)::jsonb);

-- ---------------------------------------------------------------------------------
-- reader
set local role regress_pgf_reader;

-- Granted columns and the foreign-key relationships between granted tables.
select jsonb_pretty(graphql.resolve($$ {
  customers(order_by: {id: asc}) { id name region orders(order_by: {id: asc}) { id amount } }
} $$)::jsonb);

-- Introspection lists only the granted columns of customers.
select jsonb_pretty(graphql.resolve($$ {
  __type(name: "customers") { fields { name } }
} $$)::jsonb);

-- A column without the grant is not a field: querying it is a validation error.
select jsonb_pretty(graphql.resolve($$ { customers { id email } } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ { customers_by_pk(id: 1) { id ssn } } $$)::jsonb);

-- Nor can it be filtered, ordered, deduplicated or aggregated on.
select jsonb_pretty(graphql.resolve($$ { customers(where: {email: {_like: "%@example.com"}}) { id } } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ { customers(order_by: {ssn: asc}) { id } } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ { orders(order_by: {customer: {ssn: asc}}) { id } } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ { customers(distinct_on: [email]) { id } } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ { customers_aggregate { aggregate { max { id ssn } } } } $$)::jsonb);

-- Nor is it in the types generated for the table.
select jsonb_pretty(graphql.resolve($$ {
  select_column: __type(name: "customers_select_column") { enumValues { name } }
  bool_exp: __type(name: "customers_bool_exp") { inputFields { name } }
} $$)::jsonb);

-- A table the role cannot select is absent: no type, no root fields, no relationship.
select jsonb_pretty(graphql.resolve($$ { secrets { id } } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ { secrets_by_pk(id: 1) { secret } } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ { __type(name: "secrets") { name } } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ { customers { id secrets { secret } } } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ {
  __schema { queryType { fields { name } } }
} $$)::jsonb);

-- profiles: only bio is granted; without the key column there is no profiles_by_pk
-- (see the root fields above), and the table itself reads fine.
select jsonb_pretty(graphql.resolve($$ { profiles { bio } } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ { profiles_by_pk(handle: "ada") { bio } } $$)::jsonb);

-- RLS on orders: the reader sees its own orders only, at the root, in aggregates,
-- through relationships and in relationship filters.
select jsonb_pretty(graphql.resolve($$ {
  orders(order_by: {id: asc}) { id amount owner customer { name } }
  orders_aggregate { aggregate { count sum { amount } } }
} $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ {
  customers(order_by: {id: asc}) {
    id
    orders_aggregate { aggregate { count } }
  }
} $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ {
  customers(where: {orders: {amount: {_gte: 90}}}, order_by: {id: asc}) { id }
} $$)::jsonb);
-- A row hidden by RLS is not found by its key either.
select jsonb_pretty(graphql.resolve($$ {
  mine: orders_by_pk(id: 10) { id }
  theirs: orders_by_pk(id: 11) { id }
} $$)::jsonb);

-- The metadata document is readable, but changing metadata is refused.
select graphql.metadata('{"type": "export_metadata", "args": {}}') ? 'sources' as can_export;
savepoint s;
select graphql.metadata('{"type": "pg_track_table", "args": {"table": {"schema": "public", "name": "orders"}, "configuration": {"custom_name": "purchases"}}}');
rollback to savepoint s;
savepoint s;
select graphql.metadata('{"type": "clear_metadata", "args": {}}');
rollback to savepoint s;
savepoint s;
select graphql.metadata('{"type": "bulk", "args": [{"type": "export_metadata", "args": {}}, {"type": "clear_metadata", "args": {}}]}');
rollback to savepoint s;
savepoint s;
select graphql.metadata('{"type": "reload_metadata", "args": {}}');
rollback to savepoint s;
-- Nor can the catalog be written around the API.
savepoint s;
update graphql.metadata_document set document = '{}';
rollback to savepoint s;
savepoint s;
update graphql.schema_version set version = version + 1;
rollback to savepoint s;

reset role;

-- ---------------------------------------------------------------------------------
-- clerk: every column of customers, but orders without customer_id, so neither
-- orders.customer nor customers.orders exists for the clerk.
set local role regress_pgf_clerk;

select jsonb_pretty(graphql.resolve($$ {
  customers(order_by: {id: asc}) { id name email ssn region }
  orders(order_by: {id: asc}) { id amount owner }
} $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ {
  orders: __type(name: "orders") { fields { name } }
  customers: __type(name: "customers") { fields { name } }
} $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ { orders { id customer { name } } } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ { customers { id orders { id } } } $$)::jsonb);
-- RLS on customers: the us customer is not found by its key.
select jsonb_pretty(graphql.resolve($$ {
  eu: customers_by_pk(id: 1) { name }
  us: customers_by_pk(id: 2) { name }
} $$)::jsonb);

reset role;

-- ---------------------------------------------------------------------------------
-- A role with no grants sees an empty query_root (introspection still works).
set local role regress_pgf_nobody;
select jsonb_pretty(graphql.resolve($$ {
  __typename
  __schema { queryType { name fields { name } } }
} $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ { customers { id } } $$)::jsonb);
reset role;
-- Role membership changes fire no event trigger, yet the cached schema follows them.
grant regress_pgf_clerk to regress_pgf_nobody;
set local role regress_pgf_nobody;
select graphql.resolve($$ { customers(order_by: {id: asc}) { id ssn } } $$)::jsonb;
reset role;
revoke regress_pgf_clerk from regress_pgf_nobody;
set local role regress_pgf_nobody;
select graphql.resolve($$ { customers(order_by: {id: asc}) { id ssn } } $$)::jsonb;
reset role;
-- ---------------------------------------------------------------------------------
-- Grants change what the role sees in the same session (and transaction).
grant select (email) on customers to regress_pgf_reader;
revoke select on orders from regress_pgf_reader;
set local role regress_pgf_reader;
select jsonb_pretty(graphql.resolve($$ {
  __type(name: "customers") { fields { name } }
} $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ { customers(order_by: {id: asc}) { id email } } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ { orders { id } } $$)::jsonb);
reset role;

-- Privileges held through role membership count (a role first used after the grant).
create role regress_pgf_member nologin;
grant regress_pgf_clerk to regress_pgf_member;
set local role regress_pgf_member;
select jsonb_pretty(graphql.resolve($$ { customers(order_by: {id: asc}) { id ssn } } $$)::jsonb);
reset role;

-- A view is exposed with the view's grants: the reader may select it without rights
-- on the table under it (the view reads as its owner).
create view eu_customers as select id, name, ssn from customers where region = 'eu';
grant select (id, name) on eu_customers to regress_pgf_reader;
set local role regress_pgf_reader;
select jsonb_pretty(graphql.resolve($$ { eu_customers(order_by: {id: asc}) { id name } } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ { eu_customers { id ssn } } $$)::jsonb);
reset role;

-- A table outside public, exposed through graphql.exposed_schemas, needs USAGE on its
-- schema as well as SELECT.
create schema hr;
create table hr.staff (id int primary key, name text);
insert into hr.staff values (1, 'Grace');
grant select on hr.staff to regress_pgf_reader;
set local graphql.exposed_schemas = 'public, hr';
-- Without USAGE on hr the reader may not select hr.staff: it is not in its schema.
set local role regress_pgf_reader;
select graphql.resolve($$ { __type(name: "hr_staff") { name } } $$)::jsonb;
reset role;
grant usage on schema hr to regress_pgf_reader;
set local role regress_pgf_reader;
select jsonb_pretty(graphql.resolve($$ { hr_staff { id name } } $$)::jsonb);
reset role;

-- A role the DBA granted INSERT and UPDATE on graphql.metadata_document may change
-- metadata (the refusal above says so); UPDATE alone is not enough.
grant update on graphql.metadata_document to regress_pgf_clerk;
set local role regress_pgf_clerk;
savepoint only_update;
select graphql.metadata('{"type": "pg_track_table", "args": {"table": {"schema": "public", "name": "orders"}, "configuration": {"custom_name": "purchases"}}}');
rollback to savepoint only_update;
reset role;
grant insert on graphql.metadata_document to regress_pgf_clerk;
set local role regress_pgf_clerk;
select graphql.metadata('{"type": "pg_track_table", "args": {"table": {"schema": "public", "name": "orders"}, "configuration": {"custom_name": "purchases"}}}');
select graphql.resolve($$ { purchases_aggregate { aggregate { count } } } $$)::jsonb;
reset role;

-- The owner still sees all rows.
select jsonb_pretty(graphql.resolve($$ { purchases_aggregate { aggregate { count } } } $$)::jsonb);

rollback;
