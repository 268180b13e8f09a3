//! How Postgres column types map to GraphQL types (the README documents this table).

/// The GraphQL shape of a column.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnType {
    /// Named GraphQL type of the value (of an element, for arrays).
    pub scalar: String,
    /// Arrays become GraphQL lists.
    pub is_list: bool,
    /// A Postgres enum, exposed as a GraphQL enum of its labels.
    pub enum_labels: Option<Vec<String>>,
    pub kind: ScalarKind,
}

/// What operators and aggregates a type supports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScalarKind {
    /// Numbers: comparisons, sum/avg/min/max.
    Numeric,
    /// Text: comparisons, pattern operators, min/max.
    Text,
    /// Ordered values (dates, times, uuid, enums): comparisons, min/max.
    Ordered,
    /// Boolean: equality and ordering.
    Boolean,
    /// json/jsonb: equality only.
    Json,
}

/// Custom scalars the schema declares (the built-ins need no declaration).
pub const CUSTOM_SCALARS: &[&str] = &[
    "bigint", "numeric", "uuid", "date", "time", "timetz", "timestamp", "timestamptz",
    "interval", "json", "jsonb",
];

fn base(typname: &str) -> (&'static str, ScalarKind) {
    match typname {
        "int2" | "int4" => ("Int", ScalarKind::Numeric),
        "int8" => ("bigint", ScalarKind::Numeric),
        "float4" | "float8" => ("Float", ScalarKind::Numeric),
        "numeric" => ("numeric", ScalarKind::Numeric),
        "bool" => ("Boolean", ScalarKind::Boolean),
        "uuid" => ("uuid", ScalarKind::Ordered),
        "date" => ("date", ScalarKind::Ordered),
        "time" => ("time", ScalarKind::Ordered),
        "timetz" => ("timetz", ScalarKind::Ordered),
        "timestamp" => ("timestamp", ScalarKind::Ordered),
        "timestamptz" => ("timestamptz", ScalarKind::Ordered),
        "interval" => ("interval", ScalarKind::Ordered),
        "json" => ("json", ScalarKind::Json),
        "jsonb" => ("jsonb", ScalarKind::Json),
        // text, varchar, bpchar, name, citext, and every other type through its text form
        _ => ("String", ScalarKind::Text),
    }
}

/// Maps a reflected column; `enum_type_name` is the GraphQL name for an enum type.
pub fn column_type(
    type_name: &str,
    elem_type_name: Option<&str>,
    enum_labels: Option<&Vec<String>>,
) -> ColumnType {
    let is_list = elem_type_name.is_some();
    let value_type = elem_type_name.unwrap_or(type_name);
    if let Some(labels) = enum_labels {
        let usable = !labels.is_empty()
            && labels.iter().all(|l| super::names::is_graphql_name(l) && !matches!(l.as_str(), "true" | "false" | "null"))
            && super::names::is_graphql_name(value_type);
        if usable {
            return ColumnType {
                scalar: value_type.to_string(),
                is_list,
                enum_labels: Some(labels.clone()),
                kind: ScalarKind::Ordered,
            };
        }
    }
    let (scalar, kind) = base(value_type);
    ColumnType { scalar: scalar.to_string(), is_list, enum_labels: None, kind }
}
