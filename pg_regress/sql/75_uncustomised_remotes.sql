-- Remote schemas added as a Hasura user adds them, bodies unchanged: two APIs whose
-- root types are both named `Query`, neither customised. Their root fields merge into
-- query_root, the type they define identically (IntFilter) is kept once, and a remote
-- -> remote join through them is ONE request per level, counted at the fixture. Also:
-- {{ENV}} in a url, customization.field_names, relationships without join fields, and
-- the arguments of a relationship field (those the template fixes are gone).
-- Statements that fail on purpose roll back to an automatic savepoint.
\set ON_ERROR_ROLLBACK on
begin;
create function pg_temp.stats() returns jsonb language sql as $$
  select regress.fixture(4101, 'GET', '_stats')
$$;
create function pg_temp.reset() returns void language sql as $$
  select regress.fixture(4101, 'POST', '_reset'); select null::void
$$;

-- The url with Hasura's {{ENV}} template (scripts/test.sh sets PGF_FIXTURE_ORIGIN for
-- the cluster). The users API at /graphql, the products API at /products/graphql.
select graphql.metadata($${"type": "add_remote_schema", "args": {"name": "users_api",
  "definition": {"url": "{{PGF_FIXTURE_ORIGIN}}/graphql", "timeout_seconds": 5}}}$$);
select graphql.metadata($${"type": "add_remote_schema", "args": {"name": "products_api",
  "definition": {"url": "{{PGF_FIXTURE_ORIGIN}}/products/graphql", "timeout_seconds": 5}}}$$);
-- The template stays in the document, as Hasura exports it.
select r -> 'definition' ->> 'url' as url
  from jsonb_array_elements(graphql.metadata('{"type": "export_metadata", "args": {}}') -> 'remote_schemas') r;
-- An unset variable is named.
select graphql.metadata($${"type": "add_remote_schema", "args": {"name": "nowhere",
  "definition": {"url": "{{PGF_NO_SUCH_VARIABLE}}/graphql"}}}$$);

-- No `Query` type from either remote; query_root holds both APIs' root fields;
-- IntFilter (the same definition in both) is one type.
select jsonb_pretty(graphql.resolve($${
  query: __type(name: "Query") { name }
  root: __schema { queryType { name } }
  intFilter: __type(name: "IntFilter") { inputFields { name } }
}$$)::jsonb);
select array_agg(f ->> 'name' order by f ->> 'name') as root_fields
  from jsonb_array_elements(graphql.resolve('{ __type(name: "query_root") { fields { name } } }')::jsonb #> '{data,__type,fields}') f;

-- Introspection lists members in Hasura's order, by name (here as the schema gives them).
select array_agg(f ->> 'name') as query_root_fields_as_listed,
       array_agg(f ->> 'name') = array_agg(f ->> 'name' order by f ->> 'name' collate "C") as sorted
  from jsonb_array_elements(graphql.resolve('{ __type(name: "query_root") { fields { name } } }')::jsonb #> '{data,__type,fields}') f;

-- Both answer in one document: one request to each.
select pg_temp.reset();
select jsonb_pretty(graphql.resolve($${ user(id: 3) { name } product(upc: "p2") { name price } }$$)::jsonb);
select s -> 'requests' as users_requests, s -> 'products_requests' as products_requests from pg_temp.stats() s;

-- A real clash is refused, naming the type and who defines it: the third API's root
-- type is called query_root (which does not matter) and its User differs.
select graphql.metadata($${"type": "add_remote_schema", "args": {"name": "clash_api",
  "definition": {"url": "{{PGF_FIXTURE_ORIGIN}}/clash/graphql"}}}$$);

-- Remote -> remote through the two uncustomised APIs: Review.author (products) ->
-- users_api.user(id: $authorId).
select graphql.metadata($${"type": "create_remote_schema_remote_relationship", "args": {
  "remote_schema": "products_api", "type_name": "Review", "name": "author",
  "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["authorId"],
    "remote_field": {"user": {"arguments": {"id": "$authorId"}}}}}}}$$);
