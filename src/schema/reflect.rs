//! Reads relations, columns, keys and privileges from pg_catalog in one query.

use serde::Deserialize;

use crate::spi;

#[derive(Debug, Clone, Deserialize)]
pub struct Relation {
    pub schema: String,
    pub name: String,
    pub columns: Vec<Column>,
    #[serde(default)]
    pub primary_key: Vec<String>,
    #[serde(default)]
    pub foreign_keys: Vec<ForeignKey>,
    /// A table (not a view or a foreign table): rows may be inserted, updated, deleted.
    #[serde(default)]
    pub writable: bool,
    /// Whether the current role may DELETE from it.
    #[serde(default)]
    pub deletable: bool,
    /// Its primary key and unique constraints (an insert's `on_conflict` names one).
    #[serde(default)]
    pub unique_constraints: Vec<UniqueConstraint>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct UniqueConstraint {
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Column {
    pub name: String,
    /// `format_type()` of the column: a type name Postgres itself can parse, for casts.
    pub sql_type: String,
    /// pg_type.typname of the column's type, domains resolved to their base.
    pub type_name: String,
    /// For arrays, the element's typname (domains resolved).
    pub elem_type_name: Option<String>,
    /// Labels of an enum type (of the element, for arrays of enums).
    pub enum_labels: Option<Vec<String>>,
    pub not_null: bool,
    /// Whether the current role may SELECT the column.
    pub readable: bool,
    /// Whether the current role may INSERT / UPDATE it (never a generated column, nor
    /// an identity column GENERATED ALWAYS).
    #[serde(default)]
    pub insertable: bool,
    #[serde(default)]
    pub updatable: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub ref_schema: String,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
}

const REFLECT_SQL: &str = r#"
with rels as (
    select c.oid, n.nspname as schema, c.relname as name, c.relkind::text as kind
    from pg_catalog.pg_class c
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p', 'v', 'm', 'f')
      and not c.relispartition
      and (n.nspname = any($1::text[])
           or (n.nspname || '.' || c.relname) = any($2::text[]))
      and ($3::bool is not true
           or (pg_catalog.has_schema_privilege(n.oid, 'USAGE')
               and (pg_catalog.has_table_privilege(c.oid, 'SELECT')
                    or pg_catalog.has_any_column_privilege(c.oid, 'SELECT'))))
),
cols as (
    select a.attrelid, a.attnum, a.attname, a.attnotnull,
           a.attgenerated = '' and a.attidentity <> 'a' as assignable,
           pg_catalog.format_type(a.atttypid, a.atttypmod) as sql_type,
           bt.oid as type_oid, bt.typname, bt.typtype, bt.typelem,
           coalesce(nullif(et.typbasetype, 0), et.oid) as elem_oid
    from pg_catalog.pg_attribute a
    join rels r on r.oid = a.attrelid
    join pg_catalog.pg_type t on t.oid = a.atttypid
    join pg_catalog.pg_type bt on bt.oid = coalesce(nullif(t.typbasetype, 0), t.oid)
    left join pg_catalog.pg_type et on et.oid = bt.typelem and bt.typcategory = 'A'
    where a.attnum > 0 and not a.attisdropped
)
select coalesce(jsonb_agg(jsonb_build_object(
    'schema', r.schema,
    'name', r.name,
    'columns', (
        select coalesce(jsonb_agg(jsonb_build_object(
            'name', c.attname,
            'sql_type', c.sql_type,
            'type_name', c.typname,
            'elem_type_name', (select typname from pg_catalog.pg_type where oid = c.elem_oid),
            'enum_labels', (select jsonb_agg(e.enumlabel order by e.enumsortorder)
                            from pg_catalog.pg_enum e
                            where e.enumtypid = coalesce(c.elem_oid, c.type_oid)),
            'not_null', c.attnotnull,
            'readable', ($3::bool is not true
                         or pg_catalog.has_column_privilege(r.oid, c.attnum, 'SELECT')),
            'insertable', c.assignable and ($3::bool is not true
                         or pg_catalog.has_column_privilege(r.oid, c.attnum, 'INSERT')),
            'updatable', c.assignable and ($3::bool is not true
                         or pg_catalog.has_column_privilege(r.oid, c.attnum, 'UPDATE'))
        ) order by c.attnum), '[]'::jsonb)
        from cols c where c.attrelid = r.oid),
    'writable', r.kind in ('r', 'p'),
    'unique_constraints', (
        select coalesce(jsonb_agg(jsonb_build_object('name', con.conname) order by con.conname), '[]'::jsonb)
        from pg_catalog.pg_constraint con
        where con.conrelid = r.oid and con.contype in ('p', 'u')),
    'deletable', ($3::bool is not true or pg_catalog.has_table_privilege(r.oid, 'DELETE')),
    'primary_key', (
        select coalesce(jsonb_agg(a.attname order by k.ord), '[]'::jsonb)
        from pg_catalog.pg_constraint con
        cross join lateral unnest(con.conkey) with ordinality as k(attnum, ord)
        join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum
        where con.conrelid = r.oid and con.contype = 'p'),
    'foreign_keys', (
        select coalesce(jsonb_agg(jsonb_build_object(
            'name', con.conname,
            'columns', (select jsonb_agg(a.attname order by k.ord)
                        from unnest(con.conkey) with ordinality as k(attnum, ord)
                        join pg_catalog.pg_attribute a
                          on a.attrelid = con.conrelid and a.attnum = k.attnum),
            'ref_schema', rn.nspname,
            'ref_table', rc.relname,
            'ref_columns', (select jsonb_agg(a.attname order by k.ord)
                            from unnest(con.confkey) with ordinality as k(attnum, ord)
                            join pg_catalog.pg_attribute a
                              on a.attrelid = con.confrelid and a.attnum = k.attnum)
        ) order by con.conname), '[]'::jsonb)
        from pg_catalog.pg_constraint con
        join pg_catalog.pg_class rc on rc.oid = con.confrelid
        join pg_catalog.pg_namespace rn on rn.oid = rc.relnamespace
        where con.conrelid = r.oid and con.contype = 'f')
) order by r.schema, r.name), '[]'::jsonb)
from rels r
"#;

/// Which relations to read.
pub struct Scope<'a> {
    /// Every relation in these schemas.
    pub schemas: &'a [String],
    /// Plus these, as "schema.name".
    pub extra: &'a [String],
    /// Only what the current role may SELECT (and mark unreadable columns).
    pub for_current_role: bool,
}

/// Reads the relations in `scope`. Catalog errors here are bugs, raised as ERRORs.
pub fn relations(scope: &Scope) -> Vec<Relation> {
    let params = [
        Some(pg_text_array(scope.schemas)),
        Some(pg_text_array(scope.extra)),
        Some(scope.for_current_role.to_string()),
    ];
    let value = spi::catalog_json(REFLECT_SQL, &params);
    match serde_json::from_value(value) {
        Ok(relations) => relations,
        Err(e) => pgrx::error!("pg_federation: unexpected catalog shape: {e}"),
    }
}

/// One relation by schema and name, whatever the current role may see.
pub fn relation(schema: &str, name: &str) -> Option<Relation> {
    let extra = [format!("{schema}.{name}")];
    relations(&Scope { schemas: &[], extra: &extra, for_current_role: false })
        .into_iter()
        .find(|r| r.schema == schema && r.name == name)
}

/// A Postgres text[] literal, for passing a list as one bind parameter.
pub fn pg_text_array<S: AsRef<str>>(items: &[S]) -> String {
    let mut out = String::from("{");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        for ch in item.as_ref().chars() {
            if ch == '"' || ch == '\\' {
                out.push('\\');
            }
            out.push(ch);
        }
        out.push('"');
    }
    out.push('}');
    out
}
