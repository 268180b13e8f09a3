-- SQL injection through every place a request puts text: string arguments (inline and
-- in variables), _in lists, LIKE and regex patterns, array and json operands, by_pk
-- arguments, order_by / distinct_on positions, aliases and the operation name. Values
-- reach SQL as bind parameters, so a hostile string matches exactly the rows whose
-- value equals it, and nothing it says is executed. After each group the tables are
-- still there with all their rows, and the canary table stays empty.
begin;

-- Written to by any injected statement that gets executed (none should).
create table canary (what text);

create table notes (
    id int primary key,
    body text,
    tags text[],
    meta jsonb,
    ref uuid,
    n int
);
insert into notes (id, body) values
    (1, $h$'; drop table notes; --$h$),
    (2, $h$Robert'); DROP TABLE notes; insert into canary values ('pwned'); --$h$),
    (3, $h$\' or 1=1 --$h$),
    (4, $h$$1$h$),
    (5, $h$$$ or true $$$h$),
    (6, $h$" or ""="$h$),
    (7, 'ünïcödé ✓ 🐘 שלום'),
    (8, E'tab\there\nline\rcr\x01\x1f\x7fend'),
    (9, '100%'),
    (10, '1000'),
    (11, 'NULL'),
    (12, '{a,b}'),
    (13, $h$back\slash$h$),
    (14, 'a'),
    (15, 'b'),
    (16, $h$x","y$h$),
    (17, $h$') or true or ('$h$),
    (18, $h$1; select pg_sleep(10)$h$),
    (19, $h$*/ or true /*$h$),
    (20, null);
update notes set tags = array['x', 'y'] where id = 14;
update notes set tags = array[$h$x","y$h$] where id = 16;
update notes set tags = array['}', '{', 'NULL', $h$\$h$] where id = 12;
update notes set meta = jsonb_build_object('k', $h$'; drop table notes; --$h$) where id = 1;
update notes set meta = jsonb_build_object($h$') or true --$h$, 1) where id = 17;
update notes set ref = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' where id = 1;
update notes set n = id;

create table docs (slug text primary key, title text, n int);
insert into docs select body, 'doc ' || id, id from notes where id between 1 and 19;

-- Run after each group: both tables whole, no injected write.
create function pg_temp.intact() returns table (notes bigint, docs bigint, canary bigint)
    language sql as $f$
    select (select count(*) from notes), (select count(*) from docs), (select count(*) from canary)
$f$;
select * from pg_temp.intact();

-- ---------------------------------------------------------------------------------
-- Variables: each hostile body, passed as a String variable, finds exactly its row.
select n.id, to_jsonb(n.body) as body,
       to_jsonb(graphql.resolve($q$query ($s: String!) { notes(where: {body: {_eq: $s}}) { id } }$q$,
                       jsonb_build_object('s', n.body))) as result
from notes n where n.body is not null order by n.id;
select * from pg_temp.intact();

-- _neq: every other non-null row (19 - 1).
select n.id,
       to_jsonb(graphql.resolve($q$query ($s: String) { notes_aggregate(where: {body: {_neq: $s}}) { aggregate { count } } }$q$,
                       jsonb_build_object('s', n.body))) as result
from notes n where n.id in (1, 2, 3, 5, 12) order by n.id;
select * from pg_temp.intact();

-- ---------------------------------------------------------------------------------
-- Inline string literals (GraphQL escapes: \" \\ \n \t \u....).
select graphql.resolve($q$ { notes(where: {body: {_eq: "'; drop table notes; --"}}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_eq: "Robert'); DROP TABLE notes; insert into canary values ('pwned'); --"}}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_eq: "\\' or 1=1 --"}}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_eq: "$1"}}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_eq: "$$ or true $$"}}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_eq: "\" or \"\"=\""}}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_eq: "\u00fcn\u00efc\u00f6d\u00e9 ✓ 🐘 שלום"}}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_eq: "tab\there\nline\rcr\u0001\u001f\u007fend"}}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_eq: "back\\slash"}}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_eq: "') or true or ('"}}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_eq: "*/ or true /*"}}) { id } } $q$)::jsonb;
-- A block string: no escapes inside.
select graphql.resolve($q$ { notes(where: {body: {_eq: """" or ""="
"""}}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_eq: """back\slash"""}}) { id } } $q$)::jsonb;
-- Strings that are not in the table match nothing.
select graphql.resolve($q$ { notes(where: {body: {_eq: "x' or '1'='1"}}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {_or: [{body: {_eq: "a' or 'a'='a"}}, {body: {_eq: "1) or (1=1"}}]}) { id } } $q$)::jsonb;
select * from pg_temp.intact();

-- ---------------------------------------------------------------------------------
-- _in / _nin: list elements are array-literal elements, quoted and escaped: "{a,b}" is
-- one string, not two; "NULL" is the string NULL, not null; a quote or a backslash
-- inside an element does not end it.
select graphql.resolve($q$ { notes(where: {body: {_in: ["{a,b}"]}}, order_by: {id: asc}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_in: ["a", "b"]}}, order_by: {id: asc}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_in: ["NULL"]}}, order_by: {id: asc}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_in: ["x\",\"y"]}}, order_by: {id: asc}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_in: ["x", "y"]}}, order_by: {id: asc}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_in: ["back\\slash", "\\' or 1=1 --", "}", "{"]}}, order_by: {id: asc}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_in: ["'; drop table notes; --", "$1", "\" or \"\"=\""]}}, order_by: {id: asc}) { id } } $q$)::jsonb;
-- every hostile body in one _in variable: all 19 non-null rows.
select graphql.resolve($q$query ($l: [String!]) { notes_aggregate(where: {body: {_in: $l}}) { aggregate { count } } }$q$,
                       (select jsonb_build_object('l', jsonb_agg(body)) from notes where body is not null))::jsonb;
-- ...and _nin with the same list leaves no non-null body.
select graphql.resolve($q$query ($l: [String!]) { notes(where: {body: {_nin: $l, _is_null: false}}) { id } }$q$,
                       (select jsonb_build_object('l', jsonb_agg(body)) from notes where body is not null))::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_nin: ["{a,b}", "a"], _is_null: false}}, order_by: {id: asc}) { id } } $q$)::jsonb;
-- _nin is Hasura's NOT (body = ANY(list)): a null body (id 20) matches neither _in nor _nin.
select graphql.resolve($q$query ($l: [String!]) { notes(where: {body: {_nin: $l}}) { id } }$q$,
                       (select jsonb_build_object('l', jsonb_agg(body)) from notes where body is not null))::jsonb;
-- A NUL character cannot reach PostgreSQL text: a clear error, not a truncated value.
select graphql.resolve($q$ { notes(where: {body: {_eq: "a\u0000b"}}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_in: ["a\u0000b"]}}) { id } } $q$)::jsonb;
select * from pg_temp.intact();

-- Arrays: a text[] operand is one array literal; an element containing "," and quotes
-- stays one element.
select graphql.resolve($q$ { notes(where: {tags: {_contains: ["x\",\"y"]}}, order_by: {id: asc}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {tags: {_contains: ["x", "y"]}}, order_by: {id: asc}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {tags: {_eq: ["}", "{", "NULL", "\\"]}}) { id tags } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {tags: {_contains: ["NULL"]}}) { id } } $q$)::jsonb;
select * from pg_temp.intact();

-- json: operands are JSON values, compared as jsonb; keys are strings.
select graphql.resolve($q$ { notes(where: {meta: {_contains: {k: "'; drop table notes; --"}}}) { id meta } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {meta: {_has_key: "') or true --"}}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {meta: {_has_key: "k' or '1'='1"}}) { id } } $q$)::jsonb;
select graphql.resolve($q$query ($j: jsonb) { notes(where: {meta: {_eq: $j}}) { id } }$q$,
                       jsonb_build_object('j', jsonb_build_object($h$') or true --$h$, 1)))::jsonb;
select * from pg_temp.intact();

-- ---------------------------------------------------------------------------------
-- Patterns: a hostile pattern is only a pattern. LIKE-escaped, each body matches
-- exactly its row; an unescaped % or _ keeps its LIKE meaning.
select n.id,
       to_jsonb(graphql.resolve($q$query ($p: String!) { notes(where: {body: {_like: $p}}) { id } }$q$,
                       jsonb_build_object('p', replace(replace(replace(n.body, '\', '\\'), '%', '\%'), '_', '\_')))) as result
from notes n where n.body is not null order by n.id;
select graphql.resolve($q$ { notes(where: {body: {_like: "100\\%"}}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_like: "100%"}}, order_by: {id: asc}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_like: "'; drop%"}}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_ilike: "robert'); drop%"}}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_like: "%' or '1'='1"}}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes_aggregate(where: {body: {_nlike: "%drop table%"}}) { aggregate { count } } } $q$)::jsonb;
select graphql.resolve($q$ { notes_aggregate(where: {body: {_nilike: "%DROP TABLE%"}}) { aggregate { count } } } $q$)::jsonb;
select * from pg_temp.intact();

-- Regular expressions: regex-escaped, each body matches exactly its row.
select n.id,
       to_jsonb(graphql.resolve($q$query ($p: String!) { notes(where: {body: {_regex: $p}}) { id } }$q$,
                       jsonb_build_object('p', '^' || regexp_replace(n.body, '([.^$*+?()\[\]{}|\\-])', '\\\1', 'g') || '$'))) as result
from notes n where n.body is not null order by n.id;
select graphql.resolve($q$ { notes(where: {body: {_iregex: "^robert'\\); drop"}}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {body: {_similar: "%(drop|DROP) (table|TABLE)%"}}, order_by: {id: asc}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes_aggregate(where: {body: {_nsimilar: "%(drop|DROP)%"}}) { aggregate { count } } } $q$)::jsonb;
select graphql.resolve($q$ { notes_aggregate(where: {body: {_nregex: "drop"}}) { aggregate { count } } } $q$)::jsonb;
select graphql.resolve($q$ { notes_aggregate(where: {body: {_niregex: "drop"}}) { aggregate { count } } } $q$)::jsonb;
-- An invalid regular expression is a data-exception error for the field, not an ERROR.
select graphql.resolve($q$ { notes(where: {body: {_regex: "('; drop table notes; --"}}) { id } } $q$)::jsonb;
select * from pg_temp.intact();

-- ---------------------------------------------------------------------------------
-- by_pk: a hostile key finds its row, as a literal and as a variable.
select d.title, to_jsonb(d.slug) as slug,
       to_jsonb(graphql.resolve($q$query ($s: String!) { docs_by_pk(slug: $s) { title } }$q$,
                       jsonb_build_object('s', d.slug))) as result
from docs d order by d.n;
select graphql.resolve($q$ { docs_by_pk(slug: "'; drop table docs; --") { title } } $q$)::jsonb;
select graphql.resolve($q$ { docs_by_pk(slug: "'; drop table notes; --") { title } } $q$)::jsonb;
select graphql.resolve($q$ { docs_by_pk(slug: "x' or '1'='1") { title } } $q$)::jsonb;
select * from pg_temp.intact();

-- ---------------------------------------------------------------------------------
-- Typed arguments: a hostile string is not an Int, a uuid or an enum value.
select graphql.resolve($q$ { notes(where: {n: {_eq: "1 or 1=1"}}) { id } } $q$)::jsonb;
select graphql.resolve($q$query ($v: Int) { notes(where: {n: {_eq: $v}}) { id } }$q$, '{"v": "1 or 1=1"}')::jsonb;
select graphql.resolve($q$query ($v: [Int!]) { notes(where: {n: {_in: $v}}) { id } }$q$, '{"v": [1, "2) or (1=1"]}')::jsonb;
select graphql.resolve($q$query ($l: Int) { notes(limit: $l) { id } }$q$, '{"l": "1; drop table notes"}')::jsonb;
select graphql.resolve($q$ { notes(limit: 1, offset: -1) { id } } $q$)::jsonb;
-- uuid is a custom scalar: the string reaches Postgres as a bound uuid and fails there.
select graphql.resolve($q$ { notes(where: {ref: {_eq: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' or '1'='1"}}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {ref: {_in: ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "'); drop table notes; --"]}}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(where: {ref: {_eq: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"}}) { id } } $q$)::jsonb;
select * from pg_temp.intact();

-- ---------------------------------------------------------------------------------
-- order_by / distinct_on: positions are enum values and input-object keys, checked
-- against the schema; nothing else reaches SQL.
select graphql.resolve($q$ { notes(order_by: {body: "asc; drop table notes; --"}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(order_by: {body: asc_drop_table_notes}) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(distinct_on: [body_drop_table_notes]) { id } } $q$)::jsonb;
select graphql.resolve($q$ { notes(distinct_on: "body); drop table notes; --") { id } } $q$)::jsonb;
select graphql.resolve($q$query ($o: [notes_order_by!]) { notes(order_by: $o) { id } }$q$,
                       '{"o": [{"body": "asc nulls last; drop table notes; --"}]}')::jsonb;
select graphql.resolve($q$query ($o: [notes_order_by!]) { notes(order_by: $o) { id } }$q$,
                       $j${"o": {"body\"; drop table notes; --": "asc"}}$j$)::jsonb;
select graphql.resolve($q$query ($d: [notes_select_column!]) { notes(distinct_on: $d) { id } }$q$,
                       $j${"d": ["body\"); drop table notes; --"]}$j$)::jsonb;
-- Hostile keys and operators inside a where variable.
select graphql.resolve($q$query ($w: notes_bool_exp) { notes(where: $w) { id } }$q$,
                       $j${"w": {"true) or (1=1": {"_eq": "x"}}}$j$)::jsonb;
select graphql.resolve($q$query ($w: notes_bool_exp) { notes(where: $w) { id } }$q$,
                       $j${"w": {"body": {"_eq) or (1=1": "x"}}}$j$)::jsonb;
select graphql.resolve($q$query ($w: notes_bool_exp, $o: [notes_order_by!]) { notes(where: $w, order_by: $o) { id } }$q$,
                       $j${"w": {"_or": [{"body": {"_eq": "'; drop table notes; --"}}, {"body": {"_eq": "$1"}}]}, "o": {"id": "asc"}}$j$)::jsonb;
-- Valid enum positions through variables still work.
select graphql.resolve($q$query ($o: [notes_order_by!], $d: [notes_select_column!]) {
  notes(where: {id: {_in: [14, 15, 16]}}, order_by: $o, distinct_on: $d) { id body } }$q$,
                       '{"o": [{"body": "desc"}], "d": ["body"]}')::jsonb;
select * from pg_temp.intact();

-- ---------------------------------------------------------------------------------
-- Aliases: response keys become JSON keys only; SQL keywords and names the generated
-- SQL uses internally (x1, t2, __ord) are harmless.
select jsonb_pretty(graphql.resolve($q$ {
  select: notes(where: {id: {_eq: 1}}) { from: id where: body __ord: n x1: id t2: body }
  drop: notes_aggregate(where: {id: {_lte: 2}}) { table: aggregate { notes: count } }
  notes: docs_by_pk(slug: "$1") { canary: title }
} $q$)::jsonb);
select * from pg_temp.intact();

-- ---------------------------------------------------------------------------------
-- Names from the catalog are quoted identifiers: SQL keywords and mixed case work as
-- table and column names; a name that is not a GraphQL name is left out of the schema.
create table "order" ("select" int primary key, "from" text, "Group" text, "a""b; drop table notes; --" text);
insert into "order" values (1, 'f1', 'g1', 'hidden'), (2, 'f2', 'g2', 'hidden');
select jsonb_pretty(graphql.resolve($q$ {
  order(where: {from: {_in: ["f2", "f1' or '1'='1"]}}, order_by: {select: desc}) { select from Group }
  order_by_pk(select: 1) { from }
  order_aggregate(distinct_on: [Group]) { aggregate { count max { select } } }
} $q$)::jsonb);
select jsonb_pretty(graphql.resolve($q$ { __type(name: "order") { fields { name } } } $q$)::jsonb);
select * from pg_temp.intact();

-- ---------------------------------------------------------------------------------
-- Operation name and variable names are names, not text for SQL.
select graphql.resolve($q$query Q { notes(where: {id: {_eq: 1}}) { id } }$q$, '{}', $h$'; drop table notes; --$h$)::jsonb;
select graphql.resolve($q$query Q ($s: String) { notes(where: {body: {_eq: $s}}) { id } }$q$,
                       $j${"s": "$1", "'; drop table notes; --": "x", "$1": "y"}$j$)::jsonb;
-- A GraphQL comment holds anything.
select graphql.resolve($q$ { # '; drop table notes; --
  notes(where: {id: {_eq: 4}}) { id } } $q$)::jsonb;
select * from pg_temp.intact();

rollback;
