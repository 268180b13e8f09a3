-- A document whose root fields are all table fields runs as ONE statement, and when
-- nothing below it joins, that statement builds the whole response. A failure in it
-- falls back to one statement per field, so each error keeps its own path and the
-- other fields their data. Validated documents are kept per schema, by text.
begin;
-- regress.explain_on (00_setup) needs auto_explain in this session.
load 'auto_explain';

create table one_a (id int primary key, name text not null);
create table one_b (id int primary key, a_id int references one_a(id), label text);
insert into one_a values (1, 'first'), (2, 'second');
insert into one_b values (10, 1, 'x'), (11, 1, 'y'), (12, 2, 'z');

-- The statements auto_explain logged since `since`, by the start of their text.
create function pg_temp.statements(since bigint) returns table (starts text, times bigint) language sql as $$
  select left(m[1], 45), count(*) from regexp_matches(regress.log_since(since), 'Query Text: (select[^\n]*)', 'g') m
  group by 1 order by 1
$$;

-- Three root fields (a list with a nested array, a lookup by key, an aggregate): one
-- statement, the keys as the client named them.
select regress.log_size() as log_start \gset
select regress.explain_on();
select jsonb_pretty(graphql.resolve($${
  one_a(order_by: {id: asc}) { id name one_b(order_by: {id: asc}) { label } }
  second: one_a_by_pk(id: 2) { name }
  one_b_aggregate { aggregate { count } }
}$$)::jsonb);
select * from pg_temp.statements(:log_start);
select regress.explain_off();

-- A call whose schema is cached runs its statement and nothing else: the schema
-- version is read again only after a change announced it.
select regress.log_size() as log_warm \gset
select regress.explain_on();
select graphql.resolve('{ one_a_by_pk(id: 1) { name } }')::jsonb -> 'data' as warm;
select * from pg_temp.statements(:log_warm);
select regress.explain_off();

-- The same data as the field-by-field path (__typename at the root takes it).
select graphql.resolve('{ one_a { id name } one_b { id label } }')::jsonb -> 'data'
     = (graphql.resolve('{ one_a { id name } one_b { id label } __typename }')::jsonb -> 'data') - '__typename' as same_data;

-- Variables are parameters of the one statement; a missing row is null.
select graphql.resolve('query ($id: Int!) { one_a_by_pk(id: $id) { name } }', '{"id": 1}')::jsonb,
       to_jsonb(graphql.resolve('query ($id: Int!) { one_a_by_pk(id: $id) { name } }', '{"id": 99}'));

-- One field fails at run time (a row-level security policy divides by zero): the
-- other keeps its data and the error its path, as when each field ran alone.
create table one_c (id int primary key);
insert into one_c values (1);
create function one_boom(int) returns boolean language sql as $$ select 1 / ($1 - $1) = 1 $$;
alter table one_c enable row level security;
create policy one_c_boom on one_c using (one_boom(id));
create role regress_pgf_one nologin;
grant usage on schema graphql to regress_pgf_one;
grant select on one_a, one_c to regress_pgf_one;
set local role regress_pgf_one;
select jsonb_pretty(graphql.resolve('{ one_a_by_pk(id: 1) { name } one_c_by_pk(id: 1) { id } }')::jsonb);
reset role;

-- A kept document still meets the limits in force: the same text, once allowed, is
-- refused after graphql.max_query_depth is lowered, and allowed again after.
select graphql.resolve('{ one_a { one_b { a { name } } } }')::jsonb ? 'data' as allowed;
set local graphql.max_query_depth = 2;
select jsonb_path_query_array(graphql.resolve('{ one_a { one_b { a { name } } } }')::jsonb, '$.errors[*].message') as refused;
reset graphql.max_query_depth;
select graphql.resolve('{ one_a { one_b { a { name } } } }')::jsonb ? 'data' as allowed_again;

-- A kept document follows the schema: after a column is dropped, the same text is
-- validated again and refused.
select graphql.resolve('{ one_b { label } }')::jsonb ? 'data' as before_drop;
alter table one_b drop column label;
select jsonb_path_query_array(graphql.resolve('{ one_b { label } }')::jsonb, '$.errors[*].message') as after_drop;
rollback;
