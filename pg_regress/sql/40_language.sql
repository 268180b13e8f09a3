-- The GraphQL language over tables: variables (typed, defaults, required, coercion),
-- named and inline fragments, aliases, @skip / @include, __typename, operation
-- selection and syntax errors. Request errors (parse, validation, variable coercion)
-- come back as {"errors": [...]} with no "data", never as an SQL ERROR.
begin;

create table authors (
    id int primary key,
    name text not null
);
create table books (
    id int primary key,
    author_id int references authors (id),
    title text not null,
    year int,
    price numeric,
    isbn uuid
);
insert into authors values (1, 'Ursula K. Le Guin'), (2, 'Stanislaw Lem'), (3, 'Nobody');
insert into books values
    (1, 1, 'A Wizard of Earthsea', 1968, 7.50, '11111111-1111-1111-1111-111111111111'),
    (2, 1, 'The Left Hand of Darkness', 1969, 9.25, null),
    (3, 2, 'Solaris', 1961, 8.00, null),
    (4, 2, 'The Cyberiad', 1965, null, null),
    (5, null, 'Anonymous', null, 1.00, null);

-- ---------------------------------------------------------------------------------
-- Variables

-- Typed variables in where, limit and by_pk arguments.
select graphql.resolve($$
  query ($id: Int!, $minYear: Int, $n: Int) {
    books_by_pk(id: $id) { title }
    books(where: {year: {_gte: $minYear}}, order_by: {year: asc}, limit: $n) { id year }
  }$$, '{"id": 3, "minYear": 1965, "n": 2}')::jsonb;

-- A whole input object, a list and an enum value as variables.
select graphql.resolve($$
  query ($w: books_bool_exp!, $o: [books_order_by!], $ids: [Int!]!) {
    books(where: {_and: [$w, {id: {_in: $ids}}]}, order_by: $o) { id }
  }$$, '{"w": {"author": {"name": {"_ilike": "%le%"}}}, "o": [{"id": "desc"}], "ids": [1, 2, 3, 5]}')::jsonb;
-- A single value where a list is expected is a list of one (input coercion).
select graphql.resolve($$
  query ($ids: [Int!], $o: [books_order_by!]) { books(where: {id: {_in: $ids}}, order_by: $o) { id } }
$$, '{"ids": 4, "o": {"id": "asc"}}')::jsonb;

-- Defaults: used when the variable is absent; an explicit null is null (no limit).
select graphql.resolve($$
  query ($n: Int = 2) { books(order_by: {id: asc}, limit: $n) { id } }$$)::jsonb;
select graphql.resolve($$
  query ($n: Int = 2) { books(order_by: {id: asc}, limit: $n) { id } }$$, '{"n": 1}')::jsonb;
select graphql.resolve($$
  query ($n: Int = 2) { books(order_by: {id: asc}, limit: $n) { id } }$$, '{"n": null}')::jsonb;
-- Object and enum defaults, and a default for a non-null variable (which may then be
-- left out).
select graphql.resolve($$
  query ($w: books_bool_exp = {title: {_like: "The %"}}, $o: [books_order_by!] = [{year: desc}], $id: Int! = 5) {
    books(where: $w, order_by: $o) { id year }
    books_by_pk(id: $id) { title }
  }$$)::jsonb;
-- A nullable variable with a default may stand in a non-null position.
select graphql.resolve($$
  query ($id: Int = 3) { books_by_pk(id: $id) { title } }$$)::jsonb;
-- Variables in arguments of nested fields and in distinct_on.
select graphql.resolve($$
  query ($n: Int!, $d: [books_select_column!]) {
    authors(order_by: {id: asc}) { id books(limit: $n, order_by: {id: desc}) { id } }
    books_aggregate(distinct_on: $d) { aggregate { count } }
  }$$, '{"n": 1, "d": ["author_id"]}')::jsonb;
