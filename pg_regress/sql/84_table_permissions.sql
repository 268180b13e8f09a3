-- Hasura's table permissions on top of Postgres privileges, bodies unchanged: a role
-- (current_user) with a select permission sees its columns and rows only, through
-- every door (root fields, relationships, aggregates, filters, ordering); a table with
-- permissions is invisible to a role without one; admin (a role that may change
-- metadata) is not bound by them; session variables come from request.jwt.claims.
\set ON_ERROR_ROLLBACK on
begin;
create role pgf_perm_user nologin;
create role pgf_perm_anon nologin;
create role pgf_perm_other nologin;

create table authors (id int primary key, name text not null, email text, salary int);
create table articles (
    id int primary key,
    author_id int not null references authors (id),
    title text not null,
    published boolean not null,
    body text
);
-- Tracked, without permissions: privileges alone decide, for every role.
create table notices (id int primary key, note text);
insert into authors values (1, 'Ada', 'ada@example.com', 100), (2, 'Bob', 'bob@example.com', 200),
                           (3, 'Cy', 'cy@example.com', 300);
insert into articles values
    (10, 1, 'Ada published', true, 'text a1'),
    (11, 1, 'Ada draft', false, 'text a2'),
    (12, 2, 'Bob published', true, 'text b1'),
    (13, 2, 'Bob draft', false, 'text b2'),
    (14, 3, 'Cy draft', false, 'text c1'),
    (15, 2, 'Bob published again', true, 'text b3');
insert into notices values (1, 'hello');
grant select on authors, articles, notices to pgf_perm_user, pgf_perm_anon, pgf_perm_other;

select graphql.metadata($${"type": "bulk", "args": [
  {"type": "pg_track_table", "args": {"source": "default", "table": {"schema": "public", "name": "authors"}}},
  {"type": "pg_track_table", "args": {"source": "default", "table": {"schema": "public", "name": "articles"}}},
  {"type": "pg_track_table", "args": {"source": "default", "table": {"schema": "public", "name": "notices"}}},
  {"type": "pg_create_object_relationship", "args": {"source": "default", "table": {"schema": "public", "name": "articles"},
    "name": "author", "using": {"foreign_key_constraint_on": "author_id"}}},
  {"type": "pg_create_array_relationship", "args": {"source": "default", "table": {"schema": "public", "name": "authors"},
    "name": "articles", "using": {"foreign_key_constraint_on": {"table": {"schema": "public", "name": "articles"}, "column": "author_id"}}}}
]}$$);

-- Hasura's documented bodies: a user sees published articles and their own drafts
-- (X-Hasura-User-Id), at most 3 at a time, without `body`; authors who have published
-- something, without email or salary; no authors_aggregate root.
select graphql.metadata($${"type": "bulk", "args": [
  {"type": "pg_create_select_permission", "args": {"source": "default", "table": {"schema": "public", "name": "articles"},
    "role": "pgf_perm_user", "permission": {
      "columns": ["id", "author_id", "title", "published"],
      "filter": {"_or": [{"published": {"_eq": true}}, {"author_id": {"_eq": "X-Hasura-User-Id"}}]},
      "limit": 3, "allow_aggregations": true}}},
  {"type": "pg_create_select_permission", "args": {"source": "default", "table": {"schema": "public", "name": "authors"},
    "role": "pgf_perm_user", "permission": {
      "columns": ["id", "name"],
      "filter": {"articles": {"published": {"_eq": true}}},
      "query_root_fields": ["select", "select_by_pk"]},
    "comment": "authors with something published"}},
  {"type": "pg_create_select_permission", "args": {"table": "articles", "role": "pgf_perm_anon",
    "permission": {"columns": ["id", "title"], "filter": {"published": {"_eq": true}}, "limit": 2}}}
]}$$);

