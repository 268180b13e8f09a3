-- SQL functions, Hasura's bodies unchanged: computed fields with arguments and ones
-- returning rows (a field like an array relationship), and pg_track_function: root
-- fields with `args`, where/order_by/limit over the rows, `_aggregate`, VOLATILE ones
-- as mutations, the session as json.
-- Statements that fail on purpose roll back to an automatic savepoint.
\set ON_ERROR_ROLLBACK on
begin;
create table articles (id int primary key, title text not null, author_id int not null, rating int not null);
insert into articles select g, 'article ' || g || case when g % 3 = 0 then ' about postgres' else '' end,
                            g % 4 + 1, g % 5 from generate_series(1, 20) g;
create table writers (id int primary key, name text not null);
insert into writers select g, 'writer ' || g from generate_series(1, 4) g;

-- Computed fields: one with an argument, one returning rows (with an argument).
create function writer_greeting(w writers, greeting text default 'hello') returns text language sql stable as $$
  select greeting || ', ' || w.name
$$;
create function writer_articles(w writers, min_rating int) returns setof articles language sql stable as $$
  select * from articles a where a.author_id = w.id and a.rating >= min_rating
$$;
-- Tracked functions: a search (SETOF, stable), one row, a volatile one, the session.
create function search_articles(search text) returns setof articles language sql stable as $$
  select * from articles where title ilike '%' || search || '%'
$$;
create function top_article() returns articles language sql stable as $$
  select * from articles order by rating desc, id limit 1
$$;
create function rate_article(article_id int, new_rating int) returns setof articles language sql volatile as $$
  update articles set rating = new_rating where id = article_id returning *
$$;
create function my_articles(hasura_session json) returns setof articles language sql stable as $$
  select * from articles where author_id = (hasura_session ->> 'x-hasura-user-id')::int
$$;
select graphql.metadata($${"type": "bulk", "args": [
  {"type": "pg_track_table", "args": {"table": "writers"}},
  {"type": "pg_add_computed_field", "args": {"table": "writers", "name": "greeting",
    "definition": {"function": "writer_greeting"}}},
  {"type": "pg_add_computed_field", "args": {"table": "writers", "name": "rated_articles",
    "definition": {"function": "writer_articles", "table_argument": "w"}}},
  {"type": "pg_track_function", "args": {"function": "search_articles"}},
  {"type": "pg_track_function", "args": {"function": {"schema": "public", "name": "top_article"}}},
  {"type": "pg_track_function", "args": {"function": "rate_article"}},
  {"type": "pg_track_function", "args": {"function": "my_articles",
    "configuration": {"session_argument": "hasura_session", "custom_root_fields": {"function": "mine"}}}}
]}$$);
select jsonb_pretty(s -> 'functions')
  from jsonb_array_elements(graphql.metadata('{"type": "export_metadata", "args": {}}') -> 'sources') s;

-- The schema: `args` typed by `<function>_args` (an argument with a default optional).
select jsonb_pretty(graphql.resolve($${
  greeting: __type(name: "writers") { fields { name args { name type { kind name ofType { name } } } } }
  args: __type(name: "writer_greeting_args") { inputFields { name type { kind name } } }
  search: __type(name: "search_articles_args") { inputFields { name type { kind ofType { name } } } }
  query: __type(name: "query_root") { fields { name } }
  mutation: __type(name: "mutation_root") { fields { name args { name } } }
}$$)::jsonb);

-- Computed fields with arguments, returning a scalar and rows (filtered, limited).
select jsonb_pretty(graphql.resolve($${
  writers(where: {id: {_in: [1, 2]}}, order_by: {id: asc}) {
    name
    greeting
    hi: greeting(args: {greeting: "hi"})
    rated_articles(args: {min_rating: 3}, order_by: {id: desc}, limit: 2) { id rating }
  }
}$$)::jsonb);