-- Variables not declared by the operation are ignored; SQL NULL variables mean none.
select graphql.resolve($$ query { books_by_pk(id: 1) { id } } $$, '{"unused": 1}')::jsonb;
select graphql.resolve($$ query ($n: Int = 1) { books(limit: $n, order_by: {id: asc}) { id } } $$, null)::jsonb;

-- Missing required variable.
select jsonb_pretty(graphql.resolve($$
  query ($id: Int!) { books_by_pk(id: $id) { title } }$$, '{}')::jsonb);
-- Required variable given null.
select jsonb_pretty(graphql.resolve($$
  query ($id: Int!) { books_by_pk(id: $id) { title } }$$, '{"id": null}')::jsonb);
-- Wrong types: coercion errors, reported before anything runs.
select jsonb_pretty(graphql.resolve($$
  query ($id: Int!) { books_by_pk(id: $id) { title } }$$, '{"id": "3"}')::jsonb);
select jsonb_pretty(graphql.resolve($$
  query ($id: Int!) { books_by_pk(id: $id) { title } }$$, '{"id": 3.5}')::jsonb);
select jsonb_pretty(graphql.resolve($$
  query ($id: Int!) { books_by_pk(id: $id) { title } }$$, '{"id": 3000000000}')::jsonb);
select jsonb_pretty(graphql.resolve($$
  query ($ids: [Int!]) { books(where: {id: {_in: $ids}}) { id } }$$, '{"ids": [1, null]}')::jsonb);
select jsonb_pretty(graphql.resolve($$
  query ($o: [books_order_by!]) { books(order_by: $o) { id } }$$, '{"o": [{"id": "upwards"}]}')::jsonb);
select jsonb_pretty(graphql.resolve($$
  query ($w: books_bool_exp) { books(where: $w) { id } }$$, '{"w": {"no_such_column": {"_eq": 1}}}')::jsonb);
select jsonb_pretty(graphql.resolve($$
  query ($t: String) { books(where: {title: {_eq: $t}}) { id } }$$, '{"t": ["a list"]}')::jsonb);
-- A custom scalar (uuid) takes any string; a bad one fails in SQL as a data-exception
-- with the path of the root field.
select graphql.resolve($$
  query ($u: uuid) { books(where: {isbn: {_eq: $u}}) { id } }$$, '{"u": "11111111-1111-1111-1111-111111111111"}')::jsonb;
select jsonb_pretty(graphql.resolve($$
  query ($u: uuid) { found: books(where: {isbn: {_eq: $u}}) { id } }$$, '{"u": "not-a-uuid"}')::jsonb);
-- Int is accepted where a Float-like numeric is expected.
select graphql.resolve($$
  query ($p: numeric) { books(where: {price: {_gte: $p}}, order_by: {id: asc}) { id price } }$$, '{"p": 8}')::jsonb;
-- Variable misuse is a validation error: undefined, unused, nullable in a non-null
-- position, declared with an output type.
select jsonb_pretty(graphql.resolve($$ query { books_by_pk(id: $id) { title } } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ query ($id: Int!) { books { id } } $$, '{"id": 1}')::jsonb);
select jsonb_pretty(graphql.resolve($$ query ($id: Int) { books_by_pk(id: $id) { title } } $$, '{"id": 1}')::jsonb);
select jsonb_pretty(graphql.resolve($$ query ($b: books) { books { id } } $$)::jsonb);
-- The variables argument must be a JSON object.
select jsonb_pretty(graphql.resolve($$ query ($id: Int!) { books_by_pk(id: $id) { title } } $$, '[1]')::jsonb);

-- ---------------------------------------------------------------------------------
-- Fragments

