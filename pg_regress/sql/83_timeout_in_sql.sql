-- statement_timeout (like pg_cancel_backend) stops graphql.resolve while a table's
-- SQL runs: the caller gets the ERROR, not a GraphQL error while the other root
-- fields run on.
begin;
create function slow(int) returns int language sql as $$ select $1 from pg_sleep(0.3) $$;
create table slow_rows (id int primary key);
insert into slow_rows values (1), (2);
create view slow_view as select slow(id) as id from slow_rows;
set local statement_timeout = '500ms';
select graphql.resolve($${ a: slow_view { id } b: slow_view { id } c: slow_view { id } }$$)::jsonb;
rollback;