-- Stored as Hasura exports them.
select jsonb_pretty(t -> 'select_permissions') as articles_select_permissions
  from jsonb_array_elements(graphql.metadata('{"type": "export_metadata", "args": {}}') #> '{sources,0,tables}') t
 where t #>> '{table,name}' = 'articles';

-- Admin (the superuser) is not bound by them.
select jsonb_pretty(graphql.resolve($${ articles(order_by: {id: asc}) { id body author { email } } }$$)::jsonb) as admin_sees_all;

-- The user, Ada (id 1): published articles and her own draft, capped at 3 by the
-- permission even when asking for more; the author relationship shows only authors
-- the user may see (Cy has published nothing: null).
set local role pgf_perm_user;
set local request.jwt.claims = '{"x-hasura-user-id": "1"}';
select jsonb_pretty(graphql.resolve($${
  articles(order_by: {id: asc}, limit: 100) { id title published author { id name } }
}$$)::jsonb) as user_articles;
select jsonb_pretty(graphql.resolve($${
  articles(order_by: {id: desc}, offset: 1) { id }
  articles_aggregate { aggregate { count } }
  authors(order_by: {id: asc}) { id name articles(order_by: {id: asc}) { id } articles_aggregate { aggregate { count } } }
  authors_by_pk(id: 3) { id }
}$$)::jsonb) as user_counts;
-- Hasura's namespaced claims work the same way; Bob sees his own draft instead.
set local request.jwt.claims = '{"https://hasura.io/jwt/claims": {"x-hasura-user-id": "2"}}';
select graphql.resolve($${ articles(order_by: {id: asc}) { id } }$$)::jsonb as bob_articles;
-- A relationship filter counts only the related rows the role may see: Cy's draft
-- does not make Cy an author "with a draft".
select graphql.resolve($${ authors(where: {articles: {published: {_eq: false}}}) { name } }$$)::jsonb as authors_with_visible_drafts;
-- Ordering by a related row the role may not see orders as a missing one.
select graphql.resolve($${ articles(order_by: [{author: {name: desc}}, {id: asc}]) { id } }$$)::jsonb as ordered_by_author;

-- A column outside `columns` is not in the role's schema: not selectable, not
-- filterable, not orderable, not a distinct_on column, not aggregatable.
select graphql.resolve($${ articles { body } }$$)::jsonb as hidden_column;
select graphql.resolve($${ articles(where: {body: {_like: "%b1%"}}) { id } }$$)::jsonb as filter_on_hidden;
select graphql.resolve($${ articles(order_by: {body: asc}) { id } }$$)::jsonb as order_on_hidden;
select graphql.resolve($${ articles(distinct_on: body) { id } }$$)::jsonb as distinct_on_hidden;
select graphql.resolve($${ authors { email } }$$)::jsonb as hidden_author_column;
-- query_root_fields: no authors_aggregate root.
select graphql.resolve($${ authors_aggregate { aggregate { count } } }$$)::jsonb as no_aggregate_root;
-- Introspection shows the role exactly what it may query.
select graphql.resolve($${ __type(name: "articles") { fields { name } } }$$)::jsonb as user_articles_type;
select jsonb_path_query_array(graphql.resolve($${ __schema { queryType { fields { name } } } }$$)::jsonb,
  '$.data.__schema.queryType.fields[*].name') as user_root_fields;

-- A list session variable for _in (a JSON array or a Postgres array literal).
reset role;
select graphql.metadata($${"type": "pg_create_select_permission", "args": {"table": "notices", "role": "pgf_perm_other",
  "permission": {"columns": ["id", "note"], "filter": {"id": {"_in": "X-Hasura-Allowed-Notices"}}}}}$$);
insert into notices values (2, 'second'), (3, 'third');
set local role pgf_perm_other;
set local request.jwt.claims = '{"x-hasura-allowed-notices": "{1,3}"}';
select graphql.resolve($${ notices(order_by: {id: asc}) { id } }$$)::jsonb as notices_from_array_literal;
set local request.jwt.claims = '{"x-hasura-allowed-notices": "[2]"}';
select graphql.resolve($${ notices(order_by: {id: asc}) { id } }$$)::jsonb as notices_from_json_array;
reset role;
select graphql.metadata($${"type": "pg_drop_select_permission", "args": {"table": "notices", "role": "pgf_perm_other"}}$$);
set local role pgf_perm_user;
set local request.jwt.claims = '{"x-hasura-user-id": "1"}';
-- The permission's limit holds in aggregates too (3 of the 4 articles Ada may see).
select graphql.resolve($${ articles_aggregate { aggregate { count } nodes { id } } }$$)::jsonb as limited_aggregate;

-- A missing session variable is an error naming it, at the field that needs it; the
-- other root fields of the document are served.
set local request.jwt.claims = '{}';
select jsonb_pretty(graphql.resolve($${ articles_by_pk(id: 10) { id } notices { note } }$$)::jsonb) as missing_session_variable;
reset role;

-- The anonymous role: published articles, 2 at most, no aggregates (allow_aggregations
-- unset), no authors at all (no select permission on a table that has permissions:
-- invisible), so no author relationship.
set local role pgf_perm_anon;
select graphql.resolve($${ articles(order_by: {id: asc}) { id title } }$$)::jsonb as anon_articles;
select graphql.resolve($${ articles { author { name } } }$$)::jsonb as anon_no_author;
select graphql.resolve($${ authors { name } }$$)::jsonb as anon_no_authors;
select jsonb_path_query_array(graphql.resolve($${ __schema { queryType { fields { name } } } }$$)::jsonb,
  '$.data.__schema.queryType.fields[*].name') as anon_root_fields;
reset role;
-- A role without any permission: only the table that has none.
set local role pgf_perm_other;
select jsonb_path_query_array(graphql.resolve($${ __schema { queryType { fields { name } } } }$$)::jsonb,
  '$.data.__schema.queryType.fields[*].name') as other_root_fields;
reset role;

-- _exists, Hasura's unrelated-table check: the anonymous role sees articles only while
-- some author is called "Ada"; then drop, comment.
select graphql.metadata($${"type": "bulk", "args": [
  {"type": "pg_drop_select_permission", "args": {"table": "articles", "role": "pgf_perm_anon"}},
  {"type": "pg_create_select_permission", "args": {"table": "articles", "role": "pgf_perm_anon",
    "permission": {"columns": "*", "filter": {"_and": [{"published": {"_eq": true}},
      {"_exists": {"_table": {"schema": "public", "name": "authors"}, "_where": {"name": {"_eq": "Ada"}}}}]}}}},
  {"type": "pg_set_permission_comment", "args": {"table": "articles", "role": "pgf_perm_anon", "type": "select",
    "comment": "while Ada writes"}}
]}$$);
set local role pgf_perm_anon;
select graphql.resolve($${ articles(order_by: {id: asc}) { id body } }$$)::jsonb as anon_with_ada;
reset role;
update authors set name = 'Ada L.' where id = 1;
set local role pgf_perm_anon;
select graphql.resolve($${ articles(order_by: {id: asc}) { id } }$$)::jsonb as anon_without_ada;
reset role;
select t #> '{select_permissions}' -> 1 as anon_entry
  from jsonb_array_elements(graphql.metadata('{"type": "export_metadata", "args": {}}') #> '{sources,0,tables}') t
 where t #>> '{table,name}' = 'articles';

-- Insert, update and delete permissions: stored and checked now (mutations apply them).
select graphql.metadata($${"type": "bulk", "args": [
  {"type": "pg_create_insert_permission", "args": {"table": "articles", "role": "pgf_perm_user",
    "permission": {"check": {"author_id": {"_eq": "X-Hasura-User-Id"}}, "columns": ["title", "body"],
                   "set": {"author_id": "X-Hasura-User-Id", "published": false}, "backend_only": false}}},
  {"type": "pg_create_update_permission", "args": {"table": "articles", "role": "pgf_perm_user",
    "permission": {"columns": ["title", "body", "published"], "filter": {"author_id": {"_eq": "X-Hasura-User-Id"}},
                   "check": {"author_id": {"_eq": "X-Hasura-User-Id"}}}}},
  {"type": "pg_create_delete_permission", "args": {"table": "articles", "role": "pgf_perm_user",
    "permission": {"filter": {"_and": [{"author_id": {"_eq": "X-Hasura-User-Id"}}, {"published": {"_eq": false}}]}}}}
]}$$);
select jsonb_object_keys(t) as articles_entry_keys
  from jsonb_array_elements(graphql.metadata('{"type": "export_metadata", "args": {}}') #> '{sources,0,tables}') t
 where t #>> '{table,name}' = 'articles' order by 1;

-- A relationship a permission follows: renaming it rewrites the permission; dropping it
-- is refused, naming the permission, unless cascade (which drops the permission too).
select graphql.metadata($${"type": "pg_rename_relationship", "args": {"table": "authors", "name": "articles", "new_name": "writings"}}$$);
select t #> '{select_permissions,0,permission,filter}' as renamed_in_filter
  from jsonb_array_elements(graphql.metadata('{"type": "export_metadata", "args": {}}') #> '{sources,0,tables}') t
 where t #>> '{table,name}' = 'authors';
select graphql.metadata($${"type": "pg_drop_relationship", "args": {"table": "authors", "relationship": "writings"}}$$);
select graphql.metadata($${"type": "pg_drop_relationship", "args": {"table": "authors", "relationship": "writings", "cascade": true}}$$);
select t ? 'select_permissions' as authors_permission_left
  from jsonb_array_elements(graphql.metadata('{"type": "export_metadata", "args": {}}') #> '{sources,0,tables}') t
 where t #>> '{table,name}' = 'authors';

-- Bad bodies: an ERROR naming the object and the reason; nothing changes.
select graphql.metadata('{"type": "pg_create_select_permission", "args": {"table": "nope", "role": "r", "permission": {"columns": "*", "filter": {}}}}');
select graphql.metadata('{"type": "pg_create_select_permission", "args": {"table": "articles", "permission": {"columns": "*", "filter": {}}}}');
select graphql.metadata('{"type": "pg_create_select_permission", "args": {"table": "articles", "role": "admin", "permission": {"columns": "*", "filter": {}}}}');
select graphql.metadata('{"type": "pg_create_select_permission", "args": {"table": "articles", "role": "pgf_perm_user", "permission": {"columns": "*", "filter": {}}}}');
select graphql.metadata('{"type": "pg_create_select_permission", "args": {"table": "articles", "role": "r2", "permission": {"columns": ["id", "nope"], "filter": {}}}}');
select graphql.metadata('{"type": "pg_create_select_permission", "args": {"table": "articles", "role": "r2", "permission": {"columns": "*", "filter": {"nope": {"_eq": 1}}}}}');
select graphql.metadata('{"type": "pg_create_select_permission", "args": {"table": "articles", "role": "r2", "permission": {"columns": "*", "filter": {"id": {"_like": "1%"}}}}}');
select graphql.metadata('{"type": "pg_create_select_permission", "args": {"table": "articles", "role": "r2", "permission": {"columns": "*", "filter": {"id": {"_eq": "X-Other-Id"}}}}}');
select graphql.metadata('{"type": "pg_create_select_permission", "args": {"table": "articles", "role": "r2", "permission": {"columns": "*", "filter": {"author": {"nope": {"_eq": 1}}}}}}');
select graphql.metadata('{"type": "pg_create_select_permission", "args": {"table": "articles", "role": "r2", "permission": {"columns": "*", "filter": {}, "limit": -1}}}');
select graphql.metadata('{"type": "pg_create_select_permission", "args": {"table": "articles", "role": "r2", "permission": {"columns": "*", "filter": {}, "query_root_fields": ["select_all"]}}}');
select graphql.metadata('{"type": "pg_create_insert_permission", "args": {"table": "articles", "role": "r2", "permission": {"check": {}, "columns": "*", "set": {"id": "seven"}}}}');
select graphql.metadata('{"type": "pg_drop_delete_permission", "args": {"table": "articles", "role": "r2"}}');
select graphql.metadata('{"type": "pg_set_permission_comment", "args": {"table": "articles", "role": "pgf_perm_user", "type": "upsert", "comment": "x"}}');
select count(*) as permissions_after_refusals
  from jsonb_array_elements(graphql.metadata('{"type": "export_metadata", "args": {}}') #> '{sources,0,tables}') t,
       lateral (values ('select'), ('insert'), ('update'), ('delete')) k(kind),
       lateral jsonb_array_elements(coalesce(t -> (k.kind || '_permissions'), '[]')) p;

-- A permission that no longer resolves (its column dropped) is inconsistent metadata,
-- and the table fails closed: hidden from that role, not unfiltered.
alter table articles drop column published cascade;
select graphql.metadata('{"type": "get_inconsistent_metadata", "args": {}}') -> 'inconsistent_objects' @? '$[*] ? (@.type == "select_permission")' as select_permission_inconsistent;
set local role pgf_perm_anon;
select graphql.resolve($${ articles { id } }$$)::jsonb as anon_after_drop;
reset role;
rollback;