select jsonb_pretty(graphql.resolve($${
  products(upcs: ["p1", "p2", "p3", "p4", "p5"]) { upc reviews { id author { name } } }
}$$)::jsonb #> '{data,products,0}');
-- 5 products, 10 reviews, 10 distinct authors: one request to each API.
select pg_temp.reset();
select jsonb_array_length(r #> '{data,products}') as products,
       (select count(*) from jsonb_array_elements(r #> '{data,products}') p, jsonb_array_elements(p -> 'reviews') v
         where v #>> '{author,name}' = 'user ' || split_part(v ->> 'id', ':', 2)) as reviews_with_their_author
  from to_jsonb(graphql.resolve($${ products(upcs: ["p1", "p2", "p3", "p4", "p5"]) { reviews { id author { name } } } }$$)) r;
select s -> 'requests' as users_requests, s -> 'products_requests' as products_requests from pg_temp.stats() s;

-- The products API's mutation type (named Mutation) merges into mutation_root, and a
-- relationship of its answer type joins as for queries: one request each.
select graphql.metadata($${"type": "create_remote_schema_remote_relationship", "args": {
  "remote_schema": "products_api", "type_name": "ReviewReceipt", "name": "author",
  "definition": {"to_remote_schema": {"remote_schema": "users_api", "lhs_fields": ["authorId"],
    "remote_field": {"user": {"arguments": {"id": "$authorId"}}}}}}}$$);
select graphql.resolve('{ __schema { mutationType { name } } __type(name: "Mutation") { name } }')::jsonb;
select pg_temp.reset();
select jsonb_pretty(graphql.resolve($$mutation Review($body: String!) {
  addReview(productUpc: "p3", body: $body, authorId: 4) { accepted body author { name } }
}$$, '{"body": "great"}')::jsonb);
select s -> 'requests' as users_requests, s -> 'products_requests' as products_requests,
       s #>> '{documents,0}' as sent from pg_temp.stats() s;

-- Table -> remote into the products API. The template fixes `upc`, so the field has
-- no `upc` argument; `reviews` fixes where.authorId._eq only, so its `where` is a
-- generated input type holding the free fields (Hasura's `<Type>_remote_rel_<table><name>`).
create table order_lines (id int primary key, upc text);
insert into order_lines select g, 'p' || (g % 4 + 1) from generate_series(1, 20) g;
create table accounts (user_id int primary key);
insert into accounts select generate_series(1, 3);
select graphql.metadata($${"type": "bulk", "args": [
  {"type": "pg_create_remote_relationship", "args": {"table": "order_lines", "name": "product",
    "definition": {"to_remote_schema": {"remote_schema": "products_api", "lhs_fields": ["upc"],
      "remote_field": {"product": {"arguments": {"upc": "$upc"}}}}}}},
  {"type": "pg_create_remote_relationship", "args": {"table": "accounts", "name": "reviews",
    "definition": {"to_remote_schema": {"remote_schema": "products_api", "lhs_fields": ["user_id"],
      "remote_field": {"reviews": {"arguments": {"where": {"authorId": {"_eq": "$user_id"}}}}}}}}}
]}$$);
select jsonb_pretty(graphql.resolve($${
  lines: __type(name: "order_lines") { fields(includeDeprecated: true) { name args { name } } }
  accounts: __type(name: "accounts") { fields { name args { name type { kind name ofType { name } } defaultValue } } }
  where: __type(name: "ReviewWhere_remote_rel_accountsreviews") { inputFields { name type { name } } }
  filter: __type(name: "IntFilter_remote_rel_accountsreviews") { inputFields { name } }
}$$)::jsonb);
-- The free fields still work: the client's values are merged into the template's.
select pg_temp.reset();
select jsonb_pretty(graphql.resolve($${
  accounts(order_by: {user_id: asc}) { user_id reviews(limit: 2, where: {authorId: {_in: [1, 2]}}) { id authorId } }
}$$)::jsonb);
select s -> 'products_requests' as products_requests from pg_temp.stats() s;

-- A relationship without join fields (Hasura accepts `lhs_fields: []` and the legacy
-- `hasura_fields: []`): every row gets the one answer, ONE request per level.
create table banners (id int primary key);
insert into banners select generate_series(1, 6);
select graphql.metadata($${"type": "bulk", "args": [
  {"type": "pg_create_remote_relationship", "args": {"table": "banners", "name": "featured",
    "definition": {"to_remote_schema": {"remote_schema": "products_api", "lhs_fields": [],
      "remote_field": {"product": {"arguments": {"upc": "p7"}}}}}}},
  {"type": "create_remote_relationship", "args": {"table": "banners", "name": "greeting",
    "hasura_fields": [], "remote_schema": "users_api",
    "remote_field": {"users": {"arguments": {"ids": [4, 5]}}}}}
]}$$);
select pg_temp.reset();
select jsonb_pretty(graphql.resolve($${ banners(limit: 2) { id featured { name } greeting { userId } } }$$)::jsonb);
select count(*) filter (where b #>> '{featured,name}' = 'product 7') as featured_rows
  from jsonb_array_elements(graphql.resolve('{ banners { featured { name } } }')::jsonb #> '{data,banners}') b;
select s -> 'requests' as users_requests, s -> 'products_requests' as products_requests from pg_temp.stats() s;

-- customization.field_names, both ways: the same users API again under a namespace,
-- its root fields and Post fields renamed (parent_type is the remote's type name; the
-- mapping wins over the prefix), User fields mapped. The namespace field's type is
-- Hasura's `ucQuery`.
select graphql.metadata($${"type": "add_remote_schema", "args": {"name": "users_custom",
  "definition": {"url": "{{PGF_FIXTURE_ORIGIN}}/graphql", "timeout_seconds": 5,
    "customization": {"root_fields_namespace": "uc", "type_names": {"prefix": "UC_"},
      "field_names": [{"parent_type": "Namespaced", "prefix": "n_", "mapping": {"greeting": "hello"}},
                      {"parent_type": "User", "mapping": {"name": "fullName", "email": "mail"}},
                      {"parent_type": "Query", "mapping": {"user": "person"}}]}}}}$$);
select pg_temp.reset();
select jsonb_pretty(graphql.resolve($${
  uc { __typename person(id: 5) { __typename fullName userId alias: mail friends(limit: 1) { fullName }
                                  posts { title } }
       namespaced { hello(name: "x") n_user(id: 1) { fullName } } }
}$$)::jsonb);
select s #>> '{documents,-1}' as sent from pg_temp.stats() s;
-- Without a namespace the merged root fields are renamed too.
select graphql.metadata($${"type": "add_remote_schema", "args": {"name": "users_b",
  "definition": {"url": "http://127.0.0.1:4102/graphql", "timeout_seconds": 5,
    "customization": {"type_names": {"prefix": "B_"},
      "field_names": [{"parent_type": "Query", "prefix": "b_"}]}}}}$$);
select jsonb_pretty(graphql.resolve($${ b_user(id: 2) { __typename name } b_users(ids: [1]) { userId } }$$)::jsonb);
-- Bad field_names are refused by name, and change nothing.
select graphql.metadata($${"type": "add_remote_schema", "args": {"name": "users_c",
  "definition": {"url": "http://127.0.0.1:4102/graphql",
    "customization": {"root_fields_namespace": "c", "field_names": [{"parent_type": "User", "mapping": {"__typename": "t"}}]}}}}$$);
select graphql.metadata($${"type": "add_remote_schema", "args": {"name": "users_c",
  "definition": {"url": "http://127.0.0.1:4102/graphql",
    "customization": {"root_fields_namespace": "c", "field_names": [{"parent_type": "User", "mapping": {"name": "not a name"}}]}}}}$$);
select graphql.metadata($${"type": "add_remote_schema", "args": {"name": "users_c",
  "definition": {"url": "http://127.0.0.1:4102/graphql",
    "customization": {"root_fields_namespace": "c", "field_names": [{"prefix": "x_"}]}}}}$$);
select graphql.metadata($${"type": "add_remote_schema", "args": {"name": "users_c",
  "definition": {"url": "http://127.0.0.1:4102/graphql",
    "customization": {"root_fields_namespace": "c", "type_names": {"prefix": "C_"},
                      "field_names": [{"parent_type": "Post", "prefix": "p_"}]}}}}$$);
select graphql.metadata($${"type": "add_remote_schema", "args": {"name": "users_c",
  "definition": {"url": "http://127.0.0.1:4102/graphql",
    "customization": {"root_fields_namespace": "c", "type_names": {"prefix": "C_"},
                      "field_names": [{"parent_type": "User", "mapping": {"name": "email"}}]}}}}$$);
select count(*) as remote_schemas
  from jsonb_array_elements(graphql.metadata('{"type": "export_metadata", "args": {}}') -> 'remote_schemas');

-- Removing a remote schema that relationships use is refused, naming them; dropping
-- them first, then removing it, works.
select graphql.metadata('{"type": "remove_remote_schema", "args": {"name": "products_api"}}');
select graphql.metadata('{"type": "remove_remote_schema", "args": {"name": "users_api"}}');
select graphql.metadata($${"type": "bulk", "args": [
  {"type": "pg_delete_remote_relationship", "args": {"table": "order_lines", "name": "product"}},
  {"type": "pg_delete_remote_relationship", "args": {"table": "accounts", "name": "reviews"}},
  {"type": "pg_delete_remote_relationship", "args": {"table": "banners", "name": "featured"}},
  {"type": "remove_remote_schema", "args": {"name": "products_api"}}
]}$$);
select graphql.resolve('{ product(upc: "p1") { name } }')::jsonb -> 'errors' -> 0 ->> 'message' as gone;
rollback;
