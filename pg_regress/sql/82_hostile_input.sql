-- Hostile documents and variables at the SQL level (src/fuzz_tests.rs fuzzes the same
-- entry points with generated inputs): the depth and size limits, bracket nesting
-- past the parser's limit, error floods, and invalid Unicode in variables and in
-- string literals.
begin;
create table nodes (id int primary key, parent_id int references nodes(id), label text);
insert into nodes values (1, null, 'root'), (2, 1, 'child');

-- graphql.max_query_depth (default 32): the error's path leads to the first field too deep.
set local graphql.max_query_depth = 4;
select graphql.resolve('{ nodes { parent { parent { id } } } }')::jsonb -> 'data' -> 'nodes' -> 0 as at_the_limit;
select jsonb_pretty(graphql.resolve('{ nodes { parent { alias: parent { parent { id } } } } }')::jsonb);
-- Fragments count once inlined.
select graphql.resolve('{ nodes { ...A } } fragment A on nodes { parent { ...B } } fragment B on nodes { parent { parent { id } } }')::jsonb -> 'errors' -> 0 -> 'path';
reset graphql.max_query_depth;

-- graphql.max_query_fields (default 10000): fields once fragments are inlined, so a
-- small document that doubles at every fragment is refused before any work.
select graphql.resolve('{ nodes { ...F0 } }' || string_agg(format(' fragment F%s on nodes { a: parent { ...F%s } b: parent { ...F%s } }', i, i + 1, i + 1), '') || ' fragment F30 on nodes { id }')::jsonb
  -> 'errors' -> 0 ->> 'message' from generate_series(0, 29) i;
set local graphql.max_query_fields = 3;
select graphql.resolve('{ a: __typename b: __typename c: __typename d: __typename }')::jsonb -> 'errors' -> 0 ->> 'message';
reset graphql.max_query_fields;
-- The same fragment spread twice in one selection set counts (and runs) once.
select graphql.resolve('{ nodes(where: {id: {_eq: 2}}) { ...L ...L } } fragment L on nodes { label }')::jsonb;

-- Brackets nested past what the parser takes: refused from the text, with a location.
select graphql.resolve(repeat('{ nodes { parent ', 300) || repeat('}', 600))::jsonb;
select graphql.resolve('{ nodes(where: ' || repeat('{_and: [', 300) || ') { id } }')::jsonb;
-- A document with thousands of errors reports the first hundred and a count.
select jsonb_array_length(r -> 'errors') as errors, r -> 'errors' -> -1 ->> 'message' as last
from to_jsonb(graphql.resolve('{ ' || repeat('nope ', 5000) || '}')) r;

-- Invalid Unicode never reaches resolve: jsonb refuses lone surrogates and NUL escapes.
savepoint bad;
select graphql.resolve('query ($v: String) { nodes(where: {label: {_eq: $v}}) { id } }', '{"v": "\ud800"}')::jsonb;
rollback to savepoint bad;
savepoint bad;
select graphql.resolve('query ($v: String) { nodes(where: {label: {_eq: $v}}) { id } }', '{"v": "\udfff\ud800"}')::jsonb;
rollback to savepoint bad;
savepoint bad;
select graphql.resolve('query ($v: String) { nodes(where: {label: {_eq: $v}}) { id } }', '{"v": "a\u0000b"}')::jsonb;
rollback to savepoint bad;
-- Invalid UTF-8 in the query text is refused by the server's encoding check.
savepoint bad;
select graphql.resolve(convert_from('\x7b206e6f646573207b206964207d207dff'::bytea, 'UTF8'))::jsonb;
rollback to savepoint bad;
-- A surrogate pair is one character, and survives.
select graphql.resolve('query ($v: String) { nodes(where: {label: {_eq: $v}}) { id } }', '{"v": "\ud83d\ude00"}')::jsonb;
-- In a GraphQL string literal, escapes of lone surrogates and NUL are the parser's to judge:
-- an error or a value, never a crash (a NUL reaching SQL is refused there).
select graphql.resolve('{ nodes(where: {label: {_eq: "\uD800"}}) { id } }')::jsonb ? 'errors' as refused_lone_surrogate;
select graphql.resolve('{ nodes(where: {label: {_eq: "a\u0000b"}}) { id } }')::jsonb ? 'errors' as refused_nul;
select graphql.resolve('{ nodes(where: {label: {_eq: "\uD83D\uDE00"}}) { id } }')::jsonb;
rollback;