-- Named fragments at the root type, on a table type, nested through relationships,
-- and a fragment spreading another fragment.
select jsonb_pretty(graphql.resolve($$
  query {
    ...Roots
  }
  fragment Roots on query_root {
    authors(order_by: {id: asc}, limit: 2) { ...AuthorFields }
  }
  fragment AuthorFields on authors {
    name
    books(order_by: {id: asc}) { ...BookFields }
  }
  fragment BookFields on books { id ...Year }
  fragment Year on books { year }
$$)::jsonb);
-- Fragments see the operation's variables.
select graphql.resolve($$
  query ($withTitle: Boolean!, $n: Int) { books(limit: $n, order_by: {id: asc}) { ...B } }
  fragment B on books { id title @include(if: $withTitle) }
$$, '{"withTitle": true, "n": 2}')::jsonb;
-- Inline fragments, with and without a type condition; fields merge with the same
-- field selected outside the fragment, sub-selections included.
select jsonb_pretty(graphql.resolve($$
  {
    books_by_pk(id: 3) {
      id
      author { id }
      ... on books { title author { ... { name } } }
      ... { id year }
    }
  }
$$)::jsonb);
-- Fragment errors: unknown, unused, on a type that cannot apply, and a cycle.
select jsonb_pretty(graphql.resolve($$ { books { ...Missing } } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ { books { id } } fragment Unused on books { id } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ { books { ...F } } fragment F on authors { id } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ { books { ...A } } fragment A on books { id ...B } fragment B on books { ...A } $$)::jsonb);

-- ---------------------------------------------------------------------------------
-- Aliases

-- The same field twice with different arguments, at the root and nested.
select jsonb_pretty(graphql.resolve($$
  {
    oldest: books(order_by: {year: asc}, limit: 1) { id year }
    newest: books(order_by: {year: desc_nulls_last}, limit: 1) { id year }
    le_guin: authors_by_pk(id: 1) {
      who: name
      early: books(where: {year: {_lt: 1969}}) { title }
      late: books(where: {year: {_gte: 1969}}) { title }
      n: books_aggregate { a: aggregate { c: count } }
    }
    lem: authors_by_pk(id: 2) { name }
  }
$$)::jsonb);
-- An alias that names a different field, or the same field with different arguments,
-- twice under one key is a validation error.
select jsonb_pretty(graphql.resolve($$ { books { x: year x: author_id } } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ { b: books(limit: 1) { id } b: books(limit: 2) { id } } $$)::jsonb);
-- The same field under one key with the same arguments merges.
select graphql.resolve($$ { b: books_by_pk(id: 1) { id } b: books_by_pk(id: 1) { title } } $$)::jsonb;

-- ---------------------------------------------------------------------------------
-- @skip / @include

-- Literals on fields, fragment spreads and inline fragments.
select jsonb_pretty(graphql.resolve($$
  {
    books_by_pk(id: 1) {
      id
      title @skip(if: true)
      year @include(if: false)
      price @skip(if: false)
      ...F @skip(if: true)
      ... @include(if: true) { isbn }
      ... on books @include(if: false) { author { name } }
    }
    authors @skip(if: true) { id }
  }
  fragment F on books { title }
$$)::jsonb);
-- Skipping every root field leaves an empty data object.
select graphql.resolve($$ { books @skip(if: true) { id } authors @include(if: false) { id } } $$)::jsonb;
-- Variables, with a default; a field with both directives is included only when
-- skip is false and include is true.
select n.skip_it, n.include_it,
       to_jsonb(graphql.resolve($$
         query ($skipIt: Boolean!, $includeIt: Boolean = true) {
           books_by_pk(id: 2) {
             id
             title @skip(if: $skipIt)
             year @include(if: $includeIt)
             both: price @skip(if: $skipIt) @include(if: $includeIt)
           }
           authors(limit: 1, order_by: {id: asc}) @include(if: $includeIt) { name }
         }$$, jsonb_strip_nulls(jsonb_build_object('skipIt', n.skip_it, 'includeIt', n.include_it)))) as result
from (values (false, true), (false, false), (true, true), (true, false), (false, null)) as n(skip_it, include_it)
order by 1, 2;
-- A directive without its argument, or with a non-Boolean, is a validation error.
select jsonb_pretty(graphql.resolve($$ { books { id @skip } } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ { books { id @include(if: "yes") } } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ query ($b: Boolean) { books { id @include(if: $b) } } $$)::jsonb);

-- ---------------------------------------------------------------------------------
-- __typename