-- Tracked functions: rows with where/order_by/limit, the aggregate, one row.
select jsonb_pretty(graphql.resolve($${
  search_articles(args: {search: "postgres"}, where: {rating: {_gt: 1}}, order_by: {id: asc}, limit: 3) { id title }
  search_articles_aggregate(args: {search: "postgres"}) { aggregate { count max { rating } } }
  top_article { id rating }
}$$)::jsonb);
-- The session argument.
set local request.jwt.claims = '{"x-hasura-user-id": "2"}';
select graphql.resolve('{ mine(order_by: {id: asc}, limit: 2) { id author_id } }')::jsonb;
reset request.jwt.claims;

-- A VOLATILE function is a mutation: it writes, and returns the rows.
select graphql.resolve('mutation { rate_article(args: {article_id: 7, new_rating: 4}) { id rating } }')::jsonb;
select rating from articles where id = 7;
-- A query cannot reach it.
select graphql.resolve('{ rate_article(args: {article_id: 7, new_rating: 1}) { id } }')::jsonb -> 'errors' -> 0 ->> 'message' as not_a_query;
-- A required input is required: a GraphQL error, nothing run.
select graphql.resolve('{ search_articles { id } }')::jsonb -> 'errors' -> 0 ->> 'message' as missing_args;

-- An argument given as null is NULL (not its default); a function of one row
-- returning NULL is a null field; an enum argument is a GraphQL enum.
create function no_article() returns articles language sql stable as $$ select null::articles $$;
create type article_order as enum ('newest', 'oldest');
create function ordered_articles(direction article_order) returns setof articles language sql stable as $$
  select * from articles order by case when direction = 'newest' then -id else id end
$$;
select graphql.metadata($${"type": "bulk", "args": [
  {"type": "pg_track_function", "args": {"function": "no_article"}},
  {"type": "pg_track_function", "args": {"function": "ordered_articles"}}]}$$);
select graphql.resolve($${
  writers(where: {id: {_eq: 1}}) { greeting(args: {greeting: null}) }
  no_article { id }
  ordered_articles(args: {direction: newest}, limit: 2) { id }
}$$)::jsonb;
select graphql.resolve('{ ordered_articles(args: {direction: sideways}) { id } }')::jsonb -> 'errors' -> 0 ->> 'message' as not_a_label;

-- Bad bodies: named, with the reason, nothing changed.
create function article_count() returns bigint language sql stable as $$ select count(*) from articles $$;
create function volatile_stable_clash() returns setof articles language sql stable as $$ select * from articles $$;
select graphql.metadata('{"type": "pg_track_function", "args": {"function": "article_count"}}');
select graphql.metadata('{"type": "pg_track_function", "args": {"function": "no_such_function"}}');
select graphql.metadata('{"type": "pg_track_function", "args": {"function": "search_articles"}}');
select graphql.metadata('{"type": "pg_track_function", "args": {"function": "volatile_stable_clash", "configuration": {"exposed_as": "mutation"}}}');
select graphql.metadata('{"type": "pg_track_function", "args": {"function": "volatile_stable_clash", "configuration": {"custom_name": "writers"}}}');
select graphql.metadata('{"type": "pg_add_computed_field", "args": {"table": "writers", "name": "n", "definition": {"function": "search_articles"}}}');
select jsonb_array_length(s -> 'functions') as functions
  from jsonb_array_elements(graphql.metadata('{"type": "export_metadata", "args": {}}') -> 'sources') s;

-- The older form (the name alone), untracking, and a dropped function reported.
select graphql.metadata('{"type": "track_function", "args": {"schema": "public", "name": "volatile_stable_clash"}}');
select graphql.resolve('{ volatile_stable_clash(limit: 1) { id } }')::jsonb;
select graphql.metadata('{"type": "pg_untrack_function", "args": {"function": "volatile_stable_clash"}}');
select graphql.metadata('{"type": "pg_untrack_function", "args": {"function": "volatile_stable_clash"}}');
drop function top_article();
select graphql.metadata('{"type": "get_inconsistent_metadata", "args": {}}') -> 'inconsistent_objects' -> 0 ->> 'name' as inconsistent;
select graphql.resolve('{ search_articles(args: {search: "about"}, limit: 1) { id } }')::jsonb;
rollback;
