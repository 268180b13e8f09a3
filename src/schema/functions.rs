//! SQL functions as the catalog describes them, for computed fields: volatility,
//! result type, arguments (a composite argument names its table) and whether the
//! current role may execute them.

use serde::Deserialize;

use crate::metadata::document::QualifiedTable;
use crate::spi;

#[derive(Debug, Clone, Deserialize)]
pub struct Function {
    /// `i`, `s` or `v` (pg_proc.provolatile).
    pub volatility: String,
    pub returns_set: bool,
    pub result: TypeInfo,
    /// IN arguments, in order.
    pub arguments: Vec<Argument>,
    /// Functions of that name in that schema (overloads are refused, as Hasura does).
    pub overloads: i64,
    /// OUT, INOUT, VARIADIC or TABLE arguments.
    pub has_other_modes: bool,
    /// How many of the last arguments have defaults.
    pub defaults: usize,
    pub executable: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TypeInfo {
    /// `format_type()`: for casts.
    pub sql_type: String,
    /// The base type's name (a domain's base), for the GraphQL scalar.
    pub type_name: String,
    pub elem_type_name: Option<String>,
    pub enum_labels: Option<Vec<String>>,
    /// pg_type.typtype of the declared type: `b`ase, `c`omposite, `d`omain, `e`num, `p`seudo…
    pub kind: String,
    /// The table whose row type it is, for a composite.
    pub relation: Option<QualifiedTable>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Argument {
    /// Empty when the argument has no name.
    pub name: String,
    #[serde(flatten)]
    pub ty: TypeInfo,
}

const TYPE_INFO: &str = "jsonb_build_object(
    'sql_type', pg_catalog.format_type(t.oid, null),
    'type_name', bt.typname,
    'elem_type_name', (select et.typname from pg_catalog.pg_type et where et.oid = bt.typelem and bt.typcategory = 'A'),
    'enum_labels', (select jsonb_agg(e.enumlabel order by e.enumsortorder) from pg_catalog.pg_enum e where e.enumtypid = bt.oid),
    'kind', t.typtype::text,
    'relation', (select jsonb_build_object('schema', rn.nspname, 'name', rc.relname)
                   from pg_catalog.pg_class rc join pg_catalog.pg_namespace rn on rn.oid = rc.relnamespace
                  where rc.oid = t.typrelid))";

/// The function `schema.name` (the first, when overloaded), if it exists.
pub fn function(function: &QualifiedTable) -> Option<Function> {
    let query = format!(
        "select jsonb_build_object(
            'volatility', p.provolatile::text, 'returns_set', p.proretset,
            'result', (select {TYPE_INFO} from pg_catalog.pg_type t
                         join pg_catalog.pg_type bt on bt.oid = coalesce(nullif(t.typbasetype, 0), t.oid)
                        where t.oid = p.prorettype),
            'arguments', (select coalesce(jsonb_agg({TYPE_INFO} || jsonb_build_object('name', coalesce(p.proargnames[k.i], ''))
                                                    order by k.i), '[]')
                            from unnest(p.proargtypes::oid[]) with ordinality as k(type_oid, i)
                            join pg_catalog.pg_type t on t.oid = k.type_oid
                            join pg_catalog.pg_type bt on bt.oid = coalesce(nullif(t.typbasetype, 0), t.oid)),
            'overloads', (select count(*) from pg_catalog.pg_proc o where o.pronamespace = p.pronamespace and o.proname = p.proname),
            'has_other_modes', p.proargmodes is not null,
            'defaults', p.pronargdefaults,
            'executable', pg_catalog.has_function_privilege(p.oid, 'EXECUTE'))
           from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
          where n.nspname = $1 and p.proname = $2 and p.prokind = 'f'
          order by p.oid limit 1"
    );
    let value = spi::catalog_json(&query, &[Some(function.schema.clone()), Some(function.name.clone())]);
    serde_json::from_value(value).ok()
}