select jsonb_pretty(graphql.resolve($$
  {
    __typename
    t: __typename
    books_by_pk(id: 1) {
      __typename
      author { __typename name }
    }
    authors_by_pk(id: 2) {
      books(limit: 1, order_by: {id: asc}) { __typename }
      books_aggregate { __typename aggregate { __typename count max { __typename year } } nodes { __typename id } }
    }
  }
$$)::jsonb);
-- In a query of nothing but __typename, and through a fragment on query_root.
select graphql.resolve($$ { __typename } $$)::jsonb;
select graphql.resolve($$ query Q { ...R } fragment R on query_root { __typename } $$)::jsonb;

-- ---------------------------------------------------------------------------------
-- Operation selection

-- Two named operations: operation_name picks one.
select graphql.resolve($$
  query First { books_by_pk(id: 1) { title } }
  query Second { books_by_pk(id: 2) { title } }
$$, '{}', 'Second')::jsonb;
select graphql.resolve($$
  query First { books_by_pk(id: 1) { title } }
  query Second { books_by_pk(id: 2) { title } }
$$, '{}', 'First')::jsonb;
-- Without operation_name it is ambiguous.
select jsonb_pretty(graphql.resolve($$
  query First { books_by_pk(id: 1) { title } }
  query Second { books_by_pk(id: 2) { title } }
$$)::jsonb);
-- An unknown name.
select jsonb_pretty(graphql.resolve($$
  query First { books_by_pk(id: 1) { title } }
  query Second { books_by_pk(id: 2) { title } }
$$, '{}', 'Third')::jsonb);
-- One operation: chosen with or without its name, but not by another name.
select graphql.resolve($$ query Only { books_by_pk(id: 4) { title } } $$)::jsonb;
select graphql.resolve($$ query Only { books_by_pk(id: 4) { title } } $$, '{}', 'Only')::jsonb;
select graphql.resolve($$ query Only { books_by_pk(id: 4) { title } } $$, '{}', 'Other')::jsonb;
select graphql.resolve($$ { books_by_pk(id: 4) { title } } $$, '{}', 'Other')::jsonb;
-- Variables belong to the chosen operation.
select graphql.resolve($$
  query ById($id: Int!) { books_by_pk(id: $id) { title } }
  query ByTitle($t: String!) { books(where: {title: {_eq: $t}}) { id } }
$$, '{"t": "Solaris"}', 'ByTitle')::jsonb;
-- Two operations with one name, or an anonymous operation next to another, are invalid.
select jsonb_pretty(graphql.resolve($$
  query Same { books_by_pk(id: 1) { title } }
  query Same { books_by_pk(id: 2) { title } }
$$, '{}', 'Same')::jsonb);
select jsonb_pretty(graphql.resolve($$
  { books_by_pk(id: 1) { title } }
  query Named { books_by_pk(id: 2) { title } }
$$, '{}', 'Named')::jsonb);

-- ---------------------------------------------------------------------------------
-- Syntax errors: parse-failed, with a location.
select jsonb_pretty(graphql.resolve($$ { books { id } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ { books(limit: ) { id } } $$)::jsonb);
select jsonb_pretty(graphql.resolve($$ query ($id Int) { books { id } } $$)::jsonb);
select jsonb_pretty(graphql.resolve('')::jsonb);
-- Commas and comments are ignored tokens.
select graphql.resolve($$ { books_by_pk(id: 1) { id,,, title # the title
  , year } } $$)::jsonb;
-- Introspection and data fields in one operation.
select graphql.resolve($$ { __type(name: "books") { name kind } books_by_pk(id: 1) { id } } $$)::jsonb;
-- An unknown field is a validation error, not a parse error.
select jsonb_pretty(graphql.resolve($$ { bookz { id } } $$)::jsonb);

-- An alias with the prefix of the fields pg_federation adds to remote documents is
-- refused by name rather than silently stripped from the answer.
select graphql.resolve($$ { pgf__books__id: books { id } } $$)::jsonb;

rollback;
