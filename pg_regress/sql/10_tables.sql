-- graphql.resolve over tables: root fields, where, order_by, limit/offset,
-- distinct_on, relationships, aggregates, type mapping, schemas outside public.
begin;
set local timezone to 'UTC';

create type mood as enum ('happy', 'sad', 'meh');
create table authors (
    id int primary key,
    name text not null,
    email varchar(100),
    mood mood,
    rating numeric(4,2),
    big bigint,
    active boolean not null default true,
    tags text[],
    profile jsonb,
    uid uuid,
    born date,
    seen_at timestamptz
);
create table books (
    id int primary key,
    author_id int references authors(id),
    title text not null,
    pages int,
    price float8
);
insert into authors values
  (1, 'Ann',   'ann@example.com', 'happy', 4.50, 9007199254740993, true,  '{a,b}', '{"lang": "en", "n": 1}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '1970-01-02', '2024-05-01 10:00:00+00'),
  (2, 'Bob',   null,              'sad',   3.25, -1,               false, '{b}',   '{"lang": "fr"}',         null, null, null),
  (3, 'Cid',   'cid@example.com', null,    null, 0,                true,  null,    null,                     null, '1999-12-31', null),
  (4, 'ann b', 'annb@example.com','meh',   5.00, 7,                true,  '{}',    '{"lang": "en"}',         null, null, null);
insert into books values
  (10, 1, 'Alpha', 100, 9.5), (11, 1, 'Beta', 250, 20), (12, 2, 'Gamma', null, 5),
  (13, null, 'Orphan', 10, 1), (14, 3, 'Delta', 300, 12.25);

-- Every column type, mapped (numeric and bigint keep their exact digits).
select jsonb_pretty(graphql.resolve($$ { authors_by_pk(id: 1) {
  id name email mood rating big active tags profile uid born seen_at } } $$)::jsonb);

-- Root list with order_by and limit/offset.
select graphql.resolve($$ { authors(order_by: {name: desc}, limit: 2, offset: 1) { id name } } $$)::jsonb;

-- _by_pk miss is null, not an error.
select graphql.resolve($$ { authors_by_pk(id: 999) { id } } $$)::jsonb;

-- Comparison operators.
select graphql.resolve($$ { authors(where: {id: {_gt: 1, _lte: 3}}, order_by: {id: asc}) { id } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {id: {_in: [1, 3]}}, order_by: {id: asc}) { id } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {id: {_nin: [1, 3]}}, order_by: {id: asc}) { id } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {id: {_neq: 1}, email: {_is_null: true}}) { id } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {name: {_like: "A%"}}) { id } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {name: {_ilike: "ann%"}}, order_by: {id: asc}) { id } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {name: {_nlike: "A%"}}, order_by: {id: asc}) { id } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {name: {_nilike: "ann%"}}, order_by: {id: asc}) { id } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {name: {_similar: "(Ann|Bob)"}}, order_by: {id: asc}) { id } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {name: {_regex: "^[AB]"}}, order_by: {id: asc}) { id } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {name: {_iregex: "^a"}}, order_by: {id: asc}) { id } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {mood: {_eq: happy}}) { id mood } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {active: {_eq: false}}) { id } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {rating: {_gte: "4.5"}}, order_by: {id: asc}) { id rating } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {big: {_gt: 9007199254740992}}) { id big } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {born: {_lt: "1980-01-01"}}) { id born } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {profile: {_contains: {lang: "en"}}}, order_by: {id: asc}) { id } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {profile: {_has_key: "n"}}) { id } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {tags: {_contains: ["b"]}}, order_by: {id: asc}) { id tags } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {uid: {_eq: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}}) { id } } $$)::jsonb;
-- A bad custom-scalar value is a data-exception error with the field's path.
select graphql.resolve($$ { authors(where: {uid: {_eq: "not-a-uuid"}}) { id } } $$)::jsonb;

-- _and / _or / _not, and a null filter is ignored (Hasura's behaviour).
select graphql.resolve($$ { authors(where: {_or: [{id: {_eq: 1}}, {name: {_eq: "Cid"}}]}, order_by: {id: asc}) { id } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {_and: [{active: {_eq: true}}, {_not: {id: {_eq: 1}}}]}, order_by: {id: asc}) { id } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {id: null}, order_by: {id: asc}) { id } } $$)::jsonb;

-- Filters through object and array relationships.
select graphql.resolve($$ { books(where: {author: {name: {_eq: "Ann"}}}, order_by: {id: asc}) { id } } $$)::jsonb;
select graphql.resolve($$ { authors(where: {books: {pages: {_gt: 200}}}, order_by: {id: asc}) { id } } $$)::jsonb;

-- order_by: nulls placement, several keys, through an object relationship.
select graphql.resolve($$ { books(order_by: {pages: asc_nulls_first}) { id pages } } $$)::jsonb;
select graphql.resolve($$ { books(order_by: {pages: desc_nulls_last}) { id pages } } $$)::jsonb;
select graphql.resolve($$ { books(order_by: [{author_id: asc}, {pages: desc}]) { id author_id pages } } $$)::jsonb;
select graphql.resolve($$ { books(order_by: {author: {name: desc}, id: asc}) { id author { name } } } $$)::jsonb;

-- distinct_on keeps the first row of each group in the order given.
select graphql.resolve($$ { books(distinct_on: author_id, order_by: [{author_id: asc}, {pages: desc}]) { author_id title } } $$)::jsonb;

-- Nested object and array relationships, with arguments on the array.
select jsonb_pretty(graphql.resolve($$ { authors(where: {id: {_in: [1, 2]}}, order_by: {id: asc}) {
  name
  books(order_by: {id: desc}, limit: 1) { title author { name } }
  books_aggregate { aggregate { count } }
} } $$)::jsonb);

-- Aggregates: count (with columns and distinct), sum, avg, max, min, nodes.
select jsonb_pretty(graphql.resolve($$ { books_aggregate(where: {pages: {_is_null: false}}) {
  aggregate {
    count
    authors: count(columns: author_id, distinct: true)
    sum { pages price }
    avg { pages }
    max { title pages }
    min { title }
  }
  nodes { id }
} } $$)::jsonb);

-- An empty table aggregates to count 0 and empty nodes.
select graphql.resolve($$ { books_aggregate(where: {id: {_eq: -1}}) { aggregate { count sum { pages } } nodes { id } } } $$)::jsonb;

-- Views and tables in another exposed schema (named <schema>_<table>).
create view prolific as select a.id, a.name, count(b.id) as n from authors a join books b on b.author_id = a.id group by a.id, a.name;
create schema shop;
create table shop.items (sku text primary key, qty int);
insert into shop.items values ('x-1', 3);
select graphql.resolve($$ { prolific(order_by: {n: desc, id: asc}) { name n } } $$)::jsonb;
select graphql.resolve($$ { shop_items { sku } } $$)::jsonb;
set local graphql.exposed_schemas = 'public, shop';
select graphql.resolve($$ { shop_items { sku qty } shop_items_by_pk(sku: "x-1") { qty } } $$)::jsonb;

-- Unknown fields and bad arguments are GraphQL errors; the transaction goes on.
select graphql.resolve($$ { authors { nope } } $$)::jsonb;
-- (Only the unknown field is reported; a selection truly missing still is.)
select graphql.resolve($$ { authors } $$)::jsonb;
select graphql.resolve($$ { authors(limit: "ten") { id } } $$)::jsonb;
select graphql.resolve($$ { authors(limit: -1) { id } } $$)::jsonb;
select count(*) from authors;

rollback;
